/**
 * Shared pieces of the GPU tests: one device per test file, small seeded datasets for every
 * loss, and comparison helpers.
 */
import { Rng } from '../../random';
import type { Dataset, LossKind } from '../../types';
import { requestGpuDevice } from '../device';

export interface TestGpu {
  device: GPUDevice;
  adapterName: string;
  isFallbackAdapter: boolean;
}

let shared: Promise<TestGpu> | undefined;

/** The device every test of this file uses (pipelines are cached per device). */
export function testGpu(): Promise<TestGpu> {
  shared ??= requestGpuDevice().then((result) => {
    if (!result.ok) throw new Error(`no WebGPU device for the GPU tests: ${result.reason}`);
    return {
      device: result.device,
      adapterName: result.adapterName,
      isFallbackAdapter: result.isFallbackAdapter,
    };
  });
  return shared;
}

/**
 * A small dataset for `loss`: 2 inputs in [−2, 2]; bce: label from a wavy boundary; softmax-ce:
 * 3 classes by angle; mse: 1 smooth target (or `outputs` targets).
 */
export function testDataset(loss: LossKind, n: number, seed = 7, outputs = 1): Dataset {
  const rng = new Rng(seed);
  const x = new Float64Array(n * 2);
  const targetSize = loss === 'mse' ? outputs : 1;
  const y = new Float64Array(n * targetSize);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(-2, 2);
    const b = rng.uniform(-2, 2);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    if (loss === 'bce') y[i] = b > Math.sin(2 * a) ? 1 : 0;
    else if (loss === 'softmax-ce') y[i] = Math.floor(((Math.atan2(b, a) + Math.PI) / (2 * Math.PI)) * 3) % 3;
    else
      for (let k = 0; k < targetSize; k++)
        y[i * targetSize + k] = Math.sin(a + k) * Math.cos(b) + 0.1 * rng.normal();
  }
  return {
    id: `test-${loss}`,
    name: `test ${loss}`,
    task: loss === 'mse' ? 'regression' : 'classification',
    n,
    inputSize: 2,
    targetSize,
    classes: loss === 'softmax-ce' ? 3 : loss === 'bce' ? 2 : 0,
    x,
    y,
  };
}

/** ‖a − b‖ / ‖b‖. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    diff += d * d;
    norm += (b[i] as number) ** 2;
  }
  return Math.sqrt(diff) / Math.sqrt(norm);
}

export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return false;
  }
  return true;
}
