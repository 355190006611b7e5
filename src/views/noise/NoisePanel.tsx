import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { TrainingEngine } from '../../engine/types';
import { computeNoiseReport } from './noise-client';
import { drawNoisePlot, formatNumber } from './noise-plot';
import type { NoiseReport } from './noise-report';
import './noise.css';

export interface NoisePanelProps {
  /** The engine that trains the run (GPU or CPU); null while it starts. */
  engine: TrainingEngine | null;
  /** The run whose current weights are measured; null when there is none. */
  runId: number | null;
  /** Anything that changes when the run's weights change (e.g. its step count): drives auto-refresh. */
  revision?: number;
  /** Shown with the result, e.g. `B = 32 run, step 120`. */
  runLabel?: string;
  /** Least time between two automatic recomputations, in ms (default 3000). */
  autoRefreshMs?: number;
  /** Random batches drawn per batch size (default 200). */
  batchesPerSize?: number;
}

interface HistoryEntry {
  revision: number;
  simpleNoiseScale: number;
}

function useContainerWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth || 640);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const entry = entries[0];
      if (entry) setWidth(Math.round(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * Gradient noise against batch size at the run's current weights: every sample's gradient comes
 * from the engine (on the GPU when there is one), the statistics from `src/metrics/noise.ts`.
 */
export function NoisePanel({
  engine,
  runId,
  revision = 0,
  runLabel,
  autoRefreshMs = 3000,
  batchesPerSize = 200,
}: NoisePanelProps) {
  const headingId = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const width = useContainerWidth(plotRef);
  const [report, setReport] = useState<NoiseReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [auto, setAuto] = useState(true);
  const [computedFor, setComputedFor] = useState<{ revision: number; label?: string } | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const busyRef = useRef(false);
  const lastRunRef = useRef(0);

  const recompute = useCallback(async () => {
    if (!engine || runId === null || busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    lastRunRef.current = performance.now();
    const atRevision = revision;
    try {
      const n = engine.dataset.n;
      const all = Uint32Array.from({ length: n }, (_, i) => i);
      const gradients = await engine.perSampleGradients(runId, all);
      const next = await computeNoiseReport({ gradients, n, batchesPerSize, seed: 1 });
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
      setError(
        `Could not measure the gradient noise: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
    } finally {
      busyRef.current = false;
      setBusy(false);
      lastRunRef.current = performance.now();
    }
  }, [engine, runId, revision, runLabel, batchesPerSize]);

  // A new run or engine: start afresh (state adjusted during render, React's documented pattern).
  const [source, setSource] = useState({ engine, runId });
  if (source.engine !== engine || source.runId !== runId) {
    setSource({ engine, runId });
    setReport(null);
    setHistory([]);
    setComputedFor(null);
  }

  // Auto-refresh as training goes on, at most once per `autoRefreshMs`.
  const latest = useRef(recompute);
  latest.current = recompute;
  useEffect(() => {
    if (!auto || !engine || runId === null) return;
    if (computedFor && computedFor.revision === revision) return;
    const wait = Math.max(0, autoRefreshMs - (performance.now() - lastRunRef.current));
    const timer = setTimeout(() => void latest.current(), computedFor === null ? 0 : wait);
    return () => clearTimeout(timer);
  }, [auto, engine, runId, revision, computedFor, autoRefreshMs]);

  useEffect(() => {
    if (report && plotRef.current) drawNoisePlot(plotRef.current, report, width);
  }, [report, width]);

  const ready = engine !== null && runId !== null;
  return (
    <section className="noise-panel" aria-labelledby={headingId} data-panel="noise">
      <h2 id={headingId}>Gradient noise against batch size</h2>
      <p className="noise-intro">
        At the current weights every sample's gradient g<sub>i</sub> is computed
        {engine ? ` (${engine.label})` : ''}. Their mean is the full gradient G. A mini-batch of B samples
        drawn without replacement gives g<sub>B</sub>, an estimate of G whose mean squared error is exactly
        tr(Σ)/B · (N − B)/(N − 1). Dots are measured on many random batches; the line is that formula.
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
                ? `Measured${computedFor.label ? ` for ${computedFor.label}` : ''}.`
                : ''}
        </span>
      </div>
      {error && (
        <p className="noise-error" role="alert">
          {error}
        </p>
      )}
      <div className="noise-plots" ref={plotRef} />
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
