/**
 * What became of each (batch size, learning rate) run of a sweep, and the pick of each batch
 * size's best learning rate.
 */

import type { Crossing, Evaluation } from './crossing';

/**
 * - `reached`: the dataset loss reached the target;
 * - `diverged`: the loss or weights blew up (non-finite, or far above the starting loss);
 * - `budget`: the step or epoch budget ran out first (never reached);
 * - `slower`: stopped once it had taken more steps than the best run of its B needed, so it
 *   could no longer be the best (its steps to target are only known to be larger);
 * - `cancelled`: the sweep was cancelled before this run finished.
 */
export type RunStatus = 'reached' | 'diverged' | 'budget' | 'slower' | 'cancelled';

export interface RunOutcome {
  batchSize: number;
  learningRate: number;
  status: RunStatus;
  /** Set when `status` is `reached`. */
  crossing: Crossing | null;
  /** Steps and samples taken when the run stopped. */
  stepsTaken: number;
  samplesTaken: number;
  /** The last evaluated dataset loss. */
  finalLoss: number;
  /** Every evaluation of the dataset loss, the starting loss first. */
  history: Evaluation[];
  /**
   * B_simple = tr Σ / ‖G‖² measured at the weights of the first evaluation at or below the
   * target (only for runs that reached it).
   */
  simpleNoiseScale: number | null;
}

/** True for a run whose steps to target are known. */
export function reachedTarget(run: RunOutcome): run is RunOutcome & { crossing: Crossing } {
  return run.status === 'reached' && run.crossing !== null;
}

/**
 * Each batch size's best run: the one that reached the target in the fewest (interpolated)
 * steps. Diverged, never-reached, slower and cancelled runs are never picked; a batch size with
 * no run that reached the target is absent from the map. Ties go to the smaller learning rate
 * (the safer choice). Batch sizes come out in increasing order.
 */
export function bestRunPerBatchSize(
  runs: readonly RunOutcome[],
): Map<number, RunOutcome & { crossing: Crossing }> {
  const best = new Map<number, RunOutcome & { crossing: Crossing }>();
  for (const run of runs) {
    if (!reachedTarget(run)) continue;
    const current = best.get(run.batchSize);
    if (
      !current ||
      run.crossing.step < current.crossing.step ||
      (run.crossing.step === current.crossing.step && run.learningRate < current.learningRate)
    ) {
      best.set(run.batchSize, run);
    }
  }
  return new Map([...best.entries()].sort((a, b) => a[0] - b[0]));
}
