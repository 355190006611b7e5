/**
 * A run handed over mid-run from the CPU engine (float64) to the WebGPU engine (float32), as
 * after the page's warm-up, ends where a run that never changed engine ends.
 *
 * Tolerance: the hand-over rounds the weights and the velocity to float32 (relative 2⁻²⁴ ≈ 6e-8)
 * and every GPU step then rounds in float32 (a gradient of B = 7 samples: a few u·√7 relative).
 * Momentum 0.9 sums about ten steps' rounding into each update, and 20 steps of SGD amplify
 * differences slowly, so the weights stay well within 1e-5 of the float64 run (‖Δw‖/‖w‖);
 * TOLERANCE = 1e-4 leaves room for that. A hand-over that lost the momentum, or that skipped or
 * repeated one batch (the wrong place in the shuffle), moves the weights by a step of lr·‖g‖,
 * about 1e-2 here: the controls below check that each such mistake exceeds 10 × TOLERANCE.
 */
import { describe, expect, test } from 'vitest';
import { CpuEngine } from '../cpu/engine';
import { initParams } from '../model';
import type { ModelSpec, RunCheckpoint, TrainConfig } from '../types';
import { GpuEngine } from './engine';
import { relativeError, testDataset, testGpu } from './testing/fixtures';

const TOLERANCE = 1e-4;
const N = 61;
const dataset = testDataset('bce', N);
const model: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' };
const weights = initParams(model, 3);
const config: TrainConfig = {
  batchSize: 7,
  learningRate: 0.2,
  reduction: 'mean',
  momentum: 0.9,
  lastBatch: 'keep',
  shuffleSeed: 13,
};
// 5 steps on the CPU (mid-epoch: 9 steps per epoch), then 20 on the GPU (across two epochs).
const BEFORE = 5;
const AFTER = 20;

async function gpuEngine(): Promise<GpuEngine> {
  const gpu = await testGpu();
  return GpuEngine.create(gpu.device, dataset, model, { adapterName: gpu.adapterName });
}

async function continueOnGpu(checkpoint: RunCheckpoint): Promise<Float64Array> {
  const gpu = await gpuEngine();
  const id = await gpu.importRun(config, checkpoint);
  const [update] = await gpu.advance({ samplesPerRun: AFTER * config.batchSize, maxStepsPerRun: AFTER });
  expect(update?.progress.step).toBe(checkpoint.step + AFTER);
  const result = await gpu.getWeights(id);
  gpu.dispose();
  return result;
}

describe('hand-over from the CPU engine to the WebGPU engine', () => {
  test('a run moved mid-epoch ends where a run that stayed on the CPU ends', async () => {
    const cpu = new CpuEngine(dataset, model);
    const id = await cpu.addRun(config, weights);
    await cpu.advance({ samplesPerRun: BEFORE * config.batchSize, maxStepsPerRun: BEFORE });
    const checkpoint = await cpu.exportRun(id);
    expect(checkpoint.step).toBe(BEFORE);

    const stayed = new CpuEngine(dataset, model);
    const stayedId = await stayed.addRun(config, weights);
    await stayed.advance({ samplesPerRun: N * 10, maxStepsPerRun: BEFORE + AFTER });
    const reference = await stayed.getWeights(stayedId);

    const moved = await continueOnGpu(checkpoint);
    expect(relativeError(moved, reference)).toBeLessThan(TOLERANCE);

    // Controls: each way a hand-over can go wrong is far outside the tolerance.
    const noMomentum = await continueOnGpu({ ...checkpoint, velocity: new Float64Array(weights.length) });
    expect(relativeError(noMomentum, reference)).toBeGreaterThan(10 * TOLERANCE);
    const skipped = await continueOnGpu({ ...checkpoint, step: BEFORE + 1 });
    expect(relativeError(skipped, reference)).toBeGreaterThan(10 * TOLERANCE);
  });

  test('exportRun reads back what importRun wrote, and the run keeps its step and stop', async () => {
    const gpu = await gpuEngine();
    const velocity = Float64Array.from(weights, (w) => w / 8);
    const id = await gpu.importRun(config, { weights, velocity, step: 42, diverged: true });
    const back = await gpu.exportRun(id);
    expect(back.step).toBe(42);
    expect(back.diverged).toBe(true);
    expect(relativeError(back.weights, weights)).toBeLessThan(1e-7);
    expect(relativeError(back.velocity, velocity)).toBeLessThan(1e-7);
    const [update] = await gpu.advance({ samplesPerRun: 7, maxStepsPerRun: 1 });
    expect(update?.batchLosses.length).toBe(0);
    gpu.dispose();
  });
});
