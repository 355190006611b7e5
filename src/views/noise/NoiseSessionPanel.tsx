import { useMemo } from 'react';
import { paramCount } from '../../engine/model';
import { useAppState, useSession } from '../../state/session-context';
import { DivergedNote, useDivergedFocus } from '../shared/DivergedNote';
import { NoisePanel } from './NoisePanel';
import type { GradientSource } from './noise-client';

/**
 * The noise panel on the page: measures the focused run at its current weights, with the
 * session's engine (WebGPU when there is one), between training chunks.
 */
export function NoiseSessionPanel() {
  const session = useSession();
  const dataset = useAppState((s) => s.dataset);
  const model = useAppState((s) => s.model);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  const run = useAppState((s) => s.runs.find((r) => r.id === s.focusedRunId) ?? null);
  const badge = useAppState((s) => s.engine.badge);
  const diverged = useDivergedFocus();
  const n = dataset?.n ?? 0;
  const source = useMemo((): GradientSource | null => {
    if (focusedRunId === null || n < 1 || !model) return null;
    return {
      n,
      p: paramCount(model),
      // Every chunk inside one hold of the engine: no training step between them.
      hold: (task) =>
        session.withEngine((engine) => task((indices) => engine.perSampleGradients(focusedRunId, indices))),
    };
  }, [session, focusedRunId, n, model]);
  // Gradients at non-finite weights are not a measurement of anything.
  if (diverged) return <DivergedNote focus={diverged} what="gradient noise" />;
  return (
    <NoisePanel
      source={source}
      engineLabel={badge}
      sourceKey={`${dataset?.id ?? ''}:${n}:${focusedRunId ?? ''}`}
      revision={run?.progress.step ?? 0}
      {...(run ? { runLabel: `${run.label}, after ${run.progress.step} updates` } : {})}
      headless
    />
  );
}
