/**
 * Each race run's learning rate, from the "learning rate per batch size" setting. With one
 * learning rate for every B the comparison is unfair (a rate that suits B = 1 crawls at full
 * batch), so the race can scale it with B or take each B's best from a finished sweep.
 */
import type { Reduction } from '../engine/types';
import type { SweepAnalysis } from '../metrics/sweep/analysis';
import type { LearningRateMode } from '../settings/settings';

/**
 * The batch size the slider's learning rate is meant for when it is scaled: 32, the slider's
 * default B, so the default runs keep the learning rate a dataset was tuned with.
 */
export const SCALED_REFERENCE_BATCH_SIZE = 32;
/** Scaled learning rates are kept within the learning-rate slider's range. */
export const SCALED_MIN_LEARNING_RATE = 1e-4;
export const SCALED_MAX_LEARNING_RATE = 10;

/** Each batch size's best learning rate from a finished sweep, and what it was measured on. */
export interface SweepBestRates {
  datasetId: string;
  n: number;
  rates: readonly { batchSize: number; learningRate: number }[];
}

export interface RunLearningRateInput {
  mode: LearningRateMode;
  /** The learning rate on the slider. */
  baseLearningRate: number;
  batchSize: number;
  reduction: Reduction;
  datasetId: string;
  n: number;
  /** The last finished sweep, or null. */
  sweep: SweepBestRates | null;
}

export interface RunLearningRate {
  learningRate: number;
  /** Why the learning rate is not what the mode asked for (no usable sweep), or null. */
  fallback: string | null;
}

/**
 * 'same': the slider's learning rate. 'scaled': base × B / 32, clamped to [1e-4, 10] (with the
 * sum reduction the step already grows with B, so the base is kept). 'sweep': the sweep's best
 * learning rate at the swept B nearest to B on a log scale; the slider's one, with a reason, when
 * no sweep of this dataset and N has finished.
 */
export function runLearningRate(input: RunLearningRateInput): RunLearningRate {
  const base = input.baseLearningRate;
  if (input.mode === 'same') return { learningRate: base, fallback: null };
  if (input.mode === 'scaled') {
    if (input.reduction === 'sum') return { learningRate: base, fallback: null };
    const scaled = (base * input.batchSize) / SCALED_REFERENCE_BATCH_SIZE;
    return {
      learningRate: Math.min(SCALED_MAX_LEARNING_RATE, Math.max(SCALED_MIN_LEARNING_RATE, scaled)),
      fallback: null,
    };
  }
  const sweep = input.sweep;
  if (!sweep || sweep.rates.length === 0)
    return {
      learningRate: base,
      fallback: `No sweep has finished yet, so every run uses the learning rate ${base}. Run the sweep, and the runs restart with each B's best learning rate.`,
    };
  if (sweep.datasetId !== input.datasetId || sweep.n !== input.n)
    return {
      learningRate: base,
      fallback: `The last sweep was of ${sweep.datasetId} with N = ${sweep.n}, not this data, so every run uses the learning rate ${base}. Run the sweep again on this data.`,
    };
  const target = Math.log(input.batchSize);
  let best = sweep.rates[0] as SweepBestRates['rates'][number];
  for (const rate of sweep.rates) {
    if (Math.abs(Math.log(rate.batchSize) - target) < Math.abs(Math.log(best.batchSize) - target))
      best = rate;
  }
  return { learningRate: best.learningRate, fallback: null };
}

/** The best learning rates of a finished sweep's analysis (batch sizes where none reached the target left out). */
export function sweepBestRates(datasetId: string, analysis: SweepAnalysis): SweepBestRates {
  const rates: { batchSize: number; learningRate: number }[] = [];
  for (const row of analysis.rows)
    if (row.bestLearningRate !== null)
      rates.push({ batchSize: row.batchSize, learningRate: row.bestLearningRate });
  return { datasetId, n: analysis.n, rates };
}
