import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import { expectedBatchError, gradientNoiseStats } from '../../metrics/noise';
import { batchesForBudget } from './noise-client';
import { buildNoiseReport } from './noise-report';

describe('buildNoiseReport', () => {
  const n = 64;
  const p = 3;
  const rng = new Rng(2);
  const gradients = Float64Array.from({ length: n * p }, (_, k) => 0.5 * (k % p) + rng.normal());

  it('packs the metrics for the plot: stats, one measurement per B, the exact curve, a sentence', () => {
    const report = buildNoiseReport({ gradients, n, batchesPerSize: 50, seed: 1 });
    const stats = gradientNoiseStats(gradients, n, p);
    expect(report.p).toBe(p);
    expect(report.traceCovariance).toBe(stats.traceCovariance);
    expect(report.simpleNoiseScale).toBe(stats.simpleNoiseScale);
    expect(report.measurements.map((m) => m.batchSize)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(report.measurements[2]?.expected).toBe(expectedBatchError(stats.traceCovariance, n, 4));
    expect(report.curve.length).toBeGreaterThan(50);
    expect(report.sentence).toContain('B_simple');
  });

  it('rejects gradients that do not split into N rows', () => {
    expect(() =>
      buildNoiseReport({ gradients: new Float64Array(10), n: 3, batchesPerSize: 5, seed: 1 }),
    ).toThrow(/10 gradient numbers for 3 samples/);
  });
});

describe('batchesForBudget', () => {
  it('draws 200 batches per size for small problems and fewer (never under 20) for the largest', () => {
    expect(batchesForBudget(512, 105)).toBe(200);
    // N = 20 000 (the largest dataset), 337 parameters: ~7e6 multiply-adds per round of batches.
    expect(batchesForBudget(20_000, 337)).toBe(42);
    expect(batchesForBudget(20_000, 5000)).toBe(20);
    const mid = batchesForBudget(4096, 337);
    expect(mid).toBeGreaterThanOrEqual(20);
    expect(mid).toBeLessThanOrEqual(200);
  });
});
