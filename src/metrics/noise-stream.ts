/**
 * The gradient-noise statistics of `noise.ts`, accumulated over chunks of per-sample gradients so
 * that no more than one chunk of rows is ever held, and estimated from a random subset of the
 * samples, with standard errors, when N × P is too large to use them all.
 *
 * Numerics (float64 throughout):
 * - the mean G and the sum of squared deviations M2 = Σ_i ‖g_i − G‖² are kept per group of
 *   samples by Welford's update (each term (x − mean_old)(x − mean_new) is ≥ 0, so nothing
 *   cancels however large G is against the noise), and groups are combined with Chan et al.'s
 *   pairwise formula M2 = M2_a + M2_b + ‖mean_a − mean_b‖² n_a n_b / (n_a + n_b);
 * - the random batches are drawn up front, exactly as `measureBatchNoise` draws them (same seed,
 *   same batches), and each keeps the sum of its rows' g_i − K, K the mean of the first chunk: the
 *   shift keeps the sums near the deviations from G, so that g_B − G, formed once G is known, does
 *   not lose digits to a large common part.
 *
 * Subsets: the m samples are a uniformly random subset of the N, drawn without replacement. Then
 *   tr Σ̂     = (N − 1)/N · M2/(m − 1)                  (the sample variance is unbiased for
 *                                                       N/(N − 1) · tr Σ under such sampling)
 *   ‖G‖²̂     = ‖Ĝ‖² − tr Σ̂ / m · (N − m)/(N − 1)       (E‖Ĝ‖² = ‖G‖² + E‖Ĝ − G‖², the same law
 *                                                       as a batch of m)
 *   B_simple ≈ tr Σ̂ / ‖G‖²̂,
 * each with a delete-a-group jackknife standard error over G random groups of the subset, times
 * √(1 − m/N) for sampling without replacement (so all three are exact, error 0, at m = N). The
 * batches of the plot are then drawn from the subset: their law is the same with m for N.
 */

import { combineSeeds, Rng } from '../engine/random';
import {
  BatchErrorTally,
  type BatchNoiseMeasurement,
  batchSizeLadder,
  expectedBatchError,
  type GradientNoiseStats,
} from './noise';

/** Groups of the subset for the jackknife: enough for a stable standard error, cheap to combine. */
export const JACKKNIFE_GROUPS = 16;

export interface StreamingNoiseOptions {
  /** Samples measured (the subset size m; N when every sample is used). */
  m: number;
  /** Parameters P. */
  p: number;
  /** Batch sizes to measure, each from 1 to m (default `batchSizeLadder(m)`). */
  batchSizes?: readonly number[];
  /** Random batches per batch size (default 200). */
  batchesPerSize?: number;
  /** Seed of the batch draws (the same draws as `measureBatchNoise` with this seed). */
  seed?: number;
  /** Groups for the jackknife (default 16, at most m). */
  groups?: number;
}

interface Moments {
  count: number;
  mean: Float64Array;
  m2: number;
}

/** Chan et al.'s pairwise combination of two groups' count, mean and M2 (into `into`). */
function combine(into: Moments, other: Moments): void {
  if (other.count === 0) return;
  if (into.count === 0) {
    into.count = other.count;
    into.mean.set(other.mean);
    into.m2 = other.m2;
    return;
  }
  const total = into.count + other.count;
  const weight = other.count / total;
  let deltaSq = 0;
  for (let j = 0; j < into.mean.length; j++) {
    const delta = (other.mean[j] as number) - (into.mean[j] as number);
    deltaSq += delta * delta;
    into.mean[j] = (into.mean[j] as number) + delta * weight;
  }
  into.m2 += other.m2 + deltaSq * into.count * weight;
  into.count = total;
}

export interface StreamingNoiseResult {
  /** Exact statistics of the m samples measured (all N of them, or the subset). */
  stats: GradientNoiseStats;
  /** E‖g_B − G‖² measured on random batches of the m samples. */
  measurements: BatchNoiseMeasurement[];
  /** Per-group moments, for `estimateFromSubset`. */
  groups: { count: number; mean: Float64Array; m2: number }[];
}

/**
 * Accumulates rows (per-sample gradients) in any order and any chunking; `result()` once every
 * one of the m samples has been added exactly once.
 */
export class StreamingNoise {
  readonly m: number;
  readonly p: number;
  readonly batchSizes: readonly number[];
  readonly batchesPerSize: number;
  private readonly groups: Moments[];
  private readonly seen: Uint8Array;
  private received = 0;
  private shift: Float64Array | null = null;
  /** Scratch: one row minus the shift. */
  private readonly shifted: Float64Array;
  /** For each sample, the batches it belongs to: ids memberIds[memberStart[i] .. memberStart[i+1]). */
  private readonly memberStart: Uint32Array;
  private readonly memberIds: Uint32Array;
  /** Σ (g_i − K) over each batch's drawn samples (the batch or its complement), batch-major. */
  private readonly sums: Float64Array;
  private readonly drawnCounts: Uint32Array;

  constructor(options: StreamingNoiseOptions) {
    const { m, p } = options;
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`need at least one sample, got m = ${m}`);
    if (!Number.isInteger(p) || p < 1) throw new RangeError(`need at least one parameter, got P = ${p}`);
    this.m = m;
    this.p = p;
    this.batchSizes = [...(options.batchSizes ?? batchSizeLadder(m))];
    this.batchesPerSize = options.batchesPerSize ?? 200;
    if (!Number.isInteger(this.batchesPerSize) || this.batchesPerSize < 1) {
      throw new RangeError(`batches per size must be a positive integer, got ${this.batchesPerSize}`);
    }
    for (const b of this.batchSizes) expectedBatchError(1, m, b); // rejects sizes outside 1..m
    const groupCount = Math.max(1, Math.min(options.groups ?? JACKKNIFE_GROUPS, m));
    this.groups = Array.from({ length: groupCount }, () => ({ count: 0, mean: new Float64Array(p), m2: 0 }));
    this.seen = new Uint8Array(m);
    this.shifted = new Float64Array(p);

    // The draws of `measureBatchNoise`: per batch, a partial Fisher–Yates of a fresh identity order.
    const batchCount = this.batchSizes.length * this.batchesPerSize;
    this.drawnCounts = new Uint32Array(batchCount);
    const members: Uint32Array[] = [];
    const rng = new Rng(options.seed ?? 1);
    const order = new Uint32Array(m);
    let batch = 0;
    for (const batchSize of this.batchSizes) {
      const drawn = Math.min(batchSize, m - batchSize);
      for (let k = 0; k < this.batchesPerSize; k++) {
        for (let i = 0; i < m; i++) order[i] = i;
        for (let t = 0; t < drawn; t++) {
          const r = t + rng.int(m - t);
          const swap = order[t] as number;
          order[t] = order[r] as number;
          order[r] = swap;
        }
        members.push(order.slice(0, drawn));
        this.drawnCounts[batch++] = drawn;
      }
    }
    const counts = new Uint32Array(m + 1);
    for (const list of members) for (const i of list) counts[i + 1] = (counts[i + 1] as number) + 1;
    for (let i = 0; i < m; i++) counts[i + 1] = (counts[i + 1] as number) + (counts[i] as number);
    this.memberStart = counts;
    this.memberIds = new Uint32Array(counts[m] as number);
    const fill = counts.slice(0, m);
    members.forEach((list, id) => {
      for (const i of list) {
        this.memberIds[fill[i] as number] = id;
        fill[i] = (fill[i] as number) + 1;
      }
    });
    this.sums = new Float64Array(batchCount * p);
  }

  /** Bytes this accumulator holds: batch sums, group means, membership lists. */
  static bytesFor(m: number, p: number, batchSizes: number, batchesPerSize: number): number {
    const batches = batchSizes * batchesPerSize;
    return 8 * p * (batches + JACKKNIFE_GROUPS) + 4 * (m + 1) + 4 * m * batchesPerSize + m;
  }

  /** Samples added so far. */
  get count(): number {
    return this.received;
  }

  /**
   * Adds the gradients of the samples at `positions` (0..m−1; each once over the whole stream),
   * row-major, positions.length × P.
   */
  add(positions: ArrayLike<number>, rows: ArrayLike<number>): void {
    const p = this.p;
    const k = positions.length;
    if (rows.length !== k * p) {
      throw new RangeError(`got ${rows.length} gradient numbers for ${k} samples of ${p} parameters`);
    }
    for (let r = 0; r < k; r++) {
      const position = positions[r] as number;
      if (!Number.isInteger(position) || position < 0 || position >= this.m) {
        throw new RangeError(`sample position ${position} is not in 0..${this.m - 1}`);
      }
      if (this.seen[position]) throw new RangeError(`sample position ${position} was added twice`);
    }
    if (k === 0) return;
    if (!this.shift) {
      const shift = new Float64Array(p);
      for (let r = 0; r < k; r++)
        for (let j = 0; j < p; j++) shift[j] = (shift[j] as number) + (rows[r * p + j] as number);
      for (let j = 0; j < p; j++) shift[j] = (shift[j] as number) / k;
      this.shift = shift;
    }
    const shift = this.shift;
    const groupCount = this.groups.length;
    for (let r = 0; r < k; r++) {
      const position = positions[r] as number;
      this.seen[position] = 1;
      this.received++;
      const row = r * p;
      // Welford, per group.
      const group = this.groups[position % groupCount] as Moments;
      const count = ++group.count;
      const inverse = 1 / count;
      const mean = group.mean;
      let m2 = 0;
      for (let j = 0; j < p; j++) {
        const x = rows[row + j] as number;
        const before = x - (mean[j] as number);
        const after = (mean[j] as number) + before * inverse;
        mean[j] = after;
        m2 += before * (x - after);
      }
      group.m2 += m2;
      // The batches this sample belongs to (g_i − K formed once, added to each).
      const start = this.memberStart[position] as number;
      const end = this.memberStart[position + 1] as number;
      if (end === start) continue;
      const shifted = this.shifted;
      for (let j = 0; j < p; j++) shifted[j] = (rows[row + j] as number) - (shift[j] as number);
      const sums = this.sums;
      for (let e = start; e < end; e++) {
        const base = (this.memberIds[e] as number) * p;
        for (let j = 0; j < p; j++) sums[base + j] = (sums[base + j] as number) + (shifted[j] as number);
      }
    }
  }

  /** The statistics and batch measurements of the m samples. */
  result(): StreamingNoiseResult {
    if (this.received !== this.m) {
      throw new RangeError(`only ${this.received} of the ${this.m} samples were added`);
    }
    const p = this.p;
    const m = this.m;
    const all: Moments = { count: 0, mean: new Float64Array(p), m2: 0 };
    for (const group of this.groups) combine(all, group);
    const fullGradient = all.mean;
    const traceCovariance = all.m2 / m;
    let gradientNormSq = 0;
    for (let j = 0; j < p; j++) gradientNormSq += (fullGradient[j] as number) ** 2;
    const stats: GradientNoiseStats = {
      n: m,
      p,
      fullGradient,
      traceCovariance,
      gradientNormSq,
      simpleNoiseScale: traceCovariance / gradientNormSq,
    };

    const shift = this.shift as Float64Array;
    // G − K: what each batch sum of (g_i − K) is off by per sample.
    const offset = Float64Array.from(fullGradient, (g, j) => g - (shift[j] as number));
    const gNorm = Math.sqrt(gradientNormSq);
    const error = new Float64Array(p);
    let batch = 0;
    const measurements = this.batchSizes.map((batchSize): BatchNoiseMeasurement => {
      const useComplement = batchSize > m - batchSize;
      const scale = useComplement ? -1 / batchSize : 1 / batchSize;
      const tally = new BatchErrorTally(fullGradient, gNorm);
      for (let k = 1; k <= this.batchesPerSize; k++) {
        const drawn = this.drawnCounts[batch] as number;
        const base = batch * p;
        batch++;
        for (let j = 0; j < p; j++) {
          // Σ over the drawn samples of (g_i − G) = Σ (g_i − K) − drawn · (G − K).
          error[j] = ((this.sums[base + j] as number) - drawn * (offset[j] as number)) * scale;
        }
        tally.add(error);
      }
      return tally.measurement(batchSize, expectedBatchError(traceCovariance, m, batchSize));
    });
    return {
      stats,
      measurements,
      groups: this.groups.map((g) => ({ count: g.count, mean: g.mean.slice(), m2: g.m2 })),
    };
  }
}

export interface Estimate {
  value: number;
  /** Standard error (0 when every sample was used: the value is then exact). */
  standardError: number;
}

export interface DatasetNoiseEstimate {
  /** Samples in the dataset, N. */
  n: number;
  /** Samples measured, m (= N: exact). */
  m: number;
  traceCovariance: Estimate;
  gradientNormSq: Estimate;
  simpleNoiseScale: Estimate;
}

function estimates(moments: Moments, n: number): [number, number, number] {
  const m = moments.count;
  const trace = m > 1 ? (((n - 1) / n) * moments.m2) / (m - 1) : 0;
  let normSq = 0;
  for (let j = 0; j < moments.mean.length; j++) normSq += (moments.mean[j] as number) ** 2;
  const bias = m < n ? (trace / m) * ((n - m) / (n - 1)) : 0;
  const signal = normSq - bias;
  return [trace, signal, signal > 0 ? trace / signal : trace > 0 ? Number.POSITIVE_INFINITY : Number.NaN];
}

/**
 * tr Σ, ‖G‖² and B_simple of the whole dataset of N samples from groups of a uniformly random
 * subset (see the top of this file): unbiased tr Σ and ‖G‖², and delete-a-group jackknife
 * standard errors scaled by √(1 − m/N).
 */
export function estimateFromSubset(groups: readonly Moments[], n: number): DatasetNoiseEstimate {
  const p = groups[0]?.mean.length ?? 0;
  const combined = (skip: number): Moments => {
    const into: Moments = { count: 0, mean: new Float64Array(p), m2: 0 };
    groups.forEach((g, index) => {
      if (index !== skip) combine(into, g);
    });
    return into;
  };
  const all = combined(-1);
  const m = all.count;
  if (m < 1 || m > n) throw new RangeError(`a subset of ${m} samples does not fit a dataset of ${n}`);
  const full = estimates(all, n);
  const used = groups.filter((g) => g.count > 0).length;
  const errors: [number, number, number] = [0, 0, 0];
  if (m < n && used > 1) {
    const leaveOut = groups.flatMap((g, index) => (g.count > 0 ? [estimates(combined(index), n)] : []));
    const fpc = Math.sqrt(1 - m / n);
    for (let s = 0; s < 3; s++) {
      const values = leaveOut.map((e) => e[s] as number);
      const mean = values.reduce((a, b) => a + b, 0) / used;
      const spread = values.reduce((a, v) => a + (v - mean) ** 2, 0);
      errors[s] = Math.sqrt(((used - 1) / used) * spread) * fpc;
    }
  } else if (m < n) {
    errors.fill(Number.NaN);
  }
  return {
    n,
    m,
    traceCovariance: { value: full[0], standardError: errors[0] },
    gradientNormSq: { value: full[1], standardError: errors[1] },
    simpleNoiseScale: { value: full[2], standardError: errors[2] },
  };
}

/** A uniformly random subset of m of 0..N−1 (partial Fisher–Yates), in draw order. */
export function randomSubset(n: number, m: number, seed: number): Uint32Array {
  if (!Number.isInteger(m) || m < 1 || m > n) throw new RangeError(`cannot draw ${m} of ${n} samples`);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let t = 0; t < m; t++) {
    const r = t + rng.int(n - t);
    const swap = order[t] as number;
    order[t] = order[r] as number;
    order[r] = swap;
  }
  return order.slice(0, m);
}

/**
 * Gradient numbers measured at most, m × P (128 MiB in float64, streamed a chunk at a time): the
 * engine is held, training paused, while they are computed and summed into the batches, about a
 * second at the largest settings on a slow machine.
 */
export const MAX_MEASURED_NUMBERS = 2 ** 24;
/** Bytes the batch sums may take (they grow with P × batch sizes × batches per size). */
export const MAX_BATCH_SUM_BYTES = 64 * 2 ** 20;
/** Numbers per chunk of rows (4 MiB in float64): what one engine call returns and one message carries. */
export const CHUNK_NUMBERS = 2 ** 19;

/**
 * Random batches per batch size for a fixed amount of work (about `budget` multiply-adds, the
 * rows summed into the batches): 200 for small problems, never under 20.
 */
export function batchesForWork(n: number, p: number, budget = 3e8): number {
  let rowsPerRound = 0;
  for (let b = 1; b < n; b *= 2) rowsPerRound += Math.min(b, n - b);
  const perBatchRound = Math.max(1, rowsPerRound * p + 16 * n);
  return Math.max(20, Math.min(200, Math.floor(budget / perBatchRound)));
}

export interface NoisePlan {
  /** Samples in the dataset, N. */
  n: number;
  p: number;
  /** Dataset indices of the samples measured, in draw order: position k of the stream is sample[k]. */
  sample: Uint32Array;
  /** True when every sample is measured (sample = 0..N−1): the statistics are exact. */
  exact: boolean;
  batchSizes: number[];
  batchesPerSize: number;
  /** Rows per chunk. */
  chunkRows: number;
  seed: number;
}

export interface NoisePlanOptions {
  seed?: number;
  /** Batch-summing work allowed (multiply-adds; default 3e8, a second or so in a worker). */
  work?: number;
  /** Most gradient numbers m × P to measure (default `MAX_MEASURED_NUMBERS`). */
  maxNumbers?: number;
  /** Fixed batches per size (else from the work and memory budgets). */
  batchesPerSize?: number;
}

/**
 * What to measure for N samples of P parameters: all of them while N × P stays within
 * `maxNumbers`, else a random subset of m = ⌊maxNumbers / P⌋; batches per size within the work
 * budget and the batch sums within `MAX_BATCH_SUM_BYTES`; chunks of `CHUNK_NUMBERS`.
 */
export function planNoiseMeasurement(n: number, p: number, options: NoisePlanOptions = {}): NoisePlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`need at least one sample, got N = ${n}`);
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`need at least one parameter, got P = ${p}`);
  const seed = options.seed ?? 1;
  const maxNumbers = options.maxNumbers ?? MAX_MEASURED_NUMBERS;
  const exact = n * p <= maxNumbers;
  const m = exact ? n : Math.min(n, Math.max(2, Math.floor(maxNumbers / p)));
  // A different stream of the seed than the batch draws: the subset does not shape the batches.
  const sample = exact
    ? Uint32Array.from({ length: n }, (_, i) => i)
    : randomSubset(n, m, combineSeeds(seed, 3));
  const batchSizes = batchSizeLadder(m);
  const byMemory = Math.max(2, Math.floor(MAX_BATCH_SUM_BYTES / (8 * p * batchSizes.length)));
  const batchesPerSize = options.batchesPerSize ?? Math.min(batchesForWork(m, p, options.work), byMemory);
  const chunkRows = Math.max(1, Math.min(m, Math.floor(CHUNK_NUMBERS / p)));
  return { n, p, sample, exact, batchSizes, batchesPerSize, chunkRows, seed };
}
