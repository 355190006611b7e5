import { describe, expect, it } from 'vitest';
import { type Evaluation, targetCrossing } from './crossing';

const e = (step: number, loss: number, batchSize = 4): Evaluation => ({
  step,
  samples: step * batchSize,
  loss,
});

describe('targetCrossing', () => {
  it('interpolates between the evaluations on either side, on a log scale', () => {
    // Loss 0.8 at step 10 and 0.2 at step 30: log-linear between them, so 0.4 (the geometric
    // midpoint) is crossed exactly halfway, at step 20, not at the first step after (30).
    const crossing = targetCrossing([e(0, 1), e(10, 0.8), e(30, 0.2), e(40, 0.1)], 0.4);
    expect(crossing?.step).toBeCloseTo(20, 12);
    expect(crossing?.samples).toBeCloseTo(80, 12);
    expect(crossing?.stepBefore).toBe(10);
    expect(crossing?.stepAfter).toBe(30);
  });

  it('recovers the exact crossing of an exponentially decaying loss', () => {
    // loss(s) = e^{−s/50}: crosses 0.1 at s = 50·ln 10 ≈ 115.13; evaluations every 40 steps.
    const history = [0, 40, 80, 120, 160].map((s) => e(s, Math.exp(-s / 50)));
    expect(targetCrossing(history, 0.1)?.step).toBeCloseTo(50 * Math.log(10), 9);
  });

  it('takes the first crossing when the loss bounces back above the target', () => {
    const crossing = targetCrossing([e(0, 1), e(10, 0.25), e(20, 0.6), e(30, 0.1)], 0.5);
    expect(crossing?.stepAfter).toBe(10);
    expect(crossing?.step).toBeGreaterThan(0);
    expect(crossing?.step).toBeLessThan(10);
  });

  it('is at step 0 when the starting loss is already at the target', () => {
    expect(targetCrossing([e(0, 0.3), e(10, 0.2)], 0.3)).toEqual({
      step: 0,
      samples: 0,
      stepBefore: 0,
      stepAfter: 0,
    });
  });

  it('is null when the target is never reached, and NaN never counts as reached', () => {
    expect(targetCrossing([e(0, 1), e(10, 0.5)], 0.1)).toBeNull();
    expect(targetCrossing([e(0, 1), e(10, Number.NaN)], 0.1)).toBeNull();
    expect(targetCrossing([], 0.1)).toBeNull();
  });

  it('falls back to linear interpolation when a loss is zero', () => {
    expect(targetCrossing([e(0, 1), e(10, 0)], 0.25)?.step).toBeCloseTo(7.5, 12);
  });
});
