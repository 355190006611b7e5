/**
 * Gradient noise against batch size, from the per-sample gradients g_1..g_N of the whole dataset.
 *
 * Definitions (all with the population normalisation 1/N, so that they describe the dataset
 * itself, not an estimate of some larger distribution):
 *   G      = 1/N · Σ_i g_i                          the full-batch gradient
 *   Σ      = 1/N · Σ_i (g_i − G)(g_i − G)ᵀ           the per-sample gradient covariance
 *   tr(Σ)  = 1/N · Σ_i ‖g_i − G‖²
 *   B_simple = tr(Σ) / ‖G‖²                          the "simple noise scale" of McCandlish et al.
 *                                                     (2018), An Empirical Model of Large-Batch Training
 *
 * A mini-batch of B distinct samples drawn uniformly WITHOUT replacement (as an epoch shuffle
 * does) has gradient g_B = 1/B · Σ_{i∈batch} g_i, and
 *   E‖g_B − G‖² = tr(Σ)/B · (N − B)/(N − 1),
 * the finite-population correction of sampling without replacement: writing d_i = g_i − G
 * (Σ_i d_i = 0), E[(Σ_{i∈batch} d_i)²] = B·E[d²] + B(B−1)·E[d_i·d_j, i≠j] and
 * Σ_{i≠j} d_i·d_j = −Σ_i d_i², so E[d_i·d_j] = −tr(Σ)/(N − 1); dividing by B² gives the formula.
 * At B = N it is 0 (the batch is the dataset); at B = 1 it is tr(Σ).
 */

import { Rng } from '../engine/random';

export interface GradientNoiseStats {
  /** Number of samples N. */
  n: number;
  /** Number of parameters P. */
  p: number;
  /** Full-dataset gradient G (mean of the per-sample gradients), length P. */
  fullGradient: Float64Array;
  /** tr(Σ) = 1/N Σ_i ‖g_i − G‖². */
  traceCovariance: number;
  /** ‖G‖². */
  gradientNormSq: number;
  /** tr(Σ)/‖G‖²; Infinity when G = 0 and there is noise, NaN when both are 0. */
  simpleNoiseScale: number;
}

/** Adds numbers with Neumaier's compensated summation: error independent of the count. */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  value(): number {
    return this.sum + this.compensation;
  }
}

function checkShape(perSample: ArrayLike<number>, n: number, p: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`need at least one sample, got N = ${n}`);
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`need at least one parameter, got P = ${p}`);
  if (perSample.length !== n * p) {
    throw new RangeError(`per-sample gradients hold ${perSample.length} numbers, expected N·P = ${n * p}`);
  }
}

/** Mean of the rows of an N × P matrix, compensated per column. */
export function meanGradient(perSample: ArrayLike<number>, n: number, p: number): Float64Array {
  checkShape(perSample, n, p);
  const sums = Array.from({ length: p }, () => new CompensatedSum());
  for (let i = 0; i < n; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) (sums[j] as CompensatedSum).add(perSample[row + j] as number);
  }
  return Float64Array.from(sums, (s) => s.value() / n);
}

/**
 * G, tr(Σ), ‖G‖² and B_simple. Two passes: the mean first, then the squared deviations from it
 * (never E‖g‖² − ‖G‖², which cancels catastrophically when the noise is small against G).
 */
export function gradientNoiseStats(perSample: ArrayLike<number>, n: number, p: number): GradientNoiseStats {
  const fullGradient = meanGradient(perSample, n, p);
  const deviation = new CompensatedSum();
  for (let i = 0; i < n; i++) {
    const row = i * p;
    let squared = 0;
    for (let j = 0; j < p; j++) {
      const d = (perSample[row + j] as number) - (fullGradient[j] as number);
      squared += d * d;
    }
    deviation.add(squared);
  }
  const traceCovariance = deviation.value() / n;
  const normSq = new CompensatedSum();
  for (let j = 0; j < p; j++) normSq.add((fullGradient[j] as number) ** 2);
  const gradientNormSq = normSq.value();
  return {
    n,
    p,
    fullGradient,
    traceCovariance,
    gradientNormSq,
    simpleNoiseScale: traceCovariance / gradientNormSq,
  };
}

/** Exact E‖g_B − G‖² for batches of B distinct samples out of N: tr(Σ)/B · (N − B)/(N − 1). */
export function expectedBatchError(traceCovariance: number, n: number, batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new RangeError(`batch size must be an integer from 1 to N = ${n}, got ${batchSize}`);
  }
  if (batchSize === n) return 0; // also covers N = 1, where (N − B)/(N − 1) is 0/0
  return (traceCovariance / batchSize) * ((n - batchSize) / (n - 1));
}

/** 1, 2, 4, … up to N, and N itself when it is not a power of two. */
export function batchSizeLadder(n: number): number[] {
  const sizes: number[] = [];
  for (let b = 1; b < n; b *= 2) sizes.push(b);
  sizes.push(n);
  return sizes;
}

export interface BatchNoiseMeasurement {
  batchSize: number;
  /** Number of random batches drawn. */
  batches: number;
  /** Mean over the drawn batches of ‖g_B − G‖². */
  meanSquaredError: number;
  /** Standard error of that mean: sample standard deviation / √batches (0 for one batch). */
  standardError: number;
  /** Mean over the drawn batches of cos(g_B, G) (NaN when G = 0). */
  meanCosine: number;
  /** The exact expectation tr(Σ)/B · (N − B)/(N − 1), for comparison. */
  expected: number;
}

/**
 * Running statistics of the batches drawn at one batch size: Welford's mean and variance of
 * ‖g_B − G‖², and the plain mean of cos(g_B, G). Both the all-at-once and the chunked measurement
 * feed it one batch error g_B − G at a time.
 */
export class BatchErrorTally {
  private count = 0;
  private mean = 0;
  private m2 = 0;
  private cosineSum = 0;

  constructor(
    private readonly fullGradient: Float64Array,
    private readonly gradientNorm: number,
  ) {}

  /** Adds one batch, given its error e = g_B − G. */
  add(error: Float64Array): void {
    const G = this.fullGradient;
    let squared = 0;
    let dot = 0;
    let batchNormSq = 0;
    for (let j = 0; j < G.length; j++) {
      const e = error[j] as number;
      const g = (G[j] as number) + e; // g_B itself
      squared += e * e;
      dot += g * (G[j] as number);
      batchNormSq += g * g;
    }
    this.count++;
    const delta = squared - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (squared - this.mean);
    const gNorm = this.gradientNorm;
    this.cosineSum += gNorm > 0 && batchNormSq > 0 ? dot / (Math.sqrt(batchNormSq) * gNorm) : Number.NaN;
  }

  measurement(batchSize: number, expected: number): BatchNoiseMeasurement {
    const batches = this.count;
    const variance = batches > 1 ? this.m2 / (batches - 1) : 0;
    return {
      batchSize,
      batches,
      meanSquaredError: this.mean,
      standardError: Math.sqrt(variance / batches),
      meanCosine: this.cosineSum / batches,
      expected,
    };
  }
}

export interface BatchNoiseOptions {
  /** Batch sizes to measure (default: `batchSizeLadder(N)`). */
  batchSizes?: readonly number[];
  /** Random batches per batch size (default 200). */
  batchesPerSize?: number;
  /** Seed of the batch draws. */
  seed?: number;
  /** Statistics already computed from the same matrix (saves a pass). */
  stats?: GradientNoiseStats;
}

export interface BatchNoiseResult {
  stats: GradientNoiseStats;
  measurements: BatchNoiseMeasurement[];
}

/**
 * Measures E‖g_B − G‖² and cos(g_B, G) by drawing random batches without replacement.
 *
 * Each batch is the first B entries of a fresh partial Fisher–Yates shuffle, so every B-subset is
 * equally likely and the draws are independent: the standard error of their mean is then the
 * usual s/√M. With d_i = g_i − G, g_B − G is the mean of d over the batch, and since Σ_i d_i = 0
 * it is also −(1/B)·Σ of d over the N − B samples left out: summing whichever set is smaller
 * halves the work for large B and makes B = N exactly 0.
 */
export function measureBatchNoise(
  perSample: ArrayLike<number>,
  n: number,
  p: number,
  options: BatchNoiseOptions = {},
): BatchNoiseResult {
  const stats = options.stats ?? gradientNoiseStats(perSample, n, p);
  const batchSizes = options.batchSizes ?? batchSizeLadder(n);
  const batchesPerSize = options.batchesPerSize ?? 200;
  if (!Number.isInteger(batchesPerSize) || batchesPerSize < 1) {
    throw new RangeError(`batches per size must be a positive integer, got ${batchesPerSize}`);
  }
  const G = stats.fullGradient;
  const gNorm = Math.sqrt(stats.gradientNormSq);

  // Deviations d_i = g_i − G, computed once.
  const deviations = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) deviations[i * p + j] = (perSample[i * p + j] as number) - (G[j] as number);
  }

  const rng = new Rng(options.seed ?? 1);
  const order = new Uint32Array(n);
  const error = new Float64Array(p);
  const measurements = batchSizes.map((batchSize): BatchNoiseMeasurement => {
    const expected = expectedBatchError(stats.traceCovariance, n, batchSize);
    const useComplement = batchSize > n - batchSize;
    const drawn = useComplement ? n - batchSize : batchSize;
    const scale = useComplement ? -1 / batchSize : 1 / batchSize;
    const tally = new BatchErrorTally(G, gNorm);
    for (let m = 1; m <= batchesPerSize; m++) {
      for (let i = 0; i < n; i++) order[i] = i;
      // Partial Fisher–Yates: positions 0..drawn−1 end up a uniform random subset.
      for (let k = 0; k < drawn; k++) {
        const r = k + rng.int(n - k);
        const t = order[k] as number;
        order[k] = order[r] as number;
        order[r] = t;
      }
      error.fill(0);
      for (let k = 0; k < drawn; k++) {
        const row = (order[k] as number) * p;
        for (let j = 0; j < p; j++) error[j] = (error[j] as number) + (deviations[row + j] as number);
      }
      for (let j = 0; j < p; j++) error[j] = (error[j] as number) * scale;
      tally.add(error);
    }
    return tally.measurement(batchSize, expected);
  });
  return { stats, measurements };
}

/**
 * A plain-language reading of B_simple for choosing B (McCandlish et al.: the number of steps
 * needed falls like 1 + B_simple/B, so below B_simple doubling B nearly halves the steps, above it
 * extra samples per batch buy little).
 */
export function describeNoiseScale(simpleNoiseScale: number, n: number): string {
  if (!Number.isFinite(simpleNoiseScale)) {
    return 'The full-dataset gradient is zero here, so every batch is pure noise: training has reached a stationary point.';
  }
  // Three significant digits, as the plot's marker shows it.
  const rounded =
    simpleNoiseScale >= 1000 ? Math.round(simpleNoiseScale) : Number(simpleNoiseScale.toPrecision(3));
  const where =
    simpleNoiseScale >= n
      ? ` That is more than the dataset (N = ${n}): even the full batch is noise-dominated, so larger B keeps paying off.`
      : simpleNoiseScale < 1
        ? ' That is below 1: one sample already points roughly the right way, so large batches mostly waste compute.'
        : '';
  return (
    `The gradient noise scale is B_simple ≈ ${rounded}. For batch sizes well below it, each doubling of B ` +
    'nearly halves the gradient noise and the number of steps needed; far above it, bigger batches ' +
    `barely reduce the steps, so they mostly waste compute.${where}`
  );
}

/**
 * The exact curve tr(Σ)/B · (N − B)/(N − 1) at `count` log-spaced B from 1 to N − 1 (the formula
 * holds for any real B; N itself is left out because its value, 0, has no place on a log axis).
 */
export function expectedErrorCurve(
  traceCovariance: number,
  n: number,
  count = 120,
): { batchSize: number; expected: number }[] {
  if (n < 2) return [];
  const top = Math.log(n - 1);
  const points: { batchSize: number; expected: number }[] = [];
  for (let k = 0; k < count; k++) {
    const batchSize = count > 1 ? Math.exp((top * k) / (count - 1)) : 1;
    points.push({ batchSize, expected: (traceCovariance / batchSize) * ((n - batchSize) / (n - 1)) });
  }
  return points;
}
