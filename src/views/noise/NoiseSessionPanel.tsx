import { useMemo } from 'react';
import { useAppState, useSession } from '../../state/session-context';
import { NoisePanel } from './NoisePanel';

/**
 * The noise panel on the page: measures the focused run at its current weights, with the
 * session's engine (WebGPU when there is one), between training chunks.
 */
export function NoiseSessionPanel() {
  const session = useSession();
  const dataset = useAppState((s) => s.dataset);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  const run = useAppState((s) => s.runs.find((r) => r.id === s.focusedRunId) ?? null);
  const badge = useAppState((s) => s.engine.badge);
  const n = dataset?.n ?? 0;
  const fetchGradients = useMemo(() => {
    if (focusedRunId === null || n < 1) return null;
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    return () => session.withEngine((engine) => engine.perSampleGradients(focusedRunId, all));
  }, [session, focusedRunId, n]);
  return (
    <NoisePanel
      fetchGradients={fetchGradients}
      n={n}
      engineLabel={badge}
      sourceKey={`${dataset?.id ?? ''}:${n}:${focusedRunId ?? ''}`}
      revision={run?.progress.step ?? 0}
      {...(run ? { runLabel: `${run.label}, after ${run.progress.step} updates` } : {})}
      headless
    />
  );
}
