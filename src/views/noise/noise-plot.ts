/**
 * Draws the gradient-noise figures with D3 into a container element:
 *  1. measured E‖g_B − G‖² (points, ±2 standard errors) against the exact curve, log–log;
 *  2. the mean cosine between g_B and G against B.
 * Both mark B_simple on the batch-size axis. Each measured point wears its batch size's colour,
 * as that batch size's run does on the loss plot; the theory is neutral ink.
 * Pure drawing: every number comes in `NoiseReport`.
 */
import * as d3 from 'd3';
import { type ChartFrame, chartFrame, drawAxes } from '../chart/frame';
import { batchSizeColour, NEUTRAL } from '../chart/palette';
import { attachReadout, type ReadoutPoint } from '../chart/readout';
import { logTicks } from '../chart/ticks';
import type { NoiseReport } from './noise-report';

const MARGIN = { top: 28, right: 16, bottom: 44, left: 64 };
/** The cosine curve: lighter than the theory, so the coloured points stand out on it. */
const COSINE_LINE = '#9a9a9a';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

/** Width of each of the two charts: side by side when there is room, stacked otherwise. */
function chartWidth(containerWidth: number): number {
  const width = Math.max(300, containerWidth);
  return width >= 760 ? Math.floor((width - 16) / 2) : width;
}

function bSimpleMarker(frame: ChartFrame, x: d3.ScaleLogarithmic<number, number>, bSimple: number): void {
  const [lo, hi] = x.domain() as [number, number];
  const inside = bSimple >= lo && bSimple <= hi;
  const at = x(Math.min(hi, Math.max(lo, bSimple)));
  const label = inside
    ? `B_simple ≈ ${formatNumber(bSimple)}`
    : bSimple > hi
      ? `B_simple ≈ ${formatNumber(bSimple)} →`
      : `← B_simple ≈ ${formatNumber(bSimple)}`;
  const textAnchor = at > x.range()[1]! * 0.6 ? 'end' : 'start';
  const marker = frame.layer('b-simple-marker', false);
  const shown = Number.isFinite(bSimple) ? [at] : [];
  marker
    .selectAll('line')
    .data(shown)
    .join('line')
    .attr('x1', (d) => d)
    .attr('x2', (d) => d)
    .attr('y1', 0)
    .attr('y2', frame.innerHeight)
    .attr('stroke', NEUTRAL)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', '6 4');
  marker
    .selectAll('text')
    .data(shown)
    .join('text')
    .attr('x', (d) => d + (textAnchor === 'end' ? -4 : 4))
    .attr('y', 12)
    .attr('text-anchor', textAnchor)
    .attr('fill', NEUTRAL)
    .attr('font-size', 12)
    .attr('font-weight', 600)
    .attr('paint-order', 'stroke')
    .attr('stroke', 'white')
    .attr('stroke-width', 3)
    .text(label);
}

/** One of the two <svg>s in the container, created on first use. */
function plotSvg(container: HTMLElement, className: string): SVGSVGElement {
  const root = d3.select(container);
  let svg = root.select<SVGSVGElement>(`svg.${className}`);
  if (svg.empty()) svg = root.append('svg').attr('class', className).attr('role', 'img');
  return svg.node() as SVGSVGElement;
}

interface MeasuredPoint extends ReadoutPoint {
  batchSize: number;
  standardError: number;
  batches: number;
  expected: number;
}

export function drawNoisePlot(container: HTMLElement, report: NoiseReport, containerWidth: number): void {
  const width = chartWidth(containerWidth);
  const height = 300;
  const n = report.n;

  // --- 1. Mean squared error of mini-batch gradients ---------------------------------------
  const below = report.measurements.filter((m) => m.batchSize < n && m.meanSquaredError > 0);
  // The exact curve plunges to 0 as B → N: let it leave the plot below the last measured point
  // rather than stretch the axis over decades nobody measured.
  const lastMeasured = below.at(-1)?.batchSize ?? n;
  const values = [
    ...below.map((m) => m.meanSquaredError + 2 * m.standardError),
    ...below.map((m) => m.meanSquaredError),
    ...report.curve.filter((c) => c.batchSize <= lastMeasured).map((c) => c.expected),
  ].filter((v) => v > 0 && Number.isFinite(v));
  const yMax = values.length ? (d3.max(values) as number) * 1.6 : 1;
  const yMin = values.length ? (d3.min(values) as number) / 1.6 : 1e-3;
  const errorLabel = `Mean squared error of mini-batch gradients against batch size, log–log: ${below.length} measured points and the exact curve; B_simple ≈ ${formatNumber(report.simpleNoiseScale)}`;
  const f1 = chartFrame(plotSvg(container, 'noise-error-plot'), {
    width,
    height,
    margin: MARGIN,
    label: errorLabel,
  });
  const x = d3
    .scaleLog()
    .domain([1, Math.max(2, n)])
    .range([0, f1.innerWidth]);
  const xTicks = logTicks(1, Math.max(2, n), Math.max(2, Math.floor(f1.innerWidth / 50)));
  const y = d3.scaleLog().domain([yMin, yMax]).range([f1.innerHeight, 0]);
  const [ylo, yhi] = y.domain() as [number, number];
  drawAxes(f1, x, y, {
    xLabel: 'batch size B (log scale)',
    yLabel: 'E‖g_B − G‖² (log scale)',
    xTicks,
    yTicks: logTicks(ylo, yhi, 6),
  });
  bSimpleMarker(f1, x, report.simpleNoiseScale);
  const line = d3
    .line<{ batchSize: number; expected: number }>()
    .x((d) => x(d.batchSize))
    .y((d) => y(Math.max(d.expected, yMin / 10)));
  f1.layer('theory')
    .selectAll('path.theory-curve')
    .data([report.curve.filter((c) => c.expected > 0)])
    .join('path')
    .attr('class', 'theory-curve')
    .attr('d', (d) => line(d) ?? '')
    .attr('fill', 'none')
    .attr('stroke', NEUTRAL)
    .attr('stroke-width', 2);
  const point = f1
    .layer('measured', false)
    .selectAll<SVGGElement, (typeof below)[number]>('g.measured-point')
    .data(below, (m) => String(m.batchSize))
    .join((enter) => {
      const g = enter.append('g').attr('class', 'measured-point');
      g.append('line').attr('class', 'error-bar').attr('stroke-width', 2);
      g.append('circle').attr('r', 4.5).append('title');
      return g;
    })
    .attr('data-batch-size', (m) => m.batchSize);
  point
    .select('line.error-bar')
    .attr('x1', (m) => x(m.batchSize))
    .attr('x2', (m) => x(m.batchSize))
    .attr('y1', (m) => y(Math.max(m.meanSquaredError - 2 * m.standardError, yMin)))
    .attr('y2', (m) => y(m.meanSquaredError + 2 * m.standardError))
    .attr('stroke', (m) => batchSizeColour(m.batchSize, n));
  point
    .select('circle')
    .attr('cx', (m) => x(m.batchSize))
    .attr('cy', (m) => y(m.meanSquaredError))
    .attr('fill', (m) => batchSizeColour(m.batchSize, n))
    .select('title')
    .text(
      (m) =>
        `B = ${m.batchSize}: measured ${formatNumber(m.meanSquaredError)} ± ${formatNumber(m.standardError)} (${m.batches} batches), exact ${formatNumber(m.expected)}`,
    );
  const measured: MeasuredPoint[] = below.map((m) => ({
    x: m.batchSize,
    y: m.meanSquaredError,
    batchSize: m.batchSize,
    standardError: m.standardError,
    batches: m.batches,
    expected: m.expected,
  }));
  attachReadout(f1, {
    mode: 'x',
    x: (v) => x(v),
    y: (v) => y(Math.max(v, yMin / 10)),
    invertX: (px) => x.invert(px),
    invertY: (py) => y.invert(py),
    series: [
      {
        key: 'measured',
        label: 'measured',
        colour: NEUTRAL,
        points: measured,
        describe: (p: MeasuredPoint) => `${formatNumber(p.y)} ± ${formatNumber(p.standardError)}`,
      },
      {
        key: 'exact',
        label: 'exact',
        colour: NEUTRAL,
        points: measured.map((p) => ({ x: p.x, y: p.expected })),
        describe: (p: ReadoutPoint) => formatNumber(p.y),
      },
    ],
    title: (b) => `B = ${nearestMeasured(measured, b)}`,
    name: 'Gradient noise against batch size',
  });

  // --- 2. Cosine between g_B and G ---------------------------------------------------------
  const cosines = report.measurements.filter((m) => Number.isFinite(m.meanCosine));
  const lowest = Math.min(0, d3.min(cosines, (m) => m.meanCosine) ?? 0);
  const cosineLabel = `Mean cosine between mini-batch gradient and full gradient against batch size: ${cosines.length} points`;
  const f2 = chartFrame(plotSvg(container, 'noise-cosine-plot'), {
    width,
    height,
    margin: MARGIN,
    label: cosineLabel,
  });
  const yc = d3.scaleLinear().domain([lowest, 1]).range([f2.innerHeight, 0]).nice();
  drawAxes(f2, x, yc, {
    xLabel: 'batch size B (log scale)',
    yLabel: 'mean cos(g_B, G)',
    xTicks,
    yTicks: yc.ticks(5),
  });
  bSimpleMarker(f2, x, report.simpleNoiseScale);
  f2.layer('cosine')
    .selectAll('path.cosine-line')
    .data([cosines])
    .join('path')
    .attr('class', 'cosine-line')
    .attr(
      'd',
      (d) =>
        d3
          .line<(typeof cosines)[number]>()
          .x((m) => x(m.batchSize))
          .y((m) => yc(m.meanCosine))(d) ?? '',
    )
    .attr('fill', 'none')
    .attr('stroke', COSINE_LINE)
    .attr('stroke-width', 2);
  f2.layer('cosine-points', false)
    .selectAll<SVGCircleElement, (typeof cosines)[number]>('circle.cosine-point')
    .data(cosines, (m) => String(m.batchSize))
    .join((enter) => {
      const c = enter.append('circle').attr('class', 'cosine-point').attr('r', 4);
      c.append('title');
      return c;
    })
    .attr('data-batch-size', (m) => m.batchSize)
    .attr('cx', (m) => x(m.batchSize))
    .attr('cy', (m) => yc(m.meanCosine))
    .attr('fill', (m) => batchSizeColour(m.batchSize, n))
    .select('title')
    .text((m) => `B = ${m.batchSize}: mean cosine ${m.meanCosine.toFixed(3)}`);
  const cosinePoints = cosines.map((m) => ({ x: m.batchSize, y: m.meanCosine }));
  attachReadout(f2, {
    mode: 'x',
    x: (v) => x(v),
    y: (v) => yc(v),
    invertX: (px) => x.invert(px),
    invertY: (py) => yc.invert(py),
    series: [
      {
        key: 'cosine',
        label: 'mean cosine',
        colour: NEUTRAL,
        points: cosinePoints,
        describe: (p: ReadoutPoint) => p.y.toFixed(3),
      },
    ],
    title: (b) => `B = ${nearestMeasured(cosinePoints, b)}`,
    name: 'Cosine between mini-batch and full gradient against batch size',
  });
}

/** The measured batch size nearest (in log) to b, for the read-out's title. */
function nearestMeasured(points: readonly ReadoutPoint[], b: number): string {
  let best = points[0]?.x;
  for (const p of points)
    if (best === undefined || Math.abs(Math.log(p.x / b)) < Math.abs(Math.log(best / b))) best = p.x;
  return best === undefined ? formatNumber(b) : String(best);
}
