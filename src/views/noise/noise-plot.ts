/**
 * Draws the gradient-noise figures with D3 into a container element:
 *  1. measured E‖g_B − G‖² (points, ±2 standard errors) against the exact curve, log–log;
 *  2. the mean cosine between g_B and G against B.
 * Both mark B_simple on the batch-size axis. Pure drawing: every number comes in `NoiseReport`.
 */
import * as d3 from 'd3';
import type { NoiseReport } from './noise-report';
import { OKABE_ITO } from './palette';

const MARGIN = { top: 28, right: 16, bottom: 44, left: 64 };
let clipCounter = 0;

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

function bSimpleMarker(
  g: d3.Selection<SVGGElement, unknown, null, undefined>,
  x: d3.ScaleLogarithmic<number, number>,
  bSimple: number,
  height: number,
): void {
  const [lo, hi] = x.domain() as [number, number];
  const marker = g.append('g').attr('class', 'b-simple-marker');
  if (!Number.isFinite(bSimple)) return;
  const inside = bSimple >= lo && bSimple <= hi;
  const at = x(Math.min(hi, Math.max(lo, bSimple)));
  const label = inside
    ? `B_simple ≈ ${formatNumber(bSimple)}`
    : bSimple > hi
      ? `B_simple ≈ ${formatNumber(bSimple)} →`
      : `← B_simple ≈ ${formatNumber(bSimple)}`;
  marker
    .append('line')
    .attr('x1', at)
    .attr('x2', at)
    .attr('y1', 0)
    .attr('y2', height)
    .attr('stroke', OKABE_ITO.bluishGreen)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', '6 4');
  const textAnchor = at > x.range()[1]! * 0.6 ? 'end' : 'start';
  marker
    .append('text')
    .attr('x', at + (textAnchor === 'end' ? -4 : 4))
    .attr('y', 12)
    .attr('text-anchor', textAnchor)
    .attr('fill', '#00664a')
    .attr('font-size', 12)
    .attr('font-weight', 600)
    .attr('paint-order', 'stroke')
    .attr('stroke', 'white')
    .attr('stroke-width', 3)
    .text(label);
}

function axes(
  g: d3.Selection<SVGGElement, unknown, null, undefined>,
  x: d3.ScaleLogarithmic<number, number>,
  y: d3.ScaleContinuousNumeric<number, number>,
  width: number,
  height: number,
  labels: { x: string; y: string },
  yTicks: number,
): void {
  const xAxis = d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 70)), '~s');
  g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${height})`).call(xAxis);
  const small = d3.format('.0e');
  const plain = d3.format('~g');
  const yAxis = d3.axisLeft(y).ticks(yTicks);
  if ('base' in y) {
    // Label only the powers of ten (or a few plain ticks when the range spans less than a decade).
    const [lo, hi] = y.domain() as [number, number];
    const powers: number[] = [];
    for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) powers.push(10 ** e);
    const values = powers.length >= 2 ? powers : y.ticks(4);
    yAxis
      .tickValues(values)
      .tickFormat((v) =>
        Math.abs(Number(v)) < 0.01 && Number(v) !== 0 ? small(Number(v)) : plain(Number(v)),
      );
  }
  g.append('g').attr('class', 'y-axis').call(yAxis);
  g.append('text')
    .attr('x', width / 2)
    .attr('y', height + 36)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(labels.x);
  g.append('text')
    .attr('transform', `translate(${-50},${height / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(labels.y);
}

function prepareSvg(
  container: HTMLElement,
  className: string,
  width: number,
  height: number,
  label: string,
): d3.Selection<SVGGElement, unknown, null, undefined> {
  const root = d3.select(container);
  let svg = root.select<SVGSVGElement>(`svg.${className}`);
  if (svg.empty()) svg = root.append('svg').attr('class', className);
  svg
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', label);
  svg.selectAll('*').remove();
  svg.append('title').text(label);
  return svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
}

export function drawNoisePlot(container: HTMLElement, report: NoiseReport, containerWidth: number): void {
  const width = chartWidth(containerWidth);
  const height = 300;
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = height - MARGIN.top - MARGIN.bottom;
  const n = report.n;
  const x = d3
    .scaleLog()
    .domain([1, Math.max(2, n)])
    .range([0, innerWidth]);

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
  const y = d3.scaleLog().domain([yMin, yMax]).range([innerHeight, 0]);
  const errorLabel = `Mean squared error of mini-batch gradients against batch size, log–log: ${below.length} measured points and the exact curve; B_simple ≈ ${formatNumber(report.simpleNoiseScale)}`;
  const g1 = prepareSvg(container, 'noise-error-plot', width, height, errorLabel);
  axes(g1, x, y, innerWidth, innerHeight, { x: 'batch size B (log scale)', y: 'E‖g_B − G‖² (log scale)' }, 5);
  bSimpleMarker(g1, x, report.simpleNoiseScale, innerHeight);
  const line = d3
    .line<{ batchSize: number; expected: number }>()
    .x((d) => x(d.batchSize))
    .y((d) => y(Math.max(d.expected, yMin / 10)));
  const clipId = `noise-clip-${++clipCounter}`;
  g1.append('clipPath')
    .attr('id', clipId)
    .append('rect')
    .attr('width', innerWidth)
    .attr('height', innerHeight);
  g1.append('path')
    .attr('class', 'theory-curve')
    .attr('clip-path', `url(#${clipId})`)
    .attr('d', line(report.curve.filter((c) => c.expected > 0)) ?? '')
    .attr('fill', 'none')
    .attr('stroke', OKABE_ITO.blue)
    .attr('stroke-width', 2);
  const points = g1.append('g').attr('class', 'measured');
  const point = points
    .selectAll('g')
    .data(below)
    .join('g')
    .attr('class', 'measured-point')
    .attr('data-batch-size', (m) => m.batchSize);
  point
    .append('line')
    .attr('class', 'error-bar')
    .attr('x1', (m) => x(m.batchSize))
    .attr('x2', (m) => x(m.batchSize))
    .attr('y1', (m) => y(Math.max(m.meanSquaredError - 2 * m.standardError, yMin)))
    .attr('y2', (m) => y(m.meanSquaredError + 2 * m.standardError))
    .attr('stroke', OKABE_ITO.vermillion)
    .attr('stroke-width', 2);
  point
    .append('circle')
    .attr('cx', (m) => x(m.batchSize))
    .attr('cy', (m) => y(m.meanSquaredError))
    .attr('r', 4.5)
    .attr('fill', OKABE_ITO.vermillion)
    .append('title')
    .text(
      (m) =>
        `B = ${m.batchSize}: measured ${formatNumber(m.meanSquaredError)} ± ${formatNumber(m.standardError)} (${m.batches} batches), exact ${formatNumber(m.expected)}`,
    );

  // --- 2. Cosine between g_B and G ---------------------------------------------------------
  const cosines = report.measurements.filter((m) => Number.isFinite(m.meanCosine));
  const lowest = Math.min(0, d3.min(cosines, (m) => m.meanCosine) ?? 0);
  const yc = d3.scaleLinear().domain([lowest, 1]).range([innerHeight, 0]).nice();
  const cosineLabel = `Mean cosine between mini-batch gradient and full gradient against batch size: ${cosines.length} points`;
  const g2 = prepareSvg(container, 'noise-cosine-plot', width, height, cosineLabel);
  axes(
    g2,
    x,
    yc as d3.ScaleContinuousNumeric<number, number>,
    innerWidth,
    innerHeight,
    { x: 'batch size B (log scale)', y: 'mean cos(g_B, G)' },
    5,
  );
  bSimpleMarker(g2, x, report.simpleNoiseScale, innerHeight);
  g2.append('path')
    .attr('class', 'cosine-line')
    .attr(
      'd',
      d3
        .line<(typeof cosines)[number]>()
        .x((m) => x(m.batchSize))
        .y((m) => yc(m.meanCosine))(cosines) ?? '',
    )
    .attr('fill', 'none')
    .attr('stroke', OKABE_ITO.orange)
    .attr('stroke-width', 2);
  g2.append('g')
    .selectAll('circle')
    .data(cosines)
    .join('circle')
    .attr('class', 'cosine-point')
    .attr('cx', (m) => x(m.batchSize))
    .attr('cy', (m) => yc(m.meanCosine))
    .attr('r', 4)
    .attr('fill', OKABE_ITO.orange)
    .append('title')
    .text((m) => `B = ${m.batchSize}: mean cosine ${m.meanCosine.toFixed(3)}`);
}
