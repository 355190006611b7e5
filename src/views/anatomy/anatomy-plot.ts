/**
 * D3 drawings for the anatomy of one batch. Each function clears and redraws one SVG element;
 * every number arrives computed (by `src/metrics/anatomy.ts`), nothing here does maths beyond
 * placing marks on scales.
 */

import * as d3 from 'd3';
import { formatCount } from '../../data/format-count';
import type { Dataset, Reduction } from '../../engine/types';
import { classColour, OKABE_ITO, SAMPLE_COLOURS, sampleColour } from '../chart/palette';
import { type AnatomyStageId, type AnatomyView, lossName } from './anatomy-model';

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
type G = d3.Selection<SVGGElement, unknown, null, undefined>;

const MARGIN = { top: 16, right: 16, bottom: 44, left: 56 };

let markerCounter = 0;

interface Frame {
  svg: Svg;
  g: G;
  w: number;
  h: number;
  /** `url(#…)` of an arrowhead in `colour` (one of the palette's, or grey). */
  arrow: (colour: string) => string;
}

function setup(svgElement: SVGSVGElement, width: number, height: number, label: string): Frame {
  const svg = d3.select(svgElement);
  svg.selectAll('*').remove();
  svg
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', label);
  svg.append('title').text(label);
  const defs = svg.append('defs');
  const prefix = `anatomy-arrow-${++markerCounter}`;
  const colours = [...new Set(['#555', ...SAMPLE_COLOURS, OKABE_ITO.vermillion])];
  colours.forEach((colour, index) => {
    defs
      .append('marker')
      .attr('id', `${prefix}-${index}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      // Fixed-size heads: scaled by the stroke, a thick short arrow would be all head.
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', 12)
      .attr('markerHeight', 12)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('fill', colour);
  });
  const arrow = (colour: string) => `url(#${prefix}-${Math.max(0, colours.indexOf(colour))})`;
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  return { svg, g, w: width - MARGIN.left - MARGIN.right, h: height - MARGIN.top - MARGIN.bottom, arrow };
}

function axisLabels(g: G, w: number, h: number, xLabel: string, yLabel: string): void {
  g.append('text')
    .attr('x', w / 2)
    .attr('y', h + 36)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(xLabel);
  g.append('text')
    .attr('transform', `translate(${-42},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(yLabel);
}

/** Symmetric square-ish extent around 0 that holds every (x, y). */
function symmetricDomain(xy: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xy.length; i++) m = Math.max(m, Math.abs(xy[i] as number));
  return m > 0 ? m * 1.15 : 1;
}

export interface ScatterOptions {
  dataset: Dataset;
  batch: Uint32Array;
  /** Per-sample network outputs to print next to the batch points (forward stage). */
  outputs?: Float64Array;
  outputSize?: number;
}

/** The dataset in grey, the batch's samples coloured and numbered (forward stage: with ŷ). */
/** Points of the dataset drawn behind a batch at most. */
const MAX_SCATTER_POINTS = 1500;

export function drawBatchScatter(svgElement: SVGSVGElement, width: number, options: ScatterOptions): void {
  const { dataset, batch } = options;
  const height = Math.min(320, Math.max(240, width * 0.6));
  const twoD = dataset.inputSize >= 2;
  // Thousands of SVG circles cost a long task to make and to lay out: a large dataset shows an
  // evenly spread share of its points (the extent is still the whole dataset's).
  const stride = Math.ceil(dataset.n / MAX_SCATTER_POINTS);
  const shown = d3.range(0, dataset.n, stride);
  const label =
    stride > 1
      ? `The dataset (${formatCount(shown.length)} of its ${formatCount(dataset.n)} points, grey) with the ${batch.length} samples of this batch numbered`
      : `The dataset (${dataset.n} points, grey) with the ${batch.length} samples of this batch numbered`;
  const { g, w, h } = setup(svgElement, width, height, label);
  const px = (i: number) => dataset.x[i * dataset.inputSize] as number;
  const py = (i: number) =>
    twoD ? (dataset.x[i * dataset.inputSize + 1] as number) : (dataset.y[i * dataset.targetSize] as number);
  const all = d3.range(dataset.n);
  const x = d3
    .scaleLinear()
    .domain(d3.extent(all, px) as [number, number])
    .nice()
    .range([0, w]);
  const y = d3
    .scaleLinear()
    .domain(d3.extent(all, py) as [number, number])
    .nice()
    .range([h, 0]);
  g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(5));
  g.append('g').call(d3.axisLeft(y).ticks(5));
  const names = dataset.featureNames ?? [];
  axisLabels(g, w, h, names[0] ?? 'x₁', twoD ? (names[1] ?? 'x₂') : (dataset.targetName ?? 'y'));
  const pointColour = (i: number) =>
    dataset.task === 'classification'
      ? classColour(Math.round(dataset.y[i * dataset.targetSize] as number))
      : '#999';
  g.append('g')
    .selectAll('circle')
    .data(shown)
    .join('circle')
    .attr('cx', (i) => x(px(i)))
    .attr('cy', (i) => y(py(i)))
    .attr('r', 2.5)
    .attr('fill', pointColour)
    .attr('opacity', 0.35);
  const members = g
    .append('g')
    .attr('class', 'batch-members')
    .selectAll('g')
    .data(Array.from(batch))
    .join('g')
    .attr('class', 'batch-member')
    .attr('transform', (i) => `translate(${x(px(i))},${y(py(i))})`);
  members
    .append('circle')
    .attr('r', 9)
    .attr('fill', 'white')
    .attr('stroke', (_, s) => sampleColour(s))
    .attr('stroke-width', 3);
  members
    .append('circle')
    .attr('r', 4.5)
    .attr('fill', (i) => pointColour(i));
  members
    .append('text')
    .attr('x', 10)
    .attr('y', 4)
    .attr('font-size', 12)
    .attr('font-weight', 600)
    .attr('fill', (_, s) => sampleColour(s))
    .attr('paint-order', 'stroke')
    .attr('stroke', 'white')
    .attr('stroke-width', 3)
    .text((_, s) => {
      if (!options.outputs) return `#${s + 1}`;
      const k = options.outputSize ?? 1;
      const yHat = options.outputs[s * k] as number;
      return `#${s + 1} ŷ=${yHat.toFixed(2)}`;
    });
}

/** One bar per sample (its loss) and the batch mean as a line. */
export function drawLossBars(
  svgElement: SVGSVGElement,
  width: number,
  losses: Float64Array,
  mean: number,
): void {
  const height = 240;
  const label = `Loss of each of the ${losses.length} samples; their mean is the batch loss ${mean.toFixed(3)}`;
  const { g, w, h } = setup(svgElement, width, height, label);
  const ids = d3.range(losses.length);
  const x = d3.scaleBand<number>().domain(ids).range([0, w]).padding(0.2);
  const y = d3
    .scaleLinear()
    .domain([0, Math.max(d3.max(losses) ?? 1, mean) * 1.1 || 1])
    .nice()
    .range([h, 0]);
  g.append('g')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom(x).tickFormat((s) => `#${s + 1}`));
  g.append('g').call(d3.axisLeft(y).ticks(5));
  axisLabels(g, w, h, 'sample of the batch', 'loss');
  g.append('g')
    .selectAll('rect')
    .data(ids)
    .join('rect')
    .attr('class', 'loss-bar')
    .attr('x', (s) => x(s) ?? 0)
    .attr('width', x.bandwidth())
    .attr('y', (s) => y(losses[s] as number))
    .attr('height', (s) => h - y(losses[s] as number))
    .attr('fill', (s) => sampleColour(s));
  g.append('line')
    .attr('x1', 0)
    .attr('x2', w)
    .attr('y1', y(mean))
    .attr('y2', y(mean))
    .attr('stroke', OKABE_ITO.black)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', '6 3');
  g.append('text')
    .attr('x', w - 4)
    .attr('y', y(mean) - 6)
    .attr('text-anchor', 'end')
    .attr('font-size', 12)
    .text(`batch loss (mean) = ${mean.toFixed(3)}`);
}

export interface ArrowOptions {
  /** k × 2 projected per-sample gradients. */
  samples: Float64Array;
  /** The combined gradient's projection (mean, or sum), drawn thick; omitted in the gradients stage. */
  combined?: [number, number];
  combinedLabel?: string;
  axisLabels: [string, string];
  capturedShare: number;
}

/** Per-sample gradient arrows from a common origin in a 2-D projection, plus the combined arrow. */
export function drawGradientArrows(svgElement: SVGSVGElement, width: number, options: ArrowOptions): void {
  const height = Math.min(340, Math.max(260, width * 0.7));
  const k = options.samples.length / 2;
  const label = `${k} per-sample gradients as arrows in a 2-D projection${options.combined ? `, with ${options.combinedLabel}` : ''}`;
  const { g, w, h, arrow } = setup(svgElement, width, height, label);
  const extentValues = options.combined
    ? [...options.samples, ...options.combined]
    : Array.from(options.samples);
  const m = symmetricDomain(extentValues);
  const x = d3.scaleLinear().domain([-m, m]).range([0, w]);
  const y = d3.scaleLinear().domain([-m, m]).range([h, 0]);
  g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(5, '~g'));
  g.append('g').call(d3.axisLeft(y).ticks(5, '~g'));
  axisLabels(g, w, h, options.axisLabels[0], options.axisLabels[1]);
  g.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', h).attr('stroke', '#ddd');
  g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', '#ddd');
  const arrows = g
    .append('g')
    .attr('class', 'sample-arrows')
    .selectAll('g')
    .data(d3.range(k))
    .join('g')
    .attr('class', 'sample-arrow');
  arrows
    .append('line')
    .attr('x1', x(0))
    .attr('y1', y(0))
    .attr('x2', (s) => x(options.samples[2 * s] as number))
    .attr('y2', (s) => y(options.samples[2 * s + 1] as number))
    .attr('stroke', (s) => sampleColour(s))
    .attr('stroke-width', 2)
    .attr('opacity', options.combined ? 0.55 : 0.9)
    .attr('marker-end', (s) => arrow(sampleColour(s)));
  arrows
    .append('text')
    .attr('x', (s) => x(options.samples[2 * s] as number) + 4)
    .attr('y', (s) => y(options.samples[2 * s + 1] as number) - 4)
    .attr('font-size', 11)
    .attr('fill', (s) => sampleColour(s))
    .text((s) => `#${s + 1}`);
  if (options.combined) {
    const [cx, cy] = options.combined;
    g.append('line')
      .attr('class', 'combined-arrow')
      .attr('x1', x(0))
      .attr('y1', y(0))
      .attr('x2', x(cx))
      .attr('y2', y(cy))
      .attr('stroke', OKABE_ITO.vermillion)
      .attr('stroke-width', 4)
      .attr('marker-end', arrow(OKABE_ITO.vermillion));
    g.append('text')
      .attr('x', x(cx))
      .attr('y', y(cy) + (cy >= 0 ? -10 : 18))
      .attr('text-anchor', 'middle')
      .attr('font-size', 12)
      .attr('font-weight', 600)
      .attr('fill', OKABE_ITO.vermillion)
      .attr('paint-order', 'stroke')
      .attr('stroke', 'white')
      .attr('stroke-width', 3)
      .text(options.combinedLabel ?? '');
  }
}

export interface BarOptions {
  /** k × p values (per-sample gradients) or null when only `combined` is shown. */
  perSample: Float64Array | null;
  k: number;
  p: number;
  /** Which parameters to show (indices into the flat layout). */
  shown: number[];
  names: string[];
  /** A per-parameter marker (the mean or sum), drawn as a black tick. */
  combined?: Float64Array;
  combinedLabel?: string;
  valueLabel: string;
}

/** Grouped bars: for each parameter, one thin bar per sample, and the combined value as a tick. */
export function drawParameterBars(svgElement: SVGSVGElement, width: number, options: BarOptions): void {
  const height = 260;
  const label = `${options.valueLabel} for ${options.shown.length} parameters${options.perSample ? `, one bar per sample of the ${options.k}` : ''}`;
  const { g, w, h } = setup(svgElement, width, height, label);
  const values: number[] = [];
  for (const j of options.shown) {
    if (options.perSample)
      for (let s = 0; s < options.k; s++) values.push(options.perSample[s * options.p + j] as number);
    if (options.combined) values.push(options.combined[j] as number);
  }
  const m = symmetricDomain(values);
  const x = d3.scaleBand<number>().domain(options.shown).range([0, w]).padding(0.15);
  const y = d3.scaleLinear().domain([-m, m]).nice().range([h, 0]);
  g.append('g').call(d3.axisLeft(y).ticks(5, '~g'));
  g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', '#888');
  const xAxis = g
    .append('g')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom(x).tickFormat((j) => options.names[j] ?? `θ${j}`));
  if (x.bandwidth() < 42)
    xAxis.selectAll('text').attr('transform', 'rotate(-40)').attr('text-anchor', 'end').attr('dx', '-0.3em');
  g.append('text')
    .attr('transform', `translate(${-42},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(options.valueLabel);
  const groups = g
    .append('g')
    .selectAll('g')
    .data(options.shown)
    .join('g')
    .attr('class', 'parameter-group')
    .attr('transform', (j) => `translate(${x(j) ?? 0},0)`);
  if (options.perSample) {
    const inner = d3.scaleBand<number>().domain(d3.range(options.k)).range([0, x.bandwidth()]).padding(0.05);
    const perSample = options.perSample;
    groups
      .selectAll('rect')
      .data((j) => d3.range(options.k).map((s) => ({ s, v: perSample[s * options.p + j] as number })))
      .join('rect')
      .attr('x', (d) => inner(d.s) ?? 0)
      .attr('width', inner.bandwidth())
      .attr('y', (d) => Math.min(y(0), y(d.v)))
      .attr('height', (d) => Math.abs(y(d.v) - y(0)))
      .attr('fill', (d) => sampleColour(d.s))
      .attr('opacity', options.combined ? 0.5 : 0.9);
  }
  if (options.combined && !options.perSample) {
    // Only the combined values: plain bars.
    const combined = options.combined;
    groups
      .append('rect')
      .attr('class', 'combined-bar')
      .attr('x', x.bandwidth() * 0.2)
      .attr('width', x.bandwidth() * 0.6)
      .attr('y', (j) => Math.min(y(0), y(combined[j] as number)))
      .attr('height', (j) => Math.abs(y(combined[j] as number) - y(0)))
      .attr('fill', OKABE_ITO.vermillion);
  } else if (options.combined) {
    const combined = options.combined;
    groups
      .append('line')
      .attr('class', 'combined-tick')
      .attr('x1', 0)
      .attr('x2', x.bandwidth())
      .attr('y1', (j) => y(combined[j] as number))
      .attr('y2', (j) => y(combined[j] as number))
      .attr('stroke', OKABE_ITO.vermillion)
      .attr('stroke-width', 3);
    if (options.combinedLabel) {
      g.append('text')
        .attr('x', w)
        .attr('y', 10)
        .attr('text-anchor', 'end')
        .attr('font-size', 11)
        .attr('fill', OKABE_ITO.vermillion)
        .text(`— ${options.combinedLabel}`);
    }
  }
}

/** Weights before (grey) and after (blue) the one update, per parameter. */
export function drawWeightChange(
  svgElement: SVGSVGElement,
  width: number,
  before: Float64Array,
  after: Float64Array,
  shown: number[],
  names: string[],
): void {
  const height = 260;
  const { g, w, h } = setup(
    svgElement,
    width,
    height,
    `Weights before and after the single update, ${shown.length} parameters`,
  );
  const m = symmetricDomain([
    ...shown.map((j) => before[j] as number),
    ...shown.map((j) => after[j] as number),
  ]);
  const x = d3.scaleBand<number>().domain(shown).range([0, w]).padding(0.2);
  const y = d3.scaleLinear().domain([-m, m]).nice().range([h, 0]);
  g.append('g').call(d3.axisLeft(y).ticks(5, '~g'));
  g.append('line').attr('x1', 0).attr('x2', w).attr('y1', y(0)).attr('y2', y(0)).attr('stroke', '#888');
  const xAxis = g
    .append('g')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom(x).tickFormat((j) => names[j] ?? `θ${j}`));
  if (x.bandwidth() < 42)
    xAxis.selectAll('text').attr('transform', 'rotate(-40)').attr('text-anchor', 'end').attr('dx', '-0.3em');
  g.append('text')
    .attr('transform', `translate(${-42},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text('weight value');
  const half = x.bandwidth() / 2;
  const groups = g
    .append('g')
    .selectAll('g')
    .data(shown)
    .join('g')
    .attr('transform', (j) => `translate(${x(j) ?? 0},0)`);
  for (const [values, offset, colour, cls] of [
    [before, 0, '#bbb', 'weight-before'],
    [after, half, OKABE_ITO.blue, 'weight-after'],
  ] as const) {
    groups
      .append('rect')
      .attr('class', cls)
      .attr('x', offset)
      .attr('width', half)
      .attr('y', (j) => Math.min(y(0), y(values[j] as number)))
      .attr('height', (j) => Math.abs(y(values[j] as number) - y(0)))
      .attr('fill', colour);
  }
  const legend = g.append('g').attr('transform', `translate(${w - 150},0)`);
  legend.append('rect').attr('width', 10).attr('height', 10).attr('fill', '#bbb');
  legend.append('text').attr('x', 14).attr('y', 9).attr('font-size', 11).text('before');
  legend.append('rect').attr('x', 64).attr('width', 10).attr('height', 10).attr('fill', OKABE_ITO.blue);
  legend.append('text').attr('x', 78).attr('y', 9).attr('font-size', 11).text('after');
}

export interface SequentialOptions {
  /** (B + 1) × 2: the sequential walk's points relative to the start. */
  sequential: Float64Array;
  /** 2 × 2: the averaged step's start and end. */
  averaged: Float64Array;
  axisLabels: [string, string];
}

/**
 * A domain for x and y that holds every point and the origin, with one unit per pixel on both
 * axes (so directions and lengths are not distorted).
 */
function equalAspectDomains(
  xy: ArrayLike<number>,
  w: number,
  h: number,
): { x: [number, number]; y: [number, number] } {
  let x0 = 0;
  let x1 = 0;
  let y0 = 0;
  let y1 = 0;
  for (let i = 0; i + 1 < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i] as number);
    x1 = Math.max(x1, xy[i] as number);
    y0 = Math.min(y0, xy[i + 1] as number);
    y1 = Math.max(y1, xy[i + 1] as number);
  }
  let spanX = Math.max(x1 - x0, 1e-12) * 1.3;
  let spanY = Math.max(y1 - y0, 1e-12) * 1.3;
  if (spanX / w > spanY / h) spanY = (spanX * h) / w;
  else spanX = (spanY * w) / h;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [cx - spanX / 2, cx + spanX / 2], y: [cy - spanY / 2, cy + spanY / 2] };
}

function haloText(
  g: G,
  x: number,
  y: number,
  text: string,
  colour: string,
  anchor: 'start' | 'middle' | 'end',
): void {
  g.append('text')
    .attr('x', x)
    .attr('y', y)
    .attr('text-anchor', anchor)
    .attr('font-size', 12)
    .attr('font-weight', 600)
    .attr('fill', colour)
    .attr('paint-order', 'stroke')
    .attr('stroke', 'white')
    .attr('stroke-width', 3)
    .text(text);
}

/** The sequential walk (numbered dots) against the single averaged step, in weight space. */
export function drawSequentialVsAveraged(
  svgElement: SVGSVGElement,
  width: number,
  options: SequentialOptions,
): void {
  const height = Math.min(340, Math.max(260, width * 0.7));
  const steps = options.sequential.length / 2 - 1;
  const { g, w, h, arrow } = setup(
    svgElement,
    width,
    height,
    `Weight change: ${steps} sequential single-sample steps against one averaged step, from the same start`,
  );
  const domains = equalAspectDomains([...options.sequential, ...options.averaged], w, h);
  const x = d3.scaleLinear().domain(domains.x).range([0, w]);
  const y = d3.scaleLinear().domain(domains.y).range([h, 0]);
  g.append('g').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x).ticks(5, '~g'));
  g.append('g').call(d3.axisLeft(y).ticks(5, '~g'));
  axisLabels(g, w, h, options.axisLabels[0], options.axisLabels[1]);
  const points = d3
    .range(steps + 1)
    .map((s) => [options.sequential[2 * s] as number, options.sequential[2 * s + 1] as number] as const);
  g.append('path')
    .attr('class', 'sequential-path')
    .attr(
      'd',
      d3
        .line<readonly [number, number]>()
        .x((p) => x(p[0]))
        .y((p) => y(p[1]))(points) ?? '',
    )
    .attr('fill', 'none')
    .attr('stroke', OKABE_ITO.blue)
    .attr('stroke-width', 2);
  const dots = g.append('g').selectAll('g').data(points.slice(1)).join('g');
  dots
    .append('circle')
    .attr('cx', (p) => x(p[0]))
    .attr('cy', (p) => y(p[1]))
    .attr('r', 4.5)
    .attr('fill', (_, s) => sampleColour(s));
  dots
    .append('text')
    .attr('x', (p) => x(p[0]) + 6)
    .attr('y', (p) => y(p[1]) - 5)
    .attr('font-size', 10)
    .attr('fill', (_, s) => sampleColour(s))
    .text((_, s) => `${s + 1}`);
  const ax = options.averaged;
  g.append('line')
    .attr('class', 'averaged-step')
    .attr('x1', x(ax[0] as number))
    .attr('y1', y(ax[1] as number))
    .attr('x2', x(ax[2] as number))
    .attr('y2', y(ax[3] as number))
    .attr('stroke', OKABE_ITO.vermillion)
    .attr('stroke-width', 4)
    .attr('marker-end', arrow(OKABE_ITO.vermillion));
  g.append('circle').attr('cx', x(0)).attr('cy', y(0)).attr('r', 5).attr('fill', OKABE_ITO.black);
  haloText(g, x(0) + 8, y(0) - 8, 'start', OKABE_ITO.black, 'start');
  // Labels on opposite sides of their marks, so they do not collide.
  const last = points[steps] ?? [0, 0];
  const endY = y(ax[3] as number);
  const lastBelow = y(last[1]) >= endY;
  haloText(
    g,
    x(last[0]),
    y(last[1]) + (lastBelow ? 20 : -12),
    `after ${steps} one-sample steps`,
    OKABE_ITO.blue,
    'middle',
  );
  haloText(
    g,
    x(ax[2] as number),
    endY + (lastBelow ? -14 : 22),
    'one averaged step',
    OKABE_ITO.vermillion,
    'middle',
  );
}

export interface LossLine {
  label: string;
  values: number[];
  colour: string;
  dash?: string;
  width?: number;
  className: string;
}

/** Full-dataset loss against step for a few runs (sum vs mean). */
export function drawLossLines(
  svgElement: SVGSVGElement,
  width: number,
  lines: LossLine[],
  /** What the losses are measured on, for the axis and the description. */
  lossLabel = 'full-dataset loss',
): void {
  const height = 260;
  const { g, w, h } = setup(
    svgElement,
    width,
    height,
    `${lossLabel[0]?.toUpperCase()}${lossLabel.slice(1)} against step for ${lines.map((l) => l.label).join(', ')}`,
  );
  const steps = d3.max(lines, (l) => l.values.length - 1) ?? 1;
  const finite = lines.flatMap((l) => l.values.filter((v) => Number.isFinite(v)));
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(1, steps)])
    .range([0, w]);
  const y = d3
    .scaleLinear()
    .domain([0, (d3.max(finite) ?? 1) * 1.05])
    .nice()
    .range([h, 0])
    .clamp(true);
  g.append('g')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom(x).ticks(Math.min(steps, 10)));
  g.append('g').call(d3.axisLeft(y).ticks(5));
  axisLabels(g, w, h, 'step (one update per batch)', lossLabel);
  lines.forEach((line, index) => {
    g.append('path')
      .attr('class', line.className)
      .attr(
        'd',
        d3
          .line<number>()
          .x((_, s) => x(s))
          .y((v) => y(Number.isFinite(v) ? v : (y.domain()[1] as number)))(line.values) ?? '',
      )
      .attr('fill', 'none')
      .attr('stroke', line.colour)
      .attr('stroke-width', line.width ?? 2)
      .attr('stroke-dasharray', line.dash ?? null);
    const legendY = 8 + index * 16;
    g.append('line')
      .attr('x1', w - 190)
      .attr('x2', w - 166)
      .attr('y1', legendY)
      .attr('y2', legendY)
      .attr('stroke', line.colour)
      .attr('stroke-width', line.width ?? 2)
      .attr('stroke-dasharray', line.dash ?? null);
    g.append('text')
      .attr('x', w - 160)
      .attr('y', legendY + 4)
      .attr('font-size', 11)
      .text(line.label);
  });
}

export interface StageDrawing {
  stage: AnatomyStageId;
  view: AnatomyView;
  dataset: Dataset;
  outputSize: number;
  reduction: Reduction;
}

/** Draws one stage: the main figure, and beside it (or under it) a second one where it has one. */
export function drawAnatomyStage(
  primary: SVGSVGElement,
  secondary: SVGSVGElement,
  width: number,
  { stage, view, dataset, outputSize, reduction }: StageDrawing,
): void {
  const twoFigures = stage === 'gradients' || stage === 'reduce' || stage === 'update';
  const each =
    twoFigures && width >= 760 ? Math.floor((width - 16) / 2) : Math.max(300, Math.min(width, 640));
  const a = view.anatomy;
  const k = a.batchSize;
  const p = a.paramCount;
  secondary.replaceChildren();
  secondary.setAttribute('width', '0');
  secondary.setAttribute('height', '0');
  const combinedLabel = reduction === 'mean' ? 'mean ḡ' : `sum Σg (B = ${k} × the mean)`;
  switch (stage) {
    case 'batch':
      drawBatchScatter(primary, each, { dataset, batch: view.indices });
      break;
    case 'forward':
      drawBatchScatter(primary, each, { dataset, batch: view.indices, outputs: a.outputs, outputSize });
      break;
    case 'loss':
      drawLossBars(primary, each, a.losses, a.batchLoss);
      break;
    case 'gradients':
    case 'reduce': {
      const reduce = stage === 'reduce';
      drawGradientArrows(primary, each, {
        samples: view.projected.samples,
        ...(reduce ? { combined: view.combined, combinedLabel } : {}),
        axisLabels: view.axisLabels,
        capturedShare: view.projected.capturedShare,
      });
      drawParameterBars(secondary, each, {
        perSample: a.gradients,
        k,
        p,
        shown: view.shownParameters,
        names: view.names,
        ...(reduce ? { combined: a.reducedGradient, combinedLabel } : {}),
        valueLabel: 'gradient',
      });
      break;
    }
    case 'update':
      drawWeightChange(primary, each, a.weightsBefore, a.weightsAfter, view.shownParameters, view.names);
      drawParameterBars(secondary, each, {
        perSample: null,
        k,
        p,
        shown: view.shownParameters,
        names: view.names,
        combined: a.update,
        combinedLabel: `Δw = −${view.effectiveLearningRate} · ${reduction === 'mean' ? 'ḡ' : 'Σg'}`,
        valueLabel: 'change of each weight',
      });
      break;
    case 'sequential':
      drawSequentialVsAveraged(primary, each, {
        sequential: view.sequentialProjected,
        averaged: view.averagedProjected,
        axisLabels: view.weightAxisLabels,
      });
      break;
    case 'sum-mean':
      drawLossLines(
        primary,
        each,
        [
          {
            label: 'mean, lr',
            values: view.paths.meanLr.datasetLosses,
            colour: OKABE_ITO.blue,
            width: 5,
            className: 'path-mean',
          },
          {
            label: 'sum, lr/B (on top)',
            values: view.paths.sumLrOverB.datasetLosses,
            colour: OKABE_ITO.orange,
            dash: '6 5',
            width: 2.5,
            className: 'path-sum-scaled',
          },
          {
            label: 'sum, lr',
            values: view.paths.sumLr.datasetLosses,
            colour: OKABE_ITO.vermillion,
            className: 'path-sum',
          },
        ],
        lossName(view),
      );
      break;
  }
}
