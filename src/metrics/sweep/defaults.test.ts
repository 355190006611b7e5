import { describe, expect, it } from 'vitest';
import { defaultBatchSizes, defaultLearningRates, logSpaced } from './defaults';

describe('sweep defaults', () => {
  it('takes the powers of two up to N and N itself', () => {
    expect(defaultBatchSizes(512)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(defaultBatchSizes(300)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
  });

  it('spaces learning rates evenly on a log scale, both ends included', () => {
    const grid = logSpaced(0.01, 10, 7);
    expect(grid).toHaveLength(7);
    expect(grid[0]).toBe(0.01);
    expect(grid[6]).toBe(10);
    for (let i = 1; i < grid.length; i++) {
      expect((grid[i] as number) / (grid[i - 1] as number)).toBeCloseTo(Math.sqrt(10), 2);
    }
    expect(logSpaced(0.5, 2, 1)).toEqual([0.5]);
    expect(() => logSpaced(0, 1, 3)).toThrow(RangeError);
  });

  it('spans a tenth to a hundred times the usual learning rate', () => {
    expect(defaultLearningRates(0.1)).toEqual([0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10]);
    expect(defaultLearningRates(0.1, 8)).toHaveLength(8);
  });
});
