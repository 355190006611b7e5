import { describe, expect, it } from 'vitest';
import type { BatchBucket, DatasetLossPoint } from '../../state/loss-series';
import { cutAtExit, drawableRun, lossYRange } from './loss-domain';

const point = (step: number, loss: number): DatasetLossPoint => ({ step, timeMs: step, loss });
const bucket = (stepStart: number, mean: number): BatchBucket => ({
  stepStart,
  count: 1,
  min: mean,
  max: mean,
  mean,
  timeMs: stepStart,
});

describe("the loss plot's data boundary", () => {
  it('drops every non-finite bucket and point', () => {
    const run = drawableRun({
      diverged: true,
      buckets: [bucket(0, 0.7), bucket(1, Number.POSITIVE_INFINITY), { ...bucket(2, 1), max: Number.NaN }],
      datasetLosses: [point(0, 0.7), point(1, Number.NaN), point(2, Number.NEGATIVE_INFINITY)],
    });
    expect(run.buckets).toEqual([bucket(0, 0.7)]);
    expect(run.datasetLosses).toEqual([point(0, 0.7)]);
  });

  it('the y range follows the healthy runs, not a diverged one at 1e10', () => {
    const healthy = {
      diverged: false,
      buckets: [bucket(0, 0.9)],
      datasetLosses: [point(0, 0.69), point(5, 0.2)],
    };
    const diverged = {
      diverged: true,
      buckets: [bucket(0, 5e9)],
      datasetLosses: [point(0, 0.69), point(3, 1e10)],
    };
    expect(lossYRange([healthy, diverged], true)).toEqual({ min: 0.2, max: 0.9 });
    expect(lossYRange([healthy, diverged], false)).toEqual({ min: 0.2, max: 0.69 });
  });

  it('with only diverged runs, their finite values set the range; with nothing, null', () => {
    const diverged = { diverged: true, buckets: [], datasetLosses: [point(0, 0.69), point(3, 26)] };
    expect(lossYRange([diverged], true)).toEqual({ min: 0.69, max: 26 });
    expect(lossYRange([], true)).toBeNull();
  });

  it('a diverged curve ends where it leaves the plot', () => {
    const points = [point(0, 0.7), point(1, 0.8), point(2, 50), point(3, 1e9)];
    expect(cutAtExit(points, (p) => p.loss, 1)).toEqual(points.slice(0, 3));
    expect(cutAtExit(points, (p) => p.loss, 1, false)).toEqual(points.slice(0, 2));
    expect(cutAtExit(points, (p) => p.loss, 1e10)).toEqual(points);
  });
});
