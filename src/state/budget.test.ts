import { describe, expect, it } from 'vitest';
import { FrameBudget, fairChunk } from './budget';

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

  it('allows longer chunks when a fixed cost per call dominates, within its cap', () => {
    // Each call costs 25 ms whatever its size, plus 0.01 ms per sample; the target is 10 ms.
    const budget = new FrameBudget(10, 1, 1e6, 1, 40);
    for (let i = 0; i < 50; i++) budget.record(budget.samples, 25 + 0.01 * budget.samples);
    expect(budget.currentTargetMs).toBe(40);
    // At the fixed point the per-sample work fills what the fixed cost leaves: 15 ms → 1500.
    expect(budget.samples).toBeGreaterThan(1000);
    expect(25 + 0.01 * budget.samples).toBeLessThanOrEqual(40 * 1.05);
  });

  it('returns to its target once the runs change and the fixed cost is gone', () => {
    const budget = new FrameBudget(10, 1, 1e6, 1, 40);
    for (let i = 0; i < 20; i++) budget.record(budget.samples, 25 + 0.01 * budget.samples);
    budget.resetFixedCost();
    for (let i = 0; i < 400; i++) budget.record(budget.samples, 0.01 * budget.samples);
    expect(budget.currentTargetMs).toBeCloseTo(10, 5);
    expect(budget.samples).toBeCloseTo(1000, -1);
  });
});

describe('fairChunk', () => {
  it('is a whole number of the largest batches, so every run sees the same samples', () => {
    expect(fairChunk(100, 32)).toBe(96);
    expect(fairChunk(1000, 1024)).toBe(0);
    expect(fairChunk(2100, 1024)).toBe(2048);
    expect(fairChunk(5.7, 1)).toBe(5);
  });
});
