import { describe, expect, it } from 'vitest';
import { runToFollow } from './focus-choice';

const runs = (n: number, ...sizes: number[]) => sizes.map((batchSize, id) => ({ id, batchSize, n }));

describe('the run the panels follow when runs start together', () => {
  it('after Race (1, 8, 64, N) is B = 8, not the barely moving B = N nor the jittery B = 1', () => {
    expect(runToFollow(runs(512, 1, 8, 64, 512))).toBe(1);
  });
  it('is the smallest mini-batch whatever the order the runs were added in', () => {
    expect(runToFollow(runs(512, 512, 64, 32))).toBe(2);
  });
  it('falls back to the runs there are when none is a mini-batch', () => {
    expect(runToFollow(runs(512, 512, 1))).toBe(1);
    expect(runToFollow(runs(512, 512))).toBe(0);
    expect(runToFollow([])).toBeNull();
  });
});
