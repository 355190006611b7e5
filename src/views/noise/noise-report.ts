/**
 * Glue between the per-sample gradients an engine returns and what the noise panel draws: the
 * maths is all in `src/metrics/noise.ts`; this only packs its results into one plain object
 * (structured-cloneable, so a worker can compute it off the main thread).
 */
import {
  type BatchNoiseMeasurement,
  describeNoiseScale,
  expectedErrorCurve,
  gradientNoiseStats,
  measureBatchNoise,
} from '../../metrics/noise';
import { estimateFromSubset, type StreamingNoiseResult } from '../../metrics/noise-stream';

export interface NoiseReport {
  /** Samples the batches are drawn from: N, or m for a random subset. */
  n: number;
  p: number;
  /** tr Σ, ‖G‖² and B_simple of the whole dataset (estimates when `subset` is set). */
  traceCovariance: number;
  gradientNormSq: number;
  simpleNoiseScale: number;
  measurements: BatchNoiseMeasurement[];
  /** The exact law for the samples the batches are drawn from. */
  curve: { batchSize: number; expected: number }[];
  sentence: string;
  /** Set when only a random subset of m = `n` of the dataset's samples was measured. */
  subset?: {
    /** Samples in the dataset, N. */
    datasetN: number;
    /** Standard errors of the three estimates above. */
    traceCovarianceError: number;
    gradientNormSqError: number;
    simpleNoiseScaleError: number;
  };
}

export interface NoiseRequest {
  gradients: Float64Array;
  n: number;
  batchesPerSize: number;
  seed: number;
}

export function buildNoiseReport({ gradients, n, batchesPerSize, seed }: NoiseRequest): NoiseReport {
  if (n < 1 || gradients.length === 0 || gradients.length % n !== 0) {
    throw new RangeError(`got ${gradients.length} gradient numbers for ${n} samples`);
  }
  const p = gradients.length / n;
  const stats = gradientNoiseStats(gradients, n, p);
  const { measurements } = measureBatchNoise(gradients, n, p, { stats, batchesPerSize, seed });
  return {
    n,
    p,
    traceCovariance: stats.traceCovariance,
    gradientNormSq: stats.gradientNormSq,
    simpleNoiseScale: stats.simpleNoiseScale,
    measurements,
    curve: expectedErrorCurve(stats.traceCovariance, n),
    sentence: describeNoiseScale(stats.simpleNoiseScale, n),
  };
}

/**
 * The report of a streamed measurement (`StreamingNoise`) of m samples out of a dataset of N:
 * when m < N the headline numbers are the dataset's estimates with their standard errors, and the
 * dots and curve are the subset's own (batches are drawn from it).
 */
export function streamedNoiseReport(result: StreamingNoiseResult, datasetN: number): NoiseReport {
  const { stats, measurements } = result;
  const m = stats.n;
  const estimate = estimateFromSubset(result.groups, datasetN);
  const exact = m === datasetN;
  const report: NoiseReport = {
    n: m,
    p: stats.p,
    traceCovariance: exact ? stats.traceCovariance : estimate.traceCovariance.value,
    gradientNormSq: exact ? stats.gradientNormSq : estimate.gradientNormSq.value,
    simpleNoiseScale: exact ? stats.simpleNoiseScale : estimate.simpleNoiseScale.value,
    measurements,
    curve: expectedErrorCurve(stats.traceCovariance, m),
    sentence: '',
  };
  report.sentence = describeNoiseScale(report.simpleNoiseScale, datasetN);
  if (!exact) {
    report.subset = {
      datasetN,
      traceCovarianceError: estimate.traceCovariance.standardError,
      gradientNormSqError: estimate.gradientNormSq.standardError,
      simpleNoiseScaleError: estimate.simpleNoiseScale.standardError,
    };
  }
  return report;
}
