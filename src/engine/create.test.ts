import { describe, expect, it } from 'vitest';
import { defaultModelFor, loadDataset } from '../data/catalog';
import { CpuEngine } from './cpu/engine';
import { createTrainingEngine, type InnerEngine, RecoveringEngine } from './create';
import { initParams } from './model';
import type { EngineKind, TrainConfig } from './types';

const config: TrainConfig = {
  batchSize: 16,
  learningRate: 0.1,
  reduction: 'mean',
  momentum: 0,
  lastBatch: 'keep',
  shuffleSeed: 3,
};

async function setup() {
  const dataset = await loadDataset('circles', { n: 64, noise: 0.1, seed: 1 });
  const model = defaultModelFor(dataset, [4], 'tanh');
  return { dataset, model, weights: initParams(model, 7) };
}

/** A CPU engine that pretends to be on a GPU that can be lost. */
class LosableEngine extends CpuEngine {
  override readonly engine: EngineKind = 'webgpu';
  lost = false;
  override async advance(request: Parameters<CpuEngine['advance']>[0]) {
    if (this.lost) throw new Error('device lost');
    return super.advance(request);
  }
}

describe('createTrainingEngine', () => {
  it('falls back to the CPU engine, with the reason, where there is no WebGPU (as in Node)', async () => {
    const { dataset, model } = await setup();
    const created = await createTrainingEngine(dataset, model, { preferGpu: true });
    expect(created.kind).toBe('cpu');
    expect(created.badge).toMatch(/^CPU \(WebGPU is not available in this browser: .+\)$/);
    expect(created.fallbackReason).toBeTruthy();
    created.engine.dispose();
  });

  it('uses the CPU engine without trying WebGPU when asked', async () => {
    const { dataset, model } = await setup();
    const created = await createTrainingEngine(dataset, model, { preferGpu: false });
    expect(created.badge).toBe('CPU (chosen with engine=cpu)');
    expect(created.fallbackReason).toBeUndefined();
    created.engine.dispose();
  });
});

describe('RecoveringEngine after a lost GPU device', () => {
  it('carries every run on, from its saved weights and with its counters, on a new engine', async () => {
    const { dataset, model, weights } = await setup();
    const gpu = new LosableEngine(dataset, model);
    let lose: (reason: string) => void = () => {};
    const inner: InnerEngine = {
      engine: gpu,
      badge: 'WebGPU: fake',
      offThread: true,
      onLost: (callback) => {
        lose = callback;
      },
    };
    const notices: string[] = [];
    const badges: string[] = [];
    const engine = new RecoveringEngine(inner, dataset, model, {
      preferGpu: true,
      onNotice: (text) => notices.push(text),
      onBadgeChange: (badge) => badges.push(badge),
    });
    const id = await engine.addRun(config, weights);
    const first = await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 64 });
    expect(first[0]?.progress.step).toBe(4);
    // The weights saved at that advance (the snapshot runs at most once a second).
    const saved = await engine.getWeights(id);

    gpu.lost = true;
    lose('the test pulled the plug');
    const after = await engine.advance({ samplesPerRun: 64, maxStepsPerRun: 64 });
    expect(notices.join()).toContain('the test pulled the plug');
    expect(badges.at(-1)).toMatch(/^CPU/); // no WebGPU in Node: the CPU engine takes over
    expect(engine.engine).toBe('cpu');
    expect(after[0]?.runId).toBe(id);
    expect(after[0]?.progress.step).toBe(8); // counters go on from where they were
    expect(after[0]?.progress.samplesSeen).toBe(128);
    // It went on from the saved weights: the same as a fresh run started from them.
    const reference = new CpuEngine(dataset, model);
    const refId = await reference.addRun(config, saved);
    await reference.advance({ samplesPerRun: 64, maxStepsPerRun: 64 });
    expect(await engine.getWeights(id)).toEqual(await reference.getWeights(refId));
    engine.dispose();
  });
});
