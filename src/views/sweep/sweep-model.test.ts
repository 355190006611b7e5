import { describe, expect, it } from 'vitest';
import { analyzeSweep } from '../../metrics/sweep/analysis';
import type { RunOutcome } from '../../metrics/sweep/outcome';
import { IDLE_SWEEP, type SweepState } from '../../state/sweep-session';
import { mapCells, progressText, stepsPlot } from './sweep-model';

function run(
  batchSize: number,
  learningRate: number,
  status: RunOutcome['status'],
  step?: number,
): RunOutcome {
  return {
    batchSize,
    learningRate,
    status,
    crossing:
      step === undefined
        ? null
        : { step, samples: step * batchSize, stepBefore: step - 1, stepAfter: step + 1 },
    stepsTaken: step ?? 10,
    samplesTaken: 0,
    finalLoss: 0.5,
    history: [],
    simpleNoiseScale: null,
  };
}

function state(runs: RunOutcome[]): SweepState {
  const batchSizes = [1, 4, 16];
  return {
    ...IDLE_SWEEP,
    status: 'running',
    n: 16,
    batchSizes,
    learningRates: [0.1, 1],
    runs,
    progress: { phase: 'racing', done: runs.length, total: 6, target: 0.2 },
    target: 0.2,
    analysis: analyzeSweep(runs, { n: 16, target: 0.2, batchSizes }),
  };
}

describe('sweep view model', () => {
  const runs = [
    run(1, 0.1, 'reached', 80),
    run(1, 1, 'diverged'),
    run(4, 1, 'reached', 20),
    run(4, 0.1, 'slower'),
    run(16, 1, 'reached', 10),
  ];

  it('gives one map cell per pair: still training, best, diverged and slower marked', () => {
    const cells = mapCells(state(runs));
    expect(cells).toHaveLength(6);
    const cell = (b: number, lr: number) => cells.find((c) => c.batchSize === b && c.learningRate === lr);
    expect(cell(16, 0.1)?.kind).toBe('pending');
    expect(cell(1, 1)?.kind).toBe('diverged');
    expect(cell(4, 0.1)?.kind).toBe('slower');
    expect(cells.filter((c) => c.best).map((c) => [c.batchSize, c.learningRate])).toEqual([
      [1, 0.1],
      [4, 1],
      [16, 1],
    ]);
    expect(cell(4, 1)?.title).toContain('reached the target in 20 steps (best for this B)');
  });

  it('draws the perfect-scaling line through the smallest B, falling as 1/B (flat in samples)', () => {
    const steps = stepsPlot(state(runs), 'steps');
    const perfect = steps.series.find((s) => s.label.startsWith('perfect'));
    for (const p of perfect?.points ?? []) expect(p.y * p.x).toBeCloseTo(80, 9);
    const samples = stepsPlot(state(runs), 'samples');
    expect(samples.series[0]?.points.map((p) => p.y)).toEqual([80, 80, 160]);
    expect(samples.series.find((s) => s.label.startsWith('no waste'))?.points.every((p) => p.y === 80)).toBe(
      true,
    );
  });

  it('counts runs in the progress line', () => {
    expect(progressText(state(runs))).toBe('5 of 6 runs done');
  });
});
