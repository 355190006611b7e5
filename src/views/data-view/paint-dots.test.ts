import { describe, expect, it } from 'vitest';
import { type Pixels, paintDisc, paintDots, type Rgba } from './paint-dots';

function blank(width: number, height: number): Pixels {
  return { data: new Uint8ClampedArray(width * height * 4), width, height };
}

const alphaAt = (p: Pixels, x: number, y: number) => (p.data[4 * (y * p.width + x) + 3] as number) / 255;
const rgbAt = (p: Pixels, x: number, y: number) =>
  Array.from(p.data.subarray(4 * (y * p.width + x), 4 * (y * p.width + x) + 3));

describe('paintDisc', () => {
  it('covers the area of the disc, full inside, nothing beyond its edge', () => {
    for (const radius of [1.6, 2.4, 3.2, 6.4]) {
      const p = blank(40, 40);
      paintDisc(p, 20.3, 19.7, radius, [200, 30, 40, 1]);
      let area = 0;
      for (let y = 0; y < 40; y++)
        for (let x = 0; x < 40; x++) {
          const a = alphaAt(p, x, y);
          area += a;
          const d = Math.hypot(x + 0.5 - 20.3, y + 0.5 - 19.7);
          if (d >= radius + 0.5) expect(a).toBe(0);
          if (d <= radius - 0.5) expect(a).toBe(1);
        }
      // Anti-aliased edge: the painted area is the disc's, πr², within a few per cent.
      expect(Math.abs(area - Math.PI * radius ** 2) / (Math.PI * radius ** 2)).toBeLessThan(0.05);
      expect(rgbAt(p, 20, 19)).toEqual([200, 30, 40]);
    }
  });

  it('blends a translucent colour over what is there (source-over)', () => {
    const p = blank(9, 9);
    paintDisc(p, 4.5, 4.5, 3, [0, 0, 255, 1]);
    paintDisc(p, 4.5, 4.5, 3, [255, 0, 0, 0.5]);
    // Half red over opaque blue: (128, 0, 128), still opaque.
    expect(rgbAt(p, 4, 4)).toEqual([128, 0, 128]);
    expect(alphaAt(p, 4, 4)).toBe(1);
    // Half red over nothing: red at half opacity.
    const q = blank(9, 9);
    paintDisc(q, 4.5, 4.5, 3, [255, 0, 0, 0.5]);
    expect(rgbAt(q, 4, 4)).toEqual([255, 0, 0]);
    expect(alphaAt(q, 4, 4)).toBeCloseTo(0.5, 2);
  });

  it('clips at the edges and ignores dots that are not finite', () => {
    const p = blank(6, 6);
    expect(() => paintDisc(p, -1, 7, 3, [0, 0, 0, 1])).not.toThrow();
    expect(alphaAt(p, 0, 5)).toBeGreaterThan(0);
    const q = blank(6, 6);
    paintDisc(q, Number.NaN, 3, 2, [0, 0, 0, 1]);
    paintDisc(q, 3, Number.POSITIVE_INFINITY, 2, [0, 0, 0, 1]);
    expect(q.data.every((v) => v === 0)).toBe(true);
  });
});

describe('paintDots', () => {
  const red: Rgba = [230, 60, 50, 1];
  const blue: Rgba = [40, 90, 220, 1];

  it('paints dots from..to in order, later over earlier, in their own colours', () => {
    const p = blank(30, 10);
    // Dot i centred on pixel (5 + 2i, 5).
    const at = (i: number) => [5.5 + 2 * i, 5.5] as const;
    paintDots(p, 0, 3, at, (i) => (i === 2 ? blue : red), { radius: 3, outlined: false, outlineWidth: 0 });
    // Dots 0, 1 and 2 on pixels 5, 7, 9: dot 2 (blue) lies over dot 1 (red) where they overlap.
    expect(rgbAt(p, 8, 5)).toEqual([40, 90, 220]);
    expect(rgbAt(p, 4, 5)).toEqual([230, 60, 50]);
    // Dots outside from..to are not painted.
    const q = blank(30, 10);
    paintDots(q, 1, 2, at, () => red, { radius: 1, outlined: false, outlineWidth: 0 });
    expect(alphaAt(q, 5, 5)).toBe(0);
    expect(alphaAt(q, 7, 5)).toBe(1);
  });

  it('rings an outlined dot in white, with its colour inside', () => {
    const p = blank(20, 20);
    paintDots(
      p,
      0,
      1,
      () => [10, 10],
      () => red,
      { radius: 4, outlined: true, outlineWidth: 1.6 },
    );
    expect(rgbAt(p, 9, 9)).toEqual([230, 60, 50]);
    // At the rim (about 4 px out) the white ring shows: lighter than the fill in every channel.
    const rim = rgbAt(p, 10, 14);
    expect(rim[1]).toBeGreaterThan(200);
    expect(rim[2]).toBeGreaterThan(200);
  });
});
