import { describe, expect, it } from 'vitest';
import { type DivergenceWatch, divergenceThreshold, startWatch, watchDivergence } from './divergence';

/** Feeds readings of a run with `perEpoch` steps per epoch; returns the verdict after each. */
function feed(startLoss: number, losses: number[], perEpoch: number, stepsPerReading = 1) {
  let watch: DivergenceWatch = startWatch(startLoss);
  return losses.map((loss, i) => {
    const step = (i + 1) * stepsPerReading;
    const result = watchDivergence(watch, { step, epoch: step / perEpoch, loss });
    watch = result.watch;
    return result.verdict;
  });
}

describe('the divergence rule', () => {
  it('a loss that is not a finite number diverges at once', () => {
    expect(feed(0.69, [0.6, Number.NaN], 100)).toEqual([null, 'non-finite']);
    expect(feed(0.69, [Number.POSITIVE_INFINITY], 100)).toEqual(['non-finite']);
  });

  it('a loss above 10 × its start for a whole epoch and 10 updates diverges (lr = 10, B = 1: 26 from 0.69)', () => {
    // 8 steps per epoch, a reading every 2 steps: above from step 2, sustained by step 10
    // (one epoch = 8 steps, but at least 10 updates).
    const verdicts = feed(0.69, Array(6).fill(26), 8, 2);
    expect(verdicts).toEqual([null, null, null, null, null, 'sustained']);
  });

  it('a stretch broken by one healthy reading starts again', () => {
    const losses = [26, 26, 26, 26, 0.5, 26, 26, 26, 26, 26, 26];
    const verdicts = feed(0.69, losses, 4, 2);
    expect(verdicts.slice(0, 5)).toEqual([null, null, null, null, null]);
    // Above again from step 12; one epoch (4 steps) and 10 steps later: step 22.
    expect(verdicts.indexOf('sustained')).toBe(10);
  });

  it('a loss just below the threshold never diverges, however long', () => {
    expect(feed(0.69, Array(100).fill(6.8), 4)).not.toContain('sustained');
    expect(divergenceThreshold(0.69)).toBeCloseTo(6.9, 12);
  });

  it('full-batch runs (1 step per epoch) need 10 updates above the threshold', () => {
    const verdicts = feed(0.69, Array(12).fill(100), 1);
    expect(verdicts.indexOf('sustained')).toBe(10);
  });

  it('a start at zero loss does not make every small loss a divergence', () => {
    expect(feed(0, Array(50).fill(0.005), 1)).not.toContain('sustained');
  });
});
