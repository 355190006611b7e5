import { describe, expect, it } from 'vitest';
import { LossSeries } from './loss-series';

describe('LossSeries', () => {
  it('keeps every step while under capacity', () => {
    const series = new LossSeries(8);
    series.addBatchLosses([5, 4, 3], 0, 30);
    const buckets = series.buckets();
    expect(buckets.map((b) => b.mean)).toEqual([5, 4, 3]);
    expect(buckets.map((b) => b.timeMs)).toEqual([10, 20, 30]);
    expect(series.steps).toBe(3);
  });

  it('stays bounded and summarises every step exactly when it merges', () => {
    const series = new LossSeries(8);
    const losses = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    series.addBatchLosses(losses, 0, 1000);
    const buckets = series.buckets();
    expect(buckets.length).toBeLessThanOrEqual(8);
    // Every step is in exactly one bucket, in order, with no gaps.
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(1000);
    for (let i = 1; i < buckets.length; i++) {
      const prev = buckets[i - 1]!;
      expect(buckets[i]!.stepStart).toBe(prev.stepStart + prev.count);
    }
    // Means and extremes are those of the raw values in each range.
    for (const b of buckets) {
      const raw = losses.slice(b.stepStart, b.stepStart + b.count);
      expect(b.min).toBe(Math.min(...raw));
      expect(b.max).toBe(Math.max(...raw));
      expect(b.mean).toBeCloseTo(raw.reduce((s, v) => s + v, 0) / raw.length, 9);
    }
    expect(buckets.at(-1)!.timeMs).toBe(1000);
  });

  it('records where a run stopped being finite instead of drawing NaN', () => {
    const series = new LossSeries(8);
    series.addBatchLosses([1, 2, Number.NaN, Number.POSITIVE_INFINITY], 0, 4);
    expect(series.firstNonFiniteStep).toBe(2);
    expect(series.buckets().every((b) => Number.isFinite(b.mean))).toBe(true);
  });

  it('thins dataset-loss points but keeps the first and the latest', () => {
    const series = new LossSeries(8);
    for (let i = 0; i < 50; i++) series.addDatasetLoss({ step: i, timeMs: i, loss: 50 - i });
    const points = series.datasetLosses();
    expect(points.length).toBeLessThanOrEqual(8);
    expect(points[0]!.step).toBe(0);
    expect(series.latestDatasetLoss()).toBe(1);
    expect(series.firstDatasetLoss()).toBe(50);
  });
});
