import { interpolateBlues as d3Blues, interpolateGreys as d3Greys } from 'd3';
import { describe, expect, it } from 'vitest';
import { interpolateBlues, interpolateGreys } from './palette';

describe('the sequential ramps written out', () => {
  it("give d3-scale-chromatic's colours exactly, across the whole range", () => {
    for (let i = 0; i <= 100; i++) {
      const t = i / 100;
      expect(interpolateGreys(t)).toBe(d3Greys(t));
      expect(interpolateBlues(t)).toBe(d3Blues(t));
    }
  });
});
