/**
 * The loss landscape of a two-parameter model, where the whole of parameter space fits on a page:
 * linear regression ŷ = w·x + b with squared error (ModelSpec with no hidden layer, one input,
 * one output: the flat parameters are exactly [w, b]). Everything is computed by the CPU
 * reference engine: the grid of full-dataset losses, the trajectories (real `CpuTrainer` runs),
 * and the per-sample gradient arrows.
 */

import { createWorkspace, datasetLoss, perSampleGradients } from '../engine/cpu/mlp';
import { CpuTrainer } from '../engine/cpu/trainer';
import { paramCount } from '../engine/model';
import { Rng } from '../engine/random';
import type { Dataset, ModelSpec } from '../engine/types';
import { runToEnd, type Steps } from './steps';

/** ŷ = w·x + b, loss ½(ŷ − y)²: parameters [w, b]. */
export const LINE_MODEL: ModelSpec = {
  inputSize: 1,
  hidden: [],
  outputSize: 1,
  activation: 'linear',
  loss: 'mse',
};

export interface LineDatasetOptions {
  n: number;
  seed: number;
  /** True slope and intercept of the line the points scatter around. */
  slope?: number;
  intercept?: number;
  /** Standard deviation of the Gaussian noise on y. */
  noise?: number;
  /** x is uniform in [xMin, xMax]. An interval off-centre from 0 couples w and b, so the bowl is a tilted, elongated ellipse. */
  xMin?: number;
  xMax?: number;
}

/** Points scattered around a line, from a seed. */
export function lineDataset(options: LineDatasetOptions): Dataset {
  const n = Number.isFinite(options.n) ? Math.max(1, Math.round(options.n)) : 1;
  const { slope = 1.5, intercept = -1, noise = 0.6, xMin = -1, xMax = 3 } = options;
  const rng = new Rng(options.seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform(xMin, xMax);
    y[i] = slope * (x[i] as number) + intercept + noise * rng.normal();
  }
  return {
    id: 'line',
    name: 'Noisy line',
    task: 'regression',
    n,
    inputSize: 1,
    targetSize: 1,
    classes: 0,
    x,
    y,
    featureNames: ['x'],
    targetName: 'y',
  };
}

function checkTwoParameters(model: ModelSpec): void {
  const count = paramCount(model);
  if (count !== 2)
    throw new RangeError(`the landscape needs a model with exactly 2 parameters, this one has ${count}`);
}

/** The least-squares line (the bottom of the bowl) for a 1-D regression dataset. */
export function leastSquaresLine(dataset: Dataset): { w: number; b: number } {
  if (dataset.inputSize !== 1 || dataset.targetSize !== 1)
    throw new RangeError('needs one input and one target');
  const n = dataset.n;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += (dataset.x[i] as number) / n;
    my += (dataset.y[i] as number) / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (dataset.x[i] as number) - mx;
    sxy += dx * ((dataset.y[i] as number) - my);
    sxx += dx * dx;
  }
  const w = sxx > 0 ? sxy / sxx : 0;
  return { w, b: my - w * mx };
}

export interface Extent {
  w: [number, number];
  b: [number, number];
}

export interface LossGrid {
  /** Grid points along w (columns) and b (rows). */
  nw: number;
  nb: number;
  extent: Extent;
  /** Full-dataset loss, row-major with w varying fastest: values[ib·nw + iw]. */
  values: Float64Array;
  min: number;
  max: number;
}

/** Full-dataset mean loss at every point of an nw × nb grid over `extent` (corners included). */
export function lossGrid(model: ModelSpec, dataset: Dataset, extent: Extent, nw = 60, nb = 60): LossGrid {
  return runToEnd(lossGridSteps(model, dataset, extent, nw, nb));
}

/**
 * `lossGrid` as a generator that yields after each row of the grid, so a page can compute it a
 * slice at a time (72 × 72 full-dataset losses took 20–40 ms in one task on first use).
 */
export function* lossGridSteps(
  model: ModelSpec,
  dataset: Dataset,
  extent: Extent,
  nw = 60,
  nb = 60,
): Steps<LossGrid> {
  checkTwoParameters(model);
  if (nw < 2 || nb < 2) throw new RangeError('the grid needs at least 2 × 2 points');
  const ws = createWorkspace(model);
  const values = new Float64Array(nw * nb);
  const params = new Float64Array(2);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let ib = 0; ib < nb; ib++) {
    params[1] = extent.b[0] + ((extent.b[1] - extent.b[0]) * ib) / (nb - 1);
    for (let iw = 0; iw < nw; iw++) {
      params[0] = extent.w[0] + ((extent.w[1] - extent.w[0]) * iw) / (nw - 1);
      const loss = datasetLoss(model, params, dataset, ws);
      values[ib * nw + iw] = loss;
      if (loss < min) min = loss;
      if (loss > max) max = loss;
    }
    if (ib < nb - 1) yield;
  }
  return { nw, nb, extent, values, min, max };
}

export interface Trajectory {
  batchSize: number;
  learningRate: number;
  /** (steps + 1) × 2: the start, then [w, b] after each step. */
  points: Float64Array;
  /** Full-dataset loss at each point. */
  losses: Float64Array;
  /** The sample indices each step used (steps entries). */
  batches: Uint32Array[];
}

/** A real CPU training run from `start`, recording every point it visits. */
export function trainTrajectory(
  model: ModelSpec,
  dataset: Dataset,
  start: readonly [number, number],
  options: { batchSize: number; learningRate: number; shuffleSeed: number; steps: number },
): Trajectory {
  checkTwoParameters(model);
  const trainer = new CpuTrainer(
    dataset,
    model,
    {
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      reduction: 'mean',
      momentum: 0,
      lastBatch: 'keep',
      shuffleSeed: options.shuffleSeed,
    },
    start,
  );
  const steps = Math.max(0, Math.floor(options.steps));
  const points = new Float64Array(2 * (steps + 1));
  const losses = new Float64Array(steps + 1);
  const batches: Uint32Array[] = [];
  points.set(trainer.weights, 0);
  losses[0] = trainer.datasetLossSync();
  for (let s = 1; s <= steps; s++) {
    batches.push(trainer.nextBatch());
    trainer.stepSync(1);
    points.set(trainer.weights, 2 * s);
    losses[s] = trainer.datasetLossSync();
  }
  return { batchSize: options.batchSize, learningRate: options.learningRate, points, losses, batches };
}

export interface GradientArrows {
  /** The point the arrows start from. */
  at: [number, number];
  /** k × 2: each sample's own step −lr·g_i. */
  sampleSteps: Float64Array;
  /** The batch's actual step −lr·(1/k)Σ g_i (the mean of `sampleSteps`). */
  meanStep: [number, number];
  /** The full-dataset step −lr·G, for comparison. */
  fullStep: [number, number];
}

/**
 * At `at`, the step each sample of `indices` alone would take, and the batch's mean step (both
 * −lr·gradient, so the arrows point downhill in the plot's units).
 */
export function gradientArrows(
  model: ModelSpec,
  dataset: Dataset,
  at: readonly [number, number],
  indices: ArrayLike<number>,
  learningRate: number,
): GradientArrows {
  checkTwoParameters(model);
  const k = indices.length;
  const grads = perSampleGradients(model, at, dataset, indices);
  const sampleSteps = grads.map((g) => -learningRate * g);
  let mw = 0;
  let mb = 0;
  for (let s = 0; s < k; s++) {
    mw += (grads[2 * s] as number) / k;
    mb += (grads[2 * s + 1] as number) / k;
  }
  const all = Uint32Array.from({ length: dataset.n }, (_, i) => i);
  const full = perSampleGradients(model, at, dataset, all);
  let gw = 0;
  let gb = 0;
  for (let i = 0; i < dataset.n; i++) {
    gw += (full[2 * i] as number) / dataset.n;
    gb += (full[2 * i + 1] as number) / dataset.n;
  }
  return {
    at: [at[0], at[1]],
    sampleSteps,
    meanStep: k > 0 ? [-learningRate * mw, -learningRate * mb] : [0, 0],
    fullStep: [-learningRate * gw, -learningRate * gb],
  };
}

/** The smallest extent holding every point, widened by `margin` (a fraction of each side). */
export function extentAround(points: readonly ArrayLike<number>[], margin = 0.15): Extent {
  let w0 = Number.POSITIVE_INFINITY;
  let w1 = Number.NEGATIVE_INFINITY;
  let b0 = Number.POSITIVE_INFINITY;
  let b1 = Number.NEGATIVE_INFINITY;
  for (const list of points) {
    for (let i = 0; i + 1 < list.length; i += 2) {
      const w = list[i] as number;
      const b = list[i + 1] as number;
      if (!Number.isFinite(w) || !Number.isFinite(b)) continue;
      w0 = Math.min(w0, w);
      w1 = Math.max(w1, w);
      b0 = Math.min(b0, b);
      b1 = Math.max(b1, b);
    }
  }
  if (!Number.isFinite(w0)) return { w: [-1, 1], b: [-1, 1] };
  const padW = Math.max((w1 - w0) * margin, 0.1);
  const padB = Math.max((b1 - b0) * margin, 0.1);
  return { w: [w0 - padW, w1 + padW], b: [b0 - padB, b1 + padB] };
}

/** Total length of a trajectory's path (a zig-zag path is much longer than its net displacement). */
export function pathLength(points: ArrayLike<number>): number {
  let total = 0;
  for (let i = 2; i + 1 < points.length; i += 2) {
    total += Math.hypot(
      (points[i] as number) - (points[i - 2] as number),
      (points[i + 1] as number) - (points[i - 1] as number),
    );
  }
  return total;
}
