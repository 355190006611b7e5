/**
 * The WebGPU engine against the CPU reference engine (float64), for every loss × activation,
 * B ∈ {1, 7, 32, N} (N = 61, not a multiple of 7, so the kept last batch is smaller), on the
 * default 16-16 network, on a 64-64 one and on a one-hidden-layer network of width 5.
 *
 * Tolerances: the GPU computes in float32 (unit roundoff u = 2⁻²⁴ ≈ 6e-8) and starts from the
 * float64 weights rounded to float32. A gradient is a few layers of sums of ≤ 64 products, so
 * its rounding error is a few u·√64 ≈ 1e-6 relative; 1e-5 leaves room for that and still fails
 * on any wrong term (a wrong derivative, a sample missed or counted twice moves it ≥ 1e-3).
 * Over 100 steps float32 and float64 trajectories drift apart slowly (SGD amplifies rounding
 * differences); with N = 61 they stay within ~1e-5, so 1e-3 relative is a safe bound that a
 * wrong schedule or update rule exceeds at once.
 */
import { describe, expect, test } from 'vitest';
import { batchLossAndGradient, createWorkspace, datasetLoss, perSampleGradients } from '../cpu/mlp';
import { CpuTrainer } from '../cpu/trainer';
import { initParams } from '../model';
import { BatchSchedule } from '../schedule';
import type { Activation, LossKind, ModelSpec, TrainConfig } from '../types';
import { GpuEngine, type GpuEngineOptions } from './engine';
import { relativeError, testDataset, testGpu } from './testing/fixtures';

const N = 61;
const BATCH_SIZES = [1, 7, 32, N];
const LOSSES: LossKind[] = ['bce', 'mse', 'softmax-ce'];
const ACTIVATIONS: Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
// The default network, a wide one (weights and reduction in storage), and a small one whose
// width is not a multiple of 4 (padding; reduction in workgroup memory).
const NETWORKS = [
  { name: 'default 16-16', hidden: [16, 16] },
  { name: 'wide 64-64', hidden: [64, 64] },
  { name: 'small 5', hidden: [5] },
];
/** A power of two: w − lr·g is then rounded once, and (w − w′)/lr recovers g to float32 precision. */
const PROBE_LR = 2 ** 20;
const GRADIENT_TOLERANCE = 1e-5;
const TRAJECTORY_TOLERANCE = 1e-3;

function modelFor(hidden: number[], loss: LossKind, activation: Activation): ModelSpec {
  return { inputSize: 2, hidden, outputSize: loss === 'softmax-ce' ? 3 : 1, activation, loss };
}

function config(batchSize: number, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    batchSize,
    learningRate: 0.1,
    reduction: 'mean',
    momentum: 0,
    lastBatch: 'keep',
    shuffleSeed: 11,
    ...overrides,
  };
}

/** Largest |a − b| / |b| over a trajectory. */
function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / Math.abs(b[i] as number));
  }
  return worst;
}

async function engineFor(
  model: ModelSpec,
  loss: LossKind,
  options: GpuEngineOptions = {},
): Promise<GpuEngine> {
  const gpu = await testGpu();
  return GpuEngine.create(gpu.device, testDataset(loss, N), model, {
    adapterName: gpu.adapterName,
    ...options,
  });
}

/** One step at a huge power-of-two learning rate reveals B's batch gradient: it and the batch
 * loss must match the CPU's. */
async function expectBatchGradient(engine: GpuEngine, model: ModelSpec, weights: Float64Array, b: number) {
  const runId = await engine.addRun(config(b, { learningRate: PROBE_LR }), weights);
  const probeLoss = (await engine.stepRun(runId, 1))[0] as number;
  const after = await engine.getWeights(runId);
  const gpuGradient = weights.map((w, p) => (w - (after[p] as number)) / PROBE_LR);
  const batch = new BatchSchedule(N, config(b)).batch(0);
  const cpuGradient = new Float64Array(weights.length);
  const ws = createWorkspace(model);
  const cpuLoss = batchLossAndGradient(model, weights, engine.dataset, batch, 'mean', ws, cpuGradient);
  expect(relativeError(gpuGradient, cpuGradient), `B = ${b} gradient`).toBeLessThan(GRADIENT_TOLERANCE);
  expect(Math.abs(probeLoss - cpuLoss) / cpuLoss, `B = ${b} batch loss`).toBeLessThan(1e-5);
}

/** 100 steps of `trainConfig`: losses, weights and progress follow the CPU trainer's. */
async function expectTrainsLikeCpu(
  engine: GpuEngine,
  model: ModelSpec,
  trainConfig: TrainConfig,
  weights: Float64Array,
  label: string,
) {
  const runId = await engine.addRun(trainConfig, weights);
  const gpuLosses = await engine.stepRun(runId, 100);
  const cpu = new CpuTrainer(engine.dataset, model, trainConfig, weights);
  const cpuLosses = cpu.stepSync(100);
  expect(maxRelative(gpuLosses, cpuLosses), label).toBeLessThan(TRAJECTORY_TOLERANCE);
  expect(relativeError(await engine.getWeights(runId), cpu.weights), label).toBeLessThan(1e-4);
  expect(engine.progress(runId)).toEqual(cpu.progressSync());
}

for (const network of NETWORKS) {
  describe(`GPU engine matches the CPU engine, ${network.name}`, () => {
    for (const loss of LOSSES) {
      for (const activation of ACTIVATIONS) {
        test(`${loss}, ${activation}: batch gradients, per-sample gradients, 100-step losses`, async () => {
          const model = modelFor(network.hidden, loss, activation);
          const engine = await engineFor(model, loss);
          const dataset = engine.dataset;
          const weights = initParams(model, 3);
          try {
            // lr 0.02 keeps every loss × activation stable at B = 1 (at 0.1 ReLU/linear nets blow
            // up, and a diverging trajectory compares nothing).
            const trajectoryConfig = (b: number) => config(b, { learningRate: 0.02 });
            const trajectories = await Promise.all(
              BATCH_SIZES.map((b) => engine.addRun(trajectoryConfig(b), weights)),
            );
            for (const b of BATCH_SIZES) await expectBatchGradient(engine, model, weights, b);

            // Per-sample gradients and losses of every sample, in a scrambled order.
            const indices = Array.from({ length: N }, (_, i) => (i * 17) % N);
            const trajectoryRun = trajectories[0] as number;
            const gpuPerSample = await engine.perSampleGradients(trajectoryRun, indices);
            const cpuPerSample = perSampleGradients(model, weights, dataset, indices);
            const p = weights.length;
            for (let k = 0; k < N; k++) {
              const gpuRow = gpuPerSample.subarray(k * p, (k + 1) * p);
              const cpuRow = cpuPerSample.subarray(k * p, (k + 1) * p);
              const norm = Math.hypot(...cpuRow);
              // A sample with a (near-)zero gradient (e.g. saturated) is compared absolutely.
              const error = norm > 1e-6 ? relativeError(gpuRow, cpuRow) : Math.hypot(...gpuRow);
              expect(error, `per-sample gradient of sample ${indices[k]}`).toBeLessThan(GRADIENT_TOLERANCE);
            }
            const gpuDatasetLoss = await engine.datasetLoss(trajectoryRun);
            const cpuDatasetLoss = datasetLoss(model, weights, dataset);
            expect(Math.abs(gpuDatasetLoss - cpuDatasetLoss) / cpuDatasetLoss).toBeLessThan(1e-5);

            // 100 steps of each B: the batch losses follow the CPU's.
            for (const [index, b] of BATCH_SIZES.entries()) {
              const gpuLosses = await engine.stepRun(trajectories[index] as number, 100);
              const cpuLosses = new CpuTrainer(dataset, model, trajectoryConfig(b), weights).stepSync(100);
              expect(maxRelative(gpuLosses, cpuLosses), `B = ${b} losses`).toBeLessThan(TRAJECTORY_TOLERANCE);
            }
          } finally {
            engine.dispose();
          }
        });
      }
    }
  });
}

describe('GPU engine matches the CPU engine: momentum, sum reduction, last-batch policies', () => {
  const variants: { name: string; config: TrainConfig }[] = [
    { name: 'momentum 0.9', config: config(7, { momentum: 0.9, learningRate: 0.05 }) },
    { name: 'sum reduction', config: config(7, { reduction: 'sum', learningRate: 0.01 }) },
    { name: 'sum reduction, B = 1', config: config(1, { reduction: 'sum', learningRate: 0.05 }) },
    { name: 'drop last batch', config: config(7, { lastBatch: 'drop' }) },
    {
      name: 'drop last batch, momentum, sum',
      config: config(32, { lastBatch: 'drop', momentum: 0.5, reduction: 'sum', learningRate: 0.005 }),
    },
  ];
  for (const loss of LOSSES) {
    test(`${loss}, tanh: ${variants.map((v) => v.name).join('; ')}`, async () => {
      const model = modelFor([16, 16], loss, 'tanh');
      const engine = await engineFor(model, loss);
      const weights = initParams(model, 5);
      try {
        for (const variant of variants) {
          await expectTrainsLikeCpu(engine, model, variant.config, weights, variant.name);
        }
      } finally {
        engine.dispose();
      }
    });
  }
});

describe('GPU engine matches the CPU engine: batches split over several workgroups', () => {
  // Every batch of 7 or more is shared by 3 workgroups: B = 7 and 32 are one chunk (two parts
  // get none), B = N = 61 two chunks on a software adapter.
  const split = { parts: 3, splitBatchSize: 7 };
  for (const loss of LOSSES) {
    test(`${loss}, tanh: batch gradients, 100-step losses, momentum, sum`, async () => {
      const model = modelFor([16, 16], loss, 'tanh');
      const engine = await engineFor(model, loss, split);
      const weights = initParams(model, 6);
      try {
        for (const b of [7, 32, N]) await expectBatchGradient(engine, model, weights, b);
        const variants = [
          config(7, { learningRate: 0.05 }),
          config(32, { momentum: 0.9, learningRate: 0.05 }),
          config(N, { reduction: 'sum', learningRate: 0.002 }),
          config(32, { lastBatch: 'drop', momentum: 0.5 }),
        ];
        for (const [index, variant] of variants.entries()) {
          await expectTrainsLikeCpu(engine, model, variant, weights, `variant ${index}`);
        }
      } finally {
        engine.dispose();
      }
    });
  }
});
