import { describe, expect, it } from 'vitest';
import { paramCount } from '../model';
import { Rng } from '../random';
import type { Activation, Dataset, LossKind, ModelSpec } from '../types';
import {
  activate,
  activationDerivative,
  batchLossAndGradient,
  createWorkspace,
  datasetLoss,
  forward,
  perSampleGradients,
  perSampleLosses,
  predict,
  sampleLoss,
  sampleLossAndGradient,
  stableSigmoid,
  stableTanh,
} from './mlp';

const ACTIVATIONS: Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
const LOSSES: LossKind[] = ['mse', 'bce', 'softmax-ce'];
/** Layer shapes: no hidden layer (linear/logistic model), one, two and three hidden layers. */
const HIDDEN_SHAPES: number[][] = [[], [5], [4, 3], [3, 4, 2]];

function outputSizeFor(loss: LossKind): number {
  return loss === 'softmax-ce' ? 3 : loss === 'bce' ? 1 : 2; // mse with 2 outputs checks the sum over k
}

/** A small random dataset whose targets suit `model.loss`. */
function randomDataset(model: ModelSpec, n: number, rng: Rng): Dataset {
  const targetSize = model.loss === 'mse' ? model.outputSize : 1;
  const x = Float64Array.from({ length: n * model.inputSize }, () => rng.uniform(-2, 2));
  const y = Float64Array.from({ length: n * targetSize }, () =>
    model.loss === 'mse' ? rng.normal() : rng.int(model.loss === 'bce' ? 2 : model.outputSize),
  );
  return {
    id: 'random',
    name: 'random',
    task: model.loss === 'mse' ? 'regression' : 'classification',
    n,
    inputSize: model.inputSize,
    targetSize,
    classes: model.loss === 'mse' ? 0 : model.loss === 'bce' ? 2 : model.outputSize,
    x,
    y,
  };
}

function randomParams(model: ModelSpec, rng: Rng): Float64Array {
  // Std 0.7: hidden units are neither saturated nor all near zero, so every term of the
  // gradient is exercised.
  return Float64Array.from({ length: paramCount(model) }, () => 0.7 * rng.normal());
}

/** Smallest |z| over the hidden pre-activations of the sample just run through `forward`. */
function smallestHiddenPreActivation(ws: ReturnType<typeof createWorkspace>): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let l = 1; l < ws.layers.length; l++) {
    for (const z of ws.preActivations[l] as Float64Array) smallest = Math.min(smallest, Math.abs(z));
  }
  return smallest;
}

/**
 * Central differences, (L(θ+h) − L(θ−h)) / 2h. Truncation error is h²·|L'''|/6 ≈ 2e-11·|L'''|;
 * rounding error is about ε·|L|/h ≈ 2.2e-16·|L|/1e-5 ≈ 2e-11·|L|. h = 1e-5 balances the two
 * (the optimum for central differences is near ε^{1/3} ≈ 6e-6). With losses up to ~10 that
 * leaves numerical-gradient errors of up to ~1e-10 absolute (7e-11 measured at worst here).
 */
const H = 1e-5;

function numericalGradient(params: Float64Array, loss: (params: Float64Array) => number): Float64Array {
  const grad = new Float64Array(params.length);
  for (let p = 0; p < params.length; p++) {
    const saved = params[p] as number;
    params[p] = saved + H;
    const plus = loss(params);
    params[p] = saved - H;
    const minus = loss(params);
    params[p] = saved;
    grad[p] = (plus - minus) / (2 * H);
  }
  return grad;
}

/**
 * Max over components of |analytic − numeric| / max(|analytic|, |numeric|, 1e-3). Near-zero
 * components carry the ~1e-10 finite-difference noise, which would make their ratios meaningless,
 * so the 1e-3 floor asks them to agree to 1e-9 absolute instead (a 10× margin over the noise);
 * components of 1e-3 and up must agree to 1e-6 relative. A wrong derivative anywhere (even off
 * by a factor 1 + 1e-5) shows up far above that.
 */
function maxRelativeError(analytic: Float64Array, numeric: Float64Array): number {
  let worst = 0;
  for (let p = 0; p < analytic.length; p++) {
    const a = analytic[p] as number;
    const b = numeric[p] as number;
    worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-3));
  }
  return worst;
}

describe('backpropagation matches central finite differences (float64)', () => {
  for (const loss of LOSSES) {
    for (const activation of ACTIVATIONS) {
      it(`${loss} × ${activation}, every layer shape`, () => {
        const rng = new Rng(1000 + LOSSES.indexOf(loss) * 10 + ACTIVATIONS.indexOf(activation));
        for (const hidden of HIDDEN_SHAPES) {
          const model: ModelSpec = {
            inputSize: 3,
            hidden,
            outputSize: outputSizeFor(loss),
            activation,
            loss,
          };
          const dataset = randomDataset(model, 40, rng);
          const params = randomParams(model, rng);
          const ws = createWorkspace(model);
          const analytic = new Float64Array(paramCount(model));

          let checked = 0;
          for (let index = 0; index < dataset.n && checked < 4; index++) {
            forward(model, params, dataset.x, index * model.inputSize, ws);
            // ReLU has a kink at 0 where the derivative jumps; a perturbation of h moves each
            // z by at most h·max|a| ≈ 1e-4, so samples with every |z| > 1e-2 never cross it.
            if (activation === 'relu' && smallestHiddenPreActivation(ws) < 1e-2) continue;
            sampleLossAndGradient(model, params, dataset, index, ws, analytic);
            const numeric = numericalGradient(params, (p) => sampleLoss(model, p, dataset, index, ws));
            expect(maxRelativeError(analytic, numeric), `hidden [${hidden}] sample ${index}`).toBeLessThan(
              1e-6,
            );
            checked++;
          }
          expect(checked).toBe(4);
        }
      });
    }
  }

  it('the batch gradient (mean and sum) matches finite differences of the batch loss', () => {
    const rng = new Rng(77);
    const model: ModelSpec = {
      inputSize: 2,
      hidden: [6, 4],
      outputSize: 3,
      activation: 'tanh',
      loss: 'softmax-ce',
    };
    const dataset = randomDataset(model, 30, rng);
    const params = randomParams(model, rng);
    const ws = createWorkspace(model);
    const indices = [3, 17, 0, 29, 8, 8, 12]; // a repeated index counts twice
    const meanLoss = (p: Float64Array) => {
      let sum = 0;
      for (const i of indices) sum += sampleLoss(model, p, dataset, i, ws);
      return sum / indices.length;
    };
    const grad = new Float64Array(paramCount(model));
    batchLossAndGradient(model, params, dataset, indices, 'mean', ws, grad);
    expect(maxRelativeError(grad, numericalGradient(params, meanLoss))).toBeLessThan(1e-6);

    batchLossAndGradient(model, params, dataset, indices, 'sum', ws, grad);
    const sumLoss = (p: Float64Array) => meanLoss(p) * indices.length;
    expect(maxRelativeError(grad, numericalGradient(params, sumLoss))).toBeLessThan(1e-6);
  });
});

describe('batch gradient = reduction of per-sample gradients', () => {
  const rng = new Rng(5);
  const model: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'relu', loss: 'bce' };
  const dataset = randomDataset(model, 50, rng);
  const params = randomParams(model, rng);
  const P = paramCount(model);
  const ws = createWorkspace(model);

  /** Adds up rows of a k × P matrix in row order (the order the batch uses). */
  function sumRows(rows: Float64Array, k: number): Float64Array {
    const total = new Float64Array(P);
    for (let s = 0; s < k; s++)
      for (let p = 0; p < P; p++) total[p] = (total[p] as number) + (rows[s * P + p] as number);
    return total;
  }

  it('mean: the batch gradient is the average of the per-sample gradients, the loss their mean loss', () => {
    const indices = [4, 9, 1, 33, 20, 47, 2];
    const rows = perSampleGradients(model, params, dataset, indices);
    const expected = sumRows(rows, indices.length).map((v) => v / indices.length);
    const grad = new Float64Array(P);
    const loss = batchLossAndGradient(model, params, dataset, indices, 'mean', ws, grad);
    // Same additions in the same order, then the same division: identical bits.
    expect(Array.from(grad)).toEqual(Array.from(expected));
    const losses = perSampleLosses(model, params, dataset, indices);
    expect(loss).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / indices.length, 14);
  });

  it('sum: the batch gradient is the sum of the per-sample gradients; the returned loss is still the mean', () => {
    const indices = [4, 9, 1, 33, 20, 47, 2];
    const rows = perSampleGradients(model, params, dataset, indices);
    const grad = new Float64Array(P);
    const loss = batchLossAndGradient(model, params, dataset, indices, 'sum', ws, grad);
    expect(Array.from(grad)).toEqual(Array.from(sumRows(rows, indices.length)));
    const meanGrad = new Float64Array(P);
    expect(batchLossAndGradient(model, params, dataset, indices, 'mean', ws, meanGrad)).toBe(loss);
  });

  it('a batch of one sample gives exactly that sample’s gradient', () => {
    const single = new Float64Array(P);
    sampleLossAndGradient(model, params, dataset, 13, ws, single);
    for (const reduction of ['mean', 'sum'] as const) {
      const grad = new Float64Array(P);
      batchLossAndGradient(model, params, dataset, [13], reduction, ws, grad);
      expect(Array.from(grad)).toEqual(Array.from(single));
    }
  });

  it('B = N gives the full-batch gradient: the gradient of the dataset loss', () => {
    const all = Array.from({ length: dataset.n }, (_, i) => i);
    const grad = new Float64Array(P);
    const loss = batchLossAndGradient(model, params, dataset, all, 'mean', ws, grad);
    expect(loss).toBe(datasetLoss(model, params, dataset));
    const rows = perSampleGradients(model, params, dataset, all);
    const expected = sumRows(rows, dataset.n).map((v) => v / dataset.n);
    expect(Array.from(grad)).toEqual(Array.from(expected));
  });

  it('accumulate adds to the gradient buffer instead of overwriting it', () => {
    const a = new Float64Array(P);
    const b = new Float64Array(P);
    sampleLossAndGradient(model, params, dataset, 1, ws, a);
    sampleLossAndGradient(model, params, dataset, 2, ws, b);
    const both = new Float64Array(P);
    sampleLossAndGradient(model, params, dataset, 1, ws, both);
    sampleLossAndGradient(model, params, dataset, 2, ws, both, true);
    expect(Array.from(both)).toEqual(Array.from(a).map((v, p) => v + (b[p] as number)));
  });
});

describe('activations are finite and correct for large inputs', () => {
  const large = [1e4, -1e4, 1e6, -1e6, 1e300, -1e300, 710, -710, 89, -89];

  it('tanh agrees with Math.tanh to within a few ulps everywhere, including |x| = 1e4 and tiny x', () => {
    for (let x = -30; x <= 30; x += 0.37) {
      expect(Math.abs(stableTanh(x) - Math.tanh(x))).toBeLessThanOrEqual(4 * Number.EPSILON);
    }
    for (const x of [1e-300, 1e-12, -1e-8, 3e-5]) {
      expect(Math.abs(stableTanh(x) / Math.tanh(x) - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
    }
    for (const x of large) expect(stableTanh(x)).toBe(Math.sign(x));
    expect(stableTanh(0)).toBe(0);
  });

  it('sigmoid is finite, in [0, 1], and exact at the extremes', () => {
    for (const x of large) {
      const s = stableSigmoid(x);
      expect(Number.isFinite(s)).toBe(true);
      expect(s).toBeCloseTo(x > 0 ? 1 : 0, 15);
    }
    expect(stableSigmoid(0)).toBe(0.5);
    for (let x = -20; x <= 20; x += 0.5) {
      expect(stableSigmoid(x)).toBeCloseTo(1 / (1 + Math.exp(-x)), 15);
    }
  });

  it('every activation and derivative is finite at |x| up to 1e300', () => {
    for (const activation of ACTIVATIONS) {
      for (const x of [...large, 0, 0.5, -0.5]) {
        const a = activate(activation, x);
        const d = activationDerivative(activation, x, a);
        expect(Number.isFinite(a), `${activation}(${x})`).toBe(true);
        expect(Number.isFinite(d), `${activation}'(${x})`).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
      }
    }
    expect(activate('relu', -1e4)).toBe(0);
    expect(activate('relu', 1e4)).toBe(1e4);
    expect(activationDerivative('tanh', 1e4, activate('tanh', 1e4))).toBe(0);
  });

  it('a tanh network fed |x| = 1e4 gives finite outputs, losses and gradients', () => {
    const model: ModelSpec = { inputSize: 2, hidden: [4], outputSize: 1, activation: 'tanh', loss: 'bce' };
    const dataset: Dataset = {
      id: 'huge',
      name: 'huge',
      task: 'classification',
      n: 2,
      inputSize: 2,
      targetSize: 1,
      classes: 2,
      x: Float64Array.from([1e4, -1e4, -1e4, 1e4]),
      y: Float64Array.from([1, 0]),
    };
    const params = Float64Array.from({ length: paramCount(model) }, (_, p) => (p % 3) - 1);
    const grad = new Float64Array(paramCount(model));
    const loss = batchLossAndGradient(model, params, dataset, [0, 1], 'mean', createWorkspace(model), grad);
    expect(Number.isFinite(loss)).toBe(true);
    expect(grad.every(Number.isFinite)).toBe(true);
  });
});

describe('losses are stable for huge logits', () => {
  /** A model with no hidden layer and weight w on a single input x = 1: the logits are w + b. */
  function logitDataset(target: number): Dataset {
    return {
      id: 'logit',
      name: 'logit',
      task: 'classification',
      n: 1,
      inputSize: 1,
      targetSize: 1,
      classes: 3,
      x: Float64Array.from([1]),
      y: Float64Array.from([target]),
    };
  }

  it('binary cross-entropy from the logit: exact at z = ±1e4, gradient σ(z) − y', () => {
    const model: ModelSpec = { inputSize: 1, hidden: [], outputSize: 1, activation: 'tanh', loss: 'bce' };
    const ws = createWorkspace(model);
    const grad = new Float64Array(2);
    const cases: [number, number, number][] = [
      // [logit, target, expected loss]
      [1e4, 1, 0],
      [1e4, 0, 1e4],
      [-1e4, 0, 0],
      [-1e4, 1, 1e4],
      [0, 1, Math.LN2],
      [40, 1, Math.exp(-40)], // log(1 + e^{−40}) ≈ e^{−40}: log1p keeps it, log(1+x) would give 0
    ];
    for (const [z, y, expected] of cases) {
      const loss = sampleLossAndGradient(model, [z, 0], logitDataset(y), 0, ws, grad);
      expect(loss).toBeCloseTo(expected, 12);
      if (expected > 0) expect(Math.abs(loss / expected - 1)).toBeLessThan(1e-12);
      expect(grad[0]).toBeCloseTo(stableSigmoid(z) - y, 15);
    }
  });

  it('softmax cross-entropy with logits ±1e4: finite loss (log-sum-exp), gradient softmax − onehot', () => {
    const model: ModelSpec = {
      inputSize: 1,
      hidden: [],
      outputSize: 3,
      activation: 'tanh',
      loss: 'softmax-ce',
    };
    const ws = createWorkspace(model);
    const params = Float64Array.from([1e4, 0, -1e4, 0, 0, 0]); // W (3 × 1) then b: logits 1e4, 0, −1e4
    const grad = new Float64Array(6);
    const expectedLoss = [0, 1e4, 2e4];
    for (let target = 0; target < 3; target++) {
      const loss = sampleLossAndGradient(model, params, logitDataset(target), 0, ws, grad);
      expect(loss).toBeCloseTo(expectedLoss[target] as number, 9);
      const softmax = [1, 0, 0];
      for (let k = 0; k < 3; k++) {
        const delta = (softmax[k] as number) - (k === target ? 1 : 0);
        expect(grad[k]).toBeCloseTo(delta, 15); // ∂/∂W[k][0] = δ_k · x, x = 1
        expect(grad[3 + k]).toBeCloseTo(delta, 15); // ∂/∂b[k] = δ_k
      }
    }
    const probabilities = forward(model, params, [1], 0, ws);
    expect(Array.from(probabilities)).toEqual([1, 0, 0]);
  });

  it('squared error is ½·Σ(ŷ − y)² with a linear output', () => {
    const model: ModelSpec = { inputSize: 1, hidden: [], outputSize: 2, activation: 'relu', loss: 'mse' };
    const dataset: Dataset = {
      id: 'mse',
      name: 'mse',
      task: 'regression',
      n: 1,
      inputSize: 1,
      targetSize: 2,
      classes: 0,
      x: Float64Array.from([2]),
      y: Float64Array.from([1, -1]),
    };
    // ŷ = [3·2 + 0.5, −1·2 + 0] = [6.5, −2]; loss = ½(5.5² + 1²) = 15.625
    expect(sampleLoss(model, [3, -1, 0.5, 0], dataset, 0, createWorkspace(model))).toBe(15.625);
  });
});

describe('predict and whole-dataset helpers', () => {
  it('predict returns the forward-pass outputs row by row', () => {
    const rng = new Rng(9);
    const model: ModelSpec = {
      inputSize: 2,
      hidden: [5],
      outputSize: 3,
      activation: 'sigmoid',
      loss: 'softmax-ce',
    };
    const params = randomParams(model, rng);
    const inputs = Float64Array.from({ length: 2 * 6 }, () => rng.uniform(-3, 3));
    const out = predict(model, params, inputs);
    expect(out.length).toBe(6 * 3);
    const ws = createWorkspace(model);
    for (let r = 0; r < 6; r++) {
      const row = forward(model, params, inputs, r * 2, ws);
      expect(Array.from(out.subarray(r * 3, r * 3 + 3))).toEqual(Array.from(row));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
  });

  it('datasetLoss is the mean of the per-sample losses', () => {
    const rng = new Rng(10);
    const model: ModelSpec = { inputSize: 3, hidden: [4], outputSize: 2, activation: 'tanh', loss: 'mse' };
    const dataset = randomDataset(model, 25, rng);
    const params = randomParams(model, rng);
    const losses = perSampleLosses(
      model,
      params,
      dataset,
      Array.from({ length: 25 }, (_, i) => i),
    );
    expect(datasetLoss(model, params, dataset)).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / 25, 14);
  });
});
