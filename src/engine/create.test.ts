import { describe, expect, it } from 'vitest';
import { defaultModelFor, loadDataset } from '../data/catalog';
import { CpuEngine } from './cpu/engine';
import {
  createTrainingEngine,
  type InnerEngine,
  LOST_TWICE_BADGE,
  RecoveringEngine,
  WARM_UP_BADGE,
} from './create';
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

/** A losable pretend GPU engine, with the callback that loses it. */
function losableInner(
  dataset: Awaited<ReturnType<typeof setup>>['dataset'],
  model: Awaited<ReturnType<typeof setup>>['model'],
) {
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
  return {
    inner,
    lose: (reason: string) => {
      gpu.lost = true;
      lose(reason);
    },
  };
}

describe('RecoveringEngine after a second lost GPU device', () => {
  it('stays on the CPU and says that the device was lost twice, not that the user chose the CPU', async () => {
    const { dataset, model, weights } = await setup();
    const first = losableInner(dataset, model);
    const second = losableInner(dataset, model);
    const badges: string[] = [];
    const notices: string[] = [];
    const engine = new RecoveringEngine(first.inner, dataset, model, {
      preferGpu: true,
      makeGpuEngine: async () => second.inner,
      onBadgeChange: (badge) => badges.push(badge),
      onNotice: (text) => notices.push(text),
    });
    const id = await engine.addRun(config, weights);
    await engine.advance({ samplesPerRun: 16, maxStepsPerRun: 16 });
    first.lose('first loss');
    await engine.advance({ samplesPerRun: 16, maxStepsPerRun: 16 });
    expect(badges).toEqual(['WebGPU: fake']);
    second.lose('second loss');
    const [update] = await engine.advance({ samplesPerRun: 16, maxStepsPerRun: 16 });
    expect(engine.engine).toBe('cpu');
    expect(badges.at(-1)).toBe(LOST_TWICE_BADGE);
    expect(badges.at(-1)).not.toContain('engine=cpu');
    expect(notices.at(-1)).toContain('second loss');
    expect(update?.runId).toBe(id);
    expect(update?.progress.step).toBe(3); // each advance took its one step, the recoveries none
    engine.dispose();
  });
});

describe('createTrainingEngine with a warm-up on the CPU', () => {
  it('answers at once on the CPU, then hands over to WebGPU when it is ready', async () => {
    const { dataset, model, weights } = await setup();
    let ready: (inner: InnerEngine) => void = () => {};
    const gpu = new Promise<InnerEngine>((resolve) => {
      ready = resolve;
    });
    const badges: string[] = [];
    const created = await createTrainingEngine(dataset, model, {
      preferGpu: true,
      warmUpOnCpu: true,
      makeGpuEngine: () => gpu,
      onBadgeChange: (badge) => badges.push(badge),
    });
    expect(created.badge).toBe(WARM_UP_BADGE);
    expect(created.kind).toBe('cpu');
    const id = await created.engine.addRun(config, weights);
    await created.engine.advance({ samplesPerRun: 16, maxStepsPerRun: 16 });
    ready(losableInner(dataset, model).inner);
    await gpu;
    const [update] = await created.engine.advance({ samplesPerRun: 16, maxStepsPerRun: 16 });
    expect(badges).toEqual(['WebGPU: fake']);
    expect(created.engine.engine).toBe('webgpu');
    expect(update?.runId).toBe(id);
    expect(update?.progress.step).toBe(2);
    created.engine.dispose();
  });
});
