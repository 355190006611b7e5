import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random';
import {
  batchSizeLadder,
  describeNoiseScale,
  expectedBatchError,
  expectedErrorCurve,
  gradientNoiseStats,
  measureBatchNoise,
} from './noise';

/** N × P matrix of gradients: a common drift plus per-sample noise of different scales per column. */
function randomGradients(n: number, p: number, seed: number, drift = 0.3): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) out[i * p + j] = drift * (j + 1) + (1 + j / 2) * rng.normal();
  }
  return out;
}

/** Every k-subset of 0..n−1. */
function* subsets(n: number, k: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) {
    yield chosen.slice();
    return;
  }
  for (let i = start; i < n; i++) {
    chosen.push(i);
    yield* subsets(n, k, i + 1, chosen);
    chosen.pop();
  }
}

describe('gradientNoiseStats', () => {
  it('matches direct formulas on a small matrix', () => {
    // Three samples, two parameters: G = (2, 0); deviations (−1, 1), (0, −2), (1, 1).
    const g = Float64Array.from([1, 1, 2, -2, 3, 1]);
    const stats = gradientNoiseStats(g, 3, 2);
    expect(Array.from(stats.fullGradient)).toEqual([2, 0]);
    expect(stats.traceCovariance).toBeCloseTo((2 + 4 + 2) / 3, 14);
    expect(stats.gradientNormSq).toBe(4);
    expect(stats.simpleNoiseScale).toBeCloseTo(8 / 3 / 4, 14);
  });

  it('stays accurate when the gradients share a huge common part (two-pass, not E‖g‖² − ‖G‖²)', () => {
    const n = 1000;
    const base = randomGradients(n, 3, 7, 0);
    const exact = gradientNoiseStats(base, n, 3).traceCovariance;
    const shifted = base.map((v) => v + 1e8);
    // The one-pass formula loses every digit here (1e16 − 1e16); the two-pass one keeps ~8.
    expect(gradientNoiseStats(shifted, n, 3).traceCovariance).toBeCloseTo(exact, 5);
  });

  it('reports B_simple as Infinity when G = 0 but samples disagree', () => {
    const stats = gradientNoiseStats(Float64Array.from([1, -1]), 2, 1);
    expect(stats.gradientNormSq).toBe(0);
    expect(stats.simpleNoiseScale).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a matrix of the wrong shape with a clear message', () => {
    expect(() => gradientNoiseStats(new Float64Array(5), 2, 3)).toThrow(/expected N·P = 6/);
    expect(() => gradientNoiseStats(new Float64Array(0), 0, 3)).toThrow(/at least one sample/);
  });
});

describe('expectedBatchError', () => {
  it('equals the mean over ALL batches, by exhaustive enumeration (N = 6, every C(6, B) subset)', () => {
    const n = 6;
    const p = 3;
    const g = randomGradients(n, p, 3);
    const stats = gradientNoiseStats(g, n, p);
    for (let b = 1; b <= n; b++) {
      let total = 0;
      let count = 0;
      for (const batch of subsets(n, b)) {
        let squared = 0;
        for (let j = 0; j < p; j++) {
          let sum = 0;
          for (const i of batch) sum += g[i * p + j] as number;
          squared += (sum / b - (stats.fullGradient[j] as number)) ** 2;
        }
        total += squared;
        count++;
      }
      const enumerated = total / count;
      const formula = expectedBatchError(stats.traceCovariance, n, b);
      if (b === n) {
        expect(formula).toBe(0);
        expect(enumerated).toBeLessThan(1e-28);
      } else {
        expect(Math.abs(enumerated - formula)).toBeLessThan(1e-12 * formula);
      }
    }
  });

  it('is tr(Σ) at B = 1 and rejects impossible batch sizes', () => {
    expect(expectedBatchError(2.5, 10, 1)).toBe(2.5);
    expect(expectedBatchError(2.5, 1, 1)).toBe(0);
    expect(() => expectedBatchError(1, 10, 11)).toThrow(/from 1 to N = 10/);
    expect(() => expectedBatchError(1, 10, 0)).toThrow(RangeError);
  });
});

describe('batchSizeLadder', () => {
  it('lists powers of two below N and N itself', () => {
    expect(batchSizeLadder(10)).toEqual([1, 2, 4, 8, 10]);
    expect(batchSizeLadder(8)).toEqual([1, 2, 4, 8]);
    expect(batchSizeLadder(1)).toEqual([1]);
  });
});

describe('measureBatchNoise', () => {
  const n = 200;
  const p = 4;
  const g = randomGradients(n, p, 11);
  const batchesPerSize = 400;
  const result = measureBatchNoise(g, n, p, { batchesPerSize, seed: 5 });

  it('agrees with tr(Σ)/B·(N−B)/(N−1) within 5 standard errors of the sampled mean, for every B', () => {
    // The M batches are independent draws, so the sampled mean is approximately normal with the
    // reported standard error; 5 SE is exceeded with probability < 1e-6 per batch size.
    expect(result.measurements.map((m) => m.batchSize)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 200]);
    for (const m of result.measurements.filter((m) => m.batchSize < n)) {
      expect(m.batches).toBe(batchesPerSize);
      expect(m.standardError).toBeGreaterThan(0);
      // The check has teeth: the standard error is a few percent of the value, not huge.
      expect(m.standardError).toBeLessThan(0.1 * m.expected);
      expect(Math.abs(m.meanSquaredError - m.expected)).toBeLessThan(5 * m.standardError);
    }
  });

  it('tells sampling without replacement from sampling with it (at B = N/2 they differ ~2×)', () => {
    const half = measureBatchNoise(g, n, p, { batchSizes: [100], batchesPerSize, seed: 9 }).measurements[0]!;
    const withReplacement = result.stats.traceCovariance / 100;
    expect(Math.abs(half.meanSquaredError - withReplacement)).toBeGreaterThan(10 * half.standardError);
    expect(Math.abs(half.meanSquaredError - half.expected)).toBeLessThan(5 * half.standardError);
  });

  it('is zero at B = N and its cosine is 1 there', () => {
    const full = result.measurements.at(-1)!;
    expect(full.batchSize).toBe(n);
    expect(full.meanSquaredError).toBeLessThan(1e-20 * result.stats.gradientNormSq);
    expect(full.meanCosine).toBeCloseTo(1, 12);
  });

  it('gives cosines that grow towards 1 with B', () => {
    const cosines = result.measurements.map((m) => m.meanCosine);
    for (let k = 1; k < cosines.length; k++) expect(cosines[k]!).toBeGreaterThan(cosines[k - 1]!);
    expect(cosines[0]!).toBeLessThan(0.6);
  });

  it('is reproducible from its seed', () => {
    const again = measureBatchNoise(g, n, p, { batchesPerSize, seed: 5 });
    expect(again.measurements).toEqual(result.measurements);
  });

  it('rejects a batch size above N', () => {
    expect(() => measureBatchNoise(g, n, p, { batchSizes: [201] })).toThrow(/from 1 to N = 200/);
  });
});

describe('describeNoiseScale', () => {
  it('explains B_simple in words', () => {
    expect(describeNoiseScale(37.24, 4096)).toMatch(/B_simple ≈ 37\.2\b.*doubling of B/);
    expect(describeNoiseScale(12345.6, 20000)).toMatch(/B_simple ≈ 12346\b/);
    expect(describeNoiseScale(5000, 4096)).toMatch(/more than the dataset/);
    expect(describeNoiseScale(Number.POSITIVE_INFINITY, 10)).toMatch(/stationary point/);
  });
});

describe('expectedErrorCurve', () => {
  it('runs from B = 1 (tr Σ) to B = N − 1 and agrees with the formula at integer B', () => {
    const curve = expectedErrorCurve(3, 101, 50);
    expect(curve).toHaveLength(50);
    expect(curve[0]!.batchSize).toBe(1);
    expect(curve[0]!.expected).toBe(3);
    expect(curve.at(-1)!.batchSize).toBeCloseTo(100, 10);
    expect(curve.at(-1)!.expected).toBeCloseTo(expectedBatchError(3, 101, 100), 12);
    for (let k = 1; k < curve.length; k++) expect(curve[k]!.expected).toBeLessThan(curve[k - 1]!.expected);
    expect(expectedErrorCurve(3, 1)).toEqual([]);
  });
});
