/**
 * D3 drawing of the loss landscape over (w, b): filled contours of the full-dataset loss, the
 * trajectories of runs with different B from one start, and at the current point each sample's
 * step arrow and the batch's mean step. Both axes use the same scale, so "steepest descent" looks
 * perpendicular to the contour lines, as it is. Each run wears its batch size's colour, as on the
 * loss plot; the arrows of the chosen run are grey (one per sample) and its colour (the mean).
 */
import * as d3 from 'd3';
import type { Extent, GradientArrows, LossGrid, Trajectory } from '../../metrics/landscape';
import { chartFrame, drawAxes } from '../chart/frame';
import { batchSizeColour, interpolateGreys, NEUTRAL, OKABE_ITO } from '../chart/palette';
import { attachReadout, type ReadoutPoint, type ReadoutSeries } from '../chart/readout';
import { formatTick } from '../chart/ticks';
import type { LandscapeSurface } from './landscape-model';

/** The grey of each sample's own step arrow. */
export const SAMPLE_ARROW_COLOUR = '#8a8a8a';

export interface LandscapeDrawing {
  /** The plane shown (the runs' extent). */
  extent: Extent;
  /** The loss surface: null while it is being computed (the runs show at once). */
  surface: LandscapeSurface | null;
  runs: Trajectory[];
  runLabels: string[];
  /** Samples in the dataset (a run with B = N is full-batch). */
  n: number;
  optimum: [number, number];
  currentStep: number;
  arrows: GradientArrows | null;
  /** Index of the run whose arrows are shown. */
  arrowRun: number;
}

const MARGIN = { top: 12, right: 12, bottom: 44, left: 52 };

/** The colour of a run of the landscape: its batch size's, as everywhere on the page. */
export function landscapeRunColour(run: Pick<Trajectory, 'batchSize'>, n: number): string {
  return batchSizeColour(run.batchSize, n);
}

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

/** The grid's loss at (w, b) (nearest grid point); null outside the grid. */
export function gridLossAt(grid: LossGrid, w: number, b: number): number | null {
  const iw = Math.round(((w - grid.extent.w[0]) / (grid.extent.w[1] - grid.extent.w[0])) * (grid.nw - 1));
  const ib = Math.round(((b - grid.extent.b[0]) / (grid.extent.b[1] - grid.extent.b[0])) * (grid.nb - 1));
  if (!(iw >= 0 && iw < grid.nw && ib >= 0 && ib < grid.nb)) return null;
  return grid.values[ib * grid.nw + iw] ?? null;
}

interface StepPoint extends ReadoutPoint {
  step: number;
  loss: number;
}

let idCounter = 0;

/** Per plot, the surface and width its contours were last drawn for. */
const contoursDrawn = new WeakMap<SVGSVGElement, { surface: LandscapeSurface; w: number }>();

export function drawLandscape(svgElement: SVGSVGElement, width: number, data: LandscapeDrawing): void {
  const plotWidth = Math.max(300, Math.min(width, 600));
  const w = plotWidth - MARGIN.left - MARGIN.right;
  const h = w; // square: the grid's extent is square too
  const height = h + MARGIN.top + MARGIN.bottom;
  const label = `Contour plot of the full-dataset loss over slope w and intercept b, with the paths of ${data.runLabels.join(', ')} from one start`;
  const frame = chartFrame(svgElement, { width: plotWidth, height, margin: MARGIN, label });
  const svg = d3.select(svgElement).attr('role', 'img');
  const domains = equalAspect(data.extent, w, h);
  const x = d3.scaleLinear().domain(domains.x).range([0, w]);
  const y = d3.scaleLinear().domain(domains.y).range([h, 0]);
  const colours = data.runs.map((run) => landscapeRunColour(run, data.n));

  // Arrowheads: one per colour in use, made once per <svg> and kept in step by a join.
  let id = svg.attr('data-landscape-id');
  if (!id) {
    id = `landscape-${++idCounter}`;
    svg.attr('data-landscape-id', id);
  }
  const arrowColours = [SAMPLE_ARROW_COLOUR, colours[data.arrowRun] ?? NEUTRAL];
  svg
    .selectAll<SVGDefsElement, number>('defs.arrowheads')
    .data([0])
    .join('defs')
    .attr('class', 'arrowheads')
    .selectAll<SVGMarkerElement, string>('marker')
    .data(arrowColours)
    .join((enter) => {
      const marker = enter
        .append('marker')
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('orient', 'auto-start-reverse');
      marker.append('path').attr('d', 'M0,0 L10,5 L0,10 z');
      return marker;
    })
    .attr('id', (_, i) => `${id}-arrow-${i}`)
    .attr('markerWidth', (_, i) => (i === 0 ? 8 : 12))
    .attr('markerHeight', (_, i) => (i === 0 ? 8 : 12))
    .select('path')
    .attr('fill', (c) => c);

  // Contours, in grid-cell units from d3.contours: value (i, j) at the cell centre (i + ½, j + ½).
  // Their paths are long strings: made again only for a new surface or size, not on every step.
  const surface = data.surface;
  const background = frame.layer('landscape-background');
  background
    .selectAll('rect')
    .data([0])
    .join('rect')
    .attr('width', w)
    .attr('height', h)
    .attr('fill', '#fafafa');
  const contourLayer = frame.layer('contours');
  const drawnFor = contoursDrawn.get(svgElement);
  if (!surface) contourLayer.selectAll('path').remove();
  else if (drawnFor?.surface !== surface || drawnFor.w !== w) {
    const { grid } = surface;
    const dw = (grid.extent.w[1] - grid.extent.w[0]) / (grid.nw - 1);
    const db = (grid.extent.b[1] - grid.extent.b[0]) / (grid.nb - 1);
    const toScreen = d3.geoTransform({
      point(gx, gy) {
        this.stream.point(x(grid.extent.w[0] + (gx - 0.5) * dw), y(grid.extent.b[0] + (gy - 0.5) * db));
      },
    });
    const shade = d3
      .scaleSequential((t: number) => interpolateGreys(0.04 + 0.3 * t))
      .domain([0, Math.max(1, surface.contours.length - 1)]);
    contourLayer
      .selectAll('path')
      .data(surface.contours)
      .join('path')
      .attr('d', d3.geoPath(toScreen))
      .attr('fill', (_, i) => shade(i))
      .attr('stroke', '#8a8a8a')
      .attr('stroke-width', 0.7);
    contoursDrawn.set(svgElement, { surface, w });
  }

  // Trajectories up to the current step.
  const upTo = (run: Trajectory) => Math.min(data.currentStep, run.points.length / 2 - 1);
  const stepPoints = (run: Trajectory): StepPoint[] =>
    d3.range(upTo(run) + 1).map((s) => ({
      x: run.points[2 * s] as number,
      y: run.points[2 * s + 1] as number,
      step: s,
      loss: run.losses[s] as number,
    }));
  const paths = data.runs.map((run) => stepPoints(run));
  const pathLine = d3
    .line<StepPoint>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  frame
    .layer('trajectories')
    .selectAll<SVGPathElement, Trajectory>('path.trajectory')
    .data(data.runs)
    .join('path')
    .attr('class', (_, r) => `trajectory trajectory-${r}`)
    .attr('data-batch-size', (run) => run.batchSize)
    .attr('d', (_, r) => pathLine(paths[r] ?? []) ?? '')
    .attr('fill', 'none')
    .attr('stroke', (_, r) => colours[r] ?? NEUTRAL)
    .attr('stroke-width', (_, r) => (r === 0 ? 1.6 : 2.4))
    .attr('stroke-linejoin', 'round');
  const ends = data.runs.flatMap((run, r) => {
    const last = paths[r]?.at(-1);
    return last ? [{ r, run, last }] : [];
  });
  frame
    .layer('current-points')
    .selectAll<SVGCircleElement, (typeof ends)[number]>('circle.current-point')
    .data(ends)
    .join('circle')
    .attr('class', 'current-point')
    .attr('data-batch-size', (d) => d.run.batchSize)
    .attr('cx', (d) => x(d.last.x))
    .attr('cy', (d) => y(d.last.y))
    .attr('r', (d) => (d.r === data.arrowRun ? 6 : 4))
    .attr('fill', (d) => colours[d.r] ?? NEUTRAL)
    .attr('stroke', 'white')
    .attr('stroke-width', 1.5);

  // Start and minimum.
  const start = data.runs[0];
  const landmarks = [
    ...(start
      ? [{ key: 'start', w: start.points[0] as number, b: start.points[1] as number, text: 'start' }]
      : []),
    { key: 'minimum', w: data.optimum[0], b: data.optimum[1], text: 'minimum' },
  ];
  const marks = frame
    .layer('landmarks')
    .selectAll<SVGGElement, (typeof landmarks)[number]>('g.landmark')
    .data(landmarks, (d) => d.key)
    .join((enter) => {
      const g = enter.append('g').attr('class', (d) => `landmark landmark-${d.key}`);
      g.append('path').attr('fill', OKABE_ITO.black);
      g.append('text')
        .attr('font-size', 12)
        .attr('paint-order', 'stroke')
        .attr('stroke', 'white')
        .attr('stroke-width', 3);
      return g;
    })
    .attr('transform', (d) => `translate(${x(d.w)},${y(d.b)})`);
  marks
    .select('path')
    .attr('d', (d) =>
      d.key === 'start' ? d3.symbol(d3.symbolCircle, 78)() : d3.symbol(d3.symbolCross, 90)(),
    )
    .attr('transform', (d) => (d.key === 'minimum' ? 'rotate(45)' : null));
  marks
    .select('text')
    .attr('x', (d) => (d.key === 'start' ? 8 : 9))
    .attr('y', (d) => (d.key === 'start' ? -8 : 16))
    .attr('font-weight', (d) => (d.key === 'start' ? 600 : null))
    .text((d) => d.text);

  // Arrows: each sample's own step −lr·g_i and the batch's step −lr·ḡ, from the current point.
  const arrows = data.arrows;
  const k = arrows ? arrows.sampleSteps.length / 2 : 0;
  const arrowLayer = frame.layer('arrows');
  arrowLayer
    .selectAll<SVGGElement, number>('g.sample-arrows')
    .data(arrows ? [0] : [])
    .join('g')
    .attr('class', 'sample-arrows')
    .selectAll<SVGLineElement, number>('line.sample-arrow')
    .data(d3.range(k))
    .join('line')
    .attr('class', 'sample-arrow')
    .attr('x1', arrows ? x(arrows.at[0]) : 0)
    .attr('y1', arrows ? y(arrows.at[1]) : 0)
    .attr('x2', (s) => (arrows ? x(arrows.at[0] + (arrows.sampleSteps[2 * s] as number)) : 0))
    .attr('y2', (s) => (arrows ? y(arrows.at[1] + (arrows.sampleSteps[2 * s + 1] as number)) : 0))
    .attr('stroke', SAMPLE_ARROW_COLOUR)
    .attr('stroke-width', 1.4)
    .attr('opacity', 0.9)
    .attr('marker-end', `url(#${id}-arrow-0)`);
  arrowLayer
    .selectAll<SVGLineElement, GradientArrows>('line.mean-arrow')
    .data(arrows ? [arrows] : [])
    .join('line')
    .attr('class', 'mean-arrow')
    .attr('x1', (a) => x(a.at[0]))
    .attr('y1', (a) => y(a.at[1]))
    .attr('x2', (a) => x(a.at[0] + a.meanStep[0]))
    .attr('y2', (a) => y(a.at[1] + a.meanStep[1]))
    .attr('stroke', colours[data.arrowRun] ?? NEUTRAL)
    .attr('stroke-width', 3.5)
    .attr('marker-end', `url(#${id}-arrow-1)`);

  drawAxes(frame, x, y, {
    xLabel: 'w (slope)',
    yLabel: 'b (intercept)',
    xTicks: x.ticks(Math.max(3, Math.floor(w / 70))),
    yTicks: y.ticks(Math.max(3, Math.floor(h / 50))),
  });

  const series: ReadoutSeries<StepPoint>[] = data.runs.map((run, r) => ({
    key: String(run.batchSize),
    label: data.runLabels[r] ?? `B = ${run.batchSize}`,
    colour: colours[r] ?? NEUTRAL,
    points: paths[r] ?? [],
    describe: (p) => `step ${p.step}, loss ${formatTick(p.loss)}`,
  }));
  attachReadout(frame, {
    mode: 'xy',
    x: (v) => x(v),
    y: (v) => y(v),
    invertX: (px) => x.invert(px),
    invertY: (py) => y.invert(py),
    series,
    title: (vw, vb) => {
      const loss = surface ? gridLossAt(surface.grid, vw, vb) : null;
      return `w = ${formatTick(vw)}, b = ${formatTick(vb)}${loss === null ? '' : `: loss ${formatTick(loss)}`}`;
    },
    name: 'The loss landscape',
  });
}
