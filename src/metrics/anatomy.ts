/**
 * One mini-batch update, dissected, with the CPU reference engine's own functions (so every
 * number here is, by construction, what the CPU engine computes for that step):
 *   1. each sample of the batch goes forward and gets a loss;
 *   2. back-propagation gives each sample its own gradient g_i;
 *   3. the gradients are combined: sum Σ g_i, or mean (1/B)·Σ g_i;
 *   4. ONE update: w ← w − lr · (combined gradient).
 * Plus the two comparisons learners ask about: B sequential single-sample steps against one
 * averaged step, and sum against mean reduction.
 */

import {
  batchLossAndGradient,
  createWorkspace,
  datasetLoss,
  forward,
  sampleLossAndGradient,
} from '../engine/cpu/mlp';
import { paramCount } from '../engine/model';
import { BatchSchedule } from '../engine/schedule';
import type { Dataset, ModelSpec, Reduction, TrainConfig } from '../engine/types';
import { applyUpdate } from '../engine/update';
import { runToEnd, type Steps } from './steps';

function checkInputs(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
) {
  const count = paramCount(model);
  if (params.length !== count) throw new RangeError(`expected ${count} weights, got ${params.length}`);
  if (model.inputSize !== dataset.inputSize) {
    throw new RangeError(
      `the model takes ${model.inputSize} inputs but the dataset has ${dataset.inputSize}`,
    );
  }
  if (indices.length < 1) throw new RangeError('a batch needs at least one sample');
  for (let s = 0; s < indices.length; s++) {
    const i = indices[s] as number;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.n) {
      throw new RangeError(`sample index ${i} is outside the dataset (0 to ${dataset.n - 1})`);
    }
  }
  return count;
}

export interface BatchAnatomy {
  indices: Uint32Array;
  batchSize: number;
  paramCount: number;
  reduction: Reduction;
  learningRate: number;
  /** Network outputs per sample (B × outputSize): probabilities or values. */
  outputs: Float64Array;
  /** Loss of each sample at the starting weights. */
  losses: Float64Array;
  /** Mean of `losses` (the batch loss the loss curve shows). */
  batchLoss: number;
  /** Each sample's gradient, B × P, row-major, in batch order. */
  gradients: Float64Array;
  /** Σ_i g_i, accumulated in batch order as the engine does. */
  gradientSum: Float64Array;
  /** (1/B)·Σ_i g_i. */
  gradientMean: Float64Array;
  /** What the update uses: `gradientSum` or `gradientMean`, by `reduction`. */
  reducedGradient: Float64Array;
  /** The single update Δw = −lr · reducedGradient. */
  update: Float64Array;
  weightsBefore: Float64Array;
  weightsAfter: Float64Array;
  /** Mean loss on the same batch after the update. */
  batchLossAfter: number;
  datasetLossBefore: number;
  datasetLossAfter: number;
}

/** Every stage of one plain-SGD update on the batch `indices` from weights `params`. */
export function dissectBatch(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  options: {
    learningRate: number;
    reduction: Reduction;
    /** The data the "dataset" losses are measured on (default: `dataset`; a subset when large). */
    lossOn?: Dataset;
  },
): BatchAnatomy {
  const p = checkInputs(model, params, dataset, indices);
  const k = indices.length;
  const ws = createWorkspace(model);
  const weightsBefore = Float64Array.from(params);
  const outputs = new Float64Array(k * model.outputSize);
  const losses = new Float64Array(k);
  const gradients = new Float64Array(k * p);
  for (let s = 0; s < k; s++) {
    const index = indices[s] as number;
    losses[s] = sampleLossAndGradient(
      model,
      weightsBefore,
      dataset,
      index,
      ws,
      gradients.subarray(s * p, (s + 1) * p),
    );
    outputs.set(
      forward(model, weightsBefore, dataset.x, index * dataset.inputSize, ws),
      s * model.outputSize,
    );
  }
  // The engine's own reductions, so the numbers match a training step bit for bit.
  const gradientSum = new Float64Array(p);
  const batchLoss = batchLossAndGradient(model, weightsBefore, dataset, indices, 'sum', ws, gradientSum);
  const gradientMean = new Float64Array(p);
  batchLossAndGradient(model, weightsBefore, dataset, indices, 'mean', ws, gradientMean);
  const reducedGradient = options.reduction === 'sum' ? gradientSum : gradientMean;
  const weightsAfter = weightsBefore.slice();
  applyUpdate(weightsAfter, new Float64Array(p), reducedGradient, {
    learningRate: options.learningRate,
    momentum: 0,
  });
  const update = weightsAfter.map((w, j) => w - (weightsBefore[j] as number));
  const after = new Float64Array(p);
  const batchLossAfter = batchLossAndGradient(model, weightsAfter, dataset, indices, 'mean', ws, after);
  return {
    indices: Uint32Array.from(indices),
    batchSize: k,
    paramCount: p,
    reduction: options.reduction,
    learningRate: options.learningRate,
    outputs,
    losses,
    batchLoss,
    gradients,
    gradientSum,
    gradientMean,
    reducedGradient,
    update,
    weightsBefore,
    weightsAfter,
    batchLossAfter,
    datasetLossBefore: datasetLoss(model, weightsBefore, options.lossOn ?? dataset, ws),
    datasetLossAfter: datasetLoss(model, weightsAfter, options.lossOn ?? dataset, ws),
  };
}

export interface WeightPath {
  /** Weights at each point: the start, then after each step. */
  weights: Float64Array[];
  /** Mean loss over the compared batch at each point. */
  batchLosses: number[];
  /** Full-dataset loss at each point. */
  datasetLosses: number[];
}

export interface SequentialVsAveraged {
  /** B single-sample SGD steps, one per sample of the batch in batch order, `learningRate` each. */
  sequential: WeightPath;
  /** One step with the mean gradient of the batch, `learningRate`: start and end. */
  averaged: WeightPath;
  /** Euclidean distance between the two end points. */
  endDistance: number;
  /** Length of the averaged step and the distance the sequential end point lies from the start. */
  averagedStepLength: number;
  sequentialDisplacement: number;
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += ((a[j] as number) - (b[j] as number)) ** 2;
  return Math.sqrt(sum);
}

/**
 * "Apply each sample's delta in turn, or average them?": from the same weights on the same B
 * samples, B sequential steps (each sample's gradient at the weights the previous step left,
 * lr each) against one step with the averaged gradient (lr). The sequential walk moves about B
 * times further, and each of its gradients is taken at a different point.
 */
export function sequentialVsAveraged(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  learningRate: number,
  lossOn: Dataset = dataset,
): SequentialVsAveraged {
  return runToEnd(sequentialVsAveragedSteps(model, params, dataset, indices, learningRate, lossOn));
}

/**
 * `sequentialVsAveraged`, yielding after each point's losses (each a pass over `lossOn`, the
 * data the "dataset" losses are measured on: `dataset`, or a subset of a large one).
 */
export function* sequentialVsAveragedSteps(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  learningRate: number,
  lossOn: Dataset = dataset,
): Steps<SequentialVsAveraged> {
  const p = checkInputs(model, params, dataset, indices);
  const ws = createWorkspace(model);
  const gradient = new Float64Array(p);
  const velocity = new Float64Array(p);
  const config = { learningRate, momentum: 0 };
  const scratch = new Float64Array(p);
  const record = (path: WeightPath, weights: Float64Array) => {
    path.weights.push(weights.slice());
    path.batchLosses.push(batchLossAndGradient(model, weights, dataset, indices, 'mean', ws, scratch));
    path.datasetLosses.push(datasetLoss(model, weights, lossOn, ws));
  };

  const sequential: WeightPath = { weights: [], batchLosses: [], datasetLosses: [] };
  const walker = Float64Array.from(params);
  record(sequential, walker);
  for (let s = 0; s < indices.length; s++) {
    yield;
    batchLossAndGradient(model, walker, dataset, [indices[s] as number], 'mean', ws, gradient);
    applyUpdate(walker, velocity, gradient, config);
    record(sequential, walker);
  }

  const averaged: WeightPath = { weights: [], batchLosses: [], datasetLosses: [] };
  const jumper = Float64Array.from(params);
  yield;
  record(averaged, jumper);
  batchLossAndGradient(model, jumper, dataset, indices, 'mean', ws, gradient);
  applyUpdate(jumper, velocity, gradient, config);
  yield;
  record(averaged, jumper);

  return {
    sequential,
    averaged,
    endDistance: distance(walker, jumper),
    averagedStepLength: distance(params, jumper),
    sequentialDisplacement: distance(params, walker),
  };
}

export interface ReductionPaths {
  /** mean reduction, learning rate lr. */
  meanLr: WeightPath;
  /** sum reduction, learning rate lr/B: the same path as `meanLr` (up to rounding). */
  sumLrOverB: WeightPath;
  /** sum reduction, learning rate lr: B times larger steps. */
  sumLr: WeightPath;
  /** Largest |difference| of any weight between `meanLr` and `sumLrOverB` over the whole path. */
  maxDifferenceMeanVsScaledSum: number;
  /** Length of the first step of each path. */
  firstStepLengths: { meanLr: number; sumLrOverB: number; sumLr: number };
}

/**
 * The same training run (same schedule of batches from the same start) with three settings:
 * mean with lr, sum with lr/B, sum with lr. The identity sum/B = mean makes the first two
 * coincide when every batch holds exactly B samples, so batches follow `lastBatch: 'drop'`.
 */
export function reductionPaths(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  config: Pick<TrainConfig, 'batchSize' | 'learningRate' | 'shuffleSeed'>,
  steps: number,
  lossOn: Dataset = dataset,
): ReductionPaths {
  return runToEnd(reductionPathsSteps(model, params, dataset, config, steps, lossOn));
}

/** `reductionPaths`, yielding after each point's loss (a pass over `lossOn`). */
export function* reductionPathsSteps(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  config: Pick<TrainConfig, 'batchSize' | 'learningRate' | 'shuffleSeed'>,
  steps: number,
  lossOn: Dataset = dataset,
): Steps<ReductionPaths> {
  const p = checkInputs(model, params, dataset, [0]);
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`steps must be a whole number ≥ 0, got ${steps}`);
  const schedule = new BatchSchedule(dataset.n, { ...config, lastBatch: 'drop' });
  const ws = createWorkspace(model);
  const gradient = new Float64Array(p);
  const velocity = new Float64Array(p);
  const B = config.batchSize;

  function* run(reduction: Reduction, learningRate: number): Steps<WeightPath> {
    const weights = Float64Array.from(params);
    const path: WeightPath = { weights: [weights.slice()], batchLosses: [], datasetLosses: [] };
    path.datasetLosses.push(datasetLoss(model, weights, lossOn, ws));
    for (let step = 0; step < steps; step++) {
      const loss = batchLossAndGradient(
        model,
        weights,
        dataset,
        schedule.batch(step),
        reduction,
        ws,
        gradient,
      );
      path.batchLosses.push(loss);
      applyUpdate(weights, velocity, gradient, { learningRate, momentum: 0 });
      path.weights.push(weights.slice());
      yield;
      path.datasetLosses.push(datasetLoss(model, weights, lossOn, ws));
    }
    return path;
  }

  const meanLr = yield* run('mean', config.learningRate);
  yield;
  const sumLrOverB = yield* run('sum', config.learningRate / B);
  yield;
  const sumLr = yield* run('sum', config.learningRate);
  let maxDifference = 0;
  meanLr.weights.forEach((w, s) => {
    const other = sumLrOverB.weights[s] as Float64Array;
    for (let j = 0; j < p; j++)
      maxDifference = Math.max(maxDifference, Math.abs((w[j] as number) - (other[j] as number)));
  });
  const firstStep = (path: WeightPath) =>
    path.weights.length > 1 ? distance(path.weights[0] as Float64Array, path.weights[1] as Float64Array) : 0;
  return {
    meanLr,
    sumLrOverB,
    sumLr,
    maxDifferenceMeanVsScaledSum: maxDifference,
    firstStepLengths: {
      meanLr: firstStep(meanLr),
      sumLrOverB: firstStep(sumLrOverB),
      sumLr: firstStep(sumLr),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A 2-D picture of P-dimensional gradients
// ---------------------------------------------------------------------------------------------

export interface ProjectionBasis {
  /** Two orthonormal directions in parameter space, each of length P. */
  axes: [Float64Array, Float64Array];
  labels: [string, string];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j] as number) * (b[j] as number);
  return sum;
}

function normalise(v: Float64Array): number {
  const norm = Math.sqrt(dot(v, v));
  if (norm > 0) for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / norm;
  return norm;
}

/** A unit vector orthogonal to unit `u`: the coordinate axis least aligned with u, made orthogonal. */
function orthogonalTo(u: Float64Array): Float64Array {
  let best = 0;
  for (let j = 1; j < u.length; j++) if (Math.abs(u[j] as number) < Math.abs(u[best] as number)) best = j;
  const v = new Float64Array(u.length);
  v[best] = 1;
  const c = dot(v, u);
  for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) - c * (u[j] as number);
  normalise(v);
  return v;
}

/**
 * The plane that shows a batch best: the first axis along the mean gradient (so the mean arrow
 * lies on it), the second along the largest spread of the per-sample gradients across it (the
 * leading principal direction of the gradients with their mean-direction component removed,
 * found by power iteration from a fixed start, so it is deterministic).
 */
export function meanAndSpreadBasis(gradients: ArrayLike<number>, k: number, p: number): ProjectionBasis {
  if (p < 2) throw new RangeError('a 2-D projection needs at least two parameters');
  const mean = new Float64Array(p);
  for (let s = 0; s < k; s++)
    for (let j = 0; j < p; j++) mean[j] = (mean[j] as number) + (gradients[s * p + j] as number) / k;
  const first = mean.slice();
  if (normalise(first) === 0) {
    first.fill(0);
    first[0] = 1;
  }
  // Residuals r_s = g_s − (g_s·e1) e1.
  const residuals = new Float64Array(k * p);
  let start = -1;
  let largest = 0;
  for (let s = 0; s < k; s++) {
    const row = residuals.subarray(s * p, (s + 1) * p);
    for (let j = 0; j < p; j++) row[j] = gradients[s * p + j] as number;
    const c = dot(row, first);
    for (let j = 0; j < p; j++) row[j] = (row[j] as number) - c * (first[j] as number);
    const size = dot(row, row);
    if (size > largest) {
      largest = size;
      start = s;
    }
  }
  let second: Float64Array;
  if (start < 0 || largest <= 1e-30 * (dot(mean, mean) + 1e-300)) {
    second = orthogonalTo(first);
  } else {
    // Power iteration u ← G·u on the k × k Gram matrix G = R·Rᵀ of the residuals, from the
    // largest residual: the same iteration as second ← Rᵀ·R·second in parameter space (second =
    // Rᵀ·u), at k² per step instead of 2·k·P (with 12,737 weights that was 100 ms in one task).
    const gram = new Float64Array(k * k);
    for (let s = 0; s < k; s++)
      for (let t = 0; t <= s; t++) {
        const value = dot(residuals.subarray(s * p, (s + 1) * p), residuals.subarray(t * p, (t + 1) * p));
        gram[s * k + t] = value;
        gram[t * k + s] = value;
      }
    let u = new Float64Array(k);
    u[start] = 1;
    for (let iteration = 0; iteration < 200; iteration++) {
      const next = new Float64Array(k);
      for (let s = 0; s < k; s++) {
        let sum = 0;
        for (let t = 0; t < k; t++) sum += (gram[s * k + t] as number) * (u[t] as number);
        next[s] = sum;
      }
      normalise(next);
      const change = distance(next, u);
      u = next;
      if (change < 1e-12) break;
    }
    second = new Float64Array(p);
    for (let s = 0; s < k; s++)
      for (let j = 0; j < p; j++)
        second[j] = (second[j] as number) + (u[s] as number) * (residuals[s * p + j] as number);
    // Exactly orthogonal to the first axis despite rounding.
    const c = dot(second, first);
    for (let j = 0; j < p; j++) second[j] = (second[j] as number) - c * (first[j] as number);
    normalise(second);
  }
  return {
    axes: [first, second],
    labels: ['along the mean gradient', 'largest disagreement between samples'],
  };
}

/** Two parameters' own axes (indices into the flat layout). */
export function parameterBasis(p: number, i: number, j: number, names?: readonly string[]): ProjectionBasis {
  if (i === j || i < 0 || j < 0 || i >= p || j >= p) throw new RangeError('choose two different parameters');
  const a = new Float64Array(p);
  const b = new Float64Array(p);
  a[i] = 1;
  b[j] = 1;
  return { axes: [a, b], labels: [names?.[i] ?? `θ${i}`, names?.[j] ?? `θ${j}`] };
}

export interface ProjectedGradients {
  /** k × 2 coordinates of each per-sample gradient in the basis. */
  samples: Float64Array;
  /** The mean gradient's coordinates (the mean of `samples`, since projection is linear). */
  mean: [number, number];
  /** Share of Σ‖g_i‖² the two axes show (1 = the picture loses nothing). */
  capturedShare: number;
}

export function projectGradients(
  gradients: ArrayLike<number>,
  k: number,
  p: number,
  basis: ProjectionBasis,
): ProjectedGradients {
  const samples = new Float64Array(2 * k);
  let captured = 0;
  let total = 0;
  let mx = 0;
  let my = 0;
  for (let s = 0; s < k; s++) {
    const row = Array.prototype.slice.call(gradients, s * p, (s + 1) * p) as number[];
    const x = dot(row, basis.axes[0]);
    const y = dot(row, basis.axes[1]);
    samples[2 * s] = x;
    samples[2 * s + 1] = y;
    mx += x / k;
    my += y / k;
    captured += x * x + y * y;
    total += dot(row, row);
  }
  return { samples, mean: [mx, my], capturedShare: total > 0 ? captured / total : 1 };
}

/** Human-readable names of the flat parameters, e.g. `W1[2][0]`, `b2[0]` (layers from 1). */
export function parameterNames(model: ModelSpec): string[] {
  const widths = [model.inputSize, ...model.hidden, model.outputSize];
  const names: string[] = [];
  for (let l = 1; l < widths.length; l++) {
    const inputs = widths[l - 1] as number;
    const outputs = widths[l] as number;
    for (let j = 0; j < outputs; j++) for (let i = 0; i < inputs; i++) names.push(`W${l}[${j}][${i}]`);
    for (let j = 0; j < outputs; j++) names.push(`b${l}[${j}]`);
  }
  return names;
}

/** Coordinates of weight vectors relative to `origin` in a basis: k × 2 (e.g. a path of weights). */
export function projectDisplacements(
  points: readonly ArrayLike<number>[],
  origin: ArrayLike<number>,
  basis: ProjectionBasis,
): Float64Array {
  const out = new Float64Array(2 * points.length);
  points.forEach((point, s) => {
    let x = 0;
    let y = 0;
    for (let j = 0; j < origin.length; j++) {
      const d = (point[j] as number) - (origin[j] as number);
      x += d * (basis.axes[0][j] as number);
      y += d * (basis.axes[1][j] as number);
    }
    out[2 * s] = x;
    out[2 * s + 1] = y;
  });
  return out;
}
