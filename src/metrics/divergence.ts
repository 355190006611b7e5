/**
 * When a run counts as diverged. A loss that is no longer a finite number has obviously
 * diverged; but a learning rate far too large can also make SGD thrash at a loss many times its
 * starting value for ever without overflowing (lr = 10, B = 1 on the plane data: 26 from 0.69),
 * and such a run is not learning either. The rule, stated once for the code and the page:
 */
export const DIVERGENCE_FACTOR = 10;
export const DIVERGENCE_MIN_EPOCHS = 1;
export const DIVERGENCE_MIN_STEPS = 10;

export const DIVERGENCE_RULE_TEXT =
  `A run counts as diverged, and stops, when its loss stops being a finite number, or when its ` +
  `loss over the whole dataset stays above ${DIVERGENCE_FACTOR} times its starting value for a ` +
  `whole epoch (and at least ${DIVERGENCE_MIN_STEPS} updates).`;

/** What the rule remembers of one run between readings. */
export interface DivergenceWatch {
  /** The dataset loss at the starting weights. */
  startLoss: number;
  /** Where the current stretch of readings above the threshold began, if one is going on. */
  aboveSince: { step: number; epoch: number } | null;
}

export interface LossReading {
  step: number;
  /** Completed epochs, fractional. */
  epoch: number;
  /** The dataset loss at this step. */
  loss: number;
}

export type DivergenceVerdict = 'non-finite' | 'sustained' | null;

export function startWatch(startLoss: number): DivergenceWatch {
  return { startLoss, aboveSince: null };
}

/** The loss above which a reading counts towards a sustained divergence. */
export function divergenceThreshold(startLoss: number): number {
  // A start at (nearly) zero loss would make any noise "10 times the start".
  return DIVERGENCE_FACTOR * Math.max(startLoss, 1e-3);
}

/** Applies one reading (readings come in step order); returns the new watch and the verdict. */
export function watchDivergence(
  watch: DivergenceWatch,
  reading: LossReading,
): { watch: DivergenceWatch; verdict: DivergenceVerdict } {
  if (!Number.isFinite(reading.loss)) return { watch, verdict: 'non-finite' };
  if (!Number.isFinite(watch.startLoss) || reading.loss <= divergenceThreshold(watch.startLoss))
    return { watch: { ...watch, aboveSince: null }, verdict: null };
  const since = watch.aboveSince ?? { step: reading.step, epoch: reading.epoch };
  const next = { ...watch, aboveSince: since };
  const sustained =
    reading.epoch - since.epoch >= DIVERGENCE_MIN_EPOCHS && reading.step - since.step >= DIVERGENCE_MIN_STEPS;
  return { watch: next, verdict: sustained ? 'sustained' : null };
}

/** One sentence for the panels: why this run stopped. */
export function divergenceReason(verdict: Exclude<DivergenceVerdict, null>, startLoss: number): string {
  return verdict === 'non-finite'
    ? 'its loss stopped being a finite number'
    : `its loss stayed above ${DIVERGENCE_FACTOR} × its starting value ${startLoss.toPrecision(3)} for a whole epoch`;
}
