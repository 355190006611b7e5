/**
 * What the loss plot may draw, decided before any drawing: only finite numbers reach a scale
 * (a NaN coordinate is an SVG error, an infinite one flattens every curve), and the y range
 * follows the runs that still train, so one diverged run cannot squash the healthy ones.
 */
import type { BatchBucket, DatasetLossPoint } from '../../state/loss-series';

export interface DomainRun {
  diverged: boolean;
  buckets: readonly BatchBucket[];
  datasetLosses: readonly DatasetLossPoint[];
}

const finiteBucket = (b: BatchBucket) =>
  Number.isFinite(b.mean) &&
  Number.isFinite(b.min) &&
  Number.isFinite(b.max) &&
  Number.isFinite(b.stepStart) &&
  Number.isFinite(b.timeMs);
const finitePoint = (p: DatasetLossPoint) =>
  Number.isFinite(p.loss) && Number.isFinite(p.step) && Number.isFinite(p.timeMs);

/** The run with only its finite buckets and points: the data boundary of the plot. */
export function drawableRun<R extends DomainRun>(run: R): R {
  return {
    ...run,
    buckets: run.buckets.filter(finiteBucket),
    datasetLosses: run.datasetLosses.filter(finitePoint),
  };
}

/**
 * The loss range to show: over the dataset losses (and batch means when shown) of the runs that
 * still train when there are any, else of every run; null when there is nothing to show.
 */
export function lossYRange(
  runs: readonly DomainRun[],
  showBatchLoss: boolean,
): { min: number; max: number } | null {
  const healthy = runs.filter((r) => !r.diverged && (r.datasetLosses.length > 0 || r.buckets.length > 0));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const run of healthy.length > 0 ? healthy : runs) {
    if (showBatchLoss)
      for (const b of run.buckets) {
        if (!Number.isFinite(b.mean)) continue;
        min = Math.min(min, b.mean);
        max = Math.max(max, b.mean);
      }
    for (const p of run.datasetLosses) {
      if (!Number.isFinite(p.loss)) continue;
      min = Math.min(min, p.loss);
      max = Math.max(max, p.loss);
    }
  }
  return Number.isFinite(min) && Number.isFinite(max) ? { min, max } : null;
}

/**
 * A diverged run's points up to where it leaves the plot: up to the first point above `top`
 * (included with `withExit`: drawn at the top edge, where the run exits), or all of them.
 */
export function cutAtExit<P>(
  points: readonly P[],
  value: (p: P) => number,
  top: number,
  withExit = true,
): P[] {
  const exit = points.findIndex((p) => value(p) > top);
  return exit < 0 ? [...points] : points.slice(0, withExit ? exit + 1 : exit);
}
