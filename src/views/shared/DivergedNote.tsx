import { useMemo } from 'react';
import { type DivergedFocus, divergedFocus } from '../../state/session';
import { useAppState, useSession } from '../../state/session-context';
import { batchSizeColour } from '../chart/palette';

/**
 * Said by every panel that shows the focused run's weights, instead of its view, when that run
 * diverged: what happened, and a button for each run that still trains.
 */
export function DivergedNote({ focus, what }: { focus: DivergedFocus; what: string }) {
  const session = useSession();
  const { run, healthy } = focus;
  return (
    <div className="diverged-note" role="status" data-diverged-run={run.batchSize}>
      <p>
        <strong>The run {run.label} diverged</strong>
        {run.divergedReason ? <> ({run.divergedReason})</> : null} and was stopped: its weights are not a
        model worth reading, so there is no {what} to show for it.
      </p>
      {healthy.length > 0 ? (
        <p className="diverged-offer">
          Show a run that still trains:{' '}
          {healthy.map((other) => (
            <button
              key={other.id}
              type="button"
              className="diverged-focus"
              style={{ borderColor: batchSizeColour(other.batchSize, other.n) }}
              onClick={() => session.focus(other.id)}
            >
              {other.label}
            </button>
          ))}
        </p>
      ) : (
        <p className="diverged-offer">
          Every run on the plot diverged: lower the learning rate (or use the mean instead of the sum), then
          start a run again.
        </p>
      )}
    </div>
  );
}

/** The focused run's divergence, for panels that show its weights. */
export function useDivergedFocus(): DivergedFocus | null {
  const runs = useAppState((s) => s.runs);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  const focusedWeights = useAppState((s) => s.focusedWeights);
  return useMemo(
    () => divergedFocus({ runs, focusedRunId, focusedWeights }),
    [runs, focusedRunId, focusedWeights],
  );
}
