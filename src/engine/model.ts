import { Rng } from './random';
import type { ModelSpec } from './types';

/**
 * The parameter layout, shared by every engine: all parameters live in one flat array,
 * layer after layer from the input side; each layer stores its weight matrix W (out × in,
 * row-major, so W[j][i] connects input i to unit j) followed by its bias vector b (out).
 */
export interface LayerLayout {
  inputs: number;
  outputs: number;
  /** Offset of W[0][0] in the flat parameter array. */
  weightOffset: number;
  /** Offset of b[0]. */
  biasOffset: number;
}

export function layerWidths(model: ModelSpec): number[] {
  return [model.inputSize, ...model.hidden, model.outputSize];
}

export function paramLayout(model: ModelSpec): LayerLayout[] {
  const widths = layerWidths(model);
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 1; l < widths.length; l++) {
    const inputs = widths[l - 1] as number;
    const outputs = widths[l] as number;
    layers.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return layers;
}

export function paramCount(model: ModelSpec): number {
  const layers = paramLayout(model);
  const last = layers[layers.length - 1];
  return last ? last.biasOffset + last.outputs : 0;
}

/**
 * Seeded initial parameters. Biases start at 0. Weights are uniform in [−a, a]:
 * He (a = √(6 / fan_in)) before a ReLU layer, Glorot (a = √(6 / (fan_in + fan_out)))
 * everywhere else, output layer included.
 */
export function initParams(model: ModelSpec, seed: number): Float64Array {
  const params = new Float64Array(paramCount(model));
  const rng = new Rng(seed);
  const layers = paramLayout(model);
  layers.forEach((layer, index) => {
    const isHidden = index < layers.length - 1;
    const limit =
      isHidden && model.activation === 'relu'
        ? Math.sqrt(6 / layer.inputs)
        : Math.sqrt(6 / (layer.inputs + layer.outputs));
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let p = layer.weightOffset; p < end; p++) params[p] = rng.uniform(-limit, limit);
  });
  return params;
}

/** Checks a model spec; returns a reason when it is unusable, otherwise null. */
export function validateModel(model: ModelSpec): string | null {
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInt(model.inputSize)) return 'the input size must be a positive integer';
  if (!positiveInt(model.outputSize)) return 'the output size must be a positive integer';
  if (!model.hidden.every(positiveInt)) return 'every hidden width must be a positive integer';
  if (model.loss === 'bce' && model.outputSize !== 1) return 'binary cross-entropy needs one output';
  if (model.loss === 'softmax-ce' && model.outputSize < 2) return 'softmax needs two or more classes';
  return null;
}
