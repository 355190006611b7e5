import { describe, expect, it } from 'vitest';
import { analyzeSweep } from '../metrics/sweep/analysis';
import type { RunOutcome } from '../metrics/sweep/outcome';
import {
  type RunLearningRateInput,
  runLearningRate,
  type SweepBestRates,
  sweepBestRates,
} from './run-learning-rate';

const sweep: SweepBestRates = {
  datasetId: 'circles',
  n: 512,
  rates: [
    { batchSize: 1, learningRate: 0.02 },
    { batchSize: 8, learningRate: 0.1 },
    { batchSize: 64, learningRate: 0.5 },
    { batchSize: 512, learningRate: 2 },
  ],
};
const input = (patch: Partial<RunLearningRateInput>): RunLearningRateInput => ({
  mode: 'same',
  baseLearningRate: 0.1,
  batchSize: 32,
  reduction: 'mean',
  datasetId: 'circles',
  n: 512,
  sweep,
  ...patch,
});

describe('runLearningRate', () => {
  it('same: the slider learning rate at every B', () => {
    for (const batchSize of [1, 32, 512])
      expect(runLearningRate(input({ batchSize }))).toEqual({ learningRate: 0.1, fallback: null });
  });

  it('scaled: base × B / 32, so B = 32 keeps the base', () => {
    const at = (batchSize: number) => runLearningRate(input({ mode: 'scaled', batchSize })).learningRate;
    expect(at(32)).toBe(0.1);
    expect(at(1)).toBeCloseTo(0.1 / 32, 15);
    expect(at(64)).toBeCloseTo(0.2, 15);
    expect(at(512)).toBeCloseTo(1.6, 15);
  });

  it('scaled: clamped to the slider range', () => {
    expect(
      runLearningRate(input({ mode: 'scaled', baseLearningRate: 5, batchSize: 4096 })).learningRate,
    ).toBe(10);
    expect(
      runLearningRate(input({ mode: 'scaled', baseLearningRate: 1e-3, batchSize: 1 })).learningRate,
    ).toBe(1e-4);
  });

  it('scaled: with the sum reduction the step already grows with B, so the base is kept', () => {
    expect(runLearningRate(input({ mode: 'scaled', reduction: 'sum', batchSize: 512 })).learningRate).toBe(
      0.1,
    );
  });

  it('sweep: the best learning rate of the swept B nearest on a log scale', () => {
    const at = (batchSize: number) => runLearningRate(input({ mode: 'sweep', batchSize }));
    expect(at(1)).toEqual({ learningRate: 0.02, fallback: null });
    expect(at(2)).toEqual({ learningRate: 0.02, fallback: null }); // |log 2 − log 1| < |log 2 − log 8|
    expect(at(4).learningRate).toBe(0.1); // |log 4 − log 8| < |log 4 − log 1|
    expect(at(32).learningRate).toBe(0.5); // log 32 is 2 from log 64 and 4 from log 8 (base 2)
    expect(at(16).learningRate).toBe(0.1);
    expect(at(512).learningRate).toBe(2);
  });

  it('sweep: falls back to the slider learning rate, with a reason, when no sweep fits', () => {
    const none = runLearningRate(input({ mode: 'sweep', sweep: null, batchSize: 64 }));
    expect(none.learningRate).toBe(0.1);
    expect(none.fallback).toContain('No sweep has finished');
    const empty = runLearningRate(input({ mode: 'sweep', sweep: { ...sweep, rates: [] } }));
    expect(empty.learningRate).toBe(0.1);
    expect(empty.fallback).not.toBeNull();
    const otherData = runLearningRate(input({ mode: 'sweep', n: 256, batchSize: 64 }));
    expect(otherData.learningRate).toBe(0.1);
    expect(otherData.fallback).toContain('N = 512');
    const otherSet = runLearningRate(input({ mode: 'sweep', datasetId: 'xor', batchSize: 64 }));
    expect(otherSet.learningRate).toBe(0.1);
  });
});

describe('sweepBestRates', () => {
  const outcome = (batchSize: number, learningRate: number, steps: number | null): RunOutcome => ({
    batchSize,
    learningRate,
    status: steps === null ? 'diverged' : 'reached',
    crossing:
      steps === null
        ? null
        : { step: steps, samples: steps * batchSize, stepBefore: steps - 1, stepAfter: steps },
    stepsTaken: steps ?? 10,
    samplesTaken: (steps ?? 10) * batchSize,
    finalLoss: 0.09,
    history: [],
    simpleNoiseScale: null,
  });

  it('takes each B’s fastest learning rate and leaves out the B where none reached the target', () => {
    const runs = [
      outcome(1, 0.01, 900),
      outcome(1, 0.03, 500),
      outcome(8, 0.1, 200),
      outcome(8, 0.3, 80),
      outcome(64, 1, null),
    ];
    const analysis = analyzeSweep(runs, { n: 64, target: 0.1, batchSizes: [1, 8, 64] });
    expect(sweepBestRates('circles', analysis)).toEqual({
      datasetId: 'circles',
      n: 64,
      rates: [
        { batchSize: 1, learningRate: 0.03 },
        { batchSize: 8, learningRate: 0.3 },
      ],
    });
  });
});
