/**
 * The one place the app picks an engine: WebGPU when the browser has it, the CPU reference engine
 * otherwise, with the reason in the badge. The returned engine also survives a lost GPU device:
 * it recreates itself (on a new device, or on the CPU) from the runs' recently saved weights.
 */

import { errorText } from '../error-text';
import { CpuEngine } from './cpu/engine';
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunUpdate,
  TrainConfig,
  TrainerProgress,
  TrainingEngine,
} from './types';

export interface EngineChoice {
  /** False forces the CPU engine (the `engine=cpu` URL parameter). */
  preferGpu: boolean;
  /** Called with a sentence for the user when the engine had to be replaced. */
  onNotice?: (message: string) => void;
  /**
   * Makes the CPU engine (default: the in-thread `CpuEngine`). The app passes one that runs it
   * in a worker.
   */
  makeCpuEngine?: (dataset: Dataset, model: ModelSpec) => Promise<TrainingEngine>;
  /** Called when the badge changes (after a device loss). */
  onBadgeChange?: (badge: string, kind: EngineKind) => void;
}

export interface CreatedEngine {
  engine: TrainingEngine;
  badge: string;
  kind: EngineKind;
  /** Why WebGPU is not used, when it was wanted but is unavailable. */
  fallbackReason?: string;
  /** Shader compilation time of the WebGPU engine. */
  compileMs?: number;
  /** True when training does not run on the page's main thread (WebGPU, or a CPU worker). */
  offThread: boolean;
}

export interface InnerEngine {
  engine: TrainingEngine;
  badge: string;
  fallbackReason?: string;
  compileMs?: number;
  offThread: boolean;
  /** Registers the device-loss callback (WebGPU only). */
  onLost?: (callback: (reason: string) => void) => void;
  /** Destroys the GPU device this engine was given (WebGPU only), once the engine is disposed. */
  releaseDevice?: () => void;
}

export function cpuBadge(reason?: string): string {
  return reason ? `CPU (WebGPU is not available in this browser: ${reason})` : 'CPU';
}

async function createInner(
  dataset: Dataset,
  model: ModelSpec,
  preferGpu: boolean,
  makeCpuEngine: EngineChoice['makeCpuEngine'],
): Promise<InnerEngine> {
  const cpu = async (fallbackReason?: string): Promise<InnerEngine> => {
    let engine: TrainingEngine | null = null;
    let offThread = false;
    if (makeCpuEngine) {
      try {
        engine = await makeCpuEngine(dataset, model);
        offThread = true;
      } catch {
        // e.g. workers blocked by a Content-Security-Policy: train in small chunks in-thread
      }
    }
    return {
      engine: engine ?? new CpuEngine(dataset, model),
      offThread,
      badge: fallbackReason ? cpuBadge(fallbackReason) : 'CPU (chosen with engine=cpu)',
      ...(fallbackReason ? { fallbackReason } : {}),
    };
  };
  if (!preferGpu) return cpu();
  let gpuModules: [typeof import('./gpu/device'), typeof import('./gpu/engine')];
  try {
    gpuModules = await Promise.all([import('./gpu/device'), import('./gpu/engine')]);
  } catch (error) {
    return cpu(`the WebGPU engine could not be loaded (${errorText(error)})`);
  }
  const [{ requestGpuDevice }, { GpuEngine }] = gpuModules;
  const request = await requestGpuDevice();
  if (!request.ok) return cpu(request.reason);
  try {
    const creating = GpuEngine.create(request.device, dataset, model, {
      adapterName: request.adapterName,
    });
    const gpu = await withTimeout(creating, GPU_START_TIMEOUT_MS);
    if (gpu === null) {
      // Still compiling: give up on it, and release it if it ever finishes.
      void creating.then(
        (late) => {
          late.dispose();
          request.device.destroy();
        },
        () => request.device.destroy(),
      );
      return cpu(`the WebGPU engine took over ${GPU_START_TIMEOUT_MS / 1000} s to compile its shaders`);
    }
    const adapter = request.adapterName || 'unnamed adapter';
    return {
      engine: gpu,
      badge: `WebGPU: ${adapter}${request.isFallbackAdapter ? ' (software)' : ''}`,
      compileMs: gpu.compileMs,
      offThread: true,
      onLost: (callback) => gpu.onDeviceLost(callback),
      releaseDevice: () => request.device.destroy(),
    };
  } catch (error) {
    request.device.destroy();
    return cpu(`the WebGPU engine failed to start (${errorText(error)})`);
  }
}

/**
 * How long the WebGPU engine may take to start (shader compilation) before the CPU engine is
 * used instead. A real GPU needs well under a second; a software adapter on a slow machine can
 * need many seconds, and a learner should not wait longer than this for the first curve.
 */
export const GPU_START_TIMEOUT_MS = 25_000;

/** Resolves with the value, or with null when `ms` pass first. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Creates the engine for one dataset and model. Never rejects for a missing WebGPU: falls back. */
export async function createTrainingEngine(
  dataset: Dataset,
  model: ModelSpec,
  choice: EngineChoice,
): Promise<CreatedEngine> {
  const inner = await createInner(dataset, model, choice.preferGpu, choice.makeCpuEngine);
  const engine = new RecoveringEngine(inner, dataset, model, choice);
  return {
    engine,
    badge: inner.badge,
    kind: inner.engine.engine,
    offThread: inner.offThread,
    ...(inner.fallbackReason ? { fallbackReason: inner.fallbackReason } : {}),
    ...(inner.compileMs !== undefined ? { compileMs: inner.compileMs } : {}),
  };
}

interface RunRecord {
  innerId: number;
  config: TrainConfig;
  /** Weights saved at most `SNAPSHOT_INTERVAL_MS` ago (only while on a GPU that can be lost). */
  saved: Float64Array;
  /** Progress before the current inner run started (non-zero after a recovery). */
  offset: TrainerProgress;
  latest: TrainerProgress;
  diverged: boolean;
}

/** How often weights are copied back from the GPU so a lost device costs at most this much training. */
const SNAPSHOT_INTERVAL_MS = 1000;

function addProgress(a: TrainerProgress, b: TrainerProgress): TrainerProgress {
  return { step: a.step + b.step, epoch: a.epoch + b.epoch, samplesSeen: a.samplesSeen + b.samplesSeen };
}

const ZERO_PROGRESS: TrainerProgress = { step: 0, epoch: 0, samplesSeen: 0 };

/**
 * Wraps the real engine and keeps its own run ids, so the engine underneath can be replaced
 * after a device loss without the app noticing anything but a notice and a new badge.
 * After a recovery a run continues from its saved weights with its step, epoch and sample
 * counters carried on; its momentum starts again from zero and its shuffle order restarts.
 */
export class RecoveringEngine implements TrainingEngine {
  private inner: InnerEngine;
  private readonly runs = new Map<number, RunRecord>();
  private nextId = 0;
  private lostReason: string | null = null;
  private losses = 0;
  private lastSnapshot = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(
    inner: InnerEngine,
    readonly dataset: Dataset,
    readonly model: ModelSpec,
    private readonly choice: EngineChoice,
  ) {
    this.inner = inner;
    this.watch(inner);
  }

  get engine(): EngineKind {
    return this.inner.engine.engine;
  }

  get label(): string {
    return this.inner.engine.label;
  }

  private watch(inner: InnerEngine): void {
    inner.onLost?.((reason) => {
      if (this.inner === inner && !this.disposed) this.lostReason = reason || 'unknown reason';
    });
  }

  async addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number> {
    await this.recoverIfLost();
    const innerId = await this.inner.engine.addRun(config, initialWeights);
    const id = this.nextId++;
    this.runs.set(id, {
      innerId,
      config: { ...config },
      saved: Float64Array.from(initialWeights),
      offset: ZERO_PROGRESS,
      latest: ZERO_PROGRESS,
      diverged: false,
    });
    return id;
  }

  removeRun(runId: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.inner.engine.removeRun(run.innerId);
    this.runs.delete(runId);
  }

  runIds(): number[] {
    return [...this.runs.keys()];
  }

  async advance(request: AdvanceRequest): Promise<RunUpdate[]> {
    await this.recoverIfLost();
    let updates: RunUpdate[];
    try {
      updates = await this.inner.engine.advance(request);
    } catch (error) {
      if (this.lostReason === null) throw error;
      await this.recoverIfLost();
      return [];
    }
    const byInner = new Map<number, [number, RunRecord]>();
    for (const entry of this.runs) byInner.set(entry[1].innerId, entry);
    const result: RunUpdate[] = [];
    for (const update of updates) {
      const entry = byInner.get(update.runId);
      if (!entry) continue;
      const [id, run] = entry;
      run.latest = addProgress(run.offset, update.progress);
      run.diverged = update.diverged;
      result.push({ ...update, runId: id, progress: run.latest });
    }
    await this.snapshotIfDue();
    return result;
  }

  private async snapshotIfDue(): Promise<void> {
    if (!this.inner.onLost) return; // the CPU engine cannot lose its device
    const now = performance.now();
    if (now - this.lastSnapshot < SNAPSHOT_INTERVAL_MS) return;
    this.lastSnapshot = now;
    for (const run of this.runs.values()) {
      if (run.diverged) continue;
      try {
        run.saved = await this.inner.engine.getWeights(run.innerId);
      } catch {
        return; // probably the device going away: the loss handler takes over
      }
    }
  }

  private async recoverIfLost(): Promise<void> {
    if (this.lostReason === null || this.disposed) return;
    const reason = this.lostReason;
    this.losses++;
    const old = this.inner;
    try {
      old.engine.dispose();
      old.releaseDevice?.();
    } catch {
      // a lost device may refuse to release its buffers; nothing to keep anyway
    }
    // Try the GPU once more; after a second loss, stay on the CPU.
    const next = await createInner(
      this.dataset,
      this.model,
      this.choice.preferGpu && this.losses < 2,
      this.choice.makeCpuEngine,
    );
    this.inner = next;
    this.lostReason = null;
    this.watch(next);
    for (const run of this.runs.values()) {
      run.innerId = await next.engine.addRun(run.config, run.saved);
      run.offset = run.latest;
    }
    this.choice.onBadgeChange?.(next.badge, next.engine.engine);
    this.choice.onNotice?.(
      `The GPU device was lost (${reason}). Training goes on with ${next.badge} from each run's weights saved up to a second earlier.`,
    );
  }

  private record(runId: number): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw new RangeError(`no run with id ${runId}`);
    return run;
  }

  async getWeights(runId: number): Promise<Float64Array> {
    return this.inner.engine.getWeights(this.record(runId).innerId);
  }

  async setWeights(runId: number, weights: ArrayLike<number>): Promise<void> {
    const run = this.record(runId);
    run.saved = Float64Array.from(weights);
    await this.inner.engine.setWeights(run.innerId, weights);
  }

  async perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.inner.engine.perSampleGradients(this.record(runId).innerId, indices);
  }

  async datasetLoss(runId: number): Promise<number> {
    return this.inner.engine.datasetLoss(this.record(runId).innerId);
  }

  dispose(): void {
    this.disposed = true;
    this.runs.clear();
    this.inner.engine.dispose();
    // Each engine has its own device: without this, every rebuild (and every embedded element
    // taken off a page) would keep one alive until garbage collection.
    this.inner.releaseDevice?.();
  }
}
