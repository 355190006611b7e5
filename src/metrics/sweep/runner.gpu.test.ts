/**
 * The sweep on the WebGPU engine: a full engine forms waves (its `addRun` refuses a run beyond
 * its capacity, and the runner waits for the next wave), and the answer agrees with the CPU
 * reference engine's.
 *
 * Agreement: float32 against float64 moves each loss curve by ~1e-6 relative over these few
 * hundred steps (the engine's 100-step trajectories agree within 1e-3 absolute), so a crossing,
 * interpolated between the same evaluations, moves by far less than one step, except where two
 * learning rates of a B tie within that; the learning rates here are a decade apart, so the
 * best one is the same, and steps to target agree within 2 % (measured on SwiftShader: 0.3 % at
 * B = 16, whose crossing falls between evaluations where the curves differ most; 1e-7 elsewhere).
 */
import { describe, expect, test } from 'vitest';
import { circles } from '../../data/synthetic';
import { CpuEngine } from '../../engine/cpu/engine';
import { GpuEngine } from '../../engine/gpu/engine';
import { testGpu } from '../../engine/gpu/testing/fixtures';
import type { ModelSpec } from '../../engine/types';
import { bestRunPerBatchSize } from './outcome';
import { runSweep, type SweepSettings } from './runner';

const DATASET = circles({ n: 128, noise: 0.1, seed: 3 });
const MODEL: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' };
const SETTINGS: SweepSettings = {
  batchSizes: [1, 4, 16, 128],
  learningRates: [0.03, 0.3, 3],
  target: 0.3,
  maxEpochs: 60,
  maxSteps: 100_000,
  initSeed: 5,
  shuffleSeed: 7,
};

describe('runSweep on the WebGPU engine', () => {
  test('runs in waves when the engine is full, and finds the CPU engine’s best runs', async () => {
    const gpu = await testGpu();
    const engine = await GpuEngine.create(gpu.device, DATASET, MODEL, {
      adapterName: gpu.adapterName,
      maxRuns: 5, // 12 pairs: three waves
    });
    try {
      const onGpu = await runSweep(engine, SETTINGS);
      expect(onGpu.runs).toHaveLength(12);
      expect(engine.runIds()).toEqual([]);
      const onCpu = await runSweep(new CpuEngine(DATASET, MODEL), SETTINGS);
      const gpuBest = bestRunPerBatchSize(onGpu.runs);
      const cpuBest = bestRunPerBatchSize(onCpu.runs);
      expect([...gpuBest.keys()]).toEqual([1, 4, 16, 128]);
      for (const [b, cpuRun] of cpuBest) {
        const gpuRun = gpuBest.get(b);
        expect(gpuRun?.learningRate).toBe(cpuRun.learningRate);
        expect(Math.abs((gpuRun?.crossing.step as number) / cpuRun.crossing.step - 1)).toBeLessThan(0.02);
      }
    } finally {
      engine.dispose();
    }
  });
});
