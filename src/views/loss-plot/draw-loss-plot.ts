/**
 * Draws the loss curves with D3 into an <svg>: per run, the raw per-batch loss (thin and
 * translucent; the mean of each bucket once several steps share one, with the min–max band
 * for the focused run) and the full-dataset loss (bold). The same runs on four x axes: updates, epochs, samples seen, time.
 */

import { area, line, scaleLinear, scaleLog, scaleSymlog, select } from 'd3';
import { formatCount } from '../../data/format-count';
import type { LastBatchPolicy } from '../../engine/types';
import type { XAxis, XScale, YScale } from '../../settings/settings';
import type { BatchBucket, DatasetLossPoint } from '../../state/loss-series';
import { chartFrame, drawAxes } from '../chart/frame';
import { attachReadout, type ReadoutSeries } from '../chart/readout';
import { formatTick, logTicks, symlogTicks } from '../chart/ticks';
import { cutAtExit, drawableRun, lossYRange } from './loss-domain';

export interface LossPlotRun {
  id: number;
  label: string;
  colour: string;
  diverged: boolean;
  n: number;
  batchSize: number;
  lastBatch: LastBatchPolicy;
  stepsPerEpoch: number;
  buckets: readonly BatchBucket[];
  datasetLosses: readonly DatasetLossPoint[];
  /** Step where the loss stopped being finite (diverged runs). */
  firstNonFiniteStep: number | null;
}

export interface LossPlotOptions {
  width: number;
  height: number;
  xAxis: XAxis;
  /** The x scale chosen (`auto`: see `effectiveXScale`). */
  xScale: XScale;
  yScale: YScale;
  showBatchLoss: boolean;
  focusedRunId: number | null;
}

export const X_AXIS_LABELS: Record<XAxis, string> = {
  updates: 'Weight updates (one per batch)',
  epochs: 'Epochs (passes through the whole dataset)',
  samples: 'Samples seen (per-sample gradients computed)',
  time: 'Training time (seconds)',
};

/** Position of step `step` of a run on the chosen x axis (time comes from the recorded points). */
export function stepToX(
  run: Pick<LossPlotRun, 'n' | 'batchSize' | 'lastBatch' | 'stepsPerEpoch'>,
  step: number,
  axis: XAxis,
): number {
  switch (axis) {
    case 'updates':
      return step;
    case 'epochs':
      return step / run.stepsPerEpoch;
    case 'samples': {
      // As BatchSchedule.samplesSeen, but for fractional (bucket-centre) steps too.
      const full = Math.floor(step / run.stepsPerEpoch);
      const perEpoch = run.lastBatch === 'keep' ? run.n : run.stepsPerEpoch * run.batchSize;
      const rest = step - full * run.stepsPerEpoch;
      return full * perEpoch + Math.min(rest * run.batchSize, run.n);
    }
    case 'time':
      return Number.NaN; // not a function of the step
  }
}

interface Point {
  x: number;
  y: number;
}
interface BandPoint {
  x: number;
  lo: number;
  hi: number;
}

function bucketX(run: LossPlotRun, bucket: BatchBucket, axis: XAxis): number {
  if (axis === 'time') return bucket.timeMs / 1000;
  // A one-step bucket sits at its step; a wider one at its centre.
  return stepToX(run, bucket.stepStart + (bucket.count - 1) / 2, axis);
}

function datasetX(run: LossPlotRun, point: DatasetLossPoint, axis: XAxis): number {
  return axis === 'time' ? point.timeMs / 1000 : stepToX(run, point.step, axis);
}

/** Runs that span more than this factor in updates are read on a log x axis by default. */
export const LOG_X_SPAN = 30;

/**
 * The x scale a plot uses: the user's choice, or for `auto` a readable default per axis. Updates
 * go log when the runs' update counts differ by more than LOG_X_SPAN× (B = 1's thousands of
 * updates would squash B = N's dozen into a sliver); epochs, samples and time are shared by every
 * run, so they stay linear.
 */
export function effectiveXScale(
  choice: XScale,
  axis: XAxis,
  runs: readonly Pick<LossPlotRun, 'datasetLosses' | 'buckets'>[],
): 'linear' | 'log' {
  if (choice !== 'auto') return choice;
  if (axis !== 'updates') return 'linear';
  const ends = runs
    .map((r) =>
      Math.max(
        r.datasetLosses.at(-1)?.step ?? 0,
        (r.buckets.at(-1)?.stepStart ?? 0) + (r.buckets.at(-1)?.count ?? 0),
      ),
    )
    .filter((v) => v > 0);
  if (ends.length < 2) return 'linear';
  return Math.max(...ends) / Math.min(...ends) > LOG_X_SPAN ? 'log' : 'linear';
}

const MARGIN = { top: 12, right: 16, bottom: 46, left: 58 };
const LOG_FLOOR = 1e-6;

/** The words for a position on the x axis, for the read-out's first line. */
function describeX(axis: XAxis, value: number): string {
  switch (axis) {
    case 'updates':
      return `${formatCount(value)} updates`;
    case 'epochs':
      return `epoch ${formatTick(value)}`;
    case 'samples':
      return `${formatCount(value)} samples seen`;
    case 'time':
      return `${formatTick(value)} s of training`;
  }
}

export function formatLossValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v >= 0.01 ? v.toFixed(4) : v.toExponential(2);
}

export function drawLossPlot(
  svgElement: SVGSVGElement,
  allRuns: readonly LossPlotRun[],
  options: LossPlotOptions,
): void {
  // Only finite numbers go past this line.
  const runs = allRuns.map(drawableRun);
  const { width, height, xAxis } = options;
  const frame = chartFrame(svgElement, { width, height, margin: MARGIN });
  const { innerWidth, innerHeight } = frame;
  select(svgElement).select('g.chart-root').classed('plot-root', true);

  // Domains: y over the dataset losses and batch means (spikes of single batches are clipped
  // rather than squashing every curve flat) of the runs that still train, so a diverged run
  // leaves the plot at the top instead of flattening the others; x over everything drawn.
  const range = lossYRange(runs, options.showBatchLoss);
  let yMin = range?.min ?? 0.01;
  let yMax = range?.max ?? 1;
  if (!(yMax > 0)) {
    yMin = 0.01;
    yMax = 1;
  }
  const logScale = options.yScale === 'log';
  const y = logScale
    ? scaleLog()
        .domain([Math.max(LOG_FLOOR, yMin * 0.8), Math.max(yMax * 1.25, yMin * 2, LOG_FLOOR * 10)])
        .range([innerHeight, 0])
        .clamp(true)
    : scaleLinear()
        .domain([0, yMax * 1.05])
        .range([innerHeight, 0])
        .nice()
        .clamp(true);
  const yv = (v: number) => y(logScale ? Math.max(LOG_FLOOR, v) : v);
  const yTickCount = Math.max(2, Math.floor(innerHeight / 50));
  const top = (y.domain() as [number, number])[1];
  // A diverged run is drawn up to where it leaves the plot; the x axis spans it only up to its
  // exit (its dataset loss is measured once per chunk of training, its batch loss every step).
  const onChart = (run: LossPlotRun): LossPlotRun =>
    run.diverged
      ? {
          ...run,
          buckets: cutAtExit(run.buckets, (b) => b.mean, top),
          datasetLosses: cutAtExit(run.datasetLosses, (p) => p.loss, top, false),
        }
      : run;
  let xMax = 0;
  for (const run of runs.map(onChart)) {
    for (const b of run.buckets) xMax = Math.max(xMax, bucketX(run, b, xAxis));
    for (const p of run.datasetLosses) xMax = Math.max(xMax, datasetX(run, p, xAxis));
  }
  if (!(xMax > 0) || !Number.isFinite(xMax)) xMax = 1;
  const logX = effectiveXScale(options.xScale, xAxis, runs) === 'log';
  const xTickCount = Math.max(2, Math.floor(innerWidth / 90));
  // Log x is symmetric-log: linear below 1, so step 0 (the start) stays on the plot.
  const x = logX
    ? scaleSymlog().constant(1).domain([0, xMax]).range([0, innerWidth])
    : scaleLinear().domain([0, xMax]).range([0, innerWidth]).nice();
  const xTicks = logX ? symlogTicks(xMax, xTickCount + 1) : x.ticks(xTickCount);
  const [d0, d1] = y.domain() as [number, number];
  const yTicks = logScale ? logTicks(d0, d1, yTickCount + 1) : y.ticks(yTickCount);
  svgElement.dataset.xScale = logX ? 'log' : 'linear';
  drawAxes(frame, x, y, {
    xLabel: `${X_AXIS_LABELS[xAxis]}${logX ? ', log scale' : ''}`,
    yLabel: `Loss${logScale ? ' (log scale)' : ''}`,
    xTicks,
    yTicks,
    grid: true,
  });

  const bandPath = area<BandPoint>()
    .x((d) => x(d.x))
    .y0((d) => yv(d.lo))
    .y1((d) => yv(d.hi));
  const linePath = line<Point>()
    .x((d) => x(d.x))
    .y((d) => yv(d.y));

  const groups = frame
    .layer('curves')
    .selectAll<SVGGElement, LossPlotRun>('g.run')
    .data(runs, (d) => String(d.id))
    .join((enter) => {
      const g = enter.append('g').attr('class', 'run');
      g.append('path').attr('class', 'batch-band');
      g.append('path').attr('class', 'batch-line');
      g.append('path').attr('class', 'dataset-line');
      return g;
    })
    .attr('data-run-id', (d) => d.id)
    .attr('data-batch-size', (d) => d.batchSize)
    .classed('focused', (d) => d.id === options.focusedRunId);

  const curvePoints = new Map<number, Point[]>();
  groups.each(function (run) {
    const g = select(this);
    const shown = options.showBatchLoss ? run.buckets : [];
    const buckets = run.diverged ? cutAtExit(shown, (b) => b.mean, top) : shown;
    // The min–max band of merged buckets is drawn for the focused run only: for B = 1 it spans
    // nearly the whole plot and would hide the other runs.
    const merged = run.id === options.focusedRunId && buckets.some((b) => b.count > 1);
    g.select('path.batch-band')
      .attr('fill', run.colour)
      .attr(
        'd',
        merged ? bandPath(buckets.map((b) => ({ x: bucketX(run, b, xAxis), lo: b.min, hi: b.max }))) : null,
      );
    g.select('path.batch-line')
      .attr('stroke', run.colour)
      .attr(
        'd',
        buckets.length ? linePath(buckets.map((b) => ({ x: bucketX(run, b, xAxis), y: b.mean }))) : null,
      );
    const finite = run.datasetLosses.map((p) => ({ x: datasetX(run, p, xAxis), y: p.loss }));
    const points = run.diverged ? cutAtExit(finite, (p) => p.y, top) : finite;
    curvePoints.set(run.id, points);
    g.select('path.dataset-line')
      .attr('stroke', run.colour)
      .attr('d', points.length ? linePath(points) : null);
  });

  // Diverged runs: a cross where the curve stops, and the word.
  const diverged = runs
    .filter((r) => r.diverged)
    .map((run) => {
      // Where it left the plot (its first loss above the top), or where it stopped.
      const ends: Point[] = [];
      const point = cutAtExit(run.datasetLosses, (p) => p.loss, top).at(-1);
      if (point) ends.push({ x: datasetX(run, point, xAxis), y: point.loss });
      const bucket = options.showBatchLoss ? cutAtExit(run.buckets, (b) => b.mean, top).at(-1) : undefined;
      if (bucket) ends.push({ x: bucketX(run, bucket, xAxis), y: bucket.mean });
      // The earliest exit when it left the plot, else the latest point it reached.
      const exits = ends.filter((e) => e.y > top).sort((a, b) => a.x - b.x);
      const exit = exits[0] ?? ends.sort((a, b) => b.x - a.x)[0];
      const px = exit ? x(exit.x) : 0;
      const py = exit ? yv(exit.y) : 0;
      return { run, px: Math.min(innerWidth, px), py: Math.max(8, Math.min(innerHeight - 4, py)) };
    });
  frame
    .layer('markers', false)
    .selectAll<SVGGElement, (typeof diverged)[number]>('g.diverged')
    .data(diverged, (d) => String(d.run.id))
    .join((enter) => {
      const g = enter.append('g').attr('class', 'diverged');
      g.append('path').attr('d', 'M-6,-6L6,6M-6,6L6,-6');
      g.append('text').attr('x', -8).attr('y', -9).attr('text-anchor', 'end').text('diverged');
      return g;
    })
    .attr('transform', (d) => `translate(${d.px},${d.py})`)
    .attr('stroke', (d) => d.run.colour)
    .select('text')
    .attr('fill', (d) => d.run.colour)
    .attr('text-anchor', (d) => (d.px < 80 ? 'start' : 'end'))
    .attr('x', (d) => (d.px < 80 ? 8 : -8));

  // Hover: the full-dataset loss of every run at the cursor.
  const series: ReadoutSeries[] = runs.map((run) => ({
    key: String(run.id),
    label: run.label,
    colour: run.colour,
    points: curvePoints.get(run.id) ?? [],
    describe: (p) => `loss ${formatLossValue(p.y)} (${describeX(xAxis, p.x)})`,
  }));
  attachReadout(frame, {
    mode: 'x',
    x: (v) => x(v),
    y: yv,
    invertX: (px) => x.invert(px),
    invertY: (py) => y.invert(py),
    series,
    title: (vx) => `At ${describeX(xAxis, Math.max(0, vx))}: loss on the whole dataset`,
    name: 'Loss curves',
  });
}
