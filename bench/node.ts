/**
 * The bench in Node: WebGPU from Dawn (npm `webgpu`, SwiftShader unless a real Vulkan driver is
 * chosen), TF.js with its wasm backend (and its webgpu backend on Dawn's `navigator.gpu` where it
 * runs). Loaded by `scripts/bench.mjs` through Vite's module runner, so the same TypeScript and
 * WGSL files (`?raw` imports) as the browser run here.
 */
import '../src/engine/gpu/testing/node-setup';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { gpuBackend } from './gpu';
import type { EnvironmentResult } from './report';
import { runSuite } from './suite';

export async function runNodeBench(options: {
  quick: boolean;
  profile: boolean;
  runtime: string;
  log: (line: string) => void;
}): Promise<EnvironmentResult> {
  const gpu = await gpuBackend(navigator.gpu);
  return runSuite({
    environment: 'node',
    runtime: options.runtime,
    gpu,
    quick: options.quick,
    profile: options.profile,
    log: options.log,
  });
}
