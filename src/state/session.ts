/**
 * The session: owns the dataset, the engine, the runs and the training loop, and writes
 * everything the page shows into the one store. Components call its actions; they never talk
 * to the engine themselves.
 */

import {
  DATASETS,
  type DatasetId,
  datasetInfo,
  defaultModelFor,
  isDatasetId,
  loadDataset,
} from '../data/catalog';
import { type CsvSuccess, parseCsvDataset } from '../data/upload';
import { createTrainingEngine, type EngineDetails } from '../engine/create';
import { initParams } from '../engine/model';
import { combineSeeds } from '../engine/random';
import { stepsPerEpoch } from '../engine/schedule';
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunUpdate,
  TrainConfig,
  TrainerProgress,
  TrainingEngine,
} from '../engine/types';
import { errorText } from '../error-text';
import { type DivergenceWatch, divergenceReason, startWatch, watchDivergence } from '../metrics/divergence';
import { runLabel } from '../settings/batch-names';
import {
  MAX_RUNS,
  MOMENTUM,
  type Notice,
  type Settings,
  snapBatchSize,
  snapLearningRate,
} from '../settings/settings';
import { parseUrlState, serializeUrlState } from '../settings/url-codec';
import {
  CHUNK_MS_OFF_THREAD,
  CHUNK_MS_ON_MAIN_THREAD,
  FrameBudget,
  fairChunk,
  MAX_CHUNK_MS_OFF_THREAD,
  MAX_CHUNK_MS_ON_MAIN_THREAD,
  SPEED_EPOCHS_PER_SECOND,
} from './budget';
import { WorkerCpuEngine } from './cpu-worker/worker-engine';
import { runToFollow } from './focus-choice';
import { LossSeries } from './loss-series';
import { nextTask } from './next-task';
import { runLearningRate, type SweepBestRates } from './run-learning-rate';
import { Store } from './store';

export type RunStatus = 'training' | 'diverged';

export interface RunState {
  id: number;
  batchSize: number;
  label: string;
  config: TrainConfig;
  status: RunStatus;
  /** Why the run counts as diverged (see metrics/divergence), once it does. */
  divergedReason: string | null;
  /** The divergence rule's memory of this run. */
  divergence: DivergenceWatch;
  progress: TrainerProgress;
  /** Time this run has spent training (ms), the "wall-clock" axis. */
  wallMs: number;
  stepsPerEpoch: number;
  n: number;
  /** Mutable, bounded loss history; `series.version` tells when it changed. */
  series: LossSeries;
  lastBatchLoss: number | null;
  datasetLoss: number | null;
}

export interface EngineState {
  status: 'idle' | 'starting' | 'ready' | 'failed';
  badge: string;
  kind: EngineKind | null;
  fallbackReason?: string;
  compileMs?: number;
  error?: string;
}

export interface AppState {
  settings: Settings;
  notices: Notice[];
  datasetStatus: 'loading' | 'ready' | 'failed';
  datasetError: string | null;
  dataset: Dataset | null;
  /** Set while the data comes from a CSV the user uploaded. */
  uploadedName: string | null;
  uploadError: string | null;
  /** How the uploaded file was read (separator, decimal commas, the target), and the switch it offers. */
  uploadReading: UploadReading | null;
  model: ModelSpec | null;
  initialWeights: Float64Array | null;
  engine: EngineState;
  runs: RunState[];
  focusedRunId: number | null;
  /** Weights of the focused run, refreshed a few times a second for the data view. */
  focusedWeights: Float64Array | null;
  /** True while an action (rebuild, step, epoch) is being carried out. */
  busy: boolean;
  reducedMotion: boolean;
  /** Chunk size of the training loop (samples per run per frame), for the curious. */
  samplesPerFrame: number;
}

/** The notice shown while the race cannot take its learning rates from a sweep. */
const LEARNING_RATE_FALLBACK_NOTICE = 'lrmode-sweep';

type RebuildLevel = 'data' | 'engine' | 'runs';

/**
 * True when training cannot happen at all (no data, no engine): the only reason to disable a
 * training control. While the data loads or an engine starts, controls stay usable: their
 * actions wait for the rebuild and then take effect.
 */
export function trainingUnavailable(state: AppState): boolean {
  return state.engine.status === 'failed' || state.datasetStatus === 'failed';
}

export interface DivergedFocus {
  run: RunState;
  /** Runs still training, to offer instead. */
  healthy: RunState[];
}

/**
 * The focused run when it diverged (or its weights are no longer finite), with the runs that
 * still train; null otherwise. Panels that show the focused run's weights say so instead of
 * computing anything from non-finite numbers.
 */
export function divergedFocus(
  state: Pick<AppState, 'runs' | 'focusedRunId' | 'focusedWeights'>,
): DivergedFocus | null {
  const run = state.runs.find((r) => r.id === state.focusedRunId);
  if (!run) return null;
  const weights = state.focusedWeights;
  const finite = !weights || weights.every((w) => Number.isFinite(w));
  if (run.status !== 'diverged' && finite) return null;
  return { run, healthy: state.runs.filter((r) => r.status !== 'diverged') };
}

/** True while runs are still being set up (data loading, engine starting, runs rebuilding). */
export function settingUp(state: AppState): boolean {
  return state.busy || state.engine.status === 'starting' || state.datasetStatus === 'loading';
}

/** The longest the loop waits between training chunks, whatever the speed. */
const MAX_PAUSE_BETWEEN_CHUNKS_MS = 2000;

function prefersReducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export interface SessionOptions {
  /** URL keys handled elsewhere (embed mode), not reported as unknown. */
  extraUrlKeys?: readonly string[];
  /** Write settings back to the page URL (off for embedded custom elements). */
  writeUrl?: boolean;
}

/** The training time of the latest recorded advance at or before `step` (0 before any). */
function timeAtStep(times: readonly [number, number][], step: number): number {
  for (let k = times.length - 1; k >= 0; k--) {
    const [at, timeMs] = times[k] as [number, number];
    if (at <= step) return timeMs;
  }
  return 0;
}

export class Session {
  /** The uploaded file's text, kept so its target can be read the other way. */
  private uploadText: { text: string; fileName: string } | null = null;
  readonly store: Store<AppState>;
  private engine: TrainingEngine | null = null;
  /** Internal mutable runs; published to the store as copies. */
  private runs: RunState[] = [];
  private generation = 0;
  /** Each B's best learning rate from the last finished sweep (the race may use them). */
  private sweepBestRates: SweepBestRates | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly budget = new FrameBudget(10, 1, 1 << 18, 32);
  private credit = 0;
  private lastAdvanceAt = Number.NEGATIVE_INFINITY;
  private rafId: number | null = null;
  private lastFrameTime: number | null = null;
  private advancing = false;
  private lastPublish = 0;
  private lastWeightsFetch = 0;
  private commitTimer: ReturnType<typeof setTimeout> | null = null;
  /** Per run, [step, training time] after its recent advances: where a late loss is drawn. */
  private readonly stepTimes = new Map<number, [number, number][]>();
  private readonly writeUrl: boolean;

  constructor(search: string, options: SessionOptions = {}) {
    const parsed = parseUrlState(
      search,
      DATASETS,
      options.extraUrlKeys ? { extraKeys: options.extraUrlKeys } : {},
    );
    this.writeUrl = options.writeUrl ?? true;
    this.store = new Store<AppState>({
      settings: parsed.settings,
      notices: parsed.notices,
      datasetStatus: 'loading',
      datasetError: null,
      dataset: null,
      uploadedName: null,
      uploadError: null,
      uploadReading: null,
      model: null,
      initialWeights: null,
      engine: { status: 'idle', badge: 'Starting…', kind: null },
      runs: [],
      focusedRunId: null,
      focusedWeights: null,
      busy: false,
      reducedMotion: prefersReducedMotion(),
      samplesPerFrame: this.budget.samples,
    });
  }

  get state(): AppState {
    return this.store.get();
  }

  /** Loads the data, starts the engine and the runs, and starts the frame loop. */
  start(): void {
    if (typeof matchMedia === 'function') {
      matchMedia('(prefers-reduced-motion: reduce)').addEventListener?.('change', (event) =>
        this.store.set({ reducedMotion: event.matches }),
      );
    }
    void this.rebuild('data');
    this.rafId = requestAnimationFrame(this.onFrame);
  }

  dispose(): void {
    this.generation++;
    if (this.rafId !== null) cancelAnimationFrame(this.rafId);
    this.rafId = null;
    this.engine?.dispose();
    this.engine = null;
  }

  /**
   * Runs `task` with the current engine between training chunks, never during one: for views
   * that need more than the store holds (per-sample gradients, dataset losses). Resolves with
   * null when there is no engine yet.
   */
  withEngine<T>(task: (engine: TrainingEngine) => Promise<T>): Promise<T | null> {
    return this.exclusive(async () => (this.engine ? task(this.engine) : null));
  }

  // ---------------------------------------------------------------- settings

  private setSettings(settings: Settings): void {
    this.store.set({ settings });
    if (this.writeUrl && typeof history !== 'undefined') {
      const query = serializeUrlState(settings, DATASETS);
      const url = `${location.pathname}?${query}${location.hash}`;
      if (url !== `${location.pathname}${location.search}${location.hash}`)
        history.replaceState(history.state, '', url);
    }
  }

  /** N of the data being trained on (an upload has its own). */
  effectiveN(): number {
    return this.state.dataset?.n ?? this.state.settings.n;
  }

  /**
   * Applies a change of settings and rebuilds as much as the change requires; `restartRuns`
   * restarts the runs from the starting weights even when nothing else needs a rebuild.
   */
  update(patch: Partial<Settings>, options: { restartRuns?: boolean } = {}): void {
    const prev = this.state.settings;
    let next: Settings = { ...prev, ...patch };
    let level: RebuildLevel | null = null;
    if (patch.dataset !== undefined && (patch.dataset !== prev.dataset || this.state.uploadedName)) {
      const id = isDatasetId(patch.dataset) ? patch.dataset : prev.dataset;
      const info = datasetInfo(id as DatasetId);
      next = {
        ...next,
        dataset: id,
        n: info.defaultN,
        noise: info.defaultNoise,
        hidden: [...info.defaultHidden],
        activation: info.defaultActivation,
        learningRate: snapLearningRate(info.defaultLearningRate),
      };
      this.store.set({ uploadedName: null, uploadError: null, uploadReading: null });
      this.uploadText = null;
      level = 'data';
    }
    if (next.n !== prev.n || next.noise !== prev.noise || next.seed !== prev.seed) level = 'data';
    const n = level === 'data' ? next.n : this.effectiveN();
    next.batchSize = snapBatchSize(Math.min(next.batchSize, n), n);
    if (
      level === null &&
      (next.hidden.join() !== prev.hidden.join() ||
        next.activation !== prev.activation ||
        next.engine !== prev.engine)
    )
      level = 'engine';
    if (
      level === null &&
      (next.learningRate !== prev.learningRate ||
        next.learningRateMode !== prev.learningRateMode ||
        next.reduction !== prev.reduction ||
        next.optimizer !== prev.optimizer ||
        next.lastBatch !== prev.lastBatch)
    )
      level = 'runs';
    if (level === null && options.restartRuns) level = 'runs';
    if (level !== null) {
      // The comparison restarts with the same batch sizes, clamped to the new N (a full-batch
      // run stays full-batch).
      const prevN = this.effectiveN();
      const runs = (next.runs.length ? next.runs : [next.batchSize]).map((b) =>
        snapBatchSize(Math.min(b >= prevN ? n : b, n), n),
      );
      next.runs = [...new Set(runs)];
    }
    this.setSettings(next);
    if (level !== null) void this.rebuild(level);
  }

  /**
   * A sweep finished (or was cleared): its best learning rate per B. With the race's learning
   * rate taken from the sweep, the runs restart with them.
   */
  setSweepBestRates(best: SweepBestRates | null): void {
    this.sweepBestRates = best;
    if (this.state.settings.learningRateMode === 'sweep') void this.rebuild('runs');
  }

  dismissNotice(key: string): void {
    this.store.set((s) => ({ notices: s.notices.filter((n) => n.key !== key) }));
  }

  dismissAllNotices(): void {
    this.store.set({ notices: [] });
  }

  private addNotice(key: string, text: string): void {
    this.store.set((s) => ({ notices: [...s.notices.filter((n) => n.key !== key), { key, message: text }] }));
  }

  // ---------------------------------------------------------------- building

  /** Serialises engine calls: the loop, the buttons and rebuilds never overlap on one engine. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async rebuild(level: RebuildLevel): Promise<void> {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation;
    this.store.set({ busy: true });
    try {
      await this.exclusive(async () => {
        if (stale()) return;
        if (level === 'data') {
          if (!(await this.loadData(stale))) return;
          level = 'engine';
          // Generating 20,000 samples and starting an engine are each a task's worth of work.
          await nextTask();
          if (stale()) return;
        }
        if (level === 'engine') {
          if (!(await this.startEngine(stale))) return;
        }
        await this.startRuns(this.state.settings.runs, stale);
      });
    } catch (error) {
      if (!stale()) this.addNotice('run-error', `A run could not be started: ${errorText(error)}`);
    } finally {
      if (!stale()) this.store.set({ busy: false });
    }
  }

  private async loadData(stale: () => boolean): Promise<boolean> {
    if (this.state.uploadedName && this.state.dataset) return true;
    const s = this.state.settings;
    this.store.set({ datasetStatus: 'loading', datasetError: null });
    try {
      const dataset = await loadDataset(s.dataset as DatasetId, { n: s.n, noise: s.noise, seed: s.seed });
      if (stale()) return false;
      this.store.set({ dataset, datasetStatus: 'ready' });
      return true;
    } catch (error) {
      if (!stale())
        this.store.set({
          datasetStatus: 'failed',
          datasetError: `The dataset could not be loaded: ${errorText(error)}`,
        });
      return false;
    }
  }

  private async startEngine(stale: () => boolean): Promise<boolean> {
    const { dataset, settings } = this.state;
    if (!dataset) return false;
    this.clearRunsNow();
    this.engine?.dispose();
    this.engine = null;
    const model = defaultModelFor(dataset, settings.hidden, settings.activation);
    const initialWeights = initParams(model, combineSeeds(settings.seed, 1));
    this.store.set({
      model,
      initialWeights,
      focusedWeights: initialWeights,
      engine: {
        status: 'starting',
        badge: 'Starting the engine…',
        kind: null,
      },
    });
    try {
      const created = await createTrainingEngine(dataset, model, {
        preferGpu: settings.engine !== 'cpu',
        // Train at once on the CPU while the WebGPU pipelines compile, then move the runs over.
        warmUpOnCpu: true,
        makeCpuEngine: (d, m) => WorkerCpuEngine.start(d, m),
        onNotice: (text) => this.addNotice('device-lost', text),
        onBadgeChange: (badge, kind, details) => {
          if (stale()) return;
          this.engineChanged(badge, kind, details);
        },
      });
      if (stale()) {
        created.engine.dispose();
        return false;
      }
      this.engine = created.engine;
      this.budget.samples = 32;
      this.setBudgetFor(created.offThread);
      this.store.set({
        engine: {
          status: 'ready',
          badge: created.badge,
          kind: created.kind,
          ...(created.fallbackReason ? { fallbackReason: created.fallbackReason } : {}),
          ...(created.compileMs !== undefined ? { compileMs: created.compileMs } : {}),
        },
      });
      return true;
    } catch (error) {
      if (!stale())
        this.store.set({
          engine: { status: 'failed', badge: 'No engine', kind: null, error: errorText(error) },
        });
      return false;
    }
  }

  private setBudgetFor(offThread: boolean): void {
    this.budget.targetMs = offThread ? CHUNK_MS_OFF_THREAD : CHUNK_MS_ON_MAIN_THREAD;
    this.budget.maxTargetMs = offThread ? MAX_CHUNK_MS_OFF_THREAD : MAX_CHUNK_MS_ON_MAIN_THREAD;
  }

  /** The engine underneath changed: the hand-over after the warm-up, or a device loss. */
  private engineChanged(badge: string, kind: EngineKind, details?: EngineDetails): void {
    if (details) {
      this.setBudgetFor(details.offThread);
      // A new engine has its own costs: let the chunk size find its level again.
      this.budget.resetFixedCost();
    }
    this.store.set((s) => {
      const { compileMs: _c, fallbackReason: _f, ...rest } = s.engine;
      return {
        engine: {
          ...rest,
          badge,
          kind,
          ...(details?.compileMs !== undefined ? { compileMs: details.compileMs } : {}),
          ...(details?.fallbackReason ? { fallbackReason: details.fallbackReason } : {}),
        },
      };
    });
  }

  private clearRunsNow(): void {
    for (const run of this.runs) this.engine?.removeRun(run.id);
    this.runs = [];
    this.publish(true);
  }

  private trainConfig(batchSize: number): TrainConfig {
    const s = this.state.settings;
    const lr = runLearningRate({
      mode: s.learningRateMode,
      baseLearningRate: s.learningRate,
      batchSize,
      reduction: s.reduction,
      datasetId: this.state.dataset?.id ?? s.dataset,
      n: this.effectiveN(),
      sweep: this.sweepBestRates,
    });
    if (lr.fallback) this.addNotice(LEARNING_RATE_FALLBACK_NOTICE, lr.fallback);
    else if (this.state.notices.some((n) => n.key === LEARNING_RATE_FALLBACK_NOTICE))
      this.dismissNotice(LEARNING_RATE_FALLBACK_NOTICE);
    return {
      batchSize,
      learningRate: lr.learningRate,
      reduction: s.reduction,
      momentum: s.optimizer === 'momentum' ? MOMENTUM : 0,
      lastBatch: s.lastBatch,
      shuffleSeed: combineSeeds(s.seed, 2),
    };
  }

  private async startRuns(batchSizes: readonly number[], stale: () => boolean): Promise<void> {
    this.clearRunsNow();
    for (const b of batchSizes) {
      if (stale()) return;
      await this.addRunNow(b);
    }
    this.focusRunToFollow();
  }

  private async addRunNow(batchSize: number): Promise<RunState | null> {
    const engine = this.engine;
    const weights = this.state.initialWeights;
    if (!engine || !weights) return null;
    const n = engine.dataset.n;
    const b = Math.max(1, Math.min(n, Math.round(batchSize)));
    const config = this.trainConfig(b);
    const id = await engine.addRun(config, weights);
    const startLoss = await engine.datasetLoss(id);
    const series = new LossSeries();
    if (Number.isFinite(startLoss)) series.addDatasetLoss({ step: 0, timeMs: 0, loss: startLoss });
    const run: RunState = {
      id,
      batchSize: b,
      label: runLabel(b, n),
      config,
      status: 'training',
      divergedReason: null,
      divergence: startWatch(startLoss),
      progress: { step: 0, epoch: 0, samplesSeen: 0 },
      wallMs: 0,
      stepsPerEpoch: stepsPerEpoch(n, b, config.lastBatch),
      n,
      series,
      lastBatchLoss: null,
      datasetLoss: Number.isFinite(startLoss) ? startLoss : null,
    };
    this.runs.push(run);
    this.budget.resetFixedCost();
    this.publish(true);
    return run;
  }

  private focusRunToFollow(): void {
    this.store.set({ focusedRunId: runToFollow(this.runs) });
    void this.fetchFocusedWeights(true);
  }

  private focusLatest(): void {
    const last = this.runs[this.runs.length - 1];
    this.store.set({ focusedRunId: last?.id ?? null });
    void this.fetchFocusedWeights(true);
  }

  // ---------------------------------------------------------------- actions

  /** The slider moved: show the new B (a run starts when it is released). */
  previewBatchSize(b: number): void {
    const n = this.effectiveN();
    this.setSettings({ ...this.state.settings, batchSize: snapBatchSize(Math.min(b, n), n) });
  }

  /**
   * The slider was released on `b`: start a run with that B from the same initial weights,
   * beside the runs already on the plot; or bring back into focus the run that has it.
   * Keyboard steps arrive one by one, so the run starts after a short pause.
   */
  commitBatchSize(b: number, delayMs = 0): void {
    this.previewBatchSize(b);
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.startBatchSizeRun(this.state.settings.batchSize);
    }, delayMs);
  }

  /**
   * Starts (or focuses) the run with batch size `b`. Queued behind any rebuild in progress, so a
   * drag made while the data loads or the engine starts takes effect as soon as they are done.
   */
  private async startBatchSizeRun(b: number): Promise<void> {
    const generation = this.generation;
    let focusId: number | null = null;
    try {
      focusId = await this.addRunForSlider(generation, b);
    } catch (error) {
      this.addNotice('run-error', `A run with B = ${b} could not be started: ${errorText(error)}`);
      return;
    }
    if (focusId === null) return;
    this.syncRunsSetting();
    this.focus(focusId);
    this.play();
  }

  /** The id of the run with batch size `b` (added unless there is one), or null when stale. */
  private addRunForSlider(generation: number, b: number): Promise<number | null> {
    return this.exclusive(async () => {
      if (generation !== this.generation || !this.engine) return null;
      const existing = this.runs.find((r) => r.batchSize === b);
      if (existing) return existing.id;
      if (this.runs.length >= MAX_RUNS) {
        const oldest = this.runs.shift();
        if (oldest) {
          this.engine.removeRun(oldest.id);
          this.addNotice(
            'max-runs',
            `At most ${MAX_RUNS} runs fit on the plot; the oldest (${oldest.label}) was removed.`,
          );
        }
      }
      return (await this.addRunNow(b))?.id ?? null;
    });
  }

  /** Several batch sizes at once from the same start: 1, 8, 64 and N. */
  race(): void {
    const n = this.effectiveN();
    const sizes = [...new Set([1, 8, 64, n].filter((b) => b <= n))];
    this.setSettings({ ...this.state.settings, runs: sizes, playing: true });
    void this.rebuild('runs');
  }

  play(): void {
    if (this.runs.length === 0 && this.engine) {
      void this.startBatchSizeRun(this.state.settings.batchSize);
      return;
    }
    if (this.runs.length > 0 && this.runs.every((r) => r.status === 'diverged')) {
      // Train would do nothing: say why instead of seeming to start.
      this.addNotice(
        'all-diverged',
        'Every run on the plot diverged, so nothing is left to train. Lower the learning rate (the runs then start again), or start a run with another B.',
      );
      return;
    }
    if (!this.state.settings.playing) this.setSettings({ ...this.state.settings, playing: true });
  }

  pause(): void {
    if (this.state.settings.playing) this.setSettings({ ...this.state.settings, playing: false });
  }

  /** One weight update (one batch) for every run. */
  step(): void {
    this.pause();
    void this.advanceOnce({ samplesPerRun: 1, maxStepsPerRun: 1 }, false);
  }

  /** One epoch (N samples) for every run. */
  epoch(): void {
    this.pause();
    const n = this.effectiveN();
    void this.advanceOnce({ samplesPerRun: n, maxStepsPerRun: n }, false);
  }

  /** All runs back to the shared initial weights. */
  reset(): void {
    void this.rebuild('runs');
  }

  clearRuns(): void {
    this.pause();
    this.generation++;
    void this.exclusive(async () => {
      this.clearRunsNow();
      this.setSettings({ ...this.state.settings, runs: [] });
      this.store.set({ focusedRunId: null, focusedWeights: this.state.initialWeights });
    });
  }

  removeRun(id: number): void {
    void this.exclusive(async () => {
      this.engine?.removeRun(id);
      this.runs = this.runs.filter((r) => r.id !== id);
      this.syncRunsSetting();
      this.publish(true);
      if (this.state.focusedRunId === id) this.focusLatest();
    });
  }

  focus(id: number): void {
    this.store.set({ focusedRunId: id });
    void this.fetchFocusedWeights(true);
  }

  uploadCsv(text: string, fileName: string, task?: TaskKind): void {
    const name = fileName || 'Uploaded data';
    const result = parseCsvDataset(text, { name, ...(task ? { task } : {}) });
    if ('error' in result) {
      this.store.set({ uploadError: result.error });
      return;
    }
    this.uploadText = { text, fileName };
    const n = result.dataset.n;
    const b = snapBatchSize(Math.min(this.state.settings.batchSize, n), n);
    this.store.set({
      uploadedName: name,
      uploadError: null,
      uploadReading: describeUpload(result),
      dataset: result.dataset,
      datasetStatus: 'ready',
    });
    this.addNotice(
      'upload',
      'Uploaded data stays in this browser: a shared link opens the built-in dataset instead.',
    );
    this.setSettings({ ...this.state.settings, batchSize: b, runs: [b] });
    void this.rebuild('engine');
  }

  /** Reads the uploaded file's last column the other way (classes or a number to predict). */
  switchUploadTarget(): void {
    const reading = this.state.uploadReading;
    if (!this.uploadText || !reading || reading.switchBlocked !== null) return;
    this.uploadCsv(this.uploadText.text, this.uploadText.fileName, reading.alternative);
  }

  rejectUpload(reason: string): void {
    this.store.set({ uploadError: reason });
  }

  private syncRunsSetting(): void {
    this.setSettings({ ...this.state.settings, runs: this.runs.map((r) => r.batchSize) });
  }

  // ---------------------------------------------------------------- the loop

  private onFrame = (now: number): void => {
    this.rafId = requestAnimationFrame(this.onFrame);
    const previous = this.lastFrameTime ?? now;
    this.lastFrameTime = now;
    const { settings } = this.state;
    if (!settings.playing || this.advancing || !this.engine || this.state.busy) return;
    const training = this.runs.filter((r) => r.status === 'training');
    if (training.length === 0) return;
    const largestBatch = Math.max(...training.map((r) => r.batchSize));
    const n = this.engine.dataset.n;
    const epochsPerSecond = SPEED_EPOCHS_PER_SECOND[settings.speed - 1] ?? Number.POSITIVE_INFINITY;
    const dt = Math.min(100, now - previous);
    // Credit for this frame: what the speed allows, at most what the measured budget allows,
    // but never less than one batch of the largest B (the smallest fair chunk).
    const perFrame = Math.max(this.budget.samples, largestBatch);
    this.credit = Number.isFinite(epochsPerSecond)
      ? Math.min(this.credit + (epochsPerSecond * n * dt) / 1000, perFrame)
      : perFrame;
    // At slow speeds a large-B run would wait many seconds for its next step; take one batch of
    // the largest B at least every couple of seconds so the page never looks stuck.
    if (now - this.lastAdvanceAt > MAX_PAUSE_BETWEEN_CHUNKS_MS)
      this.credit = Math.max(this.credit, largestBatch);
    const samples = fairChunk(this.credit, largestBatch);
    if (samples < 1) return;
    this.credit -= samples;
    this.lastAdvanceAt = now;
    void this.advanceOnce({ samplesPerRun: samples, maxStepsPerRun: samples }, true);
  };

  private async advanceOnce(request: AdvanceRequest, measure: boolean): Promise<void> {
    if (this.advancing) return;
    this.advancing = true;
    const generation = this.generation;
    let statusChanged = false;
    try {
      await this.exclusive(async () => {
        const engine = this.engine;
        if (!engine || generation !== this.generation) return;
        const started = performance.now();
        const updates = await engine.advance(request);
        const elapsed = performance.now() - started;
        if (generation !== this.generation) return;
        if (measure) this.budget.record(request.samplesPerRun, elapsed);
        const stopped = this.applyUpdates(updates, elapsed);
        // Runs the rule found diverged at a finite loss: the engine must stop training them.
        for (const run of stopped) await engine.stopRun(run.id);
        if (stopped.length > 0) statusChanged = true;
        await this.fetchFocusedWeightsNow(!measure);
      });
    } catch (error) {
      this.pause();
      this.addNotice('training-error', `Training stopped: ${errorText(error)}`);
    } finally {
      this.advancing = false;
    }
    // A change of status is always shown at once: the last advance before everything stops
    // would otherwise leave a diverged run listed as training.
    this.publish(!measure || statusChanged);
  }

  /**
   * Records the updates; marks runs diverged by the rule of metrics/divergence (a non-finite
   * loss, or a loss far above its start for a sustained stretch). Returns the runs newly marked.
   */
  private applyUpdates(updates: readonly RunUpdate[], elapsedMs: number): RunState[] {
    const stopped: RunState[] = [];
    if (this.stepTimes.size > this.runs.length + 8)
      for (const id of this.stepTimes.keys())
        if (!this.runs.some((r) => r.id === id)) this.stepTimes.delete(id);
    for (const update of updates) {
      const run = this.runs.find((r) => r.id === update.runId);
      if (!run || run.status === 'diverged') continue;
      const steps = update.batchLosses.length;
      if (steps > 0) {
        const before = run.wallMs;
        run.wallMs += elapsedMs;
        run.series.addBatchLosses(update.batchLosses, before, run.wallMs);
        run.lastBatchLoss = update.batchLosses[steps - 1] as number;
        // The engine may report a loss measured for an earlier step (the CPU engine measures a
        // large dataset over several advances): it is drawn at that step and its time, once.
        const times = this.stepTimes.get(run.id) ?? [];
        times.push([update.progress.step, run.wallMs]);
        if (times.length > 512) times.splice(0, times.length - 512);
        this.stepTimes.set(run.id, times);
        const measuredAt = update.datasetLossStep ?? update.progress.step;
        const last = run.series.datasetLosses().at(-1);
        if (!last || measuredAt > last.step)
          run.series.addDatasetLoss({
            step: measuredAt,
            timeMs: timeAtStep(times, measuredAt),
            loss: update.datasetLoss,
          });
      }
      run.progress = update.progress;
      run.datasetLoss = update.datasetLoss;
      const judged = watchDivergence(run.divergence, {
        step: update.progress.step,
        epoch: update.progress.epoch,
        loss: update.diverged ? Number.NaN : update.datasetLoss,
      });
      run.divergence = judged.watch;
      if (judged.verdict) {
        run.status = 'diverged';
        run.divergedReason = divergenceReason(judged.verdict, run.divergence.startLoss);
        stopped.push(run);
      }
    }
    if (this.runs.length > 0 && this.runs.every((r) => r.status === 'diverged')) this.pause();
    return stopped;
  }

  private publish(force: boolean): void {
    const now = performance.now();
    const interval = this.state.reducedMotion ? 500 : 100;
    if (!force && now - this.lastPublish < interval) return;
    this.lastPublish = now;
    this.store.set({ runs: this.runs.map((r) => ({ ...r })), samplesPerFrame: this.budget.samples });
  }

  private async fetchFocusedWeights(force: boolean): Promise<void> {
    await this.exclusive(() => this.fetchFocusedWeightsNow(force));
  }

  /** Call only inside `exclusive`. */
  private async fetchFocusedWeightsNow(force: boolean): Promise<void> {
    const now = performance.now();
    const interval = this.state.reducedMotion ? 1000 : 250;
    if (!force && now - this.lastWeightsFetch < interval) return;
    const id = this.state.focusedRunId;
    if (id === null || !this.engine || !this.runs.some((r) => r.id === id)) return;
    this.lastWeightsFetch = now;
    try {
      const weights = await this.engine.getWeights(id);
      this.store.set({ focusedWeights: weights });
    } catch {
      // the run was removed meanwhile; the next fetch picks the new focus
    }
  }
}

export type TaskKind = 'classification' | 'regression';

export interface UploadReading {
  /** One or two sentences: how the file was split into cells, and how the target was read. */
  summary: string;
  /** What the switch would read the target as. */
  alternative: TaskKind;
  /** Why the switch is unavailable, or null when it is offered. */
  switchBlocked: string | null;
}

/** What the page says about an uploaded file once it is read (never silent about a guess). */
export function describeUpload(result: CsvSuccess): UploadReading {
  const separator = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' }[result.delimiter];
  const cells = `Columns separated by ${separator}${result.decimalComma ? ', numbers with decimal commas' : ''}.`;
  return {
    summary: `${cells} Target (last column): ${result.target.reason}`,
    alternative: result.target.alternative,
    switchBlocked: result.target.alternativeBlocked,
  };
}
