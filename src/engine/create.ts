/**
 * The one place the app picks an engine: WebGPU when the browser has it, the CPU reference engine
 * otherwise, with the reason in the badge. With `warmUpOnCpu` the runs train on the CPU engine at
 * once while the WebGPU pipelines compile, then move over mid-run (weights, momentum, step count,
 * hence the place in the epoch's shuffle), so nothing waits for the compiler. The returned engine
 * also survives a lost GPU device: it recreates itself (on a new device, or on the CPU) from the
 * runs' recently saved weights.
 */

import { errorText } from '../error-text';
import { CpuEngine } from './cpu/engine';
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunCheckpoint,
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
  /** Called when the badge changes (a hand-over to WebGPU, a failed warm-up, a device loss). */
  onBadgeChange?: (badge: string, kind: EngineKind, details?: EngineDetails) => void;
  /**
   * Train on the CPU engine at once and hand the runs over to WebGPU once its pipelines have
   * compiled in the background (default: wait for WebGPU before training).
   */
  warmUpOnCpu?: boolean;
  /** Starts the WebGPU engine, or says why not (default: the real one; tests pass their own). */
  makeGpuEngine?: (dataset: Dataset, model: ModelSpec) => Promise<InnerEngine | string>;
}

/** What the badge's tooltip and the training loop's budget need to know of a new engine. */
export interface EngineDetails {
  compileMs?: number;
  offThread: boolean;
  fallbackReason?: string;
}

/** The badge while the CPU engine trains and the WebGPU pipelines compile. */
export const WARM_UP_BADGE = 'CPU while WebGPU starts (compiling shaders)';

/** The badge after the GPU device was lost twice: the page stays on the CPU from then on. */
export const LOST_TWICE_BADGE = 'CPU (the GPU device was lost twice, so training stays on the CPU)';

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

async function createCpuInner(
  dataset: Dataset,
  model: ModelSpec,
  makeCpuEngine: EngineChoice['makeCpuEngine'],
  badge: string,
  fallbackReason?: string,
): Promise<InnerEngine> {
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
    badge,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/** The WebGPU engine, or the reason there is none. */
async function createGpuInner(dataset: Dataset, model: ModelSpec): Promise<InnerEngine | string> {
  let gpuModules: [typeof import('./gpu/device'), typeof import('./gpu/engine')];
  try {
    gpuModules = await Promise.all([import('./gpu/device'), import('./gpu/engine')]);
  } catch (error) {
    return `the WebGPU engine could not be loaded (${errorText(error)})`;
  }
  const [{ requestGpuDevice }, { GpuEngine }] = gpuModules;
  const request = await requestGpuDevice();
  if (!request.ok) return request.reason;
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
      return `the WebGPU engine took over ${GPU_START_TIMEOUT_MS / 1000} s to compile its shaders`;
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
    return `the WebGPU engine failed to start (${errorText(error)})`;
  }
}

async function createInner(
  dataset: Dataset,
  model: ModelSpec,
  preferGpu: boolean,
  choice: EngineChoice,
  cpuOnlyBadge = 'CPU (chosen with engine=cpu)',
): Promise<InnerEngine> {
  if (!preferGpu) return createCpuInner(dataset, model, choice.makeCpuEngine, cpuOnlyBadge);
  const gpu = await (choice.makeGpuEngine ?? createGpuInner)(dataset, model);
  if (typeof gpu !== 'string') return gpu;
  return createCpuInner(dataset, model, choice.makeCpuEngine, cpuBadge(gpu), gpu);
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
  const warmUp = choice.preferGpu && (choice.warmUpOnCpu ?? false);
  const inner = warmUp
    ? await createCpuInner(dataset, model, choice.makeCpuEngine, WARM_UP_BADGE)
    : await createInner(dataset, model, choice.preferGpu, choice);
  const engine = new RecoveringEngine(inner, dataset, model, choice);
  if (warmUp) void engine.handOverWhenReady((choice.makeGpuEngine ?? createGpuInner)(dataset, model));
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
 * (a hand-over from the warm-up CPU engine to WebGPU, or a recovery after a device loss) without
 * the app noticing anything but a new badge. A hand-over moves each run's full state, so training
 * goes on exactly where it was. After a recovery a run continues from its saved weights with its
 * step, epoch and sample counters carried on; its momentum starts again from zero and its shuffle
 * order restarts.
 */
export class RecoveringEngine implements TrainingEngine {
  private inner: InnerEngine;
  private readonly runs = new Map<number, RunRecord>();
  private nextId = 0;
  private lostReason: string | null = null;
  private losses = 0;
  private lastSnapshot = Number.NEGATIVE_INFINITY;
  private disposed = false;
  /** One operation at a time, so a hand-over never interleaves with training. */
  private chain: Promise<unknown> = Promise.resolve();

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

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.chain.then(task, task);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /**
   * Moves every run to the engine `starting` resolves with, between two operations, as soon as
   * it is ready; when it resolves with a reason instead, stays on the CPU and says why.
   */
  handOverWhenReady(starting: Promise<InnerEngine | string>): Promise<void> {
    return starting.then(
      (next) => this.serial(() => this.handOver(next)),
      (error: unknown) =>
        this.serial(() => this.handOver(`the WebGPU engine failed to start (${errorText(error)})`)),
    );
  }

  private async handOver(next: InnerEngine | string): Promise<void> {
    if (this.disposed) {
      if (typeof next !== 'string') this.release(next);
      return;
    }
    if (typeof next === 'string') {
      this.inner.badge = cpuBadge(next);
      this.inner.fallbackReason = next;
      this.announce();
      return;
    }
    const old = this.inner;
    const moved: [RunRecord, number][] = [];
    try {
      for (const run of this.runs.values()) {
        const checkpoint = await old.engine.exportRun(run.innerId);
        moved.push([run, await next.engine.importRun(run.config, checkpoint)]);
      }
    } catch (error) {
      // The CPU engine still holds every run untouched: keep training there.
      this.release(next);
      this.inner.badge = cpuBadge(`the hand-over to WebGPU failed (${errorText(error)})`);
      this.announce();
      return;
    }
    if (this.disposed) {
      this.release(next);
      return;
    }
    for (const [run, innerId] of moved) run.innerId = innerId;
    this.inner = next;
    this.watch(next);
    this.lastSnapshot = Number.NEGATIVE_INFINITY;
    this.release(old);
    this.announce();
  }

  private release(inner: InnerEngine): void {
    try {
      inner.engine.dispose();
      inner.releaseDevice?.();
    } catch {
      // a lost device may refuse to release its buffers; nothing to keep anyway
    }
  }

  private announce(): void {
    const inner = this.inner;
    this.choice.onBadgeChange?.(inner.badge, inner.engine.engine, {
      offThread: inner.offThread,
      ...(inner.compileMs !== undefined ? { compileMs: inner.compileMs } : {}),
      ...(inner.fallbackReason ? { fallbackReason: inner.fallbackReason } : {}),
    });
  }

  addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number> {
    return this.serial(async () => {
      await this.recoverIfLost();
      const innerId = await this.inner.engine.addRun(config, initialWeights);
      return this.record(innerId, config, initialWeights);
    });
  }

  private record(innerId: number, config: TrainConfig, weights: ArrayLike<number>): number {
    const id = this.nextId++;
    this.runs.set(id, {
      innerId,
      config: { ...config },
      saved: Float64Array.from(weights),
      offset: ZERO_PROGRESS,
      latest: ZERO_PROGRESS,
      diverged: false,
    });
    return id;
  }

  removeRun(runId: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    // After any hand-over in flight, so that the run is removed from the engine that holds it.
    void this.serial(async () => this.inner.engine.removeRun(run.innerId)).catch(() => {});
  }

  runIds(): number[] {
    return [...this.runs.keys()];
  }

  exportRun(runId: number): Promise<RunCheckpoint> {
    return this.serial(async () => {
      const run = this.find(runId);
      const checkpoint = await this.inner.engine.exportRun(run.innerId);
      // The counters this wrapper carried over a recovery count too.
      return { ...checkpoint, step: checkpoint.step + run.offset.step };
    });
  }

  importRun(config: TrainConfig, checkpoint: RunCheckpoint): Promise<number> {
    return this.serial(async () => {
      await this.recoverIfLost();
      const innerId = await this.inner.engine.importRun(config, checkpoint);
      return this.record(innerId, config, checkpoint.weights);
    });
  }

  stopRun(runId: number): Promise<void> {
    return this.serial(async () => {
      const run = this.find(runId);
      run.diverged = true;
      await this.inner.engine.stopRun(run.innerId);
    });
  }

  advance(request: AdvanceRequest): Promise<RunUpdate[]> {
    return this.serial(() => this.advanceNow(request));
  }

  private async advanceNow(request: AdvanceRequest): Promise<RunUpdate[]> {
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
    this.release(this.inner);
    // Try the GPU once more; after a second loss, stay on the CPU, and say so.
    const next = await createInner(
      this.dataset,
      this.model,
      this.choice.preferGpu && this.losses < 2,
      this.choice,
      this.choice.preferGpu ? LOST_TWICE_BADGE : undefined,
    );
    this.inner = next;
    this.lostReason = null;
    this.watch(next);
    for (const run of this.runs.values()) {
      run.innerId = await next.engine.addRun(run.config, run.saved);
      run.offset = run.latest;
    }
    this.announce();
    this.choice.onNotice?.(
      `The GPU device was lost (${reason}). Training goes on with ${next.badge} from each run's weights saved up to a second earlier.`,
    );
  }

  private find(runId: number): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw new RangeError(`no run with id ${runId}`);
    return run;
  }

  getWeights(runId: number): Promise<Float64Array> {
    return this.serial(async () => this.inner.engine.getWeights(this.find(runId).innerId));
  }

  setWeights(runId: number, weights: ArrayLike<number>): Promise<void> {
    return this.serial(async () => {
      const run = this.find(runId);
      run.saved = Float64Array.from(weights);
      run.diverged = false;
      await this.inner.engine.setWeights(run.innerId, weights);
    });
  }

  perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.serial(async () => this.inner.engine.perSampleGradients(this.find(runId).innerId, indices));
  }

  datasetLoss(runId: number): Promise<number> {
    return this.serial(async () => this.inner.engine.datasetLoss(this.find(runId).innerId));
  }

  dispose(): void {
    this.disposed = true;
    this.runs.clear();
    // Each engine has its own device: without this, every rebuild (and every embedded element
    // taken off a page) would keep one alive until garbage collection.
    this.release(this.inner);
  }
}
