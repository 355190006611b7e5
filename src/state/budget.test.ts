import { describe, expect, it } from 'vitest';
import { FrameBudget } from './budget';

describe('FrameBudget', () => {
  it('sizes the next chunk to take the target time at the measured rate', () => {
    const budget = new FrameBudget(10, 1, 1e6, 100);
    // 100 samples took 40 ms: 0.4 ms per sample, so 10 ms is 25 samples.
    expect(budget.record(100, 40)).toBe(25);
  });

  it('grows at most twofold per frame', () => {
    const budget = new FrameBudget(10, 1, 1e6, 100);
    expect(budget.record(100, 0.1)).toBe(200);
    expect(budget.record(200, 0.1)).toBe(400);
  });

  it('stays within its bounds', () => {
    const budget = new FrameBudget(10, 4, 500, 100);
    expect(budget.record(100, 10_000)).toBe(4);
    for (let i = 0; i < 20; i++) budget.record(budget.samples, 0);
    expect(budget.samples).toBe(500);
  });
});
