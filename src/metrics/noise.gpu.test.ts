/**
 * The gradient-noise statistics the noise panel shows, from per-sample gradients computed by the
 * WebGPU engine (the same WGSL that trains), against the CPU reference engine (float64).
 *
 * Tolerance, relative 1e-4: the GPU works in float32 (u = 2⁻²⁴ ≈ 6e-8), so each per-sample
 * gradient is within ~1e-6 relative of the CPU's (the engine's own test bounds it by 1e-5). The
 * statistics are then formed in float64 from those rows: G averages N rows, so independent row
 * errors shrink rather than grow; ‖G‖² is the delicate one, since G is a small difference of
 * large gradients (B_simple is about 8, 35 and 255 in these cases, so ‖G‖ is 0.06 to 0.35 of a
 * typical row's deviation), which scales a 1e-6 row error to at most ~1e-5 in ‖G‖². Measured on
 * SwiftShader: at most 3e-7. 1e-4 keeps a wide margin and still fails on any real fault (a wrong
 * or missing sample changes these numbers by ≥ 1/N ≈ 2e-3).
 */
import { describe, expect, test } from 'vitest';
import { blobs, circles, sine } from '../data/synthetic';
import { perSampleGradients } from '../engine/cpu/mlp';
import { CpuTrainer } from '../engine/cpu/trainer';
import { GpuEngine } from '../engine/gpu/engine';
import { testGpu } from '../engine/gpu/testing/fixtures';
import { initParams } from '../engine/model';
import type { Dataset, ModelSpec, TrainConfig } from '../engine/types';
import { gradientNoiseStats } from './noise';

const TOLERANCE = 1e-4;

const config: TrainConfig = {
  batchSize: 16,
  learningRate: 0.1,
  reduction: 'mean',
  momentum: 0,
  lastBatch: 'keep',
  shuffleSeed: 3,
};

interface Case {
  name: string;
  dataset: Dataset;
  model: ModelSpec;
}

const CASES: Case[] = [
  {
    name: 'circles, 2-8-8-1 tanh, binary cross-entropy',
    dataset: circles({ n: 512, noise: 0.1, seed: 1 }),
    model: { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' },
  },
  {
    name: 'blobs, 2-8-3 relu, softmax cross-entropy',
    dataset: blobs({ n: 300, noise: 0.5, seed: 2 }),
    model: { inputSize: 2, hidden: [8], outputSize: 3, activation: 'relu', loss: 'softmax-ce' },
  },
  {
    name: 'sine, 1-16-1 tanh, squared error',
    dataset: sine({ n: 256, noise: 0.2, seed: 3 }),
    model: { inputSize: 1, hidden: [16], outputSize: 1, activation: 'tanh', loss: 'mse' },
  },
];

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('gradient noise statistics from the WebGPU engine match the CPU engine', () => {
  for (const { name, dataset, model } of CASES) {
    test(name, async () => {
      // Weights a little way into training, where G and Σ are both far from 0.
      const cpu = new CpuTrainer(dataset, model, config, initParams(model, 5));
      cpu.stepSync(40);
      // The GPU holds float32 weights: give the CPU the very same (rounded) numbers.
      const weights = Float64Array.from(Float32Array.from(cpu.weights));
      const gpu = await testGpu();
      const engine = await GpuEngine.create(gpu.device, dataset, model, {
        adapterName: gpu.adapterName,
      });
      try {
        const runId = await engine.addRun(config, weights);
        const all = Uint32Array.from({ length: dataset.n }, (_, i) => i);
        const fromGpu = await engine.perSampleGradients(runId, all);
        const fromCpu = perSampleGradients(model, weights, dataset, all);
        const p = weights.length;
        expect(fromGpu).toHaveLength(dataset.n * p);
        const g = gradientNoiseStats(fromGpu, dataset.n, p);
        const c = gradientNoiseStats(fromCpu, dataset.n, p);
        // Meaningful values (not a degenerate 0/0): noise and signal both present.
        expect(c.traceCovariance).toBeGreaterThan(0);
        expect(c.gradientNormSq).toBeGreaterThan(1e-8);
        expect(Number.isFinite(c.simpleNoiseScale)).toBe(true);
        expect(relative(g.traceCovariance, c.traceCovariance), 'tr(Σ)').toBeLessThan(TOLERANCE);
        expect(relative(g.gradientNormSq, c.gradientNormSq), '‖G‖²').toBeLessThan(TOLERANCE);
        expect(relative(g.simpleNoiseScale, c.simpleNoiseScale), 'B_simple').toBeLessThan(TOLERANCE);
      } finally {
        engine.dispose();
      }
    });
  }
});
