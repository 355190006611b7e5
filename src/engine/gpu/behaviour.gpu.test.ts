/**
 * The WebGPU engine's guarantees beyond matching the CPU maths: bit-for-bit determinism, runs
 * that do not affect each other, results independent of how steps are cut into dispatches,
 * activations finite for huge inputs, refusal of models beyond the adapter, divergence, and
 * device loss.
 */
import { describe, expect, test } from 'vitest';
import { CpuEngine } from '../cpu/engine';
import { activate, activationDerivative } from '../cpu/mlp';
import { RecoveringEngine } from '../create';
import { initParams } from '../model';
import type { Activation, ModelSpec, TrainConfig } from '../types';
import { requestGpuDevice } from './device';
import { GpuEngine, type GpuEngineOptions } from './engine';
import { sameBits, testDataset, testGpu } from './testing/fixtures';
import { GpuTrainer } from './trainer';

const N = 97;
const MODEL: ModelSpec = { inputSize: 2, hidden: [16, 16], outputSize: 1, activation: 'tanh', loss: 'bce' };
const DATASET = testDataset('bce', N, 3);
const WEIGHTS = initParams(MODEL, 9);

function config(batchSize: number, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    batchSize,
    learningRate: 0.1,
    reduction: 'mean',
    momentum: 0,
    lastBatch: 'keep',
    shuffleSeed: 4,
    ...overrides,
  };
}

// Split: every batch of 4 or more is shared by 3 workgroups (a part may get no chunk at all).
const LAYOUTS: { name: string; options: GpuEngineOptions }[] = [
  { name: 'one workgroup per run', options: {} },
  { name: 'large batches split over 3 workgroups', options: { parts: 3, splitBatchSize: 4 } },
];

async function engine(options: GpuEngineOptions = {}, model = MODEL): Promise<GpuEngine> {
  const gpu = await testGpu();
  return GpuEngine.create(gpu.device, DATASET, model, {
    adapterName: gpu.adapterName,
    ...options,
  });
}

describe('determinism', () => {
  test('two runs with one seed end with identical weights, bit for bit', async () => {
    const results: Float64Array[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const e = await engine();
      const id = await e.addRun(config(7, { momentum: 0.9, learningRate: 0.05 }), WEIGHTS);
      await e.stepRun(id, 300);
      results.push(await e.getWeights(id));
      e.dispose();
    }
    expect(sameBits(results[0] as Float64Array, results[1] as Float64Array)).toBe(true);
    // A different shuffle seed gives different weights (the comparison above can fail).
    const e = await engine();
    const id = await e.addRun(config(7, { momentum: 0.9, learningRate: 0.05, shuffleSeed: 5 }), WEIGHTS);
    await e.stepRun(id, 300);
    expect(sameBits(await e.getWeights(id), results[0] as Float64Array)).toBe(false);
    e.dispose();
  });

  test.each(LAYOUTS)(
    'racing runs equal the same runs trained one by one, bit for bit ($name)',
    async ({ options }) => {
      const configs = [
        config(1),
        config(2, { momentum: 0.5 }),
        config(7, { reduction: 'sum', learningRate: 0.01 }),
        config(32, { lastBatch: 'drop' }),
        config(N, { learningRate: 0.5 }),
      ];
      const race = await engine(options);
      const ids = await Promise.all(configs.map((c) => race.addRun(c, WEIGHTS)));
      const updates = [
        ...(await race.advance({ samplesPerRun: 2 * N, maxStepsPerRun: 1e6 })),
        ...(await race.advance({ samplesPerRun: 3 * N, maxStepsPerRun: 100 })),
      ];
      for (const [index, c] of configs.entries()) {
        const alone = await engine(options);
        const id = await alone.addRun(c, WEIGHTS);
        const steps =
          Math.min(Math.ceil((2 * N) / c.batchSize), 1e6) + Math.min(Math.ceil((3 * N) / c.batchSize), 100);
        await alone.stepRun(id, steps);
        const raced = ids[index] as number;
        expect(race.progress(raced).step).toBe(steps);
        expect(sameBits(await race.getWeights(raced), await alone.getWeights(id)), `run ${index}`).toBe(true);
        alone.dispose();
      }
      // advance reports every run's batch losses and dataset loss.
      expect(updates.filter((u) => u.runId === ids[0]).map((u) => u.batchLosses.length)).toEqual([
        2 * N,
        100,
      ]);
      for (const update of updates) {
        expect(update.diverged).toBe(false);
        expect(Number.isFinite(update.datasetLoss)).toBe(true);
      }
      race.dispose();
    },
  );

  test.each(LAYOUTS)(
    '1 and 1,000 steps per dispatch give identical weights and losses ($name)',
    async ({ options }) => {
      const outcomes: { weights: Float64Array; losses: Float64Array }[] = [];
      for (const stepsPerDispatch of [1, 1000]) {
        const e = await engine({ ...options, stepsPerDispatch });
        const batchSize = options.splitBatchSize ?? 3;
        const id = await e.addRun(config(batchSize, { momentum: 0.9, learningRate: 0.02 }), WEIGHTS);
        const losses = await e.stepRun(id, 250);
        outcomes.push({ weights: await e.getWeights(id), losses });
        e.dispose();
      }
      const [one, many] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
      expect(one.losses.length).toBe(250);
      expect(sameBits(one.losses, many.losses)).toBe(true);
      expect(sameBits(one.weights, many.weights)).toBe(true);
    },
  );
});

describe('layouts', () => {
  // B = 1 (one tile), 7 (a partial tile), N (4 chunks; split into 3 parts where asked).
  const configs = [
    config(1),
    config(7, { momentum: 0.9, learningRate: 0.05 }),
    config(N, { learningRate: 0.5 }),
  ];
  async function train(options: GpuEngineOptions): Promise<Float64Array[]> {
    const e = await engine(options);
    const ids = await Promise.all(configs.map((c) => e.addRun(c, WEIGHTS)));
    for (const id of ids) await e.stepRun(id, 30);
    const weights = await Promise.all(ids.map((id) => e.getWeights(id)));
    e.dispose();
    return weights;
  }

  test('the workgroup size does not change results, bit for bit', async () => {
    const split = { parts: 3, splitBatchSize: N };
    const four = await train({ ...split, workgroupSize: 4 });
    for (const workgroupSize of [1, 13, 64]) {
      const other = await train({ ...split, workgroupSize });
      for (const [index, weights] of other.entries()) {
        const label = `${workgroupSize} invocations, B = ${configs[index]?.batchSize}`;
        expect(sameBits(weights, four[index] as Float64Array), label).toBe(true);
      }
    }
  });

  test('the layout chosen for a GPU trains like the CPU engine', async () => {
    // 64 invocations, large chunks and 16 parts: what a real GPU gets (run here on SwiftShader).
    const gpu = await train({ adapterKind: 'gpu', splitBatchSize: N });
    for (const [index, c] of configs.entries()) {
      const cpu = new CpuEngine(DATASET, MODEL);
      const id = await cpu.addRun(c, WEIGHTS);
      await cpu.advance({ samplesPerRun: 30 * c.batchSize, maxStepsPerRun: 30 });
      const expected = await cpu.getWeights(id);
      const got = gpu[index] as Float64Array;
      let worst = 0;
      for (let p = 0; p < expected.length; p++) {
        worst = Math.max(worst, Math.abs((got[p] as number) - (expected[p] as number)));
      }
      // float32 against float64 after 30 steps (see engine.gpu.test.ts for the tolerances).
      expect(worst, `B = ${c.batchSize}`).toBeLessThan(1e-3);
    }
  });
});

describe('activations', () => {
  test('every activation and its slope is finite and correct for |x| up to 1e4', async () => {
    const e = await engine();
    // ±0.25: the shader's tanh changes formula there; ±89: SwiftShader's own tanh turns NaN.
    const xs = [
      -1e4, -1000, -100, -89, -88, -20, -5, -1, -0.3, -0.2501, -0.2499, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.2499,
      0.25, 0.2501, 0.3, 0.49, 0.51, 1, 5, 20, 88, 89, 100, 1000, 1e4,
    ];
    const out = await e.probeActivations(xs);
    const kinds: Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
    for (const [i, x] of xs.entries()) {
      const x32 = Math.fround(x);
      for (const [k, kind] of kinds.entries()) {
        const a = out[i * 8 + k] as number;
        const slope = out[i * 8 + 4 + k] as number;
        const expected = activate(kind, x32);
        expect(Number.isFinite(a), `${kind}(${x})`).toBe(true);
        expect(Number.isFinite(slope), `${kind}'(${x})`).toBe(true);
        // float32 results: a few units in the last place relative, plus a tiny absolute floor.
        expect(Math.abs(a - expected), `${kind}(${x})`).toBeLessThanOrEqual(
          1e-6 * Math.abs(expected) + 1e-30,
        );
        const expectedSlope = activationDerivative(kind, x32, expected);
        expect(Math.abs(slope - expectedSlope), `${kind}'(${x})`).toBeLessThanOrEqual(1e-6);
      }
    }
    e.dispose();
  });

  test('a network driven to huge pre-activations stays finite', async () => {
    const e = await engine();
    // Weights of ±5000 push hidden pre-activations to ~1e4 (where a built-in tanh can be NaN).
    const huge = WEIGHTS.map((w, p) => (p % 3 === 0 ? 5000 * Math.sign(w || 1) : w));
    const id = await e.addRun(config(8, { learningRate: 1e-3 }), huge);
    const losses = await e.stepRun(id, 20);
    expect(losses.length).toBe(20);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect((await e.getWeights(id)).every(Number.isFinite)).toBe(true);
    e.dispose();
  });
});

describe('limits and failures', () => {
  test('a model beyond the adapter is refused with a clear error', async () => {
    const tooWide: ModelSpec = { ...MODEL, hidden: [3000] };
    await expect(engine({}, tooWide)).rejects.toThrow(/too large for the WebGPU engine.*3003 units/);
    const wrongInputs: ModelSpec = { ...MODEL, inputSize: 5 };
    await expect(engine({}, wrongInputs)).rejects.toThrow(/takes 5 inputs but the dataset has 2/);
    const e = await engine({ maxRuns: 2 });
    await e.addRun(config(1), WEIGHTS);
    await e.addRun(config(1), WEIGHTS);
    await expect(e.addRun(config(1), WEIGHTS)).rejects.toThrow(/at most 2 runs/);
    await expect(e.addRun(config(1), WEIGHTS.subarray(1))).rejects.toThrow(/initial weights/);
    e.dispose();
    const fresh = await engine();
    await expect(fresh.addRun(config(N + 1), WEIGHTS)).rejects.toThrow(/batch size/);
    const id = await fresh.addRun(config(4), WEIGHTS);
    await expect(fresh.perSampleGradients(id, [0, N])).rejects.toThrow(/not in 0\.\.96/);
    fresh.dispose();
  });

  test.each(LAYOUTS)(
    'a diverging run stops and is reported, as on the CPU engine ($name)',
    async ({ options }) => {
      const mseModel: ModelSpec = { ...MODEL, activation: 'linear', loss: 'mse' };
      const data = testDataset('mse', N, 3);
      const gpu = await testGpu();
      const e = await GpuEngine.create(gpu.device, data, mseModel, {
        ...options,
      });
      const cpu = new CpuEngine(data, mseModel);
      const weights = initParams(mseModel, 2);
      const wild = config(4, { learningRate: 50 });
      const gpuId = await e.addRun(wild, weights);
      const calm = await e.addRun(config(4, { learningRate: 0.01 }), weights);
      const cpuId = await cpu.addRun(wild, weights);
      const [gpuUpdate, calmUpdate] = await e.advance({ samplesPerRun: 10 * N, maxStepsPerRun: 1e6 });
      const [cpuUpdate] = await cpu.advance({ samplesPerRun: 10 * N, maxStepsPerRun: 1e6 });
      expect(gpuUpdate?.runId).toBe(gpuId);
      expect(gpuUpdate?.diverged).toBe(true);
      expect(cpuUpdate?.diverged).toBe(true);
      expect(cpuUpdate?.runId).toBe(cpuId);
      // Both stop within a step or two of each other (float32 overflows before float64 does).
      expect(gpuUpdate?.batchLosses.length).toBeLessThan(10 * Math.ceil(N / 4));
      expect(calmUpdate?.runId).toBe(calm);
      expect(calmUpdate?.diverged).toBe(false);
      // The next advance takes no steps for the diverged run; setWeights revives it.
      const [again] = await e.advance({ samplesPerRun: N, maxStepsPerRun: 1e6 });
      expect(again?.batchLosses.length).toBe(0);
      await e.setWeights(gpuId, weights);
      const [revived] = await e.advance({ samplesPerRun: 4, maxStepsPerRun: 1 });
      expect(revived?.diverged).toBe(false);
      expect(revived?.batchLosses.length).toBe(1);
      e.dispose();
    },
  );

  test('after a device loss, training goes on from the weights the recovering engine saved', async () => {
    // The app's recovery (create.ts): RecoveringEngine saves each run's weights at most once a
    // second and, once the device is lost, rebuilds the engine and goes on from them.
    const result = await requestGpuDevice();
    if (!result.ok) throw new Error(result.reason);
    const gpu = await GpuEngine.create(result.device, DATASET, MODEL);
    const reasons: string[] = [];
    const lost = new Promise<void>((resolve) => {
      gpu.onDeviceLost((reason) => {
        reasons.push(reason);
        resolve();
      });
    });
    const notices: string[] = [];
    const recovering = new RecoveringEngine(
      {
        engine: gpu,
        badge: `WebGPU: ${result.adapterName}`,
        offThread: true,
        onLost: (callback) => gpu.onDeviceLost(callback),
        releaseDevice: () => result.device.destroy(),
      },
      DATASET,
      MODEL,
      { preferGpu: true, onNotice: (text) => notices.push(text) },
    );
    const id = await recovering.addRun(config(8), WEIGHTS);
    const request = { samplesPerRun: N, maxStepsPerRun: 100 };
    const [first] = await recovering.advance(request); // the first advance saves the weights
    const trained = await recovering.getWeights(id);
    result.device.destroy();
    await lost;
    expect(reasons).toHaveLength(1);
    await expect(gpu.advance(request)).rejects.toThrow(/device was lost/);

    const [after] = await recovering.advance(request);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(reasons[0]);
    expect(recovering.engine).toBe('webgpu'); // a new device: the first loss retries the GPU
    expect(after?.runId).toBe(id);
    expect(after?.progress.step).toBe(2 * (first?.progress.step ?? Number.NaN));
    // It went on from the saved weights: the same bits as a fresh run started from them.
    const fresh = await engine();
    const freshId = await fresh.addRun(config(8), trained);
    await fresh.advance(request);
    expect(sameBits(await recovering.getWeights(id), await fresh.getWeights(freshId))).toBe(true);
    fresh.dispose();
    recovering.dispose();
  });

  test('a caller that passes no options gets the layout of the device it gave', async () => {
    // As a benchmark or another app embedding the engine would call it.
    const gpu = await testGpu();
    const e = await GpuEngine.create(gpu.device, DATASET, MODEL);
    expect(e.adapterKind).toBe(gpu.isFallbackAdapter ? 'software' : 'gpu');
    expect(e.workgroupSize).toBe(gpu.isFallbackAdapter ? 4 : 64);
    expect(e.label).toBe(`WebGPU: ${gpu.adapterName}`);
    e.dispose();
  });

  test('requestGpuDevice explains a missing WebGPU', async () => {
    const result = await requestGpuDevice(undefined);
    // With `undefined` the default (navigator.gpu) is used, which exists here.
    expect(result.ok).toBe(true);
    const none = await requestGpuDevice({
      requestAdapter: async () => null,
    } as unknown as GPU);
    expect(none).toEqual({ ok: false, reason: 'WebGPU is present but offers no adapter' });
  });
});

describe('GpuTrainer', () => {
  test('implements Trainer like the CPU trainer', async () => {
    const gpu = await testGpu();
    const trainer = await GpuTrainer.create(gpu.device, DATASET, MODEL, config(10), WEIGHTS, {});
    expect(trainer.engine).toBe('webgpu');
    const losses = await trainer.step(25);
    expect(losses.length).toBe(25);
    expect(trainer.progress()).toEqual({ step: 25, epoch: 2.5, samplesSeen: 2 * N + 5 * 10 });
    const perSample = await trainer.perSampleLosses([0, 1, 2]);
    expect(perSample.length).toBe(3);
    expect(perSample.every((l) => l > 0)).toBe(true);
    await trainer.setWeights(WEIGHTS);
    expect(sameBits(await trainer.getWeights(), Float64Array.from(WEIGHTS, Math.fround))).toBe(true);
    trainer.dispose();
  });
});
