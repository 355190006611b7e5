/**
 * The sweep on a problem whose answer is known: linear regression with a quadratic loss, where
 * with a tuned learning rate the steps to a target fall exactly as 1/B for small B.
 *
 * Why (and how exactly): with the samples visited in one order (one shuffle seed for every B),
 * one step of batch size B at learning rate B·η moves the weights by −η·Σ g_i over its B samples,
 * and B steps of batch size 1 at η move them by the same sum up to O(B·η·λ_max) relative
 * corrections (each g_i is evaluated a few small steps later). So the runs of (1, η), (2, 2η),
 * (4, 4η), … follow nearly the same path through the same samples, and reach the target after
 * nearly the same number of samples: steps × B is constant, S ∝ 1/B. A learning-rate grid whose
 * ratio is √2 holds every one of those pairs (doubling B moves two grid points up), so picking
 * each B's best learning rate keeps the property. It breaks down where B·η·λ_max stops being
 * small, i.e. around the critical batch size, which McCandlish et al.'s B_simple estimates; the
 * test checks that B_simple at the target is far above the B tested, so it is in the 1/B regime.
 *
 * Tolerance, 8 % on S(B)·B/S(1): the McCandlish model predicts (1 + B/B_noise)/(1 + 1/B_noise)
 * − 1 ≤ 5 % at B = 8 with B_noise ≥ 150 (asserted); the corrections B·η·λ_max are ≤ 0.15 per
 * step but average out along the path (about 1 % measured); the crossing is interpolated between
 * evaluations at most 16 samples apart (well under 1 % of ~250 samples). Measured: within 1 %.
 * Many inputs (16) make the excess loss a sum of many terms, so no single lucky step can carry
 * a large learning rate across the target (which, with 2 inputs, makes crossings a lottery).
 */

import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../engine/cpu/engine';
import { Rng } from '../../engine/random';
import type { Dataset, ModelSpec } from '../../engine/types';
import { bestRunPerBatchSize } from './outcome';
import { runSweep } from './runner';

const D = 16;
const N = 2048;
const SIGMA = 1;

function linearData(): Dataset {
  const rng = new Rng(11);
  const x = new Float64Array(D * N);
  const y = new Float64Array(N);
  const wStar = Array.from({ length: D }, () => rng.normal());
  for (let i = 0; i < N; i++) {
    let t = 0;
    for (let j = 0; j < D; j++) {
      const v = rng.normal();
      x[D * i + j] = v;
      t += (wStar[j] as number) * v;
    }
    y[i] = t + SIGMA * rng.normal();
  }
  return {
    id: 'linear',
    name: 'Linear regression',
    task: 'regression',
    n: N,
    inputSize: D,
    targetSize: 1,
    classes: 0,
    x,
    y,
  };
}

/** The least-squares loss ½·mean (w·x + b − y)², solved exactly from the normal equations. */
function lossFloor(data: Dataset): number {
  const p = D + 1;
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  const features = new Float64Array(p);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < D; j++) features[j] = data.x[D * i + j] as number;
    features[D] = 1;
    for (let r = 0; r < p; r++) {
      const row = a[r] as Float64Array;
      for (let c = 0; c < p; c++)
        row[c] = (row[c] as number) + (features[r] as number) * (features[c] as number);
      row[p] = (row[p] as number) + (features[r] as number) * (data.y[i] as number);
    }
  }
  // Gaussian elimination (the matrix is symmetric positive definite: no pivoting needed).
  for (let c = 0; c < p; c++) {
    const pivot = a[c] as Float64Array;
    for (let r = c + 1; r < p; r++) {
      const row = a[r] as Float64Array;
      const f = (row[c] as number) / (pivot[c] as number);
      for (let k = c; k <= p; k++) row[k] = (row[k] as number) - f * (pivot[k] as number);
    }
  }
  const w = new Float64Array(p);
  for (let c = p - 1; c >= 0; c--) {
    const row = a[c] as Float64Array;
    let s = row[p] as number;
    for (let k = c + 1; k < p; k++) s -= (row[k] as number) * (w[k] as number);
    w[c] = s / (row[c] as number);
  }
  let sum = 0;
  for (let i = 0; i < N; i++) {
    let e = (w[D] as number) - (data.y[i] as number);
    for (let j = 0; j < D; j++) e += (w[j] as number) * (data.x[D * i + j] as number);
    sum += 0.5 * e * e;
  }
  return sum / N;
}

describe('steps to target on linear regression', () => {
  it('fall as 1/B at small B, with the best learning rate growing as B', async () => {
    const data = linearData();
    const model: ModelSpec = { inputSize: D, hidden: [], outputSize: 1, activation: 'linear', loss: 'mse' };
    const target = lossFloor(data) + 0.05;
    const learningRates = Array.from({ length: 14 }, (_, i) => 0.002 * Math.SQRT2 ** i);
    const sizes = [1, 2, 4, 8];
    for (const shuffleSeed of [2, 3]) {
      const result = await runSweep(new CpuEngine(data, model), {
        batchSizes: sizes,
        learningRates,
        target,
        maxEpochs: 50,
        maxSteps: 1e6,
        initSeed: 1,
        shuffleSeed,
        evaluationFloor: 16,
      });
      const best = bestRunPerBatchSize(result.runs);
      const one = best.get(1);
      expect(one).toBeDefined();
      if (!one) return;
      // Several evaluations before the crossing: it is measured, not the first interval's guess.
      expect(one.crossing.stepBefore).toBeGreaterThanOrEqual(64);
      for (const b of sizes) {
        const run = best.get(b);
        expect(run?.simpleNoiseScale).toBeGreaterThan(150);
        const samplesRatio = ((run?.crossing.step as number) * b) / one.crossing.step;
        expect(Math.abs(samplesRatio - 1)).toBeLessThan(0.08);
        // The best learning rate scales as B, within one grid step (√2).
        const lrRatio = (run?.learningRate as number) / (one.learningRate * b);
        expect(Math.abs(Math.log(lrRatio))).toBeLessThanOrEqual(Math.log(Math.SQRT2) + 1e-9);
      }
    }
  });
});
