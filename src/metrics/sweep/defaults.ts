/**
 * The sweep's default experiment: which batch sizes, which learning rates, what budget.
 */

import { batchSizeLadder } from '../noise';

/** 1, 2, 4, … up to N, and N itself (ten sizes for N = 512). */
export function defaultBatchSizes(n: number): number[] {
  return batchSizeLadder(n);
}

/** `count` values from `min` to `max` (both included), evenly spaced on a log scale. */
export function logSpaced(min: number, max: number, count: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isInteger(count) || count < 1) {
    throw new RangeError('need 0 < min ≤ max and a whole count ≥ 1');
  }
  if (count === 1) return [min];
  const step = Math.log(max / min) / (count - 1);
  // Rounded to 3 significant digits so grids read well and survive a trip through a URL.
  return Array.from({ length: count }, (_, i) => Number((min * Math.exp(step * i)).toPrecision(3)));
}

export const DEFAULT_LEARNING_RATE_COUNT = 7;

/**
 * Seven learning rates from a tenth of the dataset's usual learning rate (the one its race uses,
 * tuned for small batches) to a hundred times it, half a decade apart. Small batches want a
 * smaller step and larger ones a larger step (up to a point: Goyal et al. 2017's linear scaling
 * rule), so the grid reaches mostly upwards; its largest values diverge at every B on the
 * built-in data, which shows where the stable steps end.
 */
export function defaultLearningRates(
  usualLearningRate: number,
  count = DEFAULT_LEARNING_RATE_COUNT,
): number[] {
  return logSpaced(usualLearningRate / 10, usualLearningRate * 100, count);
}

/**
 * Epoch budget of each run. The automatic target is chosen from what full-batch descent
 * reaches in half of it (see `autoTarget`).
 */
export const DEFAULT_MAX_EPOCHS = 100;
/** Step budget of each run: a guard, generous enough never to bind before the epoch budget at B ≥ 1 and N ≤ 2,000. */
export const DEFAULT_MAX_STEPS = 200_000;
