import { describe, expect, it } from 'vitest';
import { xor } from '../data/synthetic';
import { CpuTrainer } from '../engine/cpu/trainer';
import { initParams, paramCount } from '../engine/model';
import { epochPermutation } from '../engine/random';
import type { Dataset, ModelSpec, TrainConfig } from '../engine/types';
import {
  dissectBatch,
  meanAndSpreadBasis,
  parameterBasis,
  parameterNames,
  projectDisplacements,
  projectGradients,
  reductionPaths,
  sequentialVsAveraged,
} from './anatomy';

const dataset: Dataset = xor({ n: 64, noise: 0.1, seed: 4 });
const model: ModelSpec = { inputSize: 2, hidden: [3], outputSize: 1, activation: 'tanh', loss: 'bce' };
const start = initParams(model, 8);
const B = 8;
const seed = 21;
const config = (overrides: Partial<TrainConfig>): TrainConfig => ({
  batchSize: B,
  learningRate: 0.5,
  reduction: 'mean',
  momentum: 0,
  lastBatch: 'drop',
  shuffleSeed: seed,
  ...overrides,
});
/** The samples the trainer's first step uses. */
const firstBatch = epochPermutation(seed, 0, dataset.n).slice(0, B);

describe('dissectBatch', () => {
  for (const reduction of ['mean', 'sum'] as const) {
    it(`gives the CPU trainer's own update, bit for bit (${reduction})`, () => {
      const trainer = new CpuTrainer(dataset, model, config({ reduction }), start);
      expect(Array.from(trainer.nextBatch())).toEqual(Array.from(firstBatch));
      const [trainerLoss] = trainer.stepSync(1);
      const anatomy = dissectBatch(model, start, dataset, firstBatch, { learningRate: 0.5, reduction });
      expect(anatomy.batchLoss).toBe(trainerLoss);
      expect(Array.from(anatomy.weightsAfter)).toEqual(Array.from(trainer.weights));
      expect(Array.from(anatomy.reducedGradient)).toEqual(Array.from(trainer.lastGradient));
      expect(anatomy.datasetLossAfter).toBe(trainer.datasetLossSync());
    });
  }

  it('shows per-sample losses and gradients whose mean is the batch gradient', () => {
    const a = dissectBatch(model, start, dataset, firstBatch, { learningRate: 0.5, reduction: 'mean' });
    const p = paramCount(model);
    const probe = new CpuTrainer(dataset, model, config({}), start);
    expect(Array.from(a.losses)).toEqual(Array.from(probe.perSampleLossesSync(firstBatch)));
    expect(Array.from(a.gradients)).toEqual(Array.from(probe.perSampleGradientsSync(firstBatch)));
    for (let j = 0; j < p; j++) {
      let sum = 0;
      for (let s = 0; s < B; s++) sum += a.gradients[s * p + j]!;
      expect(a.gradientSum[j]).toBeCloseTo(sum, 14);
      expect(a.gradientMean[j]).toBeCloseTo(sum / B, 14);
      expect(a.update[j]).toBeCloseTo(-0.5 * a.gradientMean[j]!, 14);
    }
    expect(a.batchLoss).toBeCloseTo(a.losses.reduce((x, y) => x + y, 0) / B, 14);
    // BCE outputs are probabilities.
    for (const o of a.outputs) expect(o).toBeGreaterThan(0);
    for (const o of a.outputs) expect(o).toBeLessThan(1);
  });

  it('rejects a sample index outside the dataset and an empty batch', () => {
    expect(() => dissectBatch(model, start, dataset, [64], { learningRate: 0.1, reduction: 'mean' })).toThrow(
      /outside the dataset/,
    );
    expect(() => dissectBatch(model, start, dataset, [], { learningRate: 0.1, reduction: 'mean' })).toThrow(
      /at least one sample/,
    );
  });
});

describe('sequentialVsAveraged', () => {
  const result = sequentialVsAveraged(model, start, dataset, firstBatch, 0.5);

  it('walks like a B = 1 trainer over the same samples, and jumps like one B-sized step', () => {
    // A B = 1 trainer with the same seed visits the same permutation one sample at a time.
    const single = new CpuTrainer(dataset, model, config({ batchSize: 1 }), start);
    expect(result.sequential.weights).toHaveLength(B + 1);
    for (let s = 1; s <= B; s++) {
      single.stepSync(1);
      expect(Array.from(result.sequential.weights[s]!)).toEqual(Array.from(single.weights));
      expect(result.sequential.datasetLosses[s]).toBe(single.datasetLossSync());
    }
    const batch = new CpuTrainer(dataset, model, config({}), start);
    batch.stepSync(1);
    expect(Array.from(result.averaged.weights[1]!)).toEqual(Array.from(batch.weights));
    expect(result.averaged.datasetLosses[1]).toBe(batch.datasetLossSync());
  });

  it('lands somewhere else: the sequential walk goes further than the averaged step', () => {
    expect(result.endDistance).toBeGreaterThan(0.1 * result.averagedStepLength);
    expect(result.sequentialDisplacement).toBeGreaterThan(2 * result.averagedStepLength);
  });
});

describe('reductionPaths', () => {
  const steps = 12;
  const paths = reductionPaths(
    model,
    start,
    dataset,
    { batchSize: B, learningRate: 0.5, shuffleSeed: seed },
    steps,
  );

  it('mean with lr equals the CPU trainer with mean and lr', () => {
    const trainer = new CpuTrainer(dataset, model, config({}), start);
    for (let s = 1; s <= steps; s++) {
      trainer.stepSync(1);
      expect(Array.from(paths.meanLr.weights[s]!)).toEqual(Array.from(trainer.weights));
    }
  });

  it('sum with lr/B follows the same path as mean with lr, up to rounding', () => {
    const trainer = new CpuTrainer(
      dataset,
      model,
      config({ reduction: 'sum', learningRate: 0.5 / B }),
      start,
    );
    trainer.stepSync(steps);
    expect(Array.from(paths.sumLrOverB.weights[steps]!)).toEqual(Array.from(trainer.weights));
    // (lr/B)·Σg and lr·(Σg/B) differ only in rounding: a few ulps of the weights (~1e-16 each step).
    expect(paths.maxDifferenceMeanVsScaledSum).toBeLessThan(1e-12);
    expect(paths.firstStepLengths.sumLrOverB).toBeCloseTo(paths.firstStepLengths.meanLr, 14);
  });

  it('sum with unchanged lr takes a B-times larger first step', () => {
    const trainer = new CpuTrainer(dataset, model, config({ reduction: 'sum' }), start);
    trainer.stepSync(steps);
    expect(Array.from(paths.sumLr.weights[steps]!)).toEqual(Array.from(trainer.weights));
    expect(paths.firstStepLengths.sumLr / paths.firstStepLengths.meanLr).toBeCloseTo(B, 10);
  });
});

describe('2-D projection of gradients', () => {
  const a = dissectBatch(model, start, dataset, firstBatch, { learningRate: 0.5, reduction: 'mean' });
  const p = a.paramCount;

  it('puts the mean gradient on the first axis, with orthonormal axes', () => {
    const basis = meanAndSpreadBasis(a.gradients, B, p);
    const [e1, e2] = basis.axes;
    const dot = (u: Float64Array, v: Float64Array) => u.reduce((s, x, j) => s + x * v[j]!, 0);
    expect(dot(e1, e1)).toBeCloseTo(1, 12);
    expect(dot(e2, e2)).toBeCloseTo(1, 12);
    expect(dot(e1, e2)).toBeCloseTo(0, 12);
    const projected = projectGradients(a.gradients, B, p, basis);
    const meanNorm = Math.sqrt(dot(a.gradientMean, a.gradientMean));
    expect(projected.mean[0]).toBeCloseTo(meanNorm, 12);
    expect(projected.mean[1]).toBeCloseTo(0, 12);
    expect(projected.capturedShare).toBeGreaterThan(0);
    expect(projected.capturedShare).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('picks the direction of largest spread (beats every coordinate axis orthogonal to e1)', () => {
    const basis = meanAndSpreadBasis(a.gradients, B, p);
    const spreadAlong = (axis: Float64Array) => {
      let total = 0;
      for (let s = 0; s < B; s++) {
        let c = 0;
        for (let j = 0; j < p; j++) c += a.gradients[s * p + j]! * axis[j]!;
        total += c * c;
      }
      return total;
    };
    const best = spreadAlong(basis.axes[1]);
    // Random unit vectors orthogonal to e1 never show more spread than the chosen one.
    const e1 = basis.axes[0];
    for (let t = 0; t < 20; t++) {
      const v = Float64Array.from({ length: p }, (_, j) => Math.sin(37 * t + 11 * j));
      const c = v.reduce((s, x, j) => s + x * e1[j]!, 0);
      for (let j = 0; j < p; j++) v[j] = v[j]! - c * e1[j]!;
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      for (let j = 0; j < p; j++) v[j] = v[j]! / n;
      expect(spreadAlong(v)).toBeLessThanOrEqual(best * (1 + 1e-9));
    }
  });

  it('projects onto two chosen parameters exactly', () => {
    const names = parameterNames(model);
    expect(names).toHaveLength(p);
    expect(names.slice(0, 3)).toEqual(['W1[0][0]', 'W1[0][1]', 'W1[1][0]']);
    expect(names.at(-1)).toBe('b2[0]');
    const basis = parameterBasis(p, 0, p - 1, names);
    expect(basis.labels).toEqual(['W1[0][0]', 'b2[0]']);
    const projected = projectGradients(a.gradients, B, p, basis);
    expect(projected.samples[0]).toBe(a.gradients[0]);
    expect(projected.samples[1]).toBe(a.gradients[p - 1]);
    expect(() => parameterBasis(p, 1, 1)).toThrow(/two different/);
  });

  it('handles one sample (no spread) without NaN', () => {
    const one = dissectBatch(model, start, dataset, [3], { learningRate: 0.5, reduction: 'mean' });
    const basis = meanAndSpreadBasis(one.gradients, 1, p);
    for (const v of basis.axes[1]) expect(Number.isFinite(v)).toBe(true);
    const projected = projectGradients(one.gradients, 1, p, basis);
    expect(projected.samples[1]).toBeCloseTo(0, 12);
  });
});

describe('projectDisplacements', () => {
  it('puts the averaged step on the negative first axis, at distance lr·‖ḡ‖', () => {
    const a = dissectBatch(model, start, dataset, firstBatch, { learningRate: 0.5, reduction: 'mean' });
    const basis = meanAndSpreadBasis(a.gradients, B, a.paramCount);
    const xy = projectDisplacements([a.weightsBefore, a.weightsAfter], a.weightsBefore, basis);
    const origin = [xy[0], xy[1]];
    const end = [xy[2]!, xy[3]!];
    expect(origin).toEqual([0, 0]);
    const norm = Math.sqrt(a.gradientMean.reduce((s, g) => s + g * g, 0));
    expect(end[0]).toBeCloseTo(-0.5 * norm, 12);
    expect(end[1]).toBeCloseTo(0, 12);
  });
});
