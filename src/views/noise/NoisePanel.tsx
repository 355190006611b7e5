import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { formatCount } from '../../data/format-count';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { type GradientSource, measureNoise } from './noise-client';
import { drawNoisePlot, formatNumber } from './noise-plot';
import type { NoiseReport } from './noise-report';
import './noise.css';
import { errorText } from '../../error-text';
import { ExportButtons } from '../shared/ExportButtons';

export interface NoisePanelProps {
  /**
   * The run to measure: its engine computes the per-sample gradients, a chunk at a time, at its
   * current weights. Null: no run yet.
   */
  source: GradientSource | null;
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

interface HistoryEntry {
  revision: number;
  simpleNoiseScale: number;
}

/** Automatic measurements pause training at most this share of the time. */
const MAX_HELD_SHARE = 0.2;

/**
 * Gradient noise against batch size at the run's current weights: every sample's gradient comes
 * from the engine (on the GPU when there is one), the statistics from `src/metrics/noise-stream.ts`,
 * accumulated in a worker a chunk at a time.
 */
export function NoisePanel({
  source,
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
  const { width, measured } = useElementWidth(plotRef, 640);
  const [report, setReport] = useState<NoiseReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [auto, setAuto] = useState(true);
  const [computedFor, setComputedFor] = useState<{ revision: number; label?: string } | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const busyRef = useRef(false);
  const lastRunRef = useRef(0);
  const heldRef = useRef(0);
  const sourceKeyRef = useRef(sourceKey);
  sourceKeyRef.current = sourceKey;

  const recompute = useCallback(async () => {
    if (!source || source.n < 1 || busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setError(null);
    lastRunRef.current = performance.now();
    const atRevision = revision;
    const atSource = sourceKeyRef.current;
    try {
      const measured = await measureNoise(source, {
        seed: 1,
        ...(batchesPerSize !== undefined ? { batchesPerSize } : {}),
      });
      // No engine, or another run or dataset by now: nothing to show.
      if (!measured || sourceKeyRef.current !== atSource) return;
      heldRef.current = measured.heldMs;
      const next = measured.report;
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
  }, [source, revision, runLabel, batchesPerSize]);

  // A new run or dataset: start afresh (state adjusted during render, React's documented pattern).
  const [shownSource, setShownSource] = useState(sourceKey);
  if (shownSource !== sourceKey) {
    setShownSource(sourceKey);
    setReport(null);
    setHistory([]);
    setComputedFor(null);
  }

  // Auto-refresh as training goes on, at most once per `autoRefreshMs`.
  const latest = useRef(recompute);
  latest.current = recompute;
  // A measurement pauses training while the engine computes gradients: space them so that
  // training keeps at least 1 − MAX_HELD_SHARE of the engine's time.
  useEffect(() => {
    if (!auto || !source) return;
    if (computedFor && computedFor.revision === revision) return;
    const spacing = Math.max(autoRefreshMs, heldRef.current / MAX_HELD_SHARE);
    const wait = Math.max(0, spacing - (performance.now() - lastRunRef.current));
    const timer = setTimeout(() => void latest.current(), computedFor === null ? 0 : wait);
    return () => clearTimeout(timer);
  }, [auto, source, revision, computedFor, autoRefreshMs]);

  useDrawEffect(() => {
    if (report && plotRef.current && measured) drawNoisePlot(plotRef.current, report, width);
  }, [report, width, measured]);

  const ready = source !== null && source.n > 0;
  const subset = report?.subset;
  return (
    <section
      className="noise-panel"
      aria-labelledby={headless ? undefined : headingId}
      aria-label={headless ? 'Gradient noise against batch size' : undefined}
      data-view="noise"
    >
      {!headless && <h2 id={headingId}>Gradient noise against batch size</h2>}
      <p className="noise-intro">
        Backpropagation gives every sample i its own gradient g<sub>i</sub> at the current weights; their
        average over all N samples is the full gradient G, the direction full-batch descent would step in. A
        batch of B samples steps along its own average g<sub>B</sub> instead, which misses G. The plot shows
        by how much: <strong>E‖g_B − G‖²</strong>, the squared length of the miss g<sub>B</sub> − G, averaged
        (E) over many random batches. Dots are measured; the line is the exact formula tr(Σ)/B · (N − B)/(N −
        1): the miss shrinks like 1/B and is 0 at B = N.
      </p>
      <dl className="noise-terms" data-testid="noise-terms">
        <div>
          <dt>tr(Σ)</dt>
          <dd>
            how much single samples disagree: the average of ‖g<sub>i</sub> − G‖², how far one sample’s
            gradient lies from G (the sum over all weights of each weight’s gradient variance, the trace of
            the covariance matrix Σ). It is the miss of a batch of one.
          </dd>
        </div>
        <div>
          <dt>‖G‖²</dt>
          <dd>how strongly the whole dataset pulls the weights: the squared length of the full gradient.</dd>
        </div>
        <div>
          <dt>B_simple = tr(Σ)/‖G‖²</dt>
          <dd>
            the “simple noise scale”: the batch size at which the miss tr(Σ)/B is as large as the pull ‖G‖².
            Well below B_simple a batch’s step is mostly noise, and doubling B nearly halves the steps
            training needs; well above it the batch gradient is already close to G, and more samples per step
            are mostly wasted work.
          </dd>
        </div>
      </dl>
      <p className="noise-source">
        Source: S. McCandlish, J. Kaplan, D. Amodei and the OpenAI Dota Team (2018),{' '}
        <cite>An Empirical Model of Large-Batch Training</cite>,{' '}
        <a href="https://arxiv.org/abs/1812.06162" rel="noopener" target="_blank">
          arXiv:1812.06162
        </a>
        .
      </p>
      <div className="noise-actions">
        <button type="button" onClick={() => void recompute()} disabled={!ready || busy}>
          {busy ? 'Computing…' : 'Recompute'}
        </button>
        <label>
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Update as
          training goes on
        </label>
        <span
          className="noise-status"
          role="status"
          aria-live="polite"
          data-held-ms={Math.round(heldRef.current)}
        >
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
            exact miss{' '}
            {subset ? 'tr(Σ_m)/B · (m − B)/(m − 1), the subset’s own' : 'tr(Σ)/B · (N − B)/(N − 1)'}
          </li>
          <li>
            <span className="noise-swatch noise-swatch-point" aria-hidden="true" />
            measured: mean over {report.measurements[0]?.batches ?? 0} random batches, bars ±2 standard
            errors, in the colour of that batch size's run
          </li>
          <li>
            <span className="noise-swatch noise-swatch-marker" aria-hidden="true" />
            B_simple, where the miss equals the pull ‖G‖²
          </li>
          <li>
            at B = {subset ? 'm' : 'N'} = {report.n} the error is exactly 0 (off the log scale)
          </li>
        </ul>
      )}
      {subset && (
        <p className="noise-subset" data-testid="noise-subset">
          Measured on a random subset of m = {formatCount(report.n)} of the {formatCount(subset.datasetN)}{' '}
          samples: with {formatCount(report.p)} parameters, all of them would take too long. tr(Σ), ‖G‖² and
          B_simple below are estimates for the whole dataset, ± one standard error; the dots and the line are
          batches drawn from the subset, where the same law holds with m for N.
        </p>
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
              {subset && (
                <dd className="noise-error-estimate" data-testid="noise-traceCovarianceError">
                  ± {formatNumber(subset.traceCovarianceError)}
                </dd>
              )}
            </div>
            <div>
              <dt>‖G‖²</dt>
              <dd data-testid="noise-grad-norm">{formatNumber(report.gradientNormSq)}</dd>
              {subset && (
                <dd className="noise-error-estimate" data-testid="noise-gradientNormSqError">
                  ± {formatNumber(subset.gradientNormSqError)}
                </dd>
              )}
            </div>
            <div>
              <dt>B_simple = tr(Σ)/‖G‖²</dt>
              <dd data-testid="noise-b-simple">{formatNumber(report.simpleNoiseScale)}</dd>
              {subset && (
                <dd className="noise-error-estimate" data-testid="noise-simpleNoiseScaleError">
                  ± {formatNumber(subset.simpleNoiseScaleError)}
                </dd>
              )}
            </div>
            <div>
              <dt>{subset ? 'N, measured m, parameters' : 'N, parameters'}</dt>
              <dd>
                {subset ? `${subset.datasetN}, ${report.n}` : report.n}, {report.p}
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
                  <th scope="col">measured miss E‖g_B − G‖²</th>
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
