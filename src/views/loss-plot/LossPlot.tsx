import { useId, useRef, useState } from 'react';
import { formatCount } from '../../data/format-count';
import { type Settings, X_AXES, type XAxis, type XScale, type YScale } from '../../settings/settings';
import type { RunState } from '../../state/session';
import { fileSlug } from '../chart/export';
import { batchSizeColour } from '../chart/palette';
import { ExportButtons } from '../shared/ExportButtons';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { drawLossPlot, effectiveXScale, type LossPlotRun } from './draw-loss-plot';
import { lossCsv } from './loss-csv';

export interface LossPlotProps {
  runs: readonly RunState[];
  xAxis: XAxis;
  xScale: XScale;
  yScale: YScale;
  focusedRunId: number | null;
  /** The settings the runs were trained with, written into the CSV. */
  settings: Settings;
  onXAxis: (axis: XAxis) => void;
  onXScale: (scale: XScale) => void;
  onYScale: (scale: YScale) => void;
  onFocus: (id: number) => void;
  onRemove: (id: number) => void;
}

const AXIS_NAMES: Record<XAxis, string> = {
  updates: 'Updates',
  epochs: 'Epochs',
  samples: 'Samples seen',
  time: 'Time',
};

const AXIS_HINTS: Record<XAxis, string> = {
  updates:
    'Per weight update, big batches win: each of their steps follows a more accurate gradient. But each update costs B per-sample gradients.',
  epochs:
    'Per pass through the data (equal work), small batches usually win: they update the weights N / B times per epoch, large batches only a few times.',
  samples:
    'Per sample seen (per gradient computed), the work is the same for every B: this is the fair comparison of cost on one processor.',
  time: 'Per second of training in this browser. Runs on the plot train together and share the time, each seeing the same samples, so this axis shows how fast this engine trains, not a race of B against B.',
};

function toPlotRun(run: RunState): LossPlotRun {
  return {
    id: run.id,
    label: run.label,
    colour: batchSizeColour(run.batchSize, run.n),
    diverged: run.status === 'diverged',
    n: run.n,
    batchSize: run.batchSize,
    lastBatch: run.config.lastBatch,
    stepsPerEpoch: run.stepsPerEpoch,
    buckets: run.series.buckets(),
    datasetLosses: run.series.datasetLosses(),
    firstNonFiniteStep: run.series.firstNonFiniteStep,
  };
}

export function formatLoss(v: number | null): string {
  if (v === null) return '–';
  if (!Number.isFinite(v)) return String(v);
  return v >= 0.01 ? v.toFixed(4) : v.toExponential(2);
}

/** A learning rate in three significant digits (0.1 × 1 / 32 reads 0.00313). */
export function formatLearningRate(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** The run's name without its gloss ("(SGD)", "(full batch)"), for narrow places. */
function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)$/, '');
}

export function LossPlot(props: LossPlotProps) {
  const { runs, xAxis, xScale, yScale, focusedRunId } = props;
  // The legend and the table name each run's learning rate only when they differ (lrmode
  // scaled or sweep), so the usual table keeps six columns.
  const ratesDiffer = new Set(runs.map((run) => run.config.learningRate)).size > 1;
  const svgRef = useRef<SVGSVGElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [showBatchLoss, setShowBatchLoss] = useState(true);
  const svgId = useId().replace(/:/g, '');

  // The plot keeps a 2:1 shape within readable bounds.
  const box = useElementWidth(boxRef, 640);
  const width = Math.max(260, Math.floor(box.width));
  const height = Math.round(Math.min(420, Math.max(240, width * 0.5)));

  const plotRuns = runs.map(toPlotRun);
  const logX = effectiveXScale(xScale, xAxis, plotRuns) === 'log';
  useDrawEffect(() => {
    if (!svgRef.current || !box.measured) return;
    drawLossPlot(svgRef.current, runs.map(toPlotRun), {
      width,
      height,
      xAxis,
      xScale,
      yScale,
      showBatchLoss,
      focusedRunId,
    });
  }, [runs, width, height, xAxis, xScale, yScale, showBatchLoss, focusedRunId, box.measured]);

  const summary =
    runs.length === 0
      ? 'No runs yet.'
      : runs
          .map(
            (r) =>
              `${r.label}: loss ${formatLoss(r.datasetLoss)} after ${formatCount(r.progress.step)} updates`,
          )
          .join('; ');

  return (
    <div className="loss-plot">
      <div className="plot-toolbar">
        <fieldset className="segmented">
          <legend>x axis</legend>
          {X_AXES.map((axis) => (
            <label key={axis} className={axis === xAxis ? 'checked' : ''}>
              <input
                type="radio"
                name={`${svgId}-x`}
                value={axis}
                checked={axis === xAxis}
                onChange={() => props.onXAxis(axis)}
              />
              {AXIS_NAMES[axis]}
            </label>
          ))}
        </fieldset>
        <fieldset className="segmented">
          <legend>Loss axis</legend>
          {(['linear', 'log'] as const).map((scale) => (
            <label key={scale} className={scale === yScale ? 'checked' : ''}>
              <input
                type="radio"
                name={`${svgId}-y`}
                value={scale}
                checked={scale === yScale}
                onChange={() => props.onYScale(scale)}
              />
              {scale === 'linear' ? 'Linear' : 'Log'}
            </label>
          ))}
        </fieldset>
        <label
          className="checkbox"
          title={xScale === 'auto' ? 'Chosen for these runs; tick or untick to choose yourself' : undefined}
        >
          <input
            type="checkbox"
            className="log-x"
            checked={logX}
            onChange={(e) => props.onXScale(e.target.checked ? 'log' : 'linear')}
          />
          Log x{xScale === 'auto' ? ' (auto)' : ''}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showBatchLoss}
            onChange={(e) => setShowBatchLoss(e.target.checked)}
          />
          Per-batch loss
        </label>
      </div>
      <p className="axis-hint">{AXIS_HINTS[xAxis]}</p>
      <div ref={boxRef} className="plot-box">
        <svg ref={svgRef} id={`${svgId}-loss`} role="img" aria-label={`Loss curves. ${summary}`} />
      </div>
      <ExportButtons
        svg={() => svgRef.current}
        what="the loss plot"
        filename={`batchlab-loss-${fileSlug(props.settings.dataset)}`}
        csv={() => lossCsv(runs.map(toPlotRun), props.settings)}
      />
      <p className="plot-key">
        <span>
          <span className="key-bold" aria-hidden="true" /> loss on the whole dataset
        </span>
        <span>
          <span className="key-thin" aria-hidden="true" /> loss of each batch (noisy: only B samples; averaged
          when batches outnumber pixels)
        </span>
      </p>
      <ul className="legend" aria-label="Runs">
        {runs.map((run) => (
          <li
            key={run.id}
            className={`legend-item${run.id === focusedRunId ? ' focused' : ''}${run.status === 'diverged' ? ' diverged' : ''}`}
            data-batch-size={run.batchSize}
          >
            <button
              type="button"
              className="legend-focus"
              aria-pressed={run.id === focusedRunId}
              onClick={() => props.onFocus(run.id)}
              title="Show this run's model in the data view"
            >
              <span
                className="swatch"
                style={{ background: batchSizeColour(run.batchSize, run.n) }}
                aria-hidden="true"
              />
              {run.label}
              {ratesDiffer ? (
                <span className="legend-rate"> · lr {formatLearningRate(run.config.learningRate)}</span>
              ) : null}
              {run.status === 'diverged' ? <strong className="diverged-tag"> diverged</strong> : null}
            </button>
            <button
              type="button"
              className="legend-remove"
              aria-label={`Remove the run ${run.label}`}
              onClick={() => props.onRemove(run.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <details className="loss-table-box" open={false}>
        <summary>Latest numbers</summary>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls sideways on phones must be reachable by keyboard (axe: scrollable-region-focusable) */}
        {/* biome-ignore lint/a11y/useSemanticElements: a div keeps the table's layout; the role only names the scrolling region */}
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Latest numbers of every run">
          <table className={`loss-table${ratesDiffer ? ' with-rate' : ''}`}>
            <caption className="visually-hidden">Latest loss of every run</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                {ratesDiffer ? (
                  <th scope="col">
                    <abbr title="learning rate">lr</abbr>
                  </th>
                ) : null}
                <th scope="col">Updates</th>
                <th scope="col">Epochs</th>
                <th scope="col">Samples</th>
                <th scope="col">Batch loss</th>
                <th scope="col">Dataset loss</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr
                  key={run.id}
                  data-run-row=""
                  data-batch-size={run.batchSize}
                  data-status={run.status}
                  data-steps={run.progress.step}
                  data-first-loss={run.series.firstDatasetLoss() ?? ''}
                  data-latest-loss={run.datasetLoss ?? ''}
                  data-learning-rate={run.config.learningRate}
                >
                  <th scope="row">{shortLabel(run.label)}</th>
                  {ratesDiffer ? <td>{formatLearningRate(run.config.learningRate)}</td> : null}
                  <td>{formatCount(run.progress.step)}</td>
                  <td>{run.progress.epoch.toFixed(2)}</td>
                  <td>{formatCount(run.progress.samplesSeen)}</td>
                  <td>{formatLoss(run.lastBatchLoss)}</td>
                  <td>{run.status === 'diverged' ? 'diverged' : formatLoss(run.datasetLoss)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {runs[0] ? (
          <p className="loss-table-note">
            Every run starts from the same weights, at dataset loss{' '}
            {formatLoss(runs[0].series.firstDatasetLoss() ?? null)}.
          </p>
        ) : null}
      </details>
    </div>
  );
}
