/**
 * What the data view draws, computed from the dataset and the current weights (no DOM):
 * a decision map for 2-D classification, a fitted curve for 1-D regression, and predicted
 * against actual values for everything else. Sizes are bounded so it stays cheap to redo a
 * few times a second.
 */
import { predict } from '../../engine/cpu/mlp';
import { paramCount } from '../../engine/model';
import type { Dataset, ModelSpec } from '../../engine/types';
import { runToEnd } from '../../metrics/steps';

export interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export type ModelPicture =
  | {
      kind: 'boundary';
      extent: Extent;
      /** Grid cells per side. */
      resolution: number;
      /** Per cell (row-major from the top-left), the probability of each class. */
      probabilities: Float64Array;
      classes: number;
    }
  | { kind: 'curve'; xs: Float64Array; ys: Float64Array }
  | {
      kind: 'predicted-vs-actual';
      actual: Float64Array;
      predicted: Float64Array;
      /** How many of the N samples are shown. */
      shown: number;
    }
  | { kind: 'none'; reason: string };

/** Forward passes allowed per redraw, scaled by network size (keeps it to a few ms). */
const WORK_BUDGET = 2_000_000;

/**
 * Multiply-adds between two yields of `modelPictureSteps`: well under a millisecond once the
 * code is compiled, a few ms on its first run at page load, when the whole picture of the
 * largest network took 40 ms.
 */
const STEP_WORK = 200_000;

/** `predict`, a few rows at a time, yielding between them. */
function* predictInSteps(
  model: ModelSpec,
  weights: ArrayLike<number>,
  inputs: Float64Array,
): Generator<void, Float64Array> {
  const rows = Math.floor(inputs.length / model.inputSize);
  const perStep = Math.max(1, Math.floor(STEP_WORK / Math.max(1, paramCount(model))));
  const out = new Float64Array(rows * model.outputSize);
  for (let row = 0; row < rows; row += perStep) {
    const end = Math.min(rows, row + perStep);
    out.set(
      predict(model, weights, inputs.subarray(row * model.inputSize, end * model.inputSize)),
      row * model.outputSize,
    );
    if (end < rows) yield;
  }
  return out;
}

function pad([lo, hi]: [number, number], fraction: number): [number, number] {
  const span = hi - lo || 1;
  return [lo - span * fraction, hi + span * fraction];
}

function columnExtent(values: Float64Array, stride: number, column: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = column; i < values.length; i += stride) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [-1, 1];
}

const extents = new WeakMap<Dataset, Extent>();

/**
 * The padded box around the inputs (2-D) or around x and y (1-D regression). Kept per dataset:
 * the data view asks on every redraw, and a scan of 20,000 samples is not free.
 */
export function dataExtent(dataset: Dataset): Extent {
  let extent = extents.get(dataset);
  if (!extent) {
    extent = measureExtent(dataset);
    extents.set(dataset, extent);
  }
  return extent;
}

function measureExtent(dataset: Dataset): Extent {
  if (dataset.inputSize === 1) {
    const [x0, x1] = pad(columnExtent(dataset.x, 1, 0), 0.04);
    const [y0, y1] = pad(columnExtent(dataset.y, dataset.targetSize, 0), 0.1);
    return { x0, x1, y0, y1 };
  }
  const [x0, x1] = pad(columnExtent(dataset.x, dataset.inputSize, 0), 0.08);
  const [y0, y1] = pad(columnExtent(dataset.x, dataset.inputSize, 1), 0.08);
  return { x0, x1, y0, y1 };
}

/** Class probabilities from raw network outputs (sigmoid output → two columns). */
function classProbabilities(model: ModelSpec, outputs: Float64Array, rows: number): Float64Array {
  if (model.loss === 'bce') {
    const probs = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const p = outputs[r] as number;
      probs[2 * r] = 1 - p;
      probs[2 * r + 1] = p;
    }
    return probs;
  }
  return outputs;
}

export function computeModelPicture(
  dataset: Dataset,
  model: ModelSpec,
  weights: ArrayLike<number>,
): ModelPicture {
  return runToEnd(modelPictureSteps(dataset, model, weights));
}

/**
 * `computeModelPicture` as a generator that yields every few hundred thousand multiply-adds,
 * for `runInSlices`: the page computes the picture without a long task.
 */
export function* modelPictureSteps(
  dataset: Dataset,
  model: ModelSpec,
  weights: ArrayLike<number>,
): Generator<void, ModelPicture> {
  const params = Math.max(1, paramCount(model));
  if (dataset.task === 'classification' && dataset.inputSize === 2) {
    const resolution = Math.max(16, Math.min(64, Math.floor(Math.sqrt(WORK_BUDGET / params))));
    const extent = dataExtent(dataset);
    const inputs = new Float64Array(resolution * resolution * 2);
    for (let row = 0; row < resolution; row++) {
      const yv = extent.y1 - ((row + 0.5) / resolution) * (extent.y1 - extent.y0);
      for (let col = 0; col < resolution; col++) {
        const xv = extent.x0 + ((col + 0.5) / resolution) * (extent.x1 - extent.x0);
        const cell = row * resolution + col;
        inputs[2 * cell] = xv;
        inputs[2 * cell + 1] = yv;
      }
    }
    const outputs = yield* predictInSteps(model, weights, inputs);
    const classes = model.loss === 'bce' ? 2 : model.outputSize;
    return {
      kind: 'boundary',
      extent,
      resolution,
      probabilities: classProbabilities(model, outputs, resolution * resolution),
      classes,
    };
  }
  if (dataset.task === 'regression' && dataset.inputSize === 1 && dataset.targetSize === 1) {
    const { x0, x1 } = dataExtent(dataset);
    const count = 160;
    const xs = new Float64Array(count);
    for (let i = 0; i < count; i++) xs[i] = x0 + ((x1 - x0) * i) / (count - 1);
    return { kind: 'curve', xs, ys: yield* predictInSteps(model, weights, xs) };
  }
  if (dataset.task === 'regression') {
    // One target shown (the first); subsample evenly when a full pass would be slow.
    const maxRows = Math.max(200, Math.min(dataset.n, Math.floor((WORK_BUDGET * 2) / params)));
    const stride = Math.max(1, Math.ceil(dataset.n / maxRows));
    const shown = Math.ceil(dataset.n / stride);
    const inputs = new Float64Array(shown * dataset.inputSize);
    const actual = new Float64Array(shown);
    for (let k = 0; k < shown; k++) {
      const i = k * stride;
      inputs.set(
        dataset.x.subarray(i * dataset.inputSize, (i + 1) * dataset.inputSize),
        k * dataset.inputSize,
      );
      actual[k] = dataset.y[i * dataset.targetSize] as number;
    }
    const outputs = yield* predictInSteps(model, weights, inputs);
    const predicted = new Float64Array(shown);
    for (let k = 0; k < shown; k++) predicted[k] = outputs[k * model.outputSize] as number;
    return { kind: 'predicted-vs-actual', actual, predicted, shown };
  }
  return {
    kind: 'none',
    reason: `This dataset has ${dataset.inputSize} inputs: the picture of the model needs 2 (classification) or regression data. The loss curves still show training.`,
  };
}

/**
 * The class probabilities the boundary picture holds at (x, y), from the grid cell there; null
 * outside the grid.
 */
export function probabilitiesAt(
  picture: Extract<ModelPicture, { kind: 'boundary' }>,
  x: number,
  y: number,
): number[] | null {
  const { extent, resolution, classes, probabilities } = picture;
  const col = Math.floor(((x - extent.x0) / (extent.x1 - extent.x0)) * resolution);
  const row = Math.floor(((extent.y1 - y) / (extent.y1 - extent.y0)) * resolution);
  if (!(col >= 0 && col < resolution && row >= 0 && row < resolution)) return null;
  const cell = row * resolution + col;
  return Array.from(probabilities.subarray(cell * classes, (cell + 1) * classes));
}

/** The fitted curve's value at x (linear between its samples); null outside its range. */
export function curveAt(picture: Extract<ModelPicture, { kind: 'curve' }>, x: number): number | null {
  const { xs, ys } = picture;
  const n = xs.length;
  if (n === 0 || x < (xs[0] as number) || x > (xs[n - 1] as number)) return null;
  let i = 0;
  while (i < n - 2 && (xs[i + 1] as number) < x) i++;
  const x0 = xs[i] as number;
  const x1 = xs[i + 1] ?? x0;
  const t = x1 === x0 ? 0 : (x - x0) / (x1 - x0);
  return (ys[i] as number) + t * (((ys[i + 1] ?? ys[i]) as number) - (ys[i] as number));
}
