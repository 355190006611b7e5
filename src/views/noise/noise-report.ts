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

export interface NoiseReport {
  n: number;
  p: number;
  traceCovariance: number;
  gradientNormSq: number;
  simpleNoiseScale: number;
  measurements: BatchNoiseMeasurement[];
  curve: { batchSize: number; expected: number }[];
  sentence: string;
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
