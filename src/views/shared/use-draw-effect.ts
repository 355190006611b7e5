import { type DependencyList, useEffect } from 'react';
import { afterNextTask } from '../../state/next-task';

/**
 * `useEffect` for drawing a plot, with the drawing in a task of its own. The session's updates
 * re-render every panel at once and React runs all their effects in the same task; drawn there,
 * the loss plot, the data view and the landscape together took 50–60 ms at page load. A drawing
 * superseded before its turn (new data, a resize) is dropped: only the latest one runs.
 */
export function useDrawEffect(draw: () => void, deps: DependencyList): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `draw` reads, as for useEffect
  useEffect(() => afterNextTask(draw), deps);
}
