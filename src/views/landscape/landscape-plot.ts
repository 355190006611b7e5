/**
 * D3 drawing of the loss landscape over (w, b): filled contours of the full-dataset loss, the
 * trajectories of runs with different B from one start, and at the current point each sample's
 * step arrow and the batch's mean step. Both axes use the same scale, so "steepest descent" looks
 * perpendicular to the contour lines, as it is.
 */
import * as d3 from 'd3';
import type { Extent, GradientArrows, LossGrid, Trajectory } from '../../metrics/landscape';
import { OKABE_ITO } from '../noise/palette';

export const RUN_COLOURS = [OKABE_ITO.vermillion, OKABE_ITO.blue, OKABE_ITO.bluishGreen] as const;

export interface LandscapeDrawing {
  grid: LossGrid;
  thresholds: number[];
  runs: Trajectory[];
  runLabels: string[];
  optimum: [number, number];
  currentStep: number;
  arrows: GradientArrows | null;
  /** Index of the run whose arrows are shown. */
  arrowRun: number;
}

const MARGIN = { top: 12, right: 12, bottom: 44, left: 52 };
let idCounter = 0;

/** Domains with one data unit per pixel on both axes, covering `extent`. */
function equalAspect(extent: Extent, w: number, h: number): { x: [number, number]; y: [number, number] } {
  let spanW = extent.w[1] - extent.w[0];
  let spanB = extent.b[1] - extent.b[0];
  if (spanW / w > spanB / h) spanB = (spanW * h) / w;
  else spanW = (spanB * w) / h;
  const cw = (extent.w[0] + extent.w[1]) / 2;
  const cb = (extent.b[0] + extent.b[1]) / 2;
  return { x: [cw - spanW / 2, cw + spanW / 2], y: [cb - spanB / 2, cb + spanB / 2] };
}

export function drawLandscape(svgElement: SVGSVGElement, width: number, data: LandscapeDrawing): void {
  const plotWidth = Math.max(300, Math.min(width, 600));
  const w = plotWidth - MARGIN.left - MARGIN.right;
  const h = w; // square: the grid's extent is square too
  const height = h + MARGIN.top + MARGIN.bottom;
  const svg = d3.select(svgElement);
  svg.selectAll('*').remove();
  const label = `Contour plot of the full-dataset loss over slope w and intercept b, with the paths of ${data.runLabels.join(', ')} from one start`;
  svg
    .attr('width', plotWidth)
    .attr('height', height)
    .attr('viewBox', `0 0 ${plotWidth} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', label);
  svg.append('title').text(label);
  const id = `landscape-${++idCounter}`;
  const defs = svg.append('defs');
  defs.append('clipPath').attr('id', `${id}-clip`).append('rect').attr('width', w).attr('height', h);
  const arrowColours = [OKABE_ITO.reddishPurple, OKABE_ITO.black];
  arrowColours.forEach((colour, i) => {
    defs
      .append('marker')
      .attr('id', `${id}-arrow-${i}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', i === 0 ? 8 : 12)
      .attr('markerHeight', i === 0 ? 8 : 12)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('fill', colour);
  });
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const domains = equalAspect(data.grid.extent, w, h);
  const x = d3.scaleLinear().domain(domains.x).range([0, w]);
  const y = d3.scaleLinear().domain(domains.y).range([h, 0]);

  // Contours: d3.contours works in grid-cell units, value (i, j) at the cell centre (i + ½, j + ½).
  const { grid } = data;
  const dw = (grid.extent.w[1] - grid.extent.w[0]) / (grid.nw - 1);
  const db = (grid.extent.b[1] - grid.extent.b[0]) / (grid.nb - 1);
  const toScreen = d3.geoTransform({
    point(gx, gy) {
      this.stream.point(x(grid.extent.w[0] + (gx - 0.5) * dw), y(grid.extent.b[0] + (gy - 0.5) * db));
    },
  });
  const contours = d3.contours().size([grid.nw, grid.nb]).thresholds(data.thresholds)(
    Array.from(grid.values),
  );
  const shade = d3
    .scaleSequential((t: number) => d3.interpolateGreys(0.04 + 0.3 * t))
    .domain([0, Math.max(1, contours.length - 1)]);
  const plot = g.append('g').attr('clip-path', `url(#${id}-clip)`);
  plot.append('rect').attr('width', w).attr('height', h).attr('fill', '#fafafa');
  plot
    .append('g')
    .attr('class', 'contours')
    .selectAll('path')
    .data(contours)
    .join('path')
    .attr('d', d3.geoPath(toScreen))
    .attr('fill', (_, i) => shade(i))
    .attr('stroke', '#8a8a8a')
    .attr('stroke-width', 0.7);

  // Trajectories up to the current step.
  data.runs.forEach((run, r) => {
    const upTo = Math.min(data.currentStep, run.points.length / 2 - 1);
    const points = d3
      .range(upTo + 1)
      .map((s) => [run.points[2 * s] as number, run.points[2 * s + 1] as number] as const);
    const colour = RUN_COLOURS[r % RUN_COLOURS.length] as string;
    plot
      .append('path')
      .attr('class', `trajectory trajectory-${r}`)
      .attr('data-batch-size', run.batchSize)
      .attr(
        'd',
        d3
          .line<readonly [number, number]>()
          .x((p) => x(p[0]))
          .y((p) => y(p[1]))(points) ?? '',
      )
      .attr('fill', 'none')
      .attr('stroke', colour)
      .attr('stroke-width', r === 0 ? 1.6 : 2.4)
      .attr('stroke-linejoin', 'round');
    const last = points.at(-1);
    if (last) {
      plot
        .append('circle')
        .attr('class', 'current-point')
        .attr('cx', x(last[0]))
        .attr('cy', y(last[1]))
        .attr('r', r === data.arrowRun ? 6 : 4)
        .attr('fill', colour)
        .attr('stroke', 'white')
        .attr('stroke-width', 1.5);
    }
  });

  // Start and minimum.
  const start = data.runs[0];
  if (start) {
    plot
      .append('circle')
      .attr('cx', x(start.points[0] as number))
      .attr('cy', y(start.points[1] as number))
      .attr('r', 5)
      .attr('fill', OKABE_ITO.black);
    plot
      .append('text')
      .attr('x', x(start.points[0] as number) + 8)
      .attr('y', y(start.points[1] as number) - 8)
      .attr('font-size', 12)
      .attr('font-weight', 600)
      .attr('paint-order', 'stroke')
      .attr('stroke', 'white')
      .attr('stroke-width', 3)
      .text('start');
  }
  plot
    .append('path')
    .attr('d', d3.symbol(d3.symbolCross, 90)())
    .attr('transform', `translate(${x(data.optimum[0])},${y(data.optimum[1])}) rotate(45)`)
    .attr('fill', OKABE_ITO.black);
  plot
    .append('text')
    .attr('x', x(data.optimum[0]) + 9)
    .attr('y', y(data.optimum[1]) + 16)
    .attr('font-size', 12)
    .attr('paint-order', 'stroke')
    .attr('stroke', 'white')
    .attr('stroke-width', 3)
    .text('minimum');

  // Arrows: each sample's own step −lr·g_i and the batch's step −lr·ḡ, from the current point.
  if (data.arrows) {
    const { at, sampleSteps, meanStep } = data.arrows;
    const k = sampleSteps.length / 2;
    plot
      .append('g')
      .attr('class', 'sample-arrows')
      .selectAll('line')
      .data(d3.range(k))
      .join('line')
      .attr('class', 'sample-arrow')
      .attr('x1', x(at[0]))
      .attr('y1', y(at[1]))
      .attr('x2', (s) => x(at[0] + (sampleSteps[2 * s] as number)))
      .attr('y2', (s) => y(at[1] + (sampleSteps[2 * s + 1] as number)))
      .attr('stroke', OKABE_ITO.reddishPurple)
      .attr('stroke-width', 1.4)
      .attr('opacity', 0.85)
      .attr('marker-end', `url(#${id}-arrow-0)`);
    plot
      .append('line')
      .attr('class', 'mean-arrow')
      .attr('x1', x(at[0]))
      .attr('y1', y(at[1]))
      .attr('x2', x(at[0] + meanStep[0]))
      .attr('y2', y(at[1] + meanStep[1]))
      .attr('stroke', OKABE_ITO.black)
      .attr('stroke-width', 3.5)
      .attr('marker-end', `url(#${id}-arrow-1)`);
  }

  g.append('g')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(w / 70))));
  g.append('g').call(d3.axisLeft(y).ticks(Math.max(3, Math.floor(h / 50))));
  g.append('text')
    .attr('x', w / 2)
    .attr('y', h + 36)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text('w (slope)');
  g.append('text')
    .attr('transform', `translate(${-38},${h / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text('b (intercept)');
}
