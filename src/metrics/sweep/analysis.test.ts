import { describe, expect, it } from 'vitest';
import { analyzeSweep, nearestPowerOfTwo } from './analysis';
import { modelSteps } from './fit';
import type { RunOutcome } from './outcome';

const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

function reached(batchSize: number, steps: number, bSimple: number | null = null): RunOutcome {
  return {
    batchSize,
    learningRate: 0.1 * Math.min(batchSize, 32),
    status: 'reached',
    crossing: {
      step: steps,
      samples: steps * batchSize,
      stepBefore: Math.floor(steps),
      stepAfter: Math.ceil(steps),
    },
    stepsTaken: Math.ceil(steps),
    samplesTaken: Math.ceil(steps) * batchSize,
    finalLoss: 0.09,
    history: [],
    simpleNoiseScale: bSimple,
  };
}

describe('analyzeSweep and its verdict', () => {
  it('reads B_crit off the fit, and names the fastest B on this device', () => {
    const runs = SIZES.map((b) => reached(b, modelSteps({ sMin: 30, bCrit: 60 }, b), 90));
    // A step costs 10 µs up to B = 32, then grows with B: B = 32 wins on wall time.
    const costs = SIZES.map((b) => ({ batchSize: b, secondsPerStep: 1e-5 * Math.max(1, b / 32) }));
    const analysis = analyzeSweep(runs, { n: 512, target: 0.1, batchSizes: SIZES, costs });
    expect(analysis.fit?.bCrit).toBeCloseTo(60, 3);
    expect(analysis.simpleNoiseScale).toBeCloseTo(90, 12);
    expect(analysis.noiseToCriticalRatio).toBeCloseTo(1.5, 3);
    expect(analysis.fastestBatchSize).toBe(32);
    expect(analysis.verdict).toContain('doubling B up to about 64 nearly halves the number of updates');
    expect(analysis.verdict).toContain('B_simple ≈ 90, is 1.5× B_crit');
    expect(analysis.verdict).toContain('Fastest to the target on this device: B = 32');
  });

  it('says when scaling holds all the way, and lists batch sizes that never reached the target', () => {
    const runs = SIZES.slice(0, 8).map((b) => reached(b, 100_000 / b));
    const missing: RunOutcome = { ...reached(512, 1), status: 'budget', crossing: null };
    const analysis = analyzeSweep([...runs, missing], { n: 512, target: 0.1, batchSizes: SIZES });
    expect(analysis.verdict).toContain('all the way to the full dataset');
    expect(analysis.verdict).toContain('B = 256, 512 did not reach the target');
    expect(analysis.rows.find((r) => r.batchSize === 512)?.counts.budget).toBe(1);
    expect(analysis.fastestBatchSize).toBeNull(); // no step costs given
  });

  it('says so when nothing reached the target', () => {
    const analysis = analyzeSweep([], { n: 64, target: 0.1, batchSizes: [1, 64] });
    expect(analysis.fit).toBeNull();
    expect(analysis.verdict).toMatch(/^No batch size reached the target/);
  });

  it('rounds B_crit to a power of two for the words', () => {
    expect(nearestPowerOfTwo(19)).toBe(16);
    expect(nearestPowerOfTwo(25)).toBe(32);
    expect(nearestPowerOfTwo(0.3)).toBe(1);
  });
});
