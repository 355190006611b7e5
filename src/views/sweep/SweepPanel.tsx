import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { logSpaced } from '../../metrics/sweep/defaults';
import { sweepCsv, sweepJson } from '../../metrics/sweep/export';
import { formatBytes } from '../../metrics/sweep/memory';
import { sweepBestRates } from '../../state/run-learning-rate';
import { useAppState, useSession } from '../../state/session-context';
import { useStore } from '../../state/store';
import { IDLE_SWEEP, SweepSession, sweepLearningRates } from '../../state/sweep-session';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { costPlots, mapCells, noisePlot, progressText, stepsPlot } from './sweep-model';
import { drawLearningRateMap, drawLogPlot, formatValue, type LogPlotSpec } from './sweep-plots';
import './sweep.css';

function LogPlot({ spec, width }: { spec: LogPlotSpec; width: number }) {
  const ref = useRef<SVGSVGElement>(null);
  useDrawEffect(() => {
    if (ref.current) drawLogPlot(ref.current, width, spec);
  }, [spec, width]);
  return <svg ref={ref} className="sweep-plot" role="img" aria-label={spec.title} />;
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function seconds(value: number | null): string {
  if (value === null) return '—';
  return value >= 1
    ? `${formatValue(value)} s`
    : value >= 1e-3
      ? `${formatValue(value * 1e3)} ms`
      : `${formatValue(value * 1e6)} µs`;
}

/**
 * Which batch size is best? Races every (B, learning rate) pair to a target loss on its own
 * engine and shows steps and samples to the target, the best learning rate per B, the critical
 * batch size, what a step costs here, and a verdict.
 */
export function SweepPanel() {
  const session = useSession();
  const sweep = useMemo(() => new SweepSession(), []);
  useEffect(() => () => sweep.dispose(), [sweep]);
  const state = useStore(sweep.store, (s) => s);
  const dataset = useAppState((s) => s.dataset);
  const model = useAppState((s) => s.model);
  const settings = useAppState((s) => s.settings);
  const ids = useId();
  const figureRef = useRef<HTMLDivElement>(null);
  const { width, measured } = useElementWidth(figureRef, 720);
  const half = width >= 760 ? Math.floor((width - 16) / 2) : width;

  const [targetText, setTargetText] = useState(
    settings.sweepTarget === null ? 'auto' : String(settings.sweepTarget),
  );
  const grid = dataset ? sweepLearningRates(settings, dataset.id) : [];
  const [lrMin, setLrMin] = useState(String(grid[0] ?? 0.01));
  const [lrMax, setLrMax] = useState(String(grid[grid.length - 1] ?? 10));
  const [lrCount, setLrCount] = useState(String(grid.length || 7));
  const [formError, setFormError] = useState<string | null>(null);

  const running = state.status === 'starting' || state.status === 'running' || state.status === 'measuring';

  // A link with sweep=1 starts the sweep once the data and model are there.
  const autostarted = useRef(false);
  useEffect(() => {
    if (settings.sweepRun && dataset && model && !autostarted.current) {
      autostarted.current = true;
      void sweep.start({ dataset, model, settings });
    }
  }, [settings, dataset, model, sweep]);

  const apply = () => {
    const target = targetText.trim().toLowerCase() === 'auto' ? null : Number(targetText);
    const lo = Number(lrMin);
    const hi = Number(lrMax);
    const count = Math.round(Number(lrCount));
    if (target !== null && !(target > 0))
      return setFormError('The target loss must be a positive number, or auto.');
    if (!(lo > 0 && hi >= lo)) return setFormError('The learning rates need 0 < smallest ≤ largest.');
    if (!(count >= 1 && count <= 12)) return setFormError('Use 1 to 12 learning rates.');
    setFormError(null);
    const learningRates = logSpaced(lo, hi, count);
    const next = { ...settings, sweepTarget: target, sweepLearningRates: learningRates, sweepRun: true };
    session.update({ sweepTarget: target, sweepLearningRates: learningRates, sweepRun: true });
    if (dataset && model) void sweep.start({ dataset, model, settings: next });
  };

  // A finished sweep hands its best learning rate per B to the race (used when it asks for them).
  useEffect(() => {
    if (state.status === 'done' && state.analysis)
      session.setSweepBestRates(sweepBestRates(state.datasetId, state.analysis));
  }, [state.status, state.analysis, state.datasetId, session]);

  // Figures follow the results only, not every progress tick (which would redraw them all).
  const { analysis, runs, memory, batchSizes, learningRates, n } = state;
  const figures = useMemo(() => {
    const view = { ...IDLE_SWEEP, analysis, runs, memory, batchSizes, learningRates, n };
    return {
      steps: stepsPlot(view, 'steps'),
      samples: stepsPlot(view, 'samples'),
      noise: noisePlot(view),
      costs: costPlots(view),
      cells: mapCells(view),
    };
  }, [analysis, runs, memory, batchSizes, learningRates, n]);
  const mapRef = useRef<SVGSVGElement>(null);
  useDrawEffect(() => {
    if (mapRef.current && batchSizes.length > 0 && measured)
      drawLearningRateMap(mapRef.current, width, figures.cells, batchSizes, learningRates);
  }, [figures, width, measured, batchSizes, learningRates]);

  const fit = analysis?.fit ?? null;
  const exportContext = () => ({
    dataset: state.datasetId,
    n: state.n,
    engine: state.engineBadge ?? '',
    learningRates: state.learningRates,
    batchSizes: state.batchSizes,
    targetSource: state.targetSource,
    url: typeof location === 'undefined' ? '' : location.href,
  });

  return (
    <div className="sweep-panel">
      <p className="sweep-intro">
        Which batch size should you use, and why not always the whole dataset? This sweep trains every batch
        size B = 1, 2, 4, … N with several learning rates, all from the same starting weights, until the loss
        over the whole dataset reaches a <strong>target loss</strong>. It counts the <strong>steps</strong>{' '}
        (weight updates) and the <strong>samples</strong> (examples whose gradients were used; samples ÷ N =
        epochs) each run needed, and keeps, for each B, the learning rate that got there in the fewest steps.
      </p>
      <form
        className="sweep-form"
        onSubmit={(event) => {
          event.preventDefault();
          apply();
        }}
      >
        <label>
          Target loss{' '}
          <input
            id={`${ids}-target`}
            name="target"
            value={targetText}
            size={6}
            onChange={(e) => setTargetText(e.target.value)}
            aria-describedby={`${ids}-target-help`}
          />
        </label>
        <label>
          Learning rates from{' '}
          <input name="lr-min" value={lrMin} size={6} onChange={(e) => setLrMin(e.target.value)} />
        </label>
        <label>
          to <input name="lr-max" value={lrMax} size={6} onChange={(e) => setLrMax(e.target.value)} />
        </label>
        <label>
          count{' '}
          <input name="lr-count" value={lrCount} size={3} onChange={(e) => setLrCount(e.target.value)} />
        </label>
        <button type="submit" disabled={!dataset || !model}>
          {running ? 'Restart the sweep' : 'Run the sweep'}
        </button>
        <button type="button" onClick={() => sweep.cancel()} disabled={!running}>
          Cancel
        </button>
        <span className="sweep-help" id={`${ids}-target-help`}>
          “auto” picks the target from the data: halfway (on a log scale) between the starting loss and the
          lowest loss full-batch descent reaches in half the epoch budget ({settings.sweepEpochs} epochs), so
          every B can reach it.
        </span>
      </form>
      {formError ? (
        <p className="sweep-error" role="alert">
          {formError}
        </p>
      ) : null}
      {state.status === 'idle' ? (
        <p className="sweep-note">
          {dataset
            ? `${state.batchSizes.length || '10'} batch sizes × ${grid.length} learning rates`
            : 'Loading…'}{' '}
          ({grid.map(formatValue).join(', ')}). Press “Run the sweep”: it takes seconds on the built-in data.
        </p>
      ) : (
        <p className="sweep-progress" role="status" data-status={state.status}>
          {progressText(state)}
          {state.engineBadge ? ` Engine: ${state.engineBadge}.` : ''}
          {state.target !== null
            ? ` Target loss ${formatValue(state.target)}${state.targetSource === 'auto' ? ' (chosen from the data)' : ''}.`
            : ''}
        </p>
      )}
      {state.progress && state.progress.total > 0 ? (
        <progress max={state.progress.total} value={state.progress.done} aria-label="Runs done" />
      ) : null}
      {analysis && state.status === 'done' ? (
        <p className="sweep-verdict" data-testid="sweep-verdict">
          {analysis.verdict}
        </p>
      ) : null}
      {fit ? (
        <p className="sweep-fit">
          Fit of (S/S_min − 1)(E/E_min − 1) = 1: B_crit ≈{' '}
          <span data-testid="sweep-bcrit">{formatValue(fit.bCrit)}</span>, S_min ≈ {formatValue(fit.sMin)}{' '}
          steps, E_min ≈ {formatValue(fit.eMin)} samples (scatter around the curve{' '}
          {Math.round(fit.rmsLogResidual * 100)} %)
          {fit.bound ? `; B_crit lies ${fit.bound} the batch sizes tried` : ''}.
          {analysis?.noiseToCriticalRatio
            ? ` B_simple ≈ ${formatValue(analysis.simpleNoiseScale ?? Number.NaN)}, ${formatValue(analysis.noiseToCriticalRatio)}× B_crit.`
            : ''}
        </p>
      ) : null}
      <div className="sweep-figures" ref={figureRef} hidden={state.status === 'idle'}>
        <div className="sweep-row">
          <LogPlot spec={figures.steps} width={half} />
          <LogPlot spec={figures.samples} width={half} />
        </div>
        <svg
          ref={mapRef}
          className="sweep-plot sweep-map"
          role="img"
          aria-label="Steps to the target for every batch size and learning rate"
        />
        <div className="sweep-row">
          <LogPlot spec={figures.noise} width={half} />
          {figures.costs[0] ? <LogPlot spec={figures.costs[0]} width={half} /> : null}
        </div>
        <div className="sweep-row">
          {figures.costs.slice(1).map((spec) => (
            <LogPlot
              key={spec.title}
              spec={spec}
              width={width >= 760 ? Math.floor((width - 36) / 3) : width}
            />
          ))}
        </div>
      </div>
      {analysis ? (
        <div className="sweep-table-wrap">
          <table className="sweep-table" data-testid="sweep-table">
            <caption>Per batch size, at its best learning rate</caption>
            <thead>
              <tr>
                <th scope="col">B</th>
                <th scope="col">best lr</th>
                <th scope="col">steps to target</th>
                <th scope="col">samples (epochs)</th>
                <th scope="col">B_simple</th>
                <th scope="col">time / step</th>
                <th scope="col">samples / s</th>
                <th scope="col">memory / step</th>
                <th scope="col">wall time</th>
              </tr>
            </thead>
            <tbody>
              {analysis.rows.map((r) => {
                const memory = state.memory.find((m) => m.batchSize === r.batchSize);
                return (
                  <tr
                    key={r.batchSize}
                    data-batch-size={r.batchSize}
                    data-best-lr={r.bestLearningRate ?? ''}
                    data-steps={r.steps ?? ''}
                    data-steps-low={r.stepsLow ?? ''}
                    data-steps-high={r.stepsHigh ?? ''}
                  >
                    <th scope="row">{r.batchSize}</th>
                    <td>{r.bestLearningRate === null ? 'none reached' : formatValue(r.bestLearningRate)}</td>
                    <td>
                      {r.steps === null ? '—' : `${formatValue(r.steps)} (${r.stepsLow}–${r.stepsHigh})`}
                    </td>
                    <td>
                      {r.samples === null ? '—' : `${formatValue(r.samples)} (${formatValue(r.epochs ?? 0)})`}
                    </td>
                    <td>{r.simpleNoiseScale === null ? '—' : formatValue(r.simpleNoiseScale)}</td>
                    <td>{seconds(r.secondsPerStep)}</td>
                    <td>{r.samplesPerSecond === null ? '—' : formatValue(r.samplesPerSecond)}</td>
                    <td>{memory ? formatBytes(memory.totalBytes) : '—'}</td>
                    <td>{seconds(r.wallSeconds)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {analysis && state.status === 'done' ? (
        <p className="sweep-export">
          <button
            type="button"
            onClick={() => download('batchlab-sweep.csv', 'text/csv', sweepCsv(state.runs, analysis))}
          >
            Export CSV
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              download(
                'batchlab-sweep.json',
                'application/json',
                sweepJson(state.runs, analysis, exportContext()),
              )
            }
          >
            Export JSON
          </button>
        </p>
      ) : null}
      <details className="sweep-explain">
        <summary>What this shows, and why</summary>
        <p>
          <strong>Why a learning rate per B.</strong> A batch of B samples averages B per-sample gradients, so
          its direction is less noisy and a larger step is safe. Comparing batch sizes at one shared learning
          rate is unfair to the large ones (they crawl) or to the small ones (they blow up). So each B gets
          the learning rate that reaches the target fastest; in the map, the best one moves up with B, close
          to the “linear scaling rule” lr ∝ B of Goyal et al. (2017) for small B, then levels off.
        </p>
        <p>
          <strong>Steps against samples.</strong> While the gradient noise dominates, doubling B halves the
          noise, so one step of 2B does the work of two steps of B: the steps halve and the samples stay the
          same (perfect scaling, the dashed line). Once the batch gradient is already accurate, extra samples
          per batch buy almost nothing: the steps level off at S_min and the samples grow. McCandlish et al.
          (2018), “An Empirical Model of Large-Batch Training”, found that steps S and samples E then obey
          (S/S_min − 1)(E/E_min − 1) = 1; the bend is at the <strong>critical batch size</strong> B_crit =
          E_min/S_min, where a run needs twice the fewest steps and twice the fewest samples. They also showed
          that B_crit is close to the gradient noise scale B_simple = tr Σ / ‖G‖², which batchlab measures
          from the per-sample gradients where each best run reached the target. Shallue et al. (2018),
          “Measuring the Effects of Data Parallelism on Neural Network Training”, measured the same shape on
          many networks and datasets.
        </p>
        <p>
          <strong>What wins on a device.</strong> Fewer steps only help if a step of a bigger batch costs
          little more than a small one: a GPU computes the samples of a batch in parallel, so up to its width
          a batch of 64 takes about as long as a batch of 1; a CPU (or a software GPU) mostly does not. Wall
          time to the target is steps × time per step, measured here; memory grows with B because a step keeps
          every sample's activations and gradient.
        </p>
        <p className="sweep-method">
          Method: all runs race in one engine; the dataset loss is evaluated on a schedule that grows by 5 %
          of the samples trained (at least every quarter epoch); the crossing is interpolated between
          evaluations (the table shows the steps either side); a run is stopped once it has taken more steps
          than the best run of its B, which cannot change the answer; runs whose loss blows up count as
          diverged.
        </p>
      </details>
    </div>
  );
}
