import { describe, expect, it } from 'vitest';
import { batchSizeStopIndex } from '../../settings/settings';
import { tickLabels } from './BatchSlider';

const labelled = (n: number) => {
  const { stops } = batchSizeStopIndex(n, 1);
  return [...tickLabels(stops)].sort((a, b) => a - b).map((i) => stops[i]);
};

describe('the batch slider’s tick labels', () => {
  it('show 1, N and powers of two between', () => {
    expect(labelled(512)).toEqual([1, 8, 64, 512]);
    expect(labelled(64)).toEqual([1, 4, 16, 64]);
  });

  it('leave room before a long N label: no 4096 beside N=20000', () => {
    expect(labelled(20000)).toEqual([1, 8, 64, 512, 20000]);
    expect(labelled(4096)).toEqual([1, 8, 64, 4096]);
  });
});
