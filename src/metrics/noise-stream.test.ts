import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random';
import { expectedBatchError, gradientNoiseStats, measureBatchNoise } from './noise';
import {
  estimateFromSubset,
  planNoiseMeasurement,
  randomSubset,
  StreamingNoise,
  type StreamingNoiseOptions,
} from './noise-stream';

/** N × P gradients: a common drift plus per-sample noise of different scales per column. */
function randomGradients(n: number, p: number, seed: number, drift = 0.3): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) out[i * p + j] = drift * (j + 1) + (1 + j / 2) * rng.normal();
  }
  return out;
}

/** Streams the rows of `g` in chunks of `chunk`, in the order `order` (default 0..n−1). */
function stream(
  g: Float64Array,
  n: number,
  p: number,
  chunk: number,
  options: Partial<StreamingNoiseOptions> = {},
  order?: Uint32Array,
) {
  const acc = new StreamingNoise({ m: n, p, ...options });
  const positions = order ?? Uint32Array.from({ length: n }, (_, i) => i);
  for (let first = 0; first < n; first += chunk) {
    const part = positions.subarray(first, Math.min(n, first + chunk));
    const rows = new Float64Array(part.length * p);
    part.forEach((i, r) => {
      rows.set(g.subarray(i * p, (i + 1) * p), r * p);
    });
    acc.add(part, rows);
  }
  return acc.result();
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

describe('StreamingNoise: chunked equals all at once', () => {
  const n = 200;
  const p = 5;
  const g = randomGradients(n, p, 11);
  const whole = measureBatchNoise(g, n, p, { batchesPerSize: 60, seed: 5 });

  for (const chunk of [1, 7, 64, 200]) {
    it(`chunks of ${chunk} rows: G, tr Σ, ‖G‖², B_simple and every batch measurement agree to 1e-12`, () => {
      const shuffled = randomSubset(n, n, chunk); // any order of arrival
      const streamed = stream(g, n, p, chunk, { batchesPerSize: 60, seed: 5 }, shuffled);
      for (let j = 0; j < p; j++) {
        expect(relative(streamed.stats.fullGradient[j]!, whole.stats.fullGradient[j]!)).toBeLessThan(1e-12);
      }
      expect(relative(streamed.stats.traceCovariance, whole.stats.traceCovariance)).toBeLessThan(1e-12);
      expect(relative(streamed.stats.gradientNormSq, whole.stats.gradientNormSq)).toBeLessThan(1e-12);
      expect(relative(streamed.stats.simpleNoiseScale, whole.stats.simpleNoiseScale)).toBeLessThan(1e-12);
      expect(streamed.measurements).toHaveLength(whole.measurements.length);
      streamed.measurements.forEach((m, k) => {
        const w = whole.measurements[k]!;
        expect(m.batchSize).toBe(w.batchSize);
        expect(m.batches).toBe(w.batches);
        expect(m.expected).toBeCloseTo(w.expected, 12);
        if (m.batchSize === n) {
          // The same batch (all of them): both ≈ 0, not relatively comparable.
          expect(m.meanSquaredError).toBeLessThan(1e-20 * whole.stats.gradientNormSq);
        } else {
          expect(relative(m.meanSquaredError, w.meanSquaredError)).toBeLessThan(1e-10);
          expect(relative(m.standardError, w.standardError)).toBeLessThan(1e-8);
        }
        expect(m.meanCosine).toBeCloseTo(w.meanCosine, 10);
      });
    });
  }

  it('keeps its digits when the gradients share a huge common part (Welford, shifted batch sums)', () => {
    const base = randomGradients(1000, 3, 7, 0);
    const exact = gradientNoiseStats(base, 1000, 3);
    const shifted = base.map((v) => v + 1e8);
    const streamed = stream(shifted, 1000, 3, 100, { batchesPerSize: 20, batchSizes: [1, 10, 500] });
    expect(streamed.stats.traceCovariance).toBeCloseTo(exact.traceCovariance, 5);
    // The batch errors are deviations from G: the 1e8 must cancel exactly, not leave 1e-8·1e8 noise.
    const reference = measureBatchNoise(base, 1000, 3, { batchesPerSize: 20, batchSizes: [1, 10, 500] });
    streamed.measurements.forEach((m, k) => {
      expect(relative(m.meanSquaredError, reference.measurements[k]!.meanSquaredError)).toBeLessThan(1e-6);
    });
  });

  it('refuses a sample twice, a position outside 0..m−1, rows of the wrong length, an early result', () => {
    const acc = new StreamingNoise({ m: 4, p: 2, batchesPerSize: 3 });
    acc.add([0, 1], [1, 2, 3, 4]);
    expect(() => acc.add([1], [1, 2])).toThrow(/added twice/);
    expect(() => acc.add([4], [1, 2])).toThrow(/not in 0\.\.3/);
    expect(() => acc.add([2], [1, 2, 3])).toThrow(/3 gradient numbers for 1 samples/);
    expect(() => acc.result()).toThrow(/only 2 of the 4/);
    expect(() => new StreamingNoise({ m: 4, p: 2, batchSizes: [5] })).toThrow(/from 1 to N = 4/);
  });
});

describe('estimateFromSubset', () => {
  // A population whose statistics are known exactly, and a B_simple near 10.
  const n = 20_000;
  const p = 6;
  const population = randomGradients(n, p, 3, 0.2);
  const truth = gradientNoiseStats(population, n, p);
  const m = 800;

  function subsetEstimate(seed: number) {
    const sample = randomSubset(n, m, seed);
    const acc = new StreamingNoise({ m, p, batchSizes: [1], batchesPerSize: 2 });
    for (let first = 0; first < m; first += 100) {
      const positions = Uint32Array.from({ length: 100 }, (_, r) => first + r);
      const rows = new Float64Array(100 * p);
      positions.forEach((k, r) => {
        const i = sample[k]!;
        rows.set(population.subarray(i * p, (i + 1) * p), r * p);
      });
      acc.add(positions, rows);
    }
    return estimateFromSubset(acc.result().groups, n);
  }

  it('is exact (error 0) when every sample is used', () => {
    const acc = new StreamingNoise({ m: 300, p, batchesPerSize: 2 });
    acc.add(
      Uint32Array.from({ length: 300 }, (_, i) => i),
      population.subarray(0, 300 * p),
    );
    const exact = gradientNoiseStats(population.subarray(0, 300 * p), 300, p);
    const estimate = estimateFromSubset(acc.result().groups, 300);
    expect(relative(estimate.traceCovariance.value, exact.traceCovariance)).toBeLessThan(1e-12);
    expect(relative(estimate.gradientNormSq.value, exact.gradientNormSq)).toBeLessThan(1e-12);
    expect(estimate.traceCovariance.standardError).toBe(0);
    expect(estimate.simpleNoiseScale.standardError).toBe(0);
  });

  it('lands within its stated standard errors of the truth, calibrated over 200 subsets', () => {
    expect(truth.simpleNoiseScale).toBeGreaterThan(3);
    expect(truth.simpleNoiseScale).toBeLessThan(30);
    const within = { trace: 0, norm: 0, scale: 0 };
    const repeats = 200;
    for (let seed = 1; seed <= repeats; seed++) {
      const e = subsetEstimate(seed);
      const z = (est: { value: number; standardError: number }, exact: number) =>
        Math.abs(est.value - exact) / est.standardError;
      // Stated errors are real: a few percent of the value, not huge and not 0.
      expect(e.traceCovariance.standardError).toBeGreaterThan(0.002 * truth.traceCovariance);
      expect(e.traceCovariance.standardError).toBeLessThan(0.1 * truth.traceCovariance);
      // The jackknife's own error makes (estimate − truth)/SE a t with 15 degrees of freedom:
      // beyond 6 with probability 2e-5 per check, so none of these 600 should be.
      expect(z(e.traceCovariance, truth.traceCovariance)).toBeLessThan(6);
      expect(z(e.gradientNormSq, truth.gradientNormSq)).toBeLessThan(6);
      expect(z(e.simpleNoiseScale, truth.simpleNoiseScale)).toBeLessThan(6);
      if (z(e.traceCovariance, truth.traceCovariance) < 2) within.trace++;
      if (z(e.gradientNormSq, truth.gradientNormSq) < 2) within.norm++;
      if (z(e.simpleNoiseScale, truth.simpleNoiseScale) < 2) within.scale++;
    }
    // ±2 SE should hold ~95 % of the time; a jackknife of 16 groups is a little noisy itself
    // (t with 15 degrees of freedom: 94 %), so accept 85–99.5 %: an error twice too small
    // (68 %) or twice too large (99.99 %) fails.
    for (const count of Object.values(within)) {
      expect(count / repeats).toBeGreaterThan(0.85);
      expect(count / repeats).toBeLessThan(0.995);
    }
  });
});

describe('planNoiseMeasurement', () => {
  it('measures every sample of a small problem, with the default ladder and 200 batches', () => {
    const plan = planNoiseMeasurement(512, 105);
    expect(plan.exact).toBe(true);
    expect(Array.from(plan.sample)).toEqual(Array.from({ length: 512 }, (_, i) => i));
    expect(plan.batchSizes.at(-1)).toBe(512);
    expect(plan.batchesPerSize).toBe(200);
  });

  it('takes a random subset of the largest problem and bounds its memory and chunks', () => {
    // N = 20 000, four hidden layers of 64 on 2 inputs: 12 737 parameters.
    const p = 12_737;
    const plan = planNoiseMeasurement(20_000, p);
    expect(plan.exact).toBe(false);
    const m = plan.sample.length;
    expect(m * p).toBeLessThanOrEqual(2 ** 24);
    expect(m).toBeGreaterThan(1000);
    expect(new Set(plan.sample).size).toBe(m);
    expect(Math.max(...plan.sample)).toBeLessThan(20_000);
    expect(plan.chunkRows * p).toBeLessThanOrEqual(2 ** 19);
    expect(plan.batchSizes.at(-1)).toBe(m);
    const bytes = StreamingNoise.bytesFor(m, p, plan.batchSizes.length, plan.batchesPerSize);
    expect(bytes).toBeLessThan(80 * 2 ** 20);
    expect(plan.batchesPerSize).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic from its seed', () => {
    expect(planNoiseMeasurement(20_000, 12_737, { seed: 4 }).sample).toEqual(
      planNoiseMeasurement(20_000, 12_737, { seed: 4 }).sample,
    );
  });

  it('rejects impossible sizes', () => {
    expect(() => planNoiseMeasurement(0, 3)).toThrow(/at least one sample/);
    expect(expectedBatchError(1, 3, 3)).toBe(0);
  });
});
