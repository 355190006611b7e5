import { describe, expect, it } from 'vitest';
import { formatCount } from './format-count';

describe('formatCount', () => {
  it('writes what toLocaleString("en-US") writes for whole numbers', () => {
    for (const value of [
      0,
      7,
      42,
      999,
      1000,
      1234,
      20000,
      99999,
      100000,
      1234567,
      -1,
      -1234,
      -999999,
      2 ** 40,
    ])
      expect(formatCount(value)).toBe(value.toLocaleString('en-US'));
  });
  it('rounds as Math.round does, and leaves non-numbers readable', () => {
    expect(formatCount(1234.6)).toBe('1,235');
    expect(formatCount(Number.NaN)).toBe('NaN');
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
