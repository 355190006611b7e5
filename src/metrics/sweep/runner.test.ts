import { describe, expect, it } from 'vitest';
import { circles } from '../../data/synthetic';
import { CpuEngine } from '../../engine/cpu/engine';
import { CpuTrainer } from '../../engine/cpu/trainer';
import { initParams } from '../../engine/model';
import type { ModelSpec } from '../../engine/types';
import { analyzeSweep } from './analysis';
import { measureStepCosts } from './costs';
import { bestRunPerBatchSize, type RunOutcome } from './outcome';
import {
  advanceSamples,
  runSweep,
  type SweepProgress,
  type SweepSettings,
  simpleNoiseScaleAt,
  sweepConfig,
} from './runner';

const DATASET = circles({ n: 128, noise: 0.1, seed: 3 });
const MODEL: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' };
const SETTINGS: SweepSettings = {
  batchSizes: [1, 4, 16, 128],
  learningRates: [0.03, 0.3, 3, 300],
  target: 0.3,
  maxEpochs: 60,
  maxSteps: 100_000,
  initSeed: 5,
  shuffleSeed: 7,
};

const key = (r: RunOutcome) => `${r.batchSize}/${r.learningRate}`;

describe('runSweep', () => {
  it('gives every pair one outcome, reports progress, and leaves no run in the engine', async () => {
    const engine = new CpuEngine(DATASET, MODEL);
    const done: SweepProgress[] = [];
    const result = await runSweep(engine, SETTINGS, { onRunDone: (_run, progress) => done.push(progress) });
    expect(result.runs).toHaveLength(16);
    expect(new Set(result.runs.map(key)).size).toBe(16);
    expect(done.map((p) => p.done)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(done.every((p) => p.total === 16)).toBe(true);
    expect(engine.runIds()).toEqual([]);
    // lr = 300 blows up at every B; every B reaches the target at some learning rate.
    expect(result.runs.filter((r) => r.learningRate === 300).every((r) => r.status === 'diverged')).toBe(
      true,
    );
    expect([...bestRunPerBatchSize(result.runs).keys()]).toEqual([1, 4, 16, 128]);
    for (const run of result.runs) {
      if (run.status === 'reached') {
        expect(run.finalLoss).toBeLessThanOrEqual(0.3);
        expect(run.crossing?.stepBefore).toBeLessThan(run.crossing?.stepAfter as number);
        expect(run.simpleNoiseScale).toBeGreaterThan(0);
      }
      if (run.status === 'slower') {
        // Stopped only once past the best run of its B, still above the target.
        const best = bestRunPerBatchSize(result.runs).get(run.batchSize);
        expect(run.stepsTaken).toBeGreaterThanOrEqual(best?.crossing.step as number);
        expect(run.finalLoss).toBeGreaterThan(0.3);
      }
    }
  });

  it('finds the same best runs as training each pair alone: racing and pruning change only the cost', async () => {
    const raced = await runSweep(new CpuEngine(DATASET, MODEL), SETTINGS);
    const alone: RunOutcome[] = [];
    for (const batchSize of SETTINGS.batchSizes) {
      for (const learningRate of SETTINGS.learningRates) {
        const single = await runSweep(new CpuEngine(DATASET, MODEL), {
          ...SETTINGS,
          batchSizes: [batchSize],
          learningRates: [learningRate],
        });
        alone.push(...single.runs);
      }
    }
    const bestRaced = bestRunPerBatchSize(raced.runs);
    const bestAlone = bestRunPerBatchSize(alone);
    expect([...bestRaced.keys()]).toEqual([...bestAlone.keys()]);
    for (const [b, run] of bestAlone) {
      expect(bestRaced.get(b)?.learningRate).toBe(run.learningRate);
      expect(bestRaced.get(b)?.crossing).toEqual(run.crossing);
    }
    // Alone, nothing is pruned, so some runs went on longer: the race saved work.
    const samples = (runs: RunOutcome[]) => runs.reduce((s, r) => s + r.samplesTaken, 0);
    expect(samples(raced.runs)).toBeLessThan(samples(alone));
  });

  it('gives the same answer in waves when the engine holds fewer runs than the sweep', async () => {
    const all = await runSweep(new CpuEngine(DATASET, MODEL), SETTINGS);
    const waves = await runSweep(new CpuEngine(DATASET, MODEL), SETTINGS, { maxConcurrentRuns: 3 });
    const best = (runs: RunOutcome[]) =>
      [...bestRunPerBatchSize(runs).values()].map((r) => [r.batchSize, r.learningRate, r.crossing.step]);
    expect(best(waves.runs)).toEqual(best(all.runs));
  });

  it('evaluates the loss on a schedule that grows with the samples trained', async () => {
    expect(advanceSamples(0, 512)).toBe(128);
    expect(advanceSamples(100_000, 512)).toBe(5000);
    expect(advanceSamples(1e9, 512)).toBe(16 * 512);
    const result = await runSweep(new CpuEngine(DATASET, MODEL), {
      ...SETTINGS,
      batchSizes: [1],
      learningRates: [0.03],
    });
    const history = result.runs[0]?.history ?? [];
    // Evaluations match the schedule (a B = 1 run takes one step per sample).
    let elapsed = 0;
    for (let i = 1; i < history.length; i++) {
      elapsed += advanceSamples(elapsed, DATASET.n);
      expect(history[i]?.step).toBe(elapsed);
    }
  });

  it('stops when cancelled, marking unfinished pairs as cancelled', async () => {
    const engine = new CpuEngine(DATASET, MODEL);
    const controller = new AbortController();
    const result = await runSweep(engine, SETTINGS, {
      signal: controller.signal,
      onRunDone: () => controller.abort(),
    });
    expect(result.cancelled).toBe(true);
    expect(result.runs).toHaveLength(16);
    expect(result.runs.filter((r) => r.status === 'cancelled').length).toBeGreaterThan(10);
    expect(engine.runIds()).toEqual([]);
  });

  it('chooses an automatic target that every batch size reaches', async () => {
    const result = await runSweep(new CpuEngine(DATASET, MODEL), { ...SETTINGS, target: 'auto' });
    expect(result.targetSource).toBe('auto');
    expect(result.target).toBeGreaterThan(0);
    expect(result.target).toBeLessThan(result.initialLoss);
    expect([...bestRunPerBatchSize(result.runs).keys()]).toEqual([1, 4, 16, 128]);
  });

  it('rejects unusable settings with a readable reason', async () => {
    const engine = new CpuEngine(DATASET, MODEL);
    await expect(runSweep(engine, { ...SETTINGS, batchSizes: [0] })).rejects.toThrow(/batch sizes/);
    await expect(runSweep(engine, { ...SETTINGS, learningRates: [] })).rejects.toThrow(/learning rate/);
    await expect(runSweep(engine, { ...SETTINGS, target: -1 })).rejects.toThrow(/target/);
  });

  it('measures B_simple where the target is reached', async () => {
    const result = await runSweep(new CpuEngine(DATASET, MODEL), {
      ...SETTINGS,
      batchSizes: [16],
      learningRates: [0.3],
    });
    const run = result.runs[0] as RunOutcome;
    // Replay the run alone to the evaluation that first reached the target.
    const trainer = new CpuTrainer(DATASET, MODEL, sweepConfig(16, 0.3, 7), initParams(MODEL, 5));
    trainer.stepSync(run.crossing?.stepAfter as number);
    expect(run.simpleNoiseScale).toBeCloseTo(simpleNoiseScaleAt(MODEL, DATASET, trainer.weights), 10);
  });
});

describe('measureStepCosts and analyzeSweep', () => {
  it('times every batch size and turns steps into wall time and a verdict', async () => {
    const engine = new CpuEngine(DATASET, MODEL);
    const result = await runSweep(engine, SETTINGS);
    const costs = await measureStepCosts(engine, SETTINGS.batchSizes, {
      initSeed: 5,
      shuffleSeed: 7,
      learningRate: 0.03,
      minSeconds: 0.002,
    });
    expect(costs.map((c) => c.batchSize)).toEqual([1, 4, 16, 128]);
    expect(costs.every((c) => c.secondsPerStep > 0)).toBe(true);
    expect(engine.runIds()).toEqual([]);
    const analysis = analyzeSweep(result.runs, {
      n: DATASET.n,
      target: 0.3,
      batchSizes: SETTINGS.batchSizes,
      costs,
    });
    for (const row of analysis.rows) {
      expect(row.wallSeconds).toBeCloseTo((row.steps as number) * (row.secondsPerStep as number), 12);
      const counts = Object.values(row.counts).reduce((a, b) => a + b, 0);
      expect(counts).toBe(4);
      expect(row.counts.diverged).toBeGreaterThanOrEqual(1); // lr = 300 at least
    }
    const fastest = Math.min(...analysis.rows.map((r) => r.wallSeconds as number));
    expect(analysis.rows.find((r) => r.batchSize === analysis.fastestBatchSize)?.wallSeconds).toBe(fastest);
    expect(analysis.verdict).toContain(
      `Fastest to the target on this device: B = ${analysis.fastestBatchSize}`,
    );
  });
});
