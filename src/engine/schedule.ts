import { epochPermutation } from './random';
import type { AdvanceRequest, TrainConfig } from './types';

/**
 * Which samples each step uses. Epoch e visits the samples in `epochPermutation(seed, e, N)`
 * order, cut into consecutive batches of B. When B does not divide N the last batch holds the
 * N mod B leftovers (`keep`, a smaller batch) or is skipped (`drop`).
 */
export function stepsPerEpoch(n: number, batchSize: number, lastBatch: TrainConfig['lastBatch']): number {
  return lastBatch === 'keep' ? Math.ceil(n / batchSize) : Math.floor(n / batchSize);
}

export interface BatchSlot {
  epoch: number;
  /** Index of the step inside its epoch. */
  stepInEpoch: number;
  /** First position in the epoch's permutation. */
  start: number;
  /** Number of samples in this batch (B, or fewer for a kept last batch). */
  size: number;
}

/** Locates global step `step` (0-based) in the epoch schedule. */
export function batchSlot(
  step: number,
  n: number,
  config: Pick<TrainConfig, 'batchSize' | 'lastBatch'>,
): BatchSlot {
  const perEpoch = stepsPerEpoch(n, config.batchSize, config.lastBatch);
  const epoch = Math.floor(step / perEpoch);
  const stepInEpoch = step - epoch * perEpoch;
  const start = stepInEpoch * config.batchSize;
  return { epoch, stepInEpoch, start, size: Math.min(config.batchSize, n - start) };
}

/** Yields batches of sample indices step after step, caching the current epoch's order. */
export class BatchSchedule {
  private cachedEpoch = -1;
  private order: Uint32Array = new Uint32Array(0);

  constructor(
    readonly n: number,
    readonly config: Pick<TrainConfig, 'batchSize' | 'lastBatch' | 'shuffleSeed'>,
  ) {
    if (!Number.isInteger(config.batchSize) || config.batchSize < 1 || config.batchSize > n) {
      throw new RangeError(`batch size must be an integer from 1 to N = ${n}, got ${config.batchSize}`);
    }
  }

  /** Sample indices of global step `step`. */
  batch(step: number): Uint32Array {
    const slot = batchSlot(step, this.n, this.config);
    if (slot.epoch !== this.cachedEpoch) {
      this.order = epochPermutation(this.config.shuffleSeed, slot.epoch, this.n);
      this.cachedEpoch = slot.epoch;
    }
    return this.order.subarray(slot.start, slot.start + slot.size);
  }

  /** Samples used by the first `steps` steps. */
  samplesSeen(steps: number): number {
    const perEpoch = stepsPerEpoch(this.n, this.config.batchSize, this.config.lastBatch);
    const full = Math.floor(steps / perEpoch);
    const used = this.config.lastBatch === 'keep' ? this.n : perEpoch * this.config.batchSize;
    const rest = steps - full * perEpoch;
    return full * used + Math.min(rest * this.config.batchSize, this.n);
  }

  /** Epochs completed by `steps` steps, fractional. */
  epochs(steps: number): number {
    return steps / stepsPerEpoch(this.n, this.config.batchSize, this.config.lastBatch);
  }
}

/** Steps a run of batch size B takes in one advance: enough for `samplesPerRun`, capped. */
export function stepsForAdvance(request: AdvanceRequest, batchSize: number): number {
  const wanted = Math.ceil(Math.max(0, request.samplesPerRun) / batchSize);
  const cap = Math.max(0, Math.floor(request.maxStepsPerRun));
  return Number.isFinite(wanted) ? Math.min(wanted, cap) : cap;
}
