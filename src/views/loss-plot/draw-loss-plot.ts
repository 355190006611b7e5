/**
 * Draws the loss curves with D3 into an <svg>: per run, the raw per-batch loss (thin and
 * translucent; the mean of each bucket once several steps share one, with the min–max band
 * for the focused run) and the full-dataset loss (bold). The same runs on four x axes: updates, epochs, samples seen, time.
 */
import { area, axisBottom, axisLeft, format, line, scaleLinear, scaleLog, select } from 'd3';
import type { LastBatchPolicy } from '../../engine/types';
import type { XAxis, YScale } from '../../settings/settings';
import type { BatchBucket, DatasetLossPoint } from '../../state/loss-series';

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

const MARGIN = { top: 12, right: 16, bottom: 46, left: 58 };
const LOG_FLOOR = 1e-6;

export function drawLossPlot(
  svgElement: SVGSVGElement,
  runs: readonly LossPlotRun[],
  options: LossPlotOptions,
): void {
  const { width, height, xAxis } = options;
  const innerWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerHeight = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const svg = select(svgElement)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height);

  // Domains: x over everything; y over the dataset losses and batch means (spikes of single
  // batches are clipped rather than squashing every curve flat).
  let xMax = 0;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = 0;
  for (const run of runs) {
    for (const b of run.buckets) {
      xMax = Math.max(xMax, bucketX(run, b, xAxis));
      if (options.showBatchLoss) {
        yMin = Math.min(yMin, b.mean);
        yMax = Math.max(yMax, b.mean);
      }
    }
    for (const p of run.datasetLosses) {
      if (!Number.isFinite(p.loss)) continue;
      xMax = Math.max(xMax, datasetX(run, p, xAxis));
      yMin = Math.min(yMin, p.loss);
      yMax = Math.max(yMax, p.loss);
    }
  }
  if (!(xMax > 0)) xMax = 1;
  if (!Number.isFinite(yMin) || !(yMax > 0)) {
    yMin = 0.01;
    yMax = 1;
  }
  const x = scaleLinear().domain([0, xMax]).range([0, innerWidth]).nice();
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

  let root = svg.select<SVGGElement>('g.plot-root');
  if (root.empty()) {
    root = svg.append('g').attr('class', 'plot-root');
    root
      .append('clipPath')
      .attr('id', `${svgElement.id || 'loss'}-clip`)
      .append('rect');
    root.append('g').attr('class', 'grid');
    root.append('g').attr('class', 'x-axis axis');
    root.append('g').attr('class', 'y-axis axis');
    root.append('g').attr('class', 'curves');
    root.append('g').attr('class', 'markers');
    root.append('text').attr('class', 'axis-label x-label').attr('text-anchor', 'middle');
    root
      .append('text')
      .attr('class', 'axis-label y-label')
      .attr('text-anchor', 'middle')
      .attr('transform', 'rotate(-90)');
  }
  root.attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const clipId = `${svgElement.id || 'loss'}-clip`;
  root.select('clipPath rect').attr('width', innerWidth).attr('height', innerHeight);

  const xTicks = Math.max(2, Math.floor(innerWidth / 90));
  const yTicks = Math.max(2, Math.floor(innerHeight / 50));
  const xFormat = xAxis === 'epochs' || xAxis === 'time' ? format('~g') : format('~s');
  root
    .select<SVGGElement>('g.x-axis')
    .attr('transform', `translate(0,${innerHeight})`)
    .call(
      axisBottom(x)
        .ticks(xTicks)
        .tickFormat((d) => xFormat(d as number)),
    );
  // Log axes over less than a decade get many ticks: keep an even subset, all labelled.
  // Over several decades, label round numbers only (1, 2, 5 or powers of ten).
  const allTicks = y.ticks(yTicks);
  const [d0, d1] = y.domain() as [number, number];
  const decades = logScale ? Math.log10(d1 / d0) : 0;
  const mantissa = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
  const round =
    decades >= 1 ? allTicks.filter((t) => (decades > 3 ? [1] : [1, 2, 5]).includes(mantissa(t))) : allTicks;
  const every = Math.max(1, Math.ceil(round.length / (yTicks + 1)));
  const tickValues = round.filter((_, i) => i % every === 0);
  root.select<SVGGElement>('g.y-axis').call(
    axisLeft(y)
      .tickValues(tickValues)
      .tickFormat((d) => format(logScale ? '.2~g' : '~g')(d as number)),
  );
  root
    .select<SVGGElement>('g.grid')
    .selectAll<SVGLineElement, number>('line')
    .data(tickValues)
    .join('line')
    .attr('x1', 0)
    .attr('x2', innerWidth)
    .attr('y1', (d) => y(d))
    .attr('y2', (d) => y(d));
  root
    .select('text.x-label')
    .attr('x', innerWidth / 2)
    .attr('y', innerHeight + 38)
    .text(X_AXIS_LABELS[xAxis]);
  root
    .select('text.y-label')
    .attr('x', -innerHeight / 2)
    .attr('y', -44)
    .text(`Loss${logScale ? ' (log scale)' : ''}`);

  const bandPath = area<BandPoint>()
    .x((d) => x(d.x))
    .y0((d) => yv(d.lo))
    .y1((d) => yv(d.hi));
  const linePath = line<Point>()
    .x((d) => x(d.x))
    .y((d) => yv(d.y));

  const groups = root
    .select<SVGGElement>('g.curves')
    .attr('clip-path', `url(#${clipId})`)
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
    .classed('focused', (d) => d.id === options.focusedRunId);

  groups.each(function (run) {
    const g = select(this);
    const buckets = options.showBatchLoss ? run.buckets : [];
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
    const points = run.datasetLosses
      .filter((p) => Number.isFinite(p.loss))
      .map((p) => ({ x: datasetX(run, p, xAxis), y: p.loss }));
    g.select('path.dataset-line')
      .attr('stroke', run.colour)
      .attr('d', points.length ? linePath(points) : null);
  });

  // Diverged runs: a cross where the curve stops, and the word.
  const diverged = runs
    .filter((r) => r.diverged)
    .map((run) => {
      const finite = run.datasetLosses.filter((p) => Number.isFinite(p.loss));
      const last = finite[finite.length - 1];
      const px = last ? x(datasetX(run, last, xAxis)) : 0;
      const py = last ? yv(last.loss) : 0;
      return { run, px: Math.min(innerWidth, px), py: Math.max(8, Math.min(innerHeight - 4, py)) };
    });
  root
    .select<SVGGElement>('g.markers')
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
}
