/**
 * From a sweep's runs to what the page shows: each batch size's best learning rate, steps and
 * samples to the target, the fit of the McCandlish model, B_simple against B_crit, what a step
 * costs on this device, wall time to the target, and a verdict in plain words.
 */

import type { Crossing } from './crossing';
import { fitScaling, type ScalingFit } from './fit';
import { bestRunPerBatchSize, type RunOutcome } from './outcome';

/** What one step costs at one batch size on the engine in use (see `measureStepCosts`). */
export interface StepCost {
  batchSize: number;
  secondsPerStep: number;
}

export interface BatchSizeRow {
  batchSize: number;
  /** Null when no learning rate reached the target at this B. */
  bestLearningRate: number | null;
  steps: number | null;
  /** The crossing lies between these evaluated steps (the interpolation's error bar). */
  stepsLow: number | null;
  stepsHigh: number | null;
  samples: number | null;
  epochs: number | null;
  simpleNoiseScale: number | null;
  secondsPerStep: number | null;
  samplesPerSecond: number | null;
  /** Steps to target × seconds per step. */
  wallSeconds: number | null;
  /** How many learning rates diverged, ran out of budget, were stopped as slower, reached. */
  counts: Record<RunOutcome['status'], number>;
}

export interface SweepAnalysis {
  n: number;
  target: number;
  rows: BatchSizeRow[];
  fit: ScalingFit | null;
  /** Geometric mean of the per-B B_simple values (measured where each best run reached the target). */
  simpleNoiseScale: number | null;
  /** B_simple / B_crit (1 = the theory's prediction; McCandlish et al. find it within a few ×). */
  noiseToCriticalRatio: number | null;
  /** The batch size with the least wall time to the target on this device. */
  fastestBatchSize: number | null;
  verdict: string;
}

function emptyCounts(): Record<RunOutcome['status'], number> {
  return { reached: 0, diverged: 0, budget: 0, slower: 0, cancelled: 0 };
}

function geometricMean(values: readonly number[]): number | null {
  const usable = values.filter((v) => Number.isFinite(v) && v > 0);
  if (usable.length === 0) return null;
  return Math.exp(usable.reduce((sum, v) => sum + Math.log(v), 0) / usable.length);
}

export function analyzeSweep(
  runs: readonly RunOutcome[],
  options: { n: number; target: number; batchSizes: readonly number[]; costs?: readonly StepCost[] },
): SweepAnalysis {
  const best = bestRunPerBatchSize(runs);
  const costOf = new Map((options.costs ?? []).map((c) => [c.batchSize, c.secondsPerStep]));
  const sizes = [...new Set(options.batchSizes)].sort((a, b) => a - b);
  const rows = sizes.map((batchSize): BatchSizeRow => {
    const counts = emptyCounts();
    for (const run of runs) if (run.batchSize === batchSize) counts[run.status]++;
    const winner = best.get(batchSize);
    const crossing: Crossing | null = winner?.crossing ?? null;
    const secondsPerStep = costOf.get(batchSize) ?? null;
    return {
      batchSize,
      bestLearningRate: winner?.learningRate ?? null,
      steps: crossing?.step ?? null,
      stepsLow: crossing?.stepBefore ?? null,
      stepsHigh: crossing?.stepAfter ?? null,
      samples: crossing?.samples ?? null,
      epochs: crossing ? crossing.samples / options.n : null,
      simpleNoiseScale: winner?.simpleNoiseScale ?? null,
      secondsPerStep,
      samplesPerSecond: secondsPerStep && secondsPerStep > 0 ? batchSize / secondsPerStep : null,
      wallSeconds: crossing && secondsPerStep !== null ? crossing.step * secondsPerStep : null,
      counts,
    };
  });
  const fit = fitScaling(
    rows.flatMap((r) =>
      r.steps !== null && r.steps > 0 ? [{ batchSize: r.batchSize, steps: r.steps }] : [],
    ),
  );
  const simpleNoiseScale = geometricMean(
    rows.flatMap((r) => (r.simpleNoiseScale === null ? [] : [r.simpleNoiseScale])),
  );
  let fastestBatchSize: number | null = null;
  let fastest = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    if (row.wallSeconds !== null && row.wallSeconds < fastest) {
      fastest = row.wallSeconds;
      fastestBatchSize = row.batchSize;
    }
  }
  const partial = {
    n: options.n,
    target: options.target,
    rows,
    fit,
    simpleNoiseScale,
    noiseToCriticalRatio: fit && simpleNoiseScale !== null ? simpleNoiseScale / fit.bCrit : null,
    fastestBatchSize,
  };
  return { ...partial, verdict: sweepVerdict(partial) };
}

/** The nearest power of two, for round numbers in the verdict ("about 64"). */
export function nearestPowerOfTwo(value: number): number {
  return 2 ** Math.max(0, Math.round(Math.log2(value)));
}

function formatSeconds(seconds: number): string {
  const two = (v: number) => Number(v.toPrecision(2)).toString();
  if (seconds < 1e-3) return `${two(seconds * 1e6)} µs`;
  if (seconds < 1) return `${two(seconds * 1e3)} ms`;
  return `${two(seconds)} s`;
}

/** The plain-words verdict under the plots. */
export function sweepVerdict(analysis: Omit<SweepAnalysis, 'verdict'>): string {
  const reached = analysis.rows.filter((r) => r.steps !== null);
  const missed = analysis.rows.filter((r) => r.steps === null).map((r) => r.batchSize);
  if (reached.length === 0) {
    return 'No batch size reached the target loss at any learning rate: lower the target, widen the learning-rate grid, or raise the budget.';
  }
  const parts: string[] = [];
  const fit = analysis.fit;
  if (fit) {
    const knee = nearestPowerOfTwo(fit.bCrit);
    if (fit.bound === 'above' || fit.bCrit >= analysis.n) {
      parts.push(
        'On this problem, doubling B roughly halves the number of updates all the way to the full dataset: the gradient is noisy enough that even large batches are used well.',
      );
    } else if (fit.bound === 'below' || fit.bCrit < 1.5) {
      parts.push(
        'On this problem, bigger batches barely reduce the number of updates: one sample already points the right way, so large batches mostly waste samples.',
      );
    } else {
      parts.push(
        `On this problem, doubling B up to about ${knee} nearly halves the number of updates; beyond that, bigger batches mostly waste samples (critical batch size B_crit ≈ ${fit.bCrit.toPrecision(2)}).`,
      );
    }
  }
  if (analysis.noiseToCriticalRatio !== null && analysis.simpleNoiseScale !== null) {
    const ratio = analysis.noiseToCriticalRatio;
    const how =
      ratio >= 1 ? `${ratio.toPrecision(2)}× B_crit` : `${(1 / ratio).toPrecision(2)}× smaller than B_crit`;
    parts.push(
      `The gradient noise scale measured at the target, B_simple ≈ ${analysis.simpleNoiseScale.toPrecision(2)}, is ${how}.`,
    );
  }
  if (analysis.fastestBatchSize !== null) {
    const row = analysis.rows.find((r) => r.batchSize === analysis.fastestBatchSize);
    const wall = row?.wallSeconds;
    parts.push(
      `Fastest to the target on this device: B = ${analysis.fastestBatchSize}${wall !== null && wall !== undefined ? ` (${formatSeconds(wall)} of training)` : ''}.`,
    );
  }
  if (missed.length > 0) {
    parts.push(`B = ${missed.join(', ')} did not reach the target at any learning rate in the grid.`);
  }
  return parts.join(' ');
}
