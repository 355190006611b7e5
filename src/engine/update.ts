import type { TrainConfig } from './types';

/**
 * One weight update from the (already reduced) batch gradient `grad`, in place:
 * - plain SGD (momentum = 0):      w ← w − lr·g
 * - heavy-ball momentum (μ > 0):   v ← μ·v + g;  w ← w − lr·v
 * `velocity` is only read and written when momentum is on; it starts at zero.
 * Works on float64 (CPU) and float32 (weights read back from the GPU) arrays alike.
 */
export function applyUpdate(
  params: Float64Array | Float32Array,
  velocity: Float64Array | Float32Array,
  grad: ArrayLike<number>,
  config: Pick<TrainConfig, 'learningRate' | 'momentum'>,
): void {
  const lr = config.learningRate;
  const mu = config.momentum;
  const count = params.length;
  if (mu > 0) {
    for (let p = 0; p < count; p++) {
      const v = mu * (velocity[p] as number) + (grad[p] as number);
      velocity[p] = v;
      params[p] = (params[p] as number) - lr * v;
    }
  } else {
    for (let p = 0; p < count; p++) params[p] = (params[p] as number) - lr * (grad[p] as number);
  }
}
