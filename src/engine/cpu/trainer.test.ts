import { describe, expect, it } from 'vitest';
import { circles } from '../../data/synthetic';
import { initParams, paramCount } from '../model';
import { epochPermutation } from '../random';
import { stepsPerEpoch } from '../schedule';
import type { Dataset, ModelSpec, TrainConfig } from '../types';
import { batchLossAndGradient, createWorkspace, datasetLoss, sampleLossAndGradient } from './mlp';
import { CpuTrainer } from './trainer';

const N = 50; // not a multiple of 3, 7 or 32
const dataset: Dataset = circles({ n: N, noise: 0.1, seed: 3 });
const model: ModelSpec = { inputSize: 2, hidden: [6, 5], outputSize: 1, activation: 'tanh', loss: 'bce' };
const initial = initParams(model, 11);

function config(overrides: Partial<TrainConfig>): TrainConfig {
  return {
    batchSize: 7,
    learningRate: 0.1,
    reduction: 'mean',
    momentum: 0,
    lastBatch: 'keep',
    shuffleSeed: 42,
    ...overrides,
  };
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('epochs visit every sample exactly once', () => {
  for (const batchSize of [1, 3, 7, 32, N]) {
    for (const lastBatch of ['keep', 'drop'] as const) {
      it(`B = ${batchSize}, ${lastBatch} the last partial batch`, () => {
        const trainer = new CpuTrainer(dataset, model, config({ batchSize, lastBatch }), initial);
        const perEpoch = stepsPerEpoch(N, batchSize, lastBatch);
        const expectedDistinct = lastBatch === 'keep' ? N : Math.floor(N / batchSize) * batchSize;
        for (let epoch = 0; epoch < 3; epoch++) {
          const visits = new Uint32Array(N);
          for (let s = 0; s < perEpoch; s++) {
            const batch = trainer.nextBatch();
            const isLast = s === perEpoch - 1;
            expect(batch.length).toBe(
              isLast && lastBatch === 'keep' && N % batchSize ? N % batchSize : batchSize,
            );
            for (const i of batch) visits[i] = (visits[i] as number) + 1;
            trainer.stepSync(1);
          }
          expect(visits.every((count) => count <= 1)).toBe(true);
          expect(visits.reduce((sum, count) => sum + count, 0)).toBe(expectedDistinct);
          expect(trainer.progressSync().epoch).toBe(epoch + 1);
          expect(trainer.progressSync().samplesSeen).toBe((epoch + 1) * expectedDistinct);
        }
      });
    }
  }

  it('different epochs use different orders', () => {
    const trainer = new CpuTrainer(dataset, model, config({ batchSize: N }), initial);
    const first = trainer.nextBatch();
    trainer.stepSync(1);
    expect(Array.from(trainer.nextBatch())).not.toEqual(Array.from(first));
  });
});

describe('reproducibility', () => {
  it('the same seeds give bit-identical weights and losses', () => {
    const a = new CpuTrainer(dataset, model, config({ momentum: 0.9 }), initial);
    const b = new CpuTrainer(dataset, model, config({ momentum: 0.9 }), initial);
    const lossesA = a.stepSync(40);
    const lossesB = b.stepSync(40);
    expect(sameBits(a.weights, b.weights)).toBe(true);
    expect(sameBits(lossesA, lossesB)).toBe(true);
  });

  it('a different shuffle seed or initialisation seed gives a different run', () => {
    const reference = new CpuTrainer(dataset, model, config({}), initial);
    const otherShuffle = new CpuTrainer(dataset, model, config({ shuffleSeed: 43 }), initial);
    const otherInit = new CpuTrainer(dataset, model, config({}), initParams(model, 12));
    for (const trainer of [reference, otherShuffle, otherInit]) trainer.stepSync(20);
    expect(sameBits(reference.weights, otherShuffle.weights)).toBe(false);
    expect(sameBits(reference.weights, otherInit.weights)).toBe(false);
  });

  it('does not modify the initial weights it was given', () => {
    const copy = initial.slice();
    new CpuTrainer(dataset, model, config({}), initial).stepSync(5);
    expect(sameBits(initial, copy)).toBe(true);
  });
});

describe('steps use the batch gradient at the weights before the update', () => {
  const P = paramCount(model);
  const ws = createWorkspace(model);

  it('B = 1: one step moves the weights by −lr × the first sample’s gradient (exactly)', () => {
    const trainer = new CpuTrainer(dataset, model, config({ batchSize: 1 }), initial);
    const first = epochPermutation(42, 0, N)[0] as number;
    const grad = new Float64Array(P);
    const loss = sampleLossAndGradient(model, initial, dataset, first, ws, grad);
    const [batchLoss] = trainer.stepSync(1);
    expect(batchLoss).toBe(loss);
    expect(
      sameBits(
        trainer.weights,
        initial.map((w, p) => w - 0.1 * (grad[p] as number)),
      ),
    ).toBe(true);
  });

  it('B = N: the step is full-batch gradient descent on the dataset loss', () => {
    const trainer = new CpuTrainer(dataset, model, config({ batchSize: N }), initial);
    const all = Array.from({ length: N }, (_, i) => i);
    const fullGrad = new Float64Array(P);
    batchLossAndGradient(model, initial, dataset, all, 'mean', ws, fullGrad);
    const [batchLoss] = trainer.stepSync(1);
    // The trainer visits the samples in shuffled order, so sums differ only by rounding
    // (a few ulps of each partial sum: 1e-14 relative is ample, 1e-9 would flag a real error).
    expect(batchLoss).toBeCloseTo(datasetLoss(model, initial, dataset), 14);
    for (let p = 0; p < P; p++) {
      const expected = (initial[p] as number) - 0.1 * (fullGrad[p] as number);
      expect(Math.abs((trainer.weights[p] as number) - expected)).toBeLessThan(1e-14);
    }
  });

  it('the batch loss is measured before the update', () => {
    const trainer = new CpuTrainer(dataset, model, config({ batchSize: N }), initial);
    const before = trainer.datasetLossSync();
    const [batchLoss] = trainer.stepSync(1);
    expect(batchLoss).toBeCloseTo(before, 14);
    expect(trainer.datasetLossSync()).toBeLessThan(before);
  });
});

describe("'sum' with lr/B follows the same trajectory as 'mean' with lr", () => {
  // Σg·(lr/B) and (Σg/B)·lr differ only by rounding (~1e-16 relative per step); over 120 steps
  // of a contracting, smooth training run such differences stay below ~1e-12, so 1e-10 is a
  // safe bound that a real mismatch (e.g. dividing by the wrong B) exceeds by orders of magnitude.
  const cases: [string, Partial<TrainConfig>, Dataset][] = [
    ['B divides N (keep)', { batchSize: 10 }, dataset],
    ['B does not divide N (drop)', { batchSize: 7, lastBatch: 'drop' }, dataset],
    ['with momentum 0.9', { batchSize: 5, momentum: 0.9, learningRate: 0.05 }, dataset],
  ];
  for (const [label, overrides, data] of cases) {
    it(label, () => {
      const B = overrides.batchSize ?? 7;
      const lr = overrides.learningRate ?? 0.1;
      const mean = new CpuTrainer(
        data,
        model,
        config({ ...overrides, reduction: 'mean', learningRate: lr }),
        initial,
      );
      const sum = new CpuTrainer(
        data,
        model,
        config({ ...overrides, reduction: 'sum', learningRate: lr / B }),
        initial,
      );
      const meanLosses = mean.stepSync(120);
      const sumLosses = sum.stepSync(120);
      let worst = 0;
      for (let p = 0; p < mean.weights.length; p++) {
        worst = Math.max(worst, Math.abs((mean.weights[p] as number) - (sum.weights[p] as number)));
      }
      expect(worst).toBeLessThan(1e-10);
      expect(sameBits(mean.weights, initial)).toBe(false); // it did train
      for (let s = 0; s < meanLosses.length; s++) {
        expect(Math.abs((meanLosses[s] as number) - (sumLosses[s] as number))).toBeLessThan(1e-10);
      }
    });
  }

  it('with a kept smaller last batch the two differ (mean divides by the actual batch size)', () => {
    const mean = new CpuTrainer(dataset, model, config({ batchSize: 7, reduction: 'mean' }), initial);
    const sum = new CpuTrainer(
      dataset,
      model,
      config({ batchSize: 7, reduction: 'sum', learningRate: 0.1 / 7 }),
      initial,
    );
    mean.stepSync(8); // 7 full batches, then the last batch of 50 − 49 = 1 sample
    sum.stepSync(8);
    let worst = 0;
    for (let p = 0; p < mean.weights.length; p++) {
      worst = Math.max(worst, Math.abs((mean.weights[p] as number) - (sum.weights[p] as number)));
    }
    expect(worst).toBeGreaterThan(1e-6);
  });
});

describe('input validation', () => {
  it('rejects bad configs, models and weights with readable messages', () => {
    expect(() => new CpuTrainer(dataset, model, config({ batchSize: 0 }), initial)).toThrow(/batch size/);
    expect(() => new CpuTrainer(dataset, model, config({ batchSize: N + 1 }), initial)).toThrow(/batch size/);
    expect(() => new CpuTrainer(dataset, model, config({ batchSize: 2.5 }), initial)).toThrow(/batch size/);
    expect(() => new CpuTrainer(dataset, model, config({ learningRate: Number.NaN }), initial)).toThrow(
      /learning rate/,
    );
    expect(() => new CpuTrainer(dataset, model, config({ momentum: 1 }), initial)).toThrow(/momentum/);
    expect(() => new CpuTrainer(dataset, model, config({}), initial.subarray(1))).toThrow(/weights/);
    expect(() => new CpuTrainer(dataset, { ...model, inputSize: 3 }, config({}), initial)).toThrow(/inputs/);
  });
});
