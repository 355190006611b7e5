/**
 * When a run reached the target loss. The dataset loss is only evaluated now and then (every
 * evaluation costs N forward passes), so the crossing lies between two evaluations; it is
 * interpolated there instead of taking the first evaluated step below the target, which would
 * overstate the steps by up to one evaluation interval.
 */

/** One evaluation of the full-dataset loss during a run. */
export interface Evaluation {
  /** Weight updates done when the loss was evaluated. */
  step: number;
  /** Samples used by then. */
  samples: number;
  loss: number;
}

export interface Crossing {
  /** Interpolated (fractional) number of steps at which the loss reached the target. */
  step: number;
  /** Interpolated samples used by then. */
  samples: number;
  /** The evaluations on either side: the crossing certainly lies in [stepBefore, stepAfter]. */
  stepBefore: number;
  stepAfter: number;
}

/**
 * The first time the evaluated loss is at or below `target`, interpolated between that
 * evaluation and the one before it. Between two evaluations a loss curve decays roughly
 * exponentially, so positive losses are interpolated linearly in log(loss) (a straight line on
 * the usual log-scale loss plot); a non-positive loss falls back to linear interpolation.
 * Returns null when no evaluation reached the target (or the history is empty).
 */
export function targetCrossing(history: readonly Evaluation[], target: number): Crossing | null {
  for (let i = 0; i < history.length; i++) {
    const after = history[i] as Evaluation;
    if (!(after.loss <= target)) continue; // NaN never counts as reached
    if (i === 0)
      return { step: after.step, samples: after.samples, stepBefore: after.step, stepAfter: after.step };
    const before = history[i - 1] as Evaluation;
    const useLog = before.loss > 0 && after.loss > 0 && target > 0;
    const hi = useLog ? Math.log(before.loss) : before.loss;
    const lo = useLog ? Math.log(after.loss) : after.loss;
    const at = useLog ? Math.log(target) : target;
    // hi > at ≥ lo here, so the fraction is in (0, 1].
    const fraction = hi === lo ? 1 : (hi - at) / (hi - lo);
    return {
      step: before.step + fraction * (after.step - before.step),
      samples: before.samples + fraction * (after.samples - before.samples),
      stepBefore: before.step,
      stepAfter: after.step,
    };
  }
  return null;
}
