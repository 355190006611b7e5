import { describe, expect, it } from 'vitest';
import { plane } from '../../data/synthetic';
import { initParams } from '../model';
import { stepsForAdvance } from '../schedule';
import type { ModelSpec, TrainConfig } from '../types';
import { CpuEngine } from './engine';

const dataset = plane({ n: 64, noise: 0.1, seed: 2 });
const model: ModelSpec = { inputSize: 2, hidden: [4], outputSize: 1, activation: 'tanh', loss: 'mse' };
const weights = initParams(model, 1);

function config(batchSize: number, learningRate = 0.05): TrainConfig {
  return { batchSize, learningRate, reduction: 'mean', momentum: 0, lastBatch: 'keep', shuffleSeed: 9 };
}

describe('CpuEngine', () => {
  it('labels itself CPU', () => {
    const engine = new CpuEngine(dataset, model);
    expect(engine.label).toBe('CPU');
    expect(engine.engine).toBe('cpu');
  });

  it('steps = min(maxStepsPerRun, ceil(samplesPerRun / B))', () => {
    expect(stepsForAdvance({ samplesPerRun: 64, maxStepsPerRun: 100 }, 8)).toBe(8);
    expect(stepsForAdvance({ samplesPerRun: 65, maxStepsPerRun: 100 }, 8)).toBe(9);
    expect(stepsForAdvance({ samplesPerRun: 64, maxStepsPerRun: 5 }, 8)).toBe(5);
    expect(stepsForAdvance({ samplesPerRun: 0, maxStepsPerRun: 5 }, 8)).toBe(0);
    expect(stepsForAdvance({ samplesPerRun: Number.POSITIVE_INFINITY, maxStepsPerRun: 3 }, 8)).toBe(3);
  });

  it('runs advance at their own pace: each covers the same samples whatever its B', async () => {
    const engine = new CpuEngine(dataset, model);
    const small = await engine.addRun(config(4), weights);
    const full = await engine.addRun(config(64), weights);
    const updates = await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 1000 });
    const bySmall = updates.find((u) => u.runId === small);
    const byFull = updates.find((u) => u.runId === full);
    expect(bySmall?.batchLosses.length).toBe(16);
    expect(byFull?.batchLosses.length).toBe(1);
    expect(bySmall?.progress).toEqual({ step: 16, epoch: 1, samplesSeen: 64 });
    expect(byFull?.progress).toEqual({ step: 1, epoch: 1, samplesSeen: 64 });
    expect(bySmall?.datasetLoss).toBe(await engine.datasetLoss(small));

    // The step cap applies to each run separately.
    const capped = await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 3 });
    expect(capped.find((u) => u.runId === small)?.batchLosses.length).toBe(3);
    expect(capped.find((u) => u.runId === full)?.batchLosses.length).toBe(1);
  });

  it('a run with a huge learning rate is marked diverged and stopped; the other goes on', async () => {
    const engine = new CpuEngine(dataset, model);
    const wild = await engine.addRun(config(8, 1e6), weights);
    const calm = await engine.addRun(config(8, 0.05), weights);
    let wildUpdate = (await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 1000 }))[0];
    for (let round = 0; round < 50 && !wildUpdate?.diverged; round++) {
      wildUpdate = (await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 1000 }))[0];
    }
    expect(wildUpdate?.runId).toBe(wild);
    expect(wildUpdate?.diverged).toBe(true);
    expect(engine.isDiverged(wild)).toBe(true);
    expect(engine.isDiverged(calm)).toBe(false);

    const stoppedAt = engine.trainer(wild).progressSync().step;
    const calmBefore = engine.trainer(calm).progressSync().step;
    const next = await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 1000 });
    const wildNext = next.find((u) => u.runId === wild);
    const calmNext = next.find((u) => u.runId === calm);
    expect(wildNext?.diverged).toBe(true);
    expect(wildNext?.batchLosses.length).toBe(0);
    expect(engine.trainer(wild).progressSync().step).toBe(stoppedAt);
    expect(calmNext?.diverged).toBe(false);
    expect(calmNext?.batchLosses.length).toBe(8);
    expect(engine.trainer(calm).progressSync().step).toBe(calmBefore + 8);
    expect(Number.isFinite(calmNext?.datasetLoss)).toBe(true);

    // Fresh weights give the diverged run a new start.
    await engine.setWeights(wild, weights);
    expect(engine.isDiverged(wild)).toBe(false);
  });

  it('adds, lists and removes runs; rejects bad configs with a message', async () => {
    const engine = new CpuEngine(dataset, model);
    const a = await engine.addRun(config(8), weights);
    const b = await engine.addRun(config(16), weights);
    expect(engine.runIds()).toEqual([a, b]);
    engine.removeRun(a);
    expect(engine.runIds()).toEqual([b]);
    await expect(engine.addRun(config(0), weights)).rejects.toThrow(/batch size/);
    await expect(engine.getWeights(a)).rejects.toThrow(/no run/);
    const copy = await engine.getWeights(b);
    copy[0] = 123;
    expect((await engine.getWeights(b))[0]).not.toBe(123);
    const grads = await engine.perSampleGradients(b, [0, 1, 2]);
    expect(grads.length).toBe(3 * weights.length);
    engine.dispose();
    expect(engine.runIds()).toEqual([]);
  });

  describe('a dataset over the loss budget is measured a share per advance', () => {
    // P = 17 weights; a budget of 17 × 16 multiply-adds: 16 samples per advance, 4 advances per pass.
    const budget = 17 * 16;

    it('each loss reported is the exact dataset loss of the weights at the step it names', async () => {
      const engine = new CpuEngine(dataset, model, budget);
      const reference = new CpuEngine(dataset, model);
      const id = await engine.addRun(config(8), weights);
      const twin = await reference.addRun(config(8), weights);
      expect(await engine.datasetLoss(id)).toBe(await reference.datasetLoss(twin));
      const exactAt = new Map<number, number>([[0, await reference.datasetLoss(twin)]]);
      const reported: { step: number; measuredAt: number; loss: number }[] = [];
      for (let a = 0; a < 12; a++) {
        const [update] = await engine.advance({ samplesPerRun: 8, maxStepsPerRun: 1 });
        const [twinUpdate] = await reference.advance({ samplesPerRun: 8, maxStepsPerRun: 1 });
        exactAt.set(twinUpdate!.progress.step, twinUpdate!.datasetLoss);
        reported.push({
          step: update!.progress.step,
          measuredAt: update!.datasetLossStep ?? update!.progress.step,
          loss: update!.datasetLoss,
        });
      }
      // The same training: the budget changes only when the loss is measured.
      expect(Array.from(await engine.getWeights(id))).toEqual(Array.from(await reference.getWeights(twin)));
      // A pass takes the weights after step 1 and is done with its fourth share, in the advance
      // that reaches step 4; the next takes step 5's weights: losses of steps 0, 1, 5 and 9.
      expect(reported.map((r) => r.measuredAt)).toEqual([0, 0, 0, 1, 1, 1, 1, 5, 5, 5, 5, 9]);
      for (const r of reported) {
        expect(r.measuredAt).toBeLessThanOrEqual(r.step);
        expect(r.loss).toBe(exactAt.get(r.measuredAt));
      }
    });

    it('a dataset within the budget is measured after every advance, as before', async () => {
      const engine = new CpuEngine(dataset, model, 17 * 64);
      const id = await engine.addRun(config(8), weights);
      const [update] = await engine.advance({ samplesPerRun: 8, maxStepsPerRun: 1 });
      expect(update!.datasetLossStep).toBeUndefined();
      expect(update!.datasetLoss).toBe(engine.trainer(id).datasetLossSync());
    });
  });
});
