/**
 * A run handed over mid-run from one engine to another goes on exactly as if it had never
 * moved: same weights, same momentum, same step count and the same place in the epoch's shuffle.
 * CPU → CPU is float64 on both sides, so "the same" means bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { defaultModelFor, loadDataset } from '../data/catalog';
import { CpuEngine } from './cpu/engine';
import { type InnerEngine, RecoveringEngine, WARM_UP_BADGE } from './create';
import { initParams } from './model';
import type { EngineKind, TrainConfig } from './types';

async function setup() {
  // N = 61 with B = 7: epochs of 9 steps, the last one smaller, so a hand-over lands mid-epoch.
  const dataset = await loadDataset('circles', { n: 61, noise: 0.1, seed: 1 });
  const model = defaultModelFor(dataset, [5, 4], 'tanh');
  return { dataset, model, weights: initParams(model, 7) };
}

const momentum: TrainConfig = {
  batchSize: 7,
  learningRate: 0.2,
  reduction: 'mean',
  momentum: 0.9,
  lastBatch: 'keep',
  shuffleSeed: 5,
};
const plain: TrainConfig = { ...momentum, batchSize: 1, momentum: 0, reduction: 'sum', learningRate: 0.05 };

/** A second CPU engine standing in for the WebGPU engine the runs move to. */
class PretendGpu extends CpuEngine {
  override readonly engine: EngineKind = 'webgpu';
}

describe('exportRun / importRun on the CPU engine', () => {
  it('a run continued on another instance ends bit-identical to a run that never moved', async () => {
    const { dataset, model, weights } = await setup();
    const stay = new CpuEngine(dataset, model);
    const first = new CpuEngine(dataset, model);
    const second = new CpuEngine(dataset, model);
    const stayIds = [await stay.addRun(momentum, weights), await stay.addRun(plain, weights)];
    const firstIds = [await first.addRun(momentum, weights), await first.addRun(plain, weights)];
    // 5 steps of B = 7 (mid-epoch), 35 of B = 1.
    await stay.advance({ samplesPerRun: 35, maxStepsPerRun: 1000 });
    await first.advance({ samplesPerRun: 35, maxStepsPerRun: 1000 });
    const secondIds: number[] = [];
    for (const [k, id] of firstIds.entries()) {
      const checkpoint = await first.exportRun(id);
      expect(checkpoint.step).toBe(k === 0 ? 5 : 35);
      if (k === 0) expect(checkpoint.velocity.some((v) => v !== 0)).toBe(true);
      secondIds.push(await second.importRun(k === 0 ? momentum : plain, checkpoint));
    }
    first.dispose();
    const stayed = await stay.advance({ samplesPerRun: 200, maxStepsPerRun: 1000 });
    const moved = await second.advance({ samplesPerRun: 200, maxStepsPerRun: 1000 });
    for (const k of [0, 1]) {
      expect(moved[k]?.progress).toEqual(stayed[k]?.progress);
      expect(moved[k]?.batchLosses).toEqual(stayed[k]?.batchLosses);
      expect(await second.getWeights(secondIds[k] as number)).toEqual(
        await stay.getWeights(stayIds[k] as number),
      );
    }
  });

  it('a stopped run stays stopped after the move, and takes no step', async () => {
    const { dataset, model, weights } = await setup();
    const a = new CpuEngine(dataset, model);
    const b = new CpuEngine(dataset, model);
    const id = await a.addRun(plain, weights);
    await a.advance({ samplesPerRun: 3, maxStepsPerRun: 3 });
    await a.stopRun(id);
    const stopped = await a.advance({ samplesPerRun: 3, maxStepsPerRun: 3 });
    expect(stopped[0]?.batchLosses.length).toBe(0);
    expect(stopped[0]?.diverged).toBe(true);
    const moved = await b.importRun(plain, await a.exportRun(id));
    const after = await b.advance({ samplesPerRun: 3, maxStepsPerRun: 3 });
    expect(after[0]?.runId).toBe(moved);
    expect(after[0]?.batchLosses.length).toBe(0);
    expect(after[0]?.progress.step).toBe(3);
  });
});

describe('RecoveringEngine: warm-up on the CPU, then a hand-over', () => {
  it('moves every run between two advances, with no step lost or repeated, and says so in the badge', async () => {
    const { dataset, model, weights } = await setup();
    const badges: [string, EngineKind][] = [];
    const warmUp: InnerEngine = {
      engine: new CpuEngine(dataset, model),
      badge: WARM_UP_BADGE,
      offThread: true,
    };
    const engine = new RecoveringEngine(warmUp, dataset, model, {
      preferGpu: true,
      onBadgeChange: (badge, kind) => badges.push([badge, kind]),
    });
    const reference = new CpuEngine(dataset, model);
    const ids = [await engine.addRun(momentum, weights), await engine.addRun(plain, weights)];
    const refIds = [await reference.addRun(momentum, weights), await reference.addRun(plain, weights)];
    const request = { samplesPerRun: 20, maxStepsPerRun: 1000 };
    await engine.advance(request);
    await reference.advance(request);
    expect(engine.engine).toBe('cpu');

    let ready: (inner: InnerEngine) => void = () => {};
    const starting = new Promise<InnerEngine>((resolve) => {
      ready = resolve;
    });
    const handedOver = engine.handOverWhenReady(starting);
    // An advance already queued before the GPU is ready runs on the CPU.
    const beforeHandOver = engine.advance(request);
    ready({
      engine: new PretendGpu(dataset, model),
      badge: 'WebGPU: pretend',
      offThread: true,
      compileMs: 12,
    });
    await handedOver;
    await beforeHandOver;
    await reference.advance(request);
    expect(engine.engine).toBe('webgpu');
    expect(badges).toEqual([['WebGPU: pretend', 'webgpu']]);

    const moved = await engine.advance(request);
    const stayed = await reference.advance(request);
    for (const k of [0, 1]) {
      expect(moved[k]?.runId).toBe(ids[k]);
      expect(moved[k]?.progress).toEqual(stayed[k]?.progress);
      expect(moved[k]?.batchLosses).toEqual(stayed[k]?.batchLosses);
      expect(await engine.getWeights(ids[k] as number)).toEqual(
        await reference.getWeights(refIds[k] as number),
      );
    }
    engine.dispose();
  });

  it('stays on the CPU and says why when WebGPU does not start', async () => {
    const { dataset, model, weights } = await setup();
    const badges: string[] = [];
    const warmUp: InnerEngine = {
      engine: new CpuEngine(dataset, model),
      badge: WARM_UP_BADGE,
      offThread: true,
    };
    const engine = new RecoveringEngine(warmUp, dataset, model, {
      preferGpu: true,
      onBadgeChange: (badge) => badges.push(badge),
    });
    const id = await engine.addRun(plain, weights);
    await engine.handOverWhenReady(Promise.resolve('the adapter was refused'));
    expect(badges).toEqual(['CPU (WebGPU is not available in this browser: the adapter was refused)']);
    const [update] = await engine.advance({ samplesPerRun: 4, maxStepsPerRun: 4 });
    expect(update?.runId).toBe(id);
    expect(update?.progress.step).toBe(4);
    engine.dispose();
  });

  it('releases an engine that becomes ready after it was disposed', async () => {
    const { dataset, model } = await setup();
    const warmUp: InnerEngine = {
      engine: new CpuEngine(dataset, model),
      badge: WARM_UP_BADGE,
      offThread: true,
    };
    const engine = new RecoveringEngine(warmUp, dataset, model, { preferGpu: true });
    engine.dispose();
    let released = false;
    await engine.handOverWhenReady(
      Promise.resolve({
        engine: new PretendGpu(dataset, model),
        badge: 'WebGPU: late',
        offThread: true,
        releaseDevice: () => {
          released = true;
        },
      }),
    );
    expect(released).toBe(true);
    expect(engine.engine).toBe('cpu');
  });
});
