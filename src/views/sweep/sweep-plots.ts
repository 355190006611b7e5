/**
 * The sweep's figures, drawn with D3 into SVG elements (one data-join style: each call clears
 * the SVG and draws what it is given). Pure drawing: every number comes in from the state.
 * Every point carries a <title>, which the browser shows on hover (and screen readers read).
 */
import * as d3 from 'd3';
import { interpolateBlues, OKABE_ITO } from '../chart/palette';

const MARGIN = { top: 44, right: 18, bottom: 44, left: 66 };

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

export interface SeriesPoint {
  x: number;
  y: number;
  /** Error bar (e.g. the evaluations around a crossing). */
  low?: number;
  high?: number;
  /** Hover text. */
  title: string;
}

export interface Series {
  label: string;
  colour: string;
  points: SeriesPoint[];
  /** Drawn as a line without markers (a model curve or a reference). */
  line?: boolean;
  dashed?: boolean;
}

export interface LogPlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Vertical markers on the x axis (B_crit, the fastest B). */
  markers?: { x: number; label: string; colour: string }[];
  /** Points to ring (e.g. the fastest batch size). */
  highlight?: { x: number; y: number } | null;
  yFormat?: (value: number) => string;
}

function logDomain(values: number[]): [number, number] {
  const usable = values.filter((v) => Number.isFinite(v) && v > 0);
  if (usable.length === 0) return [1, 10];
  let lo = Math.min(...usable);
  let hi = Math.max(...usable);
  if (lo === hi) {
    lo /= 2;
    hi *= 2;
  }
  return [lo / 1.25, hi * 1.25];
}

/** A log–log plot of some series against B, with markers and a legend. */
export function drawLogPlot(svgElement: SVGSVGElement, width: number, spec: LogPlotSpec): void {
  const height = 270;
  const svg = d3.select(svgElement);
  svg.selectAll('*').remove();
  svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
  const innerW = Math.max(60, width - MARGIN.left - MARGIN.right);
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const points = spec.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x).concat((spec.markers ?? []).map((m) => m.x));
  const ys = points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]);
  const x = d3
    .scaleLog()
    .domain(logDomain(points.map((p) => p.x).length ? xs : [1, 10]))
    .range([0, innerW]);
  const y = d3.scaleLog().domain(logDomain(ys)).range([innerH, 0]).nice();
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  svg
    .append('text')
    .attr('x', MARGIN.left)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .text(spec.title);
  const yFormat = spec.yFormat ?? formatValue;
  g.append('g')
    .attr('transform', `translate(0,${innerH})`)
    .call(d3.axisBottom(x).ticks(6, (v: d3.NumberValue) => formatValue(Number(v))));
  g.append('g').call(d3.axisLeft(y).ticks(5, (v: d3.NumberValue) => yFormat(Number(v))));
  g.append('text')
    .attr('x', innerW / 2)
    .attr('y', innerH + 36)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(spec.xLabel);
  g.append('text')
    .attr('transform', `translate(${-52},${innerH / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(spec.yLabel);
  const clip = `sweep-clip-${Math.random().toString(36).slice(2)}`;
  svg.append('clipPath').attr('id', clip).append('rect').attr('width', innerW).attr('height', innerH);
  const body = g.append('g').attr('clip-path', `url(#${clip})`);

  for (const marker of spec.markers ?? []) {
    if (!(marker.x > 0) || !Number.isFinite(marker.x)) continue;
    const [lo, hi] = x.domain() as [number, number];
    const at = x(Math.min(hi, Math.max(lo, marker.x)));
    const m = g.append('g').attr('class', 'sweep-marker');
    m.append('line')
      .attr('x1', at)
      .attr('x2', at)
      .attr('y1', 0)
      .attr('y2', innerH)
      .attr('stroke', marker.colour)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', '6 4');
    const anchor = at > innerW * 0.6 ? 'end' : 'start';
    m.append('text')
      .attr('x', at + (anchor === 'end' ? -4 : 4))
      .attr('y', 12)
      .attr('text-anchor', anchor)
      .attr('font-size', 12)
      .attr('fill', marker.colour === OKABE_ITO.bluishGreen ? '#00664a' : marker.colour)
      .text(marker.label);
  }

  const lineOf = d3
    .line<SeriesPoint>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  for (const series of spec.series) {
    const usable = series.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
    if (series.line) {
      body
        .append('path')
        .datum(usable)
        .attr('fill', 'none')
        .attr('stroke', series.colour)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', series.dashed ? '5 4' : null)
        .attr('d', lineOf);
      continue;
    }
    const group = body.append('g').attr('class', 'sweep-points');
    for (const p of usable) {
      if (p.low !== undefined && p.high !== undefined && p.low > 0) {
        group
          .append('line')
          .attr('x1', x(p.x))
          .attr('x2', x(p.x))
          .attr('y1', y(p.low))
          .attr('y2', y(p.high))
          .attr('stroke', series.colour)
          .attr('stroke-width', 1.5);
      }
    }
    group
      .selectAll('circle')
      .data(usable)
      .join('circle')
      .attr('cx', (p) => x(p.x))
      .attr('cy', (p) => y(p.y))
      .attr('r', 4.5)
      .attr('fill', series.colour)
      .attr('stroke', 'white')
      .attr('stroke-width', 1)
      .append('title')
      .text((p) => p.title);
  }
  if (spec.highlight && spec.highlight.y > 0) {
    body
      .append('circle')
      .attr('cx', x(spec.highlight.x))
      .attr('cy', y(spec.highlight.y))
      .attr('r', 9)
      .attr('fill', 'none')
      .attr('stroke', OKABE_ITO.vermillion)
      .attr('stroke-width', 2.5);
  }
  // Legend, one line under the title.
  let legendX = MARGIN.left;
  const legend = svg.append('g').attr('class', 'sweep-legend').attr('font-size', 11);
  for (const series of spec.series) {
    const item = legend.append('g').attr('transform', `translate(${legendX},32)`);
    if (series.line) {
      item
        .append('line')
        .attr('x1', 0)
        .attr('x2', 16)
        .attr('y1', 0)
        .attr('y2', 0)
        .attr('stroke', series.colour)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', series.dashed ? '5 4' : null);
    } else item.append('circle').attr('cx', 8).attr('r', 4).attr('fill', series.colour);
    item.append('text').attr('x', 20).attr('y', 4).text(series.label);
    legendX += 28 + series.label.length * 6;
  }
}

export type CellKind = 'reached' | 'diverged' | 'budget' | 'slower' | 'cancelled' | 'pending';

export interface MapCell {
  batchSize: number;
  learningRate: number;
  kind: CellKind;
  steps: number | null;
  best: boolean;
  title: string;
}

/**
 * The B × learning-rate map: a cell per run, coloured by its steps to the target (darker =
 * fewer), diverged cells crossed out, runs that never reached the target or were stopped as
 * slower in light grey; each B's best learning rate outlined, and the linear-scaling line
 * lr ∝ B through the smallest B's best learning rate (Goyal et al. 2017).
 */
export function drawLearningRateMap(
  svgElement: SVGSVGElement,
  width: number,
  cells: readonly MapCell[],
  batchSizes: readonly number[],
  learningRates: readonly number[],
): void {
  const height = 300;
  const svg = d3.select(svgElement);
  svg.selectAll('*').remove();
  svg.attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
  const innerW = Math.max(60, width - MARGIN.left - MARGIN.right);
  const top = MARGIN.top + 10; // room for the legend line
  const innerH = height - top - MARGIN.bottom;
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${top})`);
  svg
    .append('text')
    .attr('x', MARGIN.left)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .text('Steps to the target for every batch size and learning rate');
  const x = d3
    .scaleBand<number>()
    .domain([...batchSizes])
    .range([0, innerW])
    .padding(0.08);
  const y = d3
    .scaleBand<number>()
    .domain([...learningRates].sort((a, b) => b - a))
    .range([0, innerH])
    .padding(0.08);
  g.append('g')
    .attr('transform', `translate(0,${innerH})`)
    .call(d3.axisBottom(x).tickFormat((v) => String(v)));
  g.append('g').call(d3.axisLeft(y).tickFormat((v) => formatValue(Number(v))));
  g.append('text')
    .attr('x', innerW / 2)
    .attr('y', innerH + 34)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text('batch size B');
  g.append('text')
    .attr('transform', `translate(${-52},${innerH / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text('learning rate');
  const reachedSteps = cells
    .filter((c) => c.kind === 'reached' && c.steps !== null)
    .map((c) => c.steps as number);
  const [lo, hi] = reachedSteps.length ? [Math.min(...reachedSteps), Math.max(...reachedSteps)] : [1, 10];
  const shade = d3.scaleSequentialLog(interpolateBlues).domain([hi * 1.5, Math.max(lo, 1e-9)]); // fewer steps: darker
  const groups = g
    .selectAll<SVGGElement, MapCell>('g.sweep-cell')
    .data(cells.filter((c) => x(c.batchSize) !== undefined && y(c.learningRate) !== undefined))
    .join('g')
    .attr('class', (c) => `sweep-cell sweep-cell-${c.kind}${c.best ? ' sweep-cell-best' : ''}`)
    .attr('transform', (c) => `translate(${x(c.batchSize)},${y(c.learningRate)})`);
  const w = x.bandwidth();
  const h = y.bandwidth();
  groups
    .append('rect')
    .attr('width', w)
    .attr('height', h)
    .attr('fill', (c) =>
      c.kind === 'reached' && c.steps !== null
        ? shade(c.steps)
        : c.kind === 'diverged'
          ? '#f4d6c6'
          : c.kind === 'pending'
            ? '#ffffff'
            : '#e6e6e6',
    )
    .attr('stroke', (c) => (c.best ? OKABE_ITO.vermillion : '#bbb'))
    .attr('stroke-width', (c) => (c.best ? 3 : 1));
  groups
    .filter((c) => c.kind === 'diverged')
    .append('path')
    .attr('d', `M4,4L${w - 4},${h - 4}M${w - 4},4L4,${h - 4}`)
    .attr('stroke', OKABE_ITO.vermillion)
    .attr('stroke-width', 1.5);
  groups
    .append('text')
    .attr('x', w / 2)
    .attr('y', h / 2 + 4)
    .attr('text-anchor', 'middle')
    .attr('font-size', Math.min(11, w / 4))
    .attr('fill', (c) =>
      c.kind === 'reached' && c.steps !== null && d3.hsl(shade(c.steps)).l < 0.5 ? 'white' : '#222',
    )
    .text((c) =>
      c.kind === 'reached' && c.steps !== null
        ? formatValue(Math.round(c.steps))
        : c.kind === 'slower'
          ? 'slower'
          : c.kind === 'budget'
            ? 'never'
            : '',
    );
  groups.append('title').text((c) => c.title);

  // lr ∝ B from the smallest B's best learning rate, drawn across the band centres on log axes.
  const first = cells.find((c) => c.best && c.batchSize === batchSizes[0]);
  if (first && learningRates.length > 1) {
    const sortedLr = [...learningRates].sort((a, b) => a - b);
    const logLr = d3
      .scaleLog()
      .domain([sortedLr[0] as number, sortedLr[sortedLr.length - 1] as number])
      .range([
        (y(sortedLr[0] as number) ?? 0) + h / 2,
        (y(sortedLr[sortedLr.length - 1] as number) ?? 0) + h / 2,
      ]);
    const pts = batchSizes.map(
      (b) => [(x(b) ?? 0) + w / 2, logLr((first.learningRate * b) / first.batchSize)] as [number, number],
    );
    const clip = `sweep-map-clip-${Math.random().toString(36).slice(2)}`;
    g.append('clipPath').attr('id', clip).append('rect').attr('width', innerW).attr('height', innerH);
    g.append('path')
      .attr('clip-path', `url(#${clip})`)
      .attr('d', d3.line()(pts))
      .attr('fill', 'none')
      .attr('stroke', OKABE_ITO.reddishPurple)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', '6 4');
  }
  const legend = svg
    .append('g')
    .attr('font-size', 11)
    .attr('transform', `translate(${MARGIN.left},${MARGIN.top + 4})`);
  const items: [string, (item: d3.Selection<SVGGElement, unknown, null, undefined>) => void][] = [
    [
      'best lr of each B',
      (item) =>
        item
          .append('rect')
          .attr('width', 14)
          .attr('height', 10)
          .attr('y', -8)
          .attr('fill', 'none')
          .attr('stroke', OKABE_ITO.vermillion)
          .attr('stroke-width', 2.5),
    ],
    [
      'diverged',
      (item) =>
        item.append('rect').attr('width', 14).attr('height', 10).attr('y', -8).attr('fill', '#f4d6c6'),
    ],
    [
      'never reached / stopped as slower',
      (item) =>
        item.append('rect').attr('width', 14).attr('height', 10).attr('y', -8).attr('fill', '#e6e6e6'),
    ],
    [
      'lr ∝ B',
      (item) =>
        item
          .append('line')
          .attr('x2', 16)
          .attr('y1', -3)
          .attr('y2', -3)
          .attr('stroke', OKABE_ITO.reddishPurple)
          .attr('stroke-width', 2)
          .attr('stroke-dasharray', '6 4'),
    ],
  ];
  let at = 0;
  for (const [label, mark] of items) {
    const item = legend.append('g').attr('transform', `translate(${at},0)`);
    mark(item);
    item.append('text').attr('x', 20).attr('y', 0).text(label);
    at += 30 + label.length * 6;
  }
}
