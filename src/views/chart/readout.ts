/**
 * The hover read-out shared by every plot: under the pointer (or, from the keyboard, at a
 * position the arrow keys move) each series' nearest point is highlighted and a box lists its
 * value. Two modes: `x` (a vertical rule; each series' point nearest in x, for curves over a
 * shared axis) and `xy` (a cross-hair; each series' point nearest on screen, for maps).
 * The lookups are pure functions, tested without a browser; the drawing is a D3 data join.
 */
import { pointer, select } from 'd3';
import type { ChartFrame } from './frame';

export interface ReadoutPoint {
  x: number;
  y: number;
}

export interface ReadoutSeries<P extends ReadoutPoint = ReadoutPoint> {
  key: string;
  label: string;
  colour: string;
  /** For mode `x`: sorted by x. */
  points: readonly P[];
  /** The value shown for a point (default: its y, as given). */
  describe?: (point: P) => string;
}

export interface ReadoutOptions {
  mode: 'x' | 'xy';
  /** Data → screen (inside the plot area) and back. */
  x: (value: number) => number;
  y: (value: number) => number;
  invertX: (pixel: number) => number;
  invertY: (pixel: number) => number;
  // biome-ignore lint/suspicious/noExplicitAny: each series carries its own point type; describe() only ever receives that series' points
  series: readonly ReadoutSeries<any>[];
  /** The first line of the box, for the position under the cursor (data units). */
  title: (x: number, y: number) => string;
  /** Further lines after the series' (e.g. the model's prediction at the cursor). */
  extra?: (x: number, y: number) => string[];
  /** Accessible name of the plot, for the keyboard hint. */
  name: string;
}

/**
 * Index of the point whose x is nearest to `x` in points sorted by x; -1 when there are none.
 * `toX` maps a point's x first (to pixels, so "nearest" means nearest on screen on a log axis too;
 * it must be increasing).
 */
export function nearestByX(
  points: readonly ReadoutPoint[],
  x: number,
  toX: (value: number) => number = (v) => v,
): number {
  if (points.length === 0) return -1;
  const at = (i: number) => toX((points[i] as ReadoutPoint).x);
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid) <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(at(hi) - x) < Math.abs(at(lo) - x) ? hi : lo;
}

/** Index of the point nearest to (px, py) on screen (`toScreen` maps a point to pixels); -1 if none. */
export function nearestOnScreen(
  points: readonly ReadoutPoint[],
  px: number,
  py: number,
  toScreen: (p: ReadoutPoint) => [number, number],
): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  points.forEach((p, i) => {
    const [sx, sy] = toScreen(p);
    const d = (sx - px) ** 2 + (sy - py) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

/**
 * The keyboard's stops in mode `x`: the screen x of every point of every series, one per pixel,
 * sorted, so an arrow press always moves the rule to where some series has a point.
 */
export function keyboardStops(pixelXs: Iterable<number>): number[] {
  return [...new Set(Array.from(pixelXs, (v) => Math.round(v)))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

export interface ReadoutHit {
  key: string;
  label: string;
  colour: string;
  point: ReadoutPoint;
  text: string;
}

/**
 * What the box shows at the cursor (pixels inside the plot area): for each series its nearest
 * point, left out in mode `x` when the cursor is more than `slack` pixels outside its x range
 * (a short run says nothing about updates it never made).
 */
export function readoutHits(options: ReadoutOptions, cx: number, cy: number, slack = 12): ReadoutHit[] {
  const hits: ReadoutHit[] = [];
  for (const s of options.series) {
    if (s.points.length === 0) continue;
    let index: number;
    if (options.mode === 'x') {
      const first = options.x(s.points[0].x);
      const last = options.x(s.points[s.points.length - 1].x);
      if (cx < Math.min(first, last) - slack || cx > Math.max(first, last) + slack) continue;
      index = nearestByX(s.points, cx, options.x);
    } else {
      index = nearestOnScreen(s.points, cx, cy, (p) => [options.x(p.x), options.y(p.y)]);
    }
    const point = s.points[index] as ReadoutPoint;
    hits.push({
      key: s.key,
      label: s.label,
      colour: s.colour,
      point,
      text: s.describe ? s.describe(point) : String(point.y),
    });
  }
  return hits;
}

/**
 * Breaks lines longer than `maxChars` (a narrow plot's box) after their first ": ", then after
 * ", " (or at a space), indenting the continuation, so the box fits inside the plot.
 */
export function wrapLine(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const colon = text.indexOf(': ');
  const parts = colon > 0 && colon < maxChars ? [text.slice(0, colon + 1), text.slice(colon + 2)] : [text];
  const lines: string[] = [];
  parts.forEach((part, i) => {
    let rest = i === 0 ? part : `  ${part}`;
    while (rest.length > maxChars) {
      // After a comma if one fits, else at a space.
      const comma = rest.lastIndexOf(', ', maxChars - 1);
      const cut = comma > 2 ? comma + 1 : rest.lastIndexOf(' ', maxChars);
      if (cut <= 2) break;
      lines.push(rest.slice(0, cut));
      rest = `  ${rest.slice(cut).trimStart()}`;
    }
    lines.push(rest);
  });
  return lines;
}

interface ReadoutState {
  options: ReadoutOptions;
  frame: ChartFrame;
  cursor: [number, number] | null;
  live: HTMLElement | null;
}

const states = new WeakMap<SVGSVGElement, ReadoutState>();

/** One visually hidden live region per document or shadow root: what the keyboard read-out says. */
function liveRegion(svg: SVGSVGElement): HTMLElement | null {
  const rootNode = svg.getRootNode();
  const host = rootNode instanceof ShadowRoot ? rootNode : svg.ownerDocument.body;
  if (!host) return null;
  let live = host.querySelector<HTMLElement>(':scope > .chart-readout-live');
  if (!live) {
    live = svg.ownerDocument.createElement('div');
    live.className = 'chart-readout-live';
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('role', 'status');
    Object.assign(live.style, {
      position: 'absolute',
      width: '1px',
      height: '1px',
      overflow: 'hidden',
      clipPath: 'inset(50%)',
      whiteSpace: 'nowrap',
    });
    host.append(live);
  }
  return live;
}

function render(state: ReadoutState, announce: boolean): void {
  const { frame, options, cursor } = state;
  const layer = frame.root.select<SVGGElement>('g.chart-readout');
  const hits = cursor ? readoutHits(options, cursor[0], cursor[1]) : [];
  layer.attr('data-readout', cursor ? 'shown' : null);
  layer
    .selectAll<SVGLineElement, [number, number]>('line.readout-rule')
    .data(cursor && options.mode === 'x' ? [cursor] : [])
    .join('line')
    .attr('class', 'readout-rule')
    .attr('x1', (c) => c[0])
    .attr('x2', (c) => c[0])
    .attr('y1', 0)
    .attr('y2', frame.innerHeight);
  layer
    .selectAll<SVGPathElement, [number, number]>('path.readout-cross')
    .data(cursor && options.mode === 'xy' ? [cursor] : [])
    .join('path')
    .attr('class', 'readout-cross')
    .attr('d', (c) => `M${c[0] - 7},${c[1]}h14M${c[0]},${c[1] - 7}v14`);
  layer
    .selectAll<SVGCircleElement, ReadoutHit>('circle.readout-dot')
    .data(hits, (h) => h.key)
    .join('circle')
    .attr('class', 'readout-dot')
    .attr('data-series', (h) => h.key)
    .attr('r', 5)
    .attr('cx', (h) => options.x(h.point.x))
    .attr('cy', (h) => options.y(h.point.y))
    .attr('fill', 'white')
    .attr('stroke', (h) => h.colour)
    .attr('stroke-width', 2.5);

  const title = cursor ? options.title(options.invertX(cursor[0]), options.invertY(cursor[1])) : '';
  const extra =
    cursor && options.extra ? options.extra(options.invertX(cursor[0]), options.invertY(cursor[1])) : [];
  // About 6.5 px per character of the 12 px font: wrap what would not fit the plot's width.
  const maxChars = Math.max(16, Math.floor((frame.width - 24) / 6.5));
  const wrapped = (text: string, colour: string | null, key: string) =>
    wrapLine(text, maxChars).map((part, i) => ({ text: part, colour: i === 0 ? colour : null, key }));
  const lines = cursor
    ? [
        ...wrapped(title, null, ''),
        ...hits.flatMap((h) => wrapped(`${h.label}: ${h.text}`, h.colour, h.key)),
        ...extra.flatMap((text) => wrapped(text, null, '')),
      ]
    : [];
  const box = layer
    .selectAll<SVGGElement, number>('g.readout-box')
    .data(cursor ? [1] : [])
    .join((enter) => {
      const g = enter.append('g').attr('class', 'readout-box');
      g.append('rect').attr('rx', 4);
      g.append('text');
      return g;
    });
  if (cursor && !box.empty()) {
    const lineHeight = 15;
    const text = box.select('text');
    text
      .selectAll<SVGTSpanElement, (typeof lines)[number]>('tspan')
      .data(lines)
      .join('tspan')
      .attr('x', 8)
      .attr('y', (_, i) => 16 + i * lineHeight)
      .attr('data-series', (l) => l.key || null)
      .attr('font-weight', (l) => (l.text === lines[0]?.text ? 600 : null))
      .text((l) => (l.colour ? `● ${l.text}` : l.text));
    // Width: measured where layout exists, estimated from the text otherwise.
    const node = text.node() as SVGTextElement | null;
    let boxWidth = 0;
    try {
      boxWidth = (node?.getBBox().width ?? 0) + 16;
    } catch {
      boxWidth = 0;
    }
    if (!(boxWidth > 16)) boxWidth = 16 + 7 * Math.max(...lines.map((l) => l.text.length + 2));
    const boxHeight = 8 + lines.length * lineHeight;
    box.select('rect').attr('width', boxWidth).attr('height', boxHeight);
    const [cx, cy] = cursor;
    const right = frame.innerWidth + frame.margin.right - 2;
    let left = cx + 14 + boxWidth > right ? cx - 14 - boxWidth : cx + 14;
    left = Math.min(right - boxWidth, Math.max(2 - frame.margin.left, left));
    const top = Math.max(0, Math.min(frame.innerHeight - boxHeight, (options.mode === 'xy' ? cy : 8) - 4));
    box.attr('transform', `translate(${left},${top})`);
    // The bullets take their series' colour.
    text.selectAll<SVGTSpanElement, (typeof lines)[number]>('tspan').attr('fill', (l) => l.colour ?? null);
  }
  if (announce && state.live)
    state.live.textContent = [title, ...hits.map((h) => `${h.label}: ${h.text}`), ...extra].join('. ');
}

function stopsOf(state: ReadoutState): number[] {
  const { options } = state;
  return keyboardStops(options.series.flatMap((s) => s.points.map((p) => options.x(p.x))));
}

function moveByKey(state: ReadoutState, key: string, shift: boolean): boolean {
  const { frame, options } = state;
  const current = state.cursor ?? [frame.innerWidth / 2, frame.innerHeight / 2];
  if (options.mode === 'x') {
    const stops = stopsOf(state);
    if (stops.length === 0) return false;
    const cx = current[0];
    const jump = shift || key === 'PageUp' || key === 'PageDown' ? 10 : 1;
    const next = stops.findIndex((s) => s > cx + 0.5);
    const previous = stops.findLastIndex((s) => s < cx - 0.5);
    let i: number;
    if (key === 'ArrowRight' || key === 'PageUp') i = next < 0 ? stops.length - 1 : next + jump - 1;
    else if (key === 'ArrowLeft' || key === 'PageDown') i = previous < 0 ? 0 : previous - jump + 1;
    else if (key === 'Home') i = 0;
    else if (key === 'End') i = stops.length - 1;
    else return false;
    i = Math.max(0, Math.min(stops.length - 1, i));
    state.cursor = [stops[i] as number, current[1]];
    return true;
  }
  const step = shift ? 40 : 10;
  const moves: Record<string, [number, number]> = {
    ArrowRight: [step, 0],
    ArrowLeft: [-step, 0],
    ArrowUp: [0, -step],
    ArrowDown: [0, step],
  };
  const move = moves[key];
  if (!move) return false;
  state.cursor = [
    Math.max(0, Math.min(frame.innerWidth, current[0] + move[0])),
    Math.max(0, Math.min(frame.innerHeight, current[1] + move[1])),
  ];
  return true;
}

/**
 * Gives the plot in `frame` a read-out: pointer and keyboard. Call it on every draw with the
 * current series; listeners are bound once per <svg>. The plot becomes focusable (Tab); the
 * arrow keys move the read-out (Shift: further), Home and End jump to the ends, Escape hides it.
 */
export function attachReadout(frame: ChartFrame, options: ReadoutOptions): void {
  const svg = frame.svg.node();
  if (!svg) return;
  let state = states.get(svg);
  if (!state) {
    const fresh: ReadoutState = { options, frame, cursor: null, live: null };
    state = fresh;
    states.set(svg, fresh);
    const plotPosition = (event: PointerEvent): [number, number] => {
      const [px, py] = pointer(event, svg);
      return [px - fresh.frame.margin.left, py - fresh.frame.margin.top];
    };
    const inside = ([x, y]: [number, number]) =>
      x >= 0 && y >= 0 && x <= fresh.frame.innerWidth && y <= fresh.frame.innerHeight;
    select(svg)
      .attr('tabindex', 0)
      .classed('has-readout', true)
      .on('pointermove.readout', (event: PointerEvent) => {
        const at = plotPosition(event);
        fresh.cursor = inside(at) ? at : null;
        render(fresh, false);
      })
      .on('pointerleave.readout', () => {
        if (svg.ownerDocument.activeElement === svg) return;
        fresh.cursor = null;
        render(fresh, false);
      })
      .on('focus.readout', () => {
        fresh.live = liveRegion(svg);
        if (!fresh.cursor) moveByKey(fresh, fresh.options.mode === 'x' ? 'End' : 'ArrowRight', false);
        render(fresh, true);
      })
      .on('blur.readout', () => {
        fresh.cursor = null;
        render(fresh, false);
      })
      .on('keydown.readout', (event: KeyboardEvent) => {
        if (event.key === 'Escape') {
          fresh.cursor = null;
          render(fresh, false);
          return;
        }
        if (moveByKey(fresh, event.key, event.shiftKey)) {
          event.preventDefault();
          render(fresh, true);
        }
      });
  }
  state.options = options;
  state.frame = frame;
  const hint = `${options.name}. Focus the plot and use the arrow keys to read values.`;
  select(svg).attr('aria-description', hint);
  render(state, false);
}
