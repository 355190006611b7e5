/**
 * The CPU reference multilayer perceptron, in float64: the definition of batchlab's maths.
 *
 * Everything here is a plain function over flat arrays, in the spirit of tensorflow/playground's
 * `nn.ts`: `forward` runs the network on one sample, `sampleLossAndGradient` back-propagates one
 * sample's error by hand (no autodiff), and `batchLossAndGradient` combines per-sample gradients
 * into the batch gradient the weight update uses. The WebGPU engine must agree with these numbers.
 *
 * Notation, per layer l = 1..L (layer 0 is the input):
 *   z_l = W_l · a_{l−1} + b_l      (pre-activation, "logit" at the output layer)
 *   a_l = f(z_l)                   (tanh/relu/sigmoid/linear for hidden layers,
 *                                   sigmoid/softmax/identity at the output, fixed by the loss)
 *   δ_l = ∂loss/∂z_l               (the "delta" back-propagation carries from layer to layer)
 * Parameters live in one flat array laid out by `paramLayout` (see `src/engine/model.ts`).
 */

import { type LayerLayout, layerWidths, paramCount, paramLayout } from '../model';
import type { Activation, Dataset, ModelSpec, Reduction } from '../types';

// ---------------------------------------------------------------------------------------------
// Activations and their derivatives
// ---------------------------------------------------------------------------------------------

/**
 * tanh written as sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}): the exponent is never positive, so
 * it cannot overflow and the result is finite for every finite x (|x| = 1e4 gives ±1). The WGSL
 * engine uses the same formula because some GPUs' built-in tanh returns NaN for x ≥ 89.
 * `expm1` keeps full relative precision for tiny |x| (1 − e^{−2|x|} would cancel).
 */
export function stableTanh(x: number): number {
  const t = -Math.expm1(-2 * Math.abs(x)); // 1 − e^{−2|x|}, in [0, 1]
  const magnitude = t / (2 - t); // (1 − e)/(1 + e) with 1 + e = 2 − t
  return x < 0 ? -magnitude : magnitude;
}

/** Logistic sigmoid 1 / (1 + e^{−x}), evaluated so the exponent is never positive (no overflow). */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Hidden-layer activation f(z). */
export function activate(activation: Activation, z: number): number {
  switch (activation) {
    case 'tanh':
      return stableTanh(z);
    case 'relu':
      return Math.max(z, 0); // NaN stays NaN, so divergence is noticed
    case 'sigmoid':
      return stableSigmoid(z);
    case 'linear':
      return z;
  }
}

/**
 * f'(z), given both z and a = f(z) (tanh and sigmoid have cheap derivatives in terms of a).
 * ReLU's derivative at exactly 0 is taken as 0, as most libraries do.
 */
export function activationDerivative(activation: Activation, z: number, a: number): number {
  switch (activation) {
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid':
      return a * (1 - a);
    case 'linear':
      return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Workspace: preallocated buffers, so per-sample loops allocate nothing
// ---------------------------------------------------------------------------------------------

export interface MlpWorkspace {
  readonly model: ModelSpec;
  readonly layers: readonly LayerLayout[];
  readonly paramCount: number;
  /** activations[l] = a_l for l = 0..L (activations[0] is a copy of the input). */
  readonly activations: Float64Array[];
  /** preActivations[l] = z_l for l = 1..L (index 0 is an empty placeholder). */
  readonly preActivations: Float64Array[];
  /** deltas[l] = ∂loss/∂z_l for l = 1..L (index 0 is an empty placeholder). */
  readonly deltas: Float64Array[];
}

export function createWorkspace(model: ModelSpec): MlpWorkspace {
  const widths = layerWidths(model);
  return {
    model,
    layers: paramLayout(model),
    paramCount: paramCount(model),
    activations: widths.map((w) => new Float64Array(w)),
    preActivations: widths.map((w, l) => new Float64Array(l === 0 ? 0 : w)),
    deltas: widths.map((w, l) => new Float64Array(l === 0 ? 0 : w)),
  };
}

/** Reuses `ws` when it was made for an equal model, otherwise makes a fresh one. */
function workspaceFor(model: ModelSpec, ws?: MlpWorkspace): MlpWorkspace {
  if (ws && sameModel(ws.model, model)) return ws;
  return createWorkspace(model);
}

function sameModel(a: ModelSpec, b: ModelSpec): boolean {
  return (
    a === b ||
    (a.inputSize === b.inputSize &&
      a.outputSize === b.outputSize &&
      a.activation === b.activation &&
      a.loss === b.loss &&
      a.hidden.length === b.hidden.length &&
      a.hidden.every((w, i) => w === b.hidden[i]))
  );
}

// ---------------------------------------------------------------------------------------------
// Forward pass
// ---------------------------------------------------------------------------------------------

/**
 * Runs the network on one input (the `inputSize` numbers of `x` from `xOffset`) and returns the
 * output layer's activations: sigmoid probability (bce), softmax probabilities (softmax-ce) or
 * the raw linear output (mse). The returned array belongs to `ws` and is overwritten by the next
 * call; every intermediate z_l and a_l is left in `ws` for back-propagation.
 */
export function forward(
  model: ModelSpec,
  params: ArrayLike<number>,
  x: ArrayLike<number>,
  xOffset: number,
  ws: MlpWorkspace,
): Float64Array {
  const input = ws.activations[0] as Float64Array;
  for (let i = 0; i < model.inputSize; i++) input[i] = x[xOffset + i] as number;

  const last = ws.layers.length;
  for (let l = 1; l <= last; l++) {
    const layer = ws.layers[l - 1] as LayerLayout;
    const previous = ws.activations[l - 1] as Float64Array;
    const z = ws.preActivations[l] as Float64Array;
    const a = ws.activations[l] as Float64Array;
    // z_j = b_j + Σ_i W[j][i]·a_i
    for (let j = 0; j < layer.outputs; j++) {
      let sum = params[layer.biasOffset + j] as number;
      const row = layer.weightOffset + j * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) sum += (params[row + i] as number) * (previous[i] as number);
      z[j] = sum;
    }
    if (l < last) {
      for (let j = 0; j < layer.outputs; j++) a[j] = activate(model.activation, z[j] as number);
    } else {
      outputActivation(model, z, a);
    }
  }
  return ws.activations[last] as Float64Array;
}

/** The output layer's activation, fixed by the loss. */
function outputActivation(model: ModelSpec, z: Float64Array, out: Float64Array): void {
  switch (model.loss) {
    case 'mse':
      out.set(z);
      return;
    case 'bce':
      out[0] = stableSigmoid(z[0] as number);
      return;
    case 'softmax-ce': {
      // Subtracting the largest logit keeps every exponent ≤ 0, so nothing overflows.
      const max = maxOf(z);
      let total = 0;
      for (let k = 0; k < z.length; k++) {
        const e = Math.exp((z[k] as number) - max);
        out[k] = e;
        total += e;
      }
      for (let k = 0; k < z.length; k++) out[k] = (out[k] as number) / total;
      return;
    }
  }
}

function maxOf(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < values.length; k++) if ((values[k] as number) > max) max = values[k] as number;
  return max;
}

// ---------------------------------------------------------------------------------------------
// Loss and output delta
// ---------------------------------------------------------------------------------------------

/**
 * Loss of the sample whose forward pass is in `ws`, against the target at `y[yOffset..]`.
 * Cross-entropies are computed from the logits z, never as log(probability), so they stay
 * finite and accurate for huge logits.
 */
function lossFromWorkspace(
  model: ModelSpec,
  ws: MlpWorkspace,
  y: ArrayLike<number>,
  yOffset: number,
): number {
  const last = ws.layers.length;
  const z = ws.preActivations[last] as Float64Array;
  switch (model.loss) {
    case 'mse': {
      // ½·Σ_k (ŷ_k − y_k)²
      let sum = 0;
      for (let k = 0; k < model.outputSize; k++) {
        const diff = (z[k] as number) - (y[yOffset + k] as number);
        sum += diff * diff;
      }
      return 0.5 * sum;
    }
    case 'bce': {
      // −[y·log σ(z) + (1−y)·log(1−σ(z))] rewritten as max(z,0) − z·y + log(1 + e^{−|z|}).
      const logit = z[0] as number;
      const target = y[yOffset] as number;
      return Math.max(logit, 0) - logit * target + Math.log1p(Math.exp(-Math.abs(logit)));
    }
    case 'softmax-ce': {
      // −log softmax_c(z) = log Σ_k e^{z_k} − z_c, with the log-sum-exp shifted by max z.
      const max = maxOf(z);
      let total = 0;
      for (let k = 0; k < z.length; k++) total += Math.exp((z[k] as number) - max);
      const target = y[yOffset] as number;
      return max + Math.log(total) - (z[target] as number);
    }
  }
}

/**
 * δ_L = ∂loss/∂z_L. All three losses are paired with their "canonical" output activation, so
 * the delta is always prediction − target: ŷ − y (mse), σ(z) − y (bce), softmax − onehot.
 */
function outputDelta(model: ModelSpec, ws: MlpWorkspace, y: ArrayLike<number>, yOffset: number): void {
  const last = ws.layers.length;
  const out = ws.activations[last] as Float64Array;
  const delta = ws.deltas[last] as Float64Array;
  switch (model.loss) {
    case 'mse':
      for (let k = 0; k < model.outputSize; k++) delta[k] = (out[k] as number) - (y[yOffset + k] as number);
      return;
    case 'bce':
      delta[0] = (out[0] as number) - (y[yOffset] as number);
      return;
    case 'softmax-ce': {
      const target = y[yOffset] as number;
      for (let k = 0; k < model.outputSize; k++) delta[k] = (out[k] as number) - (k === target ? 1 : 0);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Per-sample loss and gradient (back-propagation)
// ---------------------------------------------------------------------------------------------

/** Loss of sample `index` of `dataset`. */
export function sampleLoss(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  index: number,
  ws: MlpWorkspace,
): number {
  forward(model, params, dataset.x, index * dataset.inputSize, ws);
  return lossFromWorkspace(model, ws, dataset.y, index * dataset.targetSize);
}

/**
 * Back-propagation for one sample: writes ∂loss/∂θ for every parameter θ into `gradOut`
 * (flat layout of `paramLayout`), or adds it to what is there when `accumulate` is true.
 * Returns the sample's loss.
 *
 *   δ_L = prediction − target                       (see `outputDelta`)
 *   ∂loss/∂W_l[j][i] = δ_l[j] · a_{l−1}[i]
 *   ∂loss/∂b_l[j]    = δ_l[j]
 *   δ_{l−1}[i] = f'(z_{l−1}[i]) · Σ_j W_l[j][i] · δ_l[j]
 */
export function sampleLossAndGradient(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  index: number,
  ws: MlpWorkspace,
  gradOut: Float64Array,
  accumulate = false,
): number {
  const loss = sampleLoss(model, params, dataset, index, ws);
  outputDelta(model, ws, dataset.y, index * dataset.targetSize);
  if (!accumulate) gradOut.fill(0, 0, ws.paramCount);

  for (let l = ws.layers.length; l >= 1; l--) {
    const layer = ws.layers[l - 1] as LayerLayout;
    const delta = ws.deltas[l] as Float64Array;
    const previous = ws.activations[l - 1] as Float64Array;

    // Gradients of this layer's weights and biases.
    for (let j = 0; j < layer.outputs; j++) {
      const d = delta[j] as number;
      const row = layer.weightOffset + j * layer.inputs;
      for (let i = 0; i < layer.inputs; i++)
        gradOut[row + i] = (gradOut[row + i] as number) + d * (previous[i] as number);
      gradOut[layer.biasOffset + j] = (gradOut[layer.biasOffset + j] as number) + d;
    }

    // Carry the delta one layer back (not needed below the first hidden layer).
    if (l > 1) {
      const previousZ = ws.preActivations[l - 1] as Float64Array;
      const previousDelta = ws.deltas[l - 1] as Float64Array;
      for (let i = 0; i < layer.inputs; i++) {
        let sum = 0;
        for (let j = 0; j < layer.outputs; j++) {
          sum += (params[layer.weightOffset + j * layer.inputs + i] as number) * (delta[j] as number);
        }
        previousDelta[i] =
          sum * activationDerivative(model.activation, previousZ[i] as number, previous[i] as number);
      }
    }
  }
  return loss;
}

// ---------------------------------------------------------------------------------------------
// Batches and whole datasets
// ---------------------------------------------------------------------------------------------

/**
 * The batch gradient: the per-sample gradients of `indices`, added up in index order, then
 * divided by the batch size k for `mean` (left as the sum for `sum`). Written into `gradOut`.
 * Returns the MEAN per-sample loss of the batch whatever the reduction, so loss curves of
 * different batch sizes and reductions are comparable.
 */
export function batchLossAndGradient(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  reduction: Reduction,
  ws: MlpWorkspace,
  gradOut: Float64Array,
): number {
  const k = indices.length;
  gradOut.fill(0, 0, ws.paramCount);
  let lossSum = 0;
  for (let s = 0; s < k; s++) {
    lossSum += sampleLossAndGradient(model, params, dataset, indices[s] as number, ws, gradOut, true);
  }
  if (reduction === 'mean' && k > 0) {
    for (let p = 0; p < ws.paramCount; p++) gradOut[p] = (gradOut[p] as number) / k;
  }
  return k > 0 ? lossSum / k : Number.NaN;
}

/** Mean per-sample loss over all N samples. */
export function datasetLoss(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  ws?: MlpWorkspace,
): number {
  return dataset.n > 0 ? lossSum(model, params, dataset, 0, dataset.n, ws) / dataset.n : Number.NaN;
}

/**
 * Σ of the losses of samples `from` to `to` − 1, added in dataset order: a measurement cut into
 * shares that carries its sum from one share to the next adds exactly as `datasetLoss` does.
 */
export function lossSum(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  from: number,
  to: number,
  ws?: MlpWorkspace,
  sum = 0,
): number {
  const workspace = workspaceFor(model, ws);
  let total = sum;
  for (let i = from; i < to; i++) total += sampleLoss(model, params, dataset, i, workspace);
  return total;
}

/** Per-sample gradients of `indices`, k × paramCount, row-major, in `indices` order. */
export function perSampleGradients(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  ws?: MlpWorkspace,
): Float64Array {
  const workspace = workspaceFor(model, ws);
  const p = workspace.paramCount;
  const out = new Float64Array(indices.length * p);
  for (let s = 0; s < indices.length; s++) {
    const row = out.subarray(s * p, (s + 1) * p);
    sampleLossAndGradient(model, params, dataset, indices[s] as number, workspace, row);
  }
  return out;
}

/** Per-sample losses of `indices`, in `indices` order. */
export function perSampleLosses(
  model: ModelSpec,
  params: ArrayLike<number>,
  dataset: Dataset,
  indices: ArrayLike<number>,
  ws?: MlpWorkspace,
): Float64Array {
  const workspace = workspaceFor(model, ws);
  const out = new Float64Array(indices.length);
  for (let s = 0; s < indices.length; s++) {
    out[s] = sampleLoss(model, params, dataset, indices[s] as number, workspace);
  }
  return out;
}

/**
 * Network outputs for m inputs (m × inputSize, row-major) → m × outputSize: probabilities for
 * classification, values for regression. For decision boundaries and fitted curves.
 */
export function predict(model: ModelSpec, params: ArrayLike<number>, inputs: Float64Array): Float64Array {
  const ws = createWorkspace(model);
  const m = Math.floor(inputs.length / model.inputSize);
  const out = new Float64Array(m * model.outputSize);
  for (let r = 0; r < m; r++) {
    out.set(forward(model, params, inputs, r * model.inputSize, ws), r * model.outputSize);
  }
  return out;
}
