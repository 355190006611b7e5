/**
 * The memory one training step needs at batch size B, counted the way a framework that processes
 * the whole batch at once holds it (batchlab's own kernels stream a batch in small chunks, but a
 * student's PyTorch or JAX step does not): every sample's activations kept for backprop, every
 * sample's gradient before they are averaged, and the parameters with their gradient and update.
 */

import { layerWidths, paramCount } from '../../engine/model';
import type { ModelSpec } from '../../engine/types';

export interface StepMemory {
  batchSize: number;
  /**
   * Per sample: the inputs, and for every later layer its pre-activations z, activations a and
   * deltas δ = ∂loss/∂z (what backprop reads and writes), times B.
   */
  activationBytes: number;
  /** B per-sample gradients of P numbers each. */
  perSampleGradientBytes: number;
  /** Weights, the batch gradient and the velocity (momentum): 3·P numbers, whatever B is. */
  parameterBytes: number;
  totalBytes: number;
}

/** `bytesPerNumber`: 4 for float32 (the GPU), 8 for float64 (the CPU reference engine). */
export function stepMemory(model: ModelSpec, batchSize: number, bytesPerNumber: number): StepMemory {
  const widths = layerWidths(model);
  const inputs = widths[0] as number;
  const laterUnits = widths.slice(1).reduce((sum, w) => sum + w, 0);
  const perSampleActivations = inputs + 3 * laterUnits;
  const p = paramCount(model);
  const activationBytes = batchSize * perSampleActivations * bytesPerNumber;
  const perSampleGradientBytes = batchSize * p * bytesPerNumber;
  const parameterBytes = 3 * p * bytesPerNumber;
  return {
    batchSize,
    activationBytes,
    perSampleGradientBytes,
    parameterBytes,
    totalBytes: activationBytes + perSampleGradientBytes + parameterBytes,
  };
}

/** "12.3 KB", "4.0 MB": decimal units, three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toPrecision(3)} ${units[unit]}`;
}
