/**
 * The GPU's padded parameter layout. The flat layout of `src/engine/model.ts` stores, layer
 * after layer, W (out × in, row-major) then b. On the GPU every weight row is padded with zeros
 * to a multiple of 4 floats, every W to a multiple of 4 rows, every bias vector to a multiple
 * of 4, so the shader works in vec4s and in groups of 4 rows. The host converts between the two
 * layouts; padding is always zero.
 */
import { layerWidths, paramLayout } from '../model';
import type { ModelSpec } from '../types';

export interface PaddedLayer {
  inputs: number;
  outputs: number;
  /** vec4s per weight row: ceil(inputs / 4). */
  rowV: number;
  /** vec4 offset of W[0][0]. */
  weightV: number;
  /** vec4 offset of b[0]. */
  biasV: number;
  /** Offsets in the flat layout. */
  flatWeight: number;
  flatBias: number;
}

export interface PaddedLayout {
  layers: PaddedLayer[];
  /** vec4 offset of each layer's units (0 = input) in the per-sample unit arrays, and the end. */
  unitV: number[];
  unitsV: number;
  /** Parameters in vec4s. */
  paramsV: number;
}

const vec4s = (count: number) => Math.ceil(count / 4);

export function paddedLayout(model: ModelSpec): PaddedLayout {
  let offset = 0;
  const layers = paramLayout(model).map((layer) => {
    const rowV = vec4s(layer.inputs);
    const weightV = offset;
    const biasV = weightV + 4 * vec4s(layer.outputs) * rowV;
    offset = biasV + vec4s(layer.outputs);
    return {
      inputs: layer.inputs,
      outputs: layer.outputs,
      rowV,
      weightV,
      biasV,
      flatWeight: layer.weightOffset,
      flatBias: layer.biasOffset,
    };
  });
  const unitV: number[] = [];
  let units = 0;
  for (const width of layerWidths(model)) {
    unitV.push(units);
    units += vec4s(width);
  }
  return { layers, unitV, unitsV: units, paramsV: offset };
}

/** Flat parameters → padded float32 (zeros in the padding). */
export function toPadded(
  layout: PaddedLayout,
  flat: ArrayLike<number>,
  out?: Float32Array<ArrayBuffer>,
  at = 0,
): Float32Array<ArrayBuffer> {
  const padded = out ?? new Float32Array(layout.paramsV * 4);
  padded.fill(0, at, at + layout.paramsV * 4);
  for (const layer of layout.layers) {
    for (let j = 0; j < layer.outputs; j++) {
      const row = at + (layer.weightV + j * layer.rowV) * 4;
      const flatRow = layer.flatWeight + j * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) padded[row + i] = flat[flatRow + i] as number;
      padded[at + layer.biasV * 4 + j] = flat[layer.flatBias + j] as number;
    }
  }
  return padded;
}

/** Padded parameters (from float index `at`) → flat, into `out` from index `outAt`. */
export function fromPadded(
  layout: PaddedLayout,
  padded: ArrayLike<number>,
  at: number,
  out: Float64Array | Float32Array,
  outAt = 0,
): void {
  for (const layer of layout.layers) {
    for (let j = 0; j < layer.outputs; j++) {
      const row = at + (layer.weightV + j * layer.rowV) * 4;
      const flatRow = outAt + layer.flatWeight + j * layer.inputs;
      for (let i = 0; i < layer.inputs; i++) out[flatRow + i] = padded[row + i] as number;
      out[outAt + layer.flatBias + j] = padded[at + layer.biasV * 4 + j] as number;
    }
  }
}
