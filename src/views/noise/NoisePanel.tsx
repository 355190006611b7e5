import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { TrainingEngine } from '../../engine/types';
import { useElementWidth } from '../shared/use-element-width';
import { computeNoiseReport } from './noise-client';
import { drawNoisePlot, formatNumber } from './noise-plot';
import type { NoiseReport } from './noise-report';
import './noise.css';
import { errorText } from '../../error-text';
import { ExportButtons } from '../shared/ExportButtons';

export interface NoisePanelProps {
  /**
   * Computes every sample's gradient (N × P, row-major) at the weights to measure, on whatever
   * engine trains them; resolves with null when that is not possible right now. Null: no run yet.
   */
  fetchGradients: (() => Promise<Float64Array | null>) | null;
  /** Number of samples N of the dataset the gradients come from. */
  n: number;
  /** Which engine computes the gradients, e.g. `WebGPU: swiftshader` or `CPU`. */
  engineLabel?: string;
  /** Changes when the measured run or dataset changes: the history starts afresh. */
  sourceKey?: string;
  /** Anything that changes when the run's weights change (e.g. its step count): drives auto-refresh. */
  revision?: number;
  /** Shown with the result, e.g. `B = 32, step 120`. */
  runLabel?: string;
  /** Least time between two automatic recomputations, in ms (default 3000). */
  autoRefreshMs?: number;
  /** Random batches drawn per batch size (default: as many as fit a fixed amount of work, 20 to 200). */
  batchesPerSize?: number;
  /** Leave out the heading (when the page's panel frame already shows one). */
  headless?: boolean;
}

/** A `fetchGradients` for one run of a `TrainingEngine` (all N samples, at its current weights). */
export function engineGradients(engine: TrainingEngine, runId: number): () => Promise<Float64Array> {
  const all = Uint32Array.from({ length: engine.dataset.n }, (_, i) => i);
  return () => engine.perSampleGradients(runId, all);
}

interface HistoryEntry {
  revision: number;
  simpleNoiseScale: number;
}

/**
 * Gradient noise against batch size at the run's current weights: every sample's gradient comes
 * from the engine (on the GPU when there is one), the statistics from `src/metrics/noise.ts`.
 */
export function NoisePanel({
  fetchGradients,
  n,
  engineLabel,
  sourceKey = '',
  revision = 0,
  runLabel,
  autoRefreshMs = 3000,
  batchesPerSize,
  headless = false,
}: NoisePanelProps) {
  const headingId = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(plotRef, 640);
  const [report, setReport] = useState<NoiseReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [auto, setAuto] = useState(true);
  const [computedFor, setComputedFor] = useState<{ revision: number; label?: string } | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const busyRef = useRef(false);
  const lastRunRef = useRef(0);

  const recompute = useCallback(async () => {
    if (!fetchGradients || n < 1 || busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    lastRunRef.current = performance.now();
    const atRevision = revision;
    try {
      const gradients = await fetchGradients();
      if (!gradients) return;
      const next = await computeNoiseReport({
        gradients,
        n,
        ...(batchesPerSize !== undefined ? { batchesPerSize } : {}),
        seed: 1,
      });
      setReport(next);
      setComputedFor(
        runLabel === undefined ? { revision: atRevision } : { revision: atRevision, label: runLabel },
      );
      setHistory((h) => {
        const last = h.at(-1);
        if (last && last.revision === atRevision) return h;
        return [...h, { revision: atRevision, simpleNoiseScale: next.simpleNoiseScale }].slice(-8);
      });
    } catch (caught) {
      setError(`Could not measure the gradient noise: ${errorText(caught)}`);
      setComputedFor({ revision: atRevision });
    } finally {
      busyRef.current = false;
      setBusy(false);
      lastRunRef.current = performance.now();
    }
  }, [fetchGradients, n, revision, runLabel, batchesPerSize]);

  // A new run or dataset: start afresh (state adjusted during render, React's documented pattern).
  const [source, setSource] = useState(sourceKey);
  if (source !== sourceKey) {
    setSource(sourceKey);
    setReport(null);
    setHistory([]);
    setComputedFor(null);
  }

  // Auto-refresh as training goes on, at most once per `autoRefreshMs`.
  const latest = useRef(recompute);
  latest.current = recompute;
  useEffect(() => {
    if (!auto || !fetchGradients) return;
    if (computedFor && computedFor.revision === revision) return;
    const wait = Math.max(0, autoRefreshMs - (performance.now() - lastRunRef.current));
    const timer = setTimeout(() => void latest.current(), computedFor === null ? 0 : wait);
    return () => clearTimeout(timer);
  }, [auto, fetchGradients, revision, computedFor, autoRefreshMs]);

  useEffect(() => {
    if (report && plotRef.current) drawNoisePlot(plotRef.current, report, width);
  }, [report, width]);

  const ready = fetchGradients !== null && n > 0;
  return (
    <section
      className="noise-panel"
      aria-labelledby={headless ? undefined : headingId}
      aria-label={headless ? 'Gradient noise against batch size' : undefined}
      data-view="noise"
    >
      {!headless && <h2 id={headingId}>Gradient noise against batch size</h2>}
      <p className="noise-intro">
        Every sample's gradient g<sub>i</sub> at the current weights comes from the training engine; their
        mean is the full gradient G. A mini-batch of B samples drawn without replacement gives g<sub>B</sub>,
        an estimate of G whose mean squared error is exactly tr(Σ)/B · (N − B)/(N − 1). Dots are measured on
        many random batches; the line is that formula.
      </p>
      <div className="noise-actions">
        <button type="button" onClick={() => void recompute()} disabled={!ready || busy}>
          {busy ? 'Computing…' : 'Recompute'}
        </button>
        <label>
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Update as
          training goes on
        </label>
        <span className="noise-status" role="status" aria-live="polite">
          {!ready
            ? 'Waiting for a training run…'
            : busy
              ? 'Measuring…'
              : computedFor
                ? `Measured${computedFor.label ? ` for ${computedFor.label}` : ''}${engineLabel ? `, on ${engineLabel}` : ''}.`
                : ''}
        </span>
      </div>
      {error && (
        <p className="noise-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <ul className="noise-legend" aria-label="Legend">
          <li>
            <span className="noise-swatch noise-swatch-curve" aria-hidden="true" />
            exact tr(Σ)/B · (N − B)/(N − 1)
          </li>
          <li>
            <span className="noise-swatch noise-swatch-point" aria-hidden="true" />
            measured: mean over {report.measurements[0]?.batches ?? 0} random batches, bars ±2 standard
            errors, in the colour of that batch size's run
          </li>
          <li>
            <span className="noise-swatch noise-swatch-marker" aria-hidden="true" />
            B_simple
          </li>
          <li>at B = N = {report.n} the error is exactly 0 (off the log scale)</li>
        </ul>
      )}
      <div className="noise-plots" ref={plotRef} />
      {report && (
        <div className="noise-exports">
          <ExportButtons
            svg={() => plotRef.current?.querySelector<SVGSVGElement>('svg.noise-error-plot') ?? null}
            what="the gradient noise plot"
            filename="batchlab-noise-error"
          />
          <ExportButtons
            svg={() => plotRef.current?.querySelector<SVGSVGElement>('svg.noise-cosine-plot') ?? null}
            what="the cosine plot"
            filename="batchlab-noise-cosine"
          />
        </div>
      )}
      {report && (
        <>
          <p className="noise-sentence" data-testid="noise-sentence">
            {report.sentence}
          </p>
          <dl className="noise-numbers">
            <div>
              <dt>tr(Σ)</dt>
              <dd data-testid="noise-trace">{formatNumber(report.traceCovariance)}</dd>
            </div>
            <div>
              <dt>‖G‖²</dt>
              <dd data-testid="noise-grad-norm">{formatNumber(report.gradientNormSq)}</dd>
            </div>
            <div>
              <dt>B_simple = tr(Σ)/‖G‖²</dt>
              <dd data-testid="noise-b-simple">{formatNumber(report.simpleNoiseScale)}</dd>
            </div>
            <div>
              <dt>N, parameters</dt>
              <dd>
                {report.n}, {report.p}
              </dd>
            </div>
          </dl>
          {history.length > 1 && (
            <p className="noise-history">
              B_simple as training went on: {history.map((h) => formatNumber(h.simpleNoiseScale)).join(' → ')}{' '}
              (it usually grows as the loss falls: the full gradient shrinks faster than the disagreement
              between samples).
            </p>
          )}
          <details className="noise-table">
            <summary>The numbers</summary>
            <table>
              <caption>
                Measured over {report.measurements[0]?.batches ?? 0} random batches per batch size
              </caption>
              <thead>
                <tr>
                  <th scope="col">B</th>
                  <th scope="col">measured E‖g_B − G‖²</th>
                  <th scope="col">± std. error</th>
                  <th scope="col">exact</th>
                  <th scope="col">mean cos(g_B, G)</th>
                </tr>
              </thead>
              <tbody>
                {report.measurements.map((m) => (
                  <tr key={m.batchSize}>
                    <th scope="row">{m.batchSize}</th>
                    <td>{formatNumber(m.meanSquaredError)}</td>
                    <td>{formatNumber(m.standardError)}</td>
                    <td>{formatNumber(m.expected)}</td>
                    <td>{Number.isFinite(m.meanCosine) ? m.meanCosine.toFixed(3) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}
