import { type ReactNode, Suspense, useEffect, useState } from 'react';
import { afterNextTask } from '../../state/next-task';

/**
 * How many of `total` heavy views may be mounted yet: one more per task, in page order, so that
 * the page's first render does not build and draw every panel in one long task (at the largest
 * settings that took over 150 ms). Mounted views stay mounted; a view added later (a panel
 * switched on) gets its own task too.
 */
export function useStagedReveal(total: number): number {
  const [revealed, setRevealed] = useState(0);
  useEffect(() => {
    if (revealed >= total) return;
    return afterNextTask(() => setRevealed((count) => count + 1));
  }, [revealed, total]);
  return revealed;
}

const pending = <div className="staged-pending" aria-busy="true" />;

/**
 * The view once its turn has come (and its code has loaded, for a lazy one); until then an empty
 * box that keeps the layout's place.
 */
export function Staged({ ready, children }: { ready: boolean; children: ReactNode }) {
  return ready ? <Suspense fallback={pending}>{children}</Suspense> : pending;
}
