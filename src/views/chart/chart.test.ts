import { describe, expect, it } from 'vitest';
import { batchSizeStops } from '../../settings/settings';
import { csvText } from './csv';
import {
  batchSizeColour,
  CLASS_COLOURS,
  DISTINCT_BATCH_COLOURS,
  FULL_BATCH_COLOUR,
  SAMPLE_COLOURS,
} from './palette';
import {
  keyboardStops,
  nearestByX,
  nearestOnScreen,
  type ReadoutOptions,
  readoutHits,
  wrapLine,
} from './readout';
import { formatTick, logTicks, symlogTicks } from './ticks';

describe('ticks', () => {
  it('labels numbers readably', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(0.5)).toBe('0.5');
    expect(formatTick(2.345678)).toBe('2.35');
    expect(formatTick(1500)).toBe('1500');
    expect(formatTick(27648)).toBe('27.6k');
    expect(formatTick(2_000_000)).toBe('2M');
    expect(formatTick(0.001)).toBe('1e−3');
  });

  it('puts 1-2-5 ticks on a log axis over two decades, powers of ten over many', () => {
    expect(logTicks(0.05, 3, 10)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
    expect(logTicks(1e-4, 10, 8)).toEqual([1e-4, 1e-3, 0.01, 0.1, 1, 10]);
    // Too many powers of ten for the room: every second one.
    expect(logTicks(1, 1e8, 5)).toEqual([1, 100, 1e4, 1e6, 1e8]);
  });

  it('puts finer ticks within a decade, and never more than asked', () => {
    expect(logTicks(0.2, 0.7, 10)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    for (const [lo, hi, max] of [
      [0.013, 0.9, 4],
      [1, 27648, 6],
      [3e-5, 2, 5],
      [0.5, 0.55, 3],
    ] as const) {
      const ticks = logTicks(lo, hi, max);
      expect(ticks.length, `${lo}..${hi}`).toBeGreaterThanOrEqual(1);
      expect(ticks.length, `${lo}..${hi}`).toBeLessThanOrEqual(max);
      for (const t of ticks) expect(t >= lo * 0.999 && t <= hi * 1.001).toBe(true);
    }
  });

  it('starts a symmetric-log count axis at 0', () => {
    expect(symlogTicks(27648, 7)).toEqual([0, 1, 10, 100, 1000, 10000]);
    expect(symlogTicks(40, 8)).toEqual([0, 1, 2, 5, 10, 20]);
    expect(symlogTicks(0.5, 5)).toEqual([0, 0.5]);
  });
});

describe('read-out lookups', () => {
  const points = [0, 1, 2, 10, 11, 50].map((x) => ({ x, y: x * x }));

  it('finds the point nearest in x, at the ends too', () => {
    expect(nearestByX(points, -5)).toBe(0);
    expect(nearestByX(points, 1.4)).toBe(1);
    expect(nearestByX(points, 1.6)).toBe(2);
    expect(nearestByX(points, 6.1)).toBe(3);
    expect(nearestByX(points, 30.4)).toBe(4);
    expect(nearestByX(points, 31)).toBe(5);
    expect(nearestByX(points, 1e9)).toBe(5);
    expect(nearestByX([], 3)).toBe(-1);
  });

  it('compares on screen when given a scale (log axes)', () => {
    const bs = [1, 2, 4, 8, 16].map((x) => ({ x, y: 0 }));
    // On a log axis the midpoint of 8 and 16 is √(8·16) ≈ 11.3: 12 is nearer 16 there, nearer 8 in value.
    expect(nearestByX(bs, Math.log(12), Math.log)).toBe(4);
    expect(nearestByX(bs, Math.log(11), Math.log)).toBe(3);
    expect(nearestByX(bs, 12)).toBe(3);
  });

  it('finds the nearest point on screen in 2-D', () => {
    const cloud = [
      { x: 0, y: 0 },
      { x: 5, y: 5 },
      { x: 5, y: -1 },
    ];
    const identity = (p: { x: number; y: number }) => [p.x, p.y] as [number, number];
    expect(nearestOnScreen(cloud, 4, 0, identity)).toBe(2);
    expect(nearestOnScreen(cloud, 4, 4, identity)).toBe(1);
    expect(nearestOnScreen([], 4, 4, identity)).toBe(-1);
  });

  it('wraps a long line after its label, then between values', () => {
    expect(wrapLine('short', 10)).toEqual(['short']);
    expect(wrapLine('model of B = 8: class 0 45%, class 1 55%', 24)).toEqual([
      'model of B = 8:',
      '  class 0 45%,',
      '  class 1 55%',
    ]);
    for (const line of wrapLine('nearest sample: class 1 at (−0.453, 0.151), far away', 20))
      expect(line.length).toBeLessThanOrEqual(20);
  });

  it('gives one stop per pixel for the keyboard, sorted', () => {
    expect(keyboardStops([5.2, 1, 4.9, 3, 1.1, Number.NaN])).toEqual([1, 3, 5]);
  });

  it('lists each series at the cursor, leaving out a run that never got there', () => {
    const options: ReadoutOptions = {
      mode: 'x',
      x: (v) => v,
      y: (v) => v,
      invertX: (v) => v,
      invertY: (v) => v,
      series: [
        { key: 'long', label: 'B = 1', colour: '#000', points, describe: (p) => `loss ${p.y}` },
        { key: 'short', label: 'B = N', colour: '#111', points: points.slice(0, 3) },
      ],
      title: (x) => `at ${x}`,
      name: 'test',
    };
    expect(readoutHits(options, 1.2, 0).map((h) => [h.key, h.text])).toEqual([
      ['long', 'loss 1'],
      ['short', '1'],
    ]);
    expect(readoutHits(options, 30, 0).map((h) => [h.key, h.text])).toEqual([['long', 'loss 121']]);
  });
});

describe('CSV', () => {
  it('writes a header row and data rows, quoting what needs it', () => {
    const text = csvText(
      ['run', 'loss', 'note'],
      [
        ['B = 1 (SGD)', 0.5, 'a, b'],
        ['B = N = 512 (full batch)', Number.NaN, 'say "hi"'],
        ['=SUM(A1)', null, 'two\nlines'],
      ],
    );
    expect(text.split('\r\n')).toEqual([
      'run,loss,note',
      'B = 1 (SGD),0.5,"a, b"',
      'B = N = 512 (full batch),,"say ""hi"""',
      `'=SUM(A1),,"two\nlines"`,
      '',
    ]);
    expect(csvText(['x'], [['-0.5'], [-2]])).toBe('x\r\n-0.5\r\n-2\r\n');
  });
});

describe('batch-size colours', () => {
  it('are a function of B and N alone, whatever order runs arrive in', () => {
    const n = 512;
    const slider = [32, 1, 512, 8].map((b) => batchSizeColour(b, n));
    const race = [1, 8, 64, 512].map((b) => batchSizeColour(b, n));
    expect(slider[1]).toBe(race[0]);
    expect(slider[3]).toBe(race[1]);
    expect(slider[2]).toBe(race[3]);
    expect(batchSizeColour(n, n)).toBe(FULL_BATCH_COLOUR);
  });

  it('differ for every batch size of a page up to 2^6, and for Race on every N', () => {
    for (const n of [60, 128, 256, 333, 512, 600, 1024, 4096, 10000]) {
      const stops = batchSizeStops(n);
      const race = [1, 8, 64, n].filter((b) => b <= n);
      expect(new Set(race.map((b) => batchSizeColour(b, n))).size, `race, N = ${n}`).toBe(race.length);
      // Any window of consecutive slider stops as wide as the palette has distinct colours.
      const below = stops.filter((b) => b < n);
      for (let i = 0; i + DISTINCT_BATCH_COLOURS <= below.length; i++) {
        const window = below.slice(i, i + DISTINCT_BATCH_COLOURS);
        const colours = new Set([...window.map((b) => batchSizeColour(b, n)), batchSizeColour(n, n)]);
        expect(colours.size, `N = ${n}, stops ${window.join(',')}`).toBe(DISTINCT_BATCH_COLOURS + 1);
      }
      if (stops.length <= DISTINCT_BATCH_COLOURS + 1)
        expect(new Set(stops.map((b) => batchSizeColour(b, n))).size).toBe(stops.length);
    }
  });

  it('keep the anatomy’s sample markers off the class colours', () => {
    for (const c of SAMPLE_COLOURS) expect(CLASS_COLOURS.slice(0, 3)).not.toContain(c);
  });
});
