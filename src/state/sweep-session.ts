/**
 * The batch-size sweep on the page: its own engine (so the race on the loss plot keeps its runs),
 * the runner of `metrics/sweep`, and a store the sweep panel reads. Results are published as
 * each run finishes, so the plots fill in while the sweep goes on.
 */

import { datasetInfo, isDatasetId } from '../data/catalog';
import { createTrainingEngine } from '../engine/create';
import { combineSeeds } from '../engine/random';
import type { Dataset, ModelSpec, TrainingEngine } from '../engine/types';
import { errorText } from '../error-text';
import { analyzeSweep, type StepCost, type SweepAnalysis } from '../metrics/sweep/analysis';
import { measureStepCosts } from '../metrics/sweep/costs';
import { DEFAULT_MAX_STEPS, defaultBatchSizes, defaultLearningRates } from '../metrics/sweep/defaults';
import { type StepMemory, stepMemory } from '../metrics/sweep/memory';
import type { RunOutcome } from '../metrics/sweep/outcome';
import { runSweep, type SweepProgress } from '../metrics/sweep/runner';
import type { Settings } from '../settings/settings';
import { WorkerCpuEngine } from './cpu-worker/worker-engine';
import { Store } from './store';

export type SweepStatus = 'idle' | 'starting' | 'running' | 'measuring' | 'done' | 'cancelled' | 'failed';

export interface SweepState {
  status: SweepStatus;
  /** Why it failed, in words. */
  error: string | null;
  engineBadge: string | null;
  progress: SweepProgress | null;
  n: number;
  datasetId: string;
  batchSizes: number[];
  learningRates: number[];
  target: number | null;
  targetSource: 'given' | 'auto' | null;
  runs: RunOutcome[];
  costs: StepCost[];
  memory: StepMemory[];
  /** Bytes per number on the engine used: 4 (float32 on the GPU) or 8 (float64 on the CPU). */
  bytesPerNumber: number;
  analysis: SweepAnalysis | null;
  elapsedMs: number;
}

export const IDLE_SWEEP: SweepState = {
  status: 'idle',
  error: null,
  engineBadge: null,
  progress: null,
  n: 0,
  datasetId: '',
  batchSizes: [],
  learningRates: [],
  target: null,
  targetSource: null,
  runs: [],
  costs: [],
  memory: [],
  bytesPerNumber: 4,
  analysis: null,
  elapsedMs: 0,
};

/** Shortest interval between two publications of results while the sweep runs (ms). */
const PUBLISH_MS = 250;

export interface SweepInput {
  dataset: Dataset;
  model: ModelSpec;
  settings: Settings;
}

/** The learning-rate grid a sweep of these settings uses. */
export function sweepLearningRates(settings: Settings, datasetId: string): number[] {
  if (settings.sweepLearningRates) return [...settings.sweepLearningRates];
  const usual = isDatasetId(datasetId) ? datasetInfo(datasetId).defaultLearningRate : settings.learningRate;
  return defaultLearningRates(usual);
}

export class SweepSession {
  readonly store = new Store<SweepState>(IDLE_SWEEP);
  private controller: AbortController | null = null;
  private engine: TrainingEngine | null = null;

  /** Starts a sweep (cancelling one under way). Never rejects: failures land in the state. */
  async start(input: SweepInput): Promise<void> {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    const { dataset, model, settings } = input;
    const batchSizes = defaultBatchSizes(dataset.n);
    const learningRates = sweepLearningRates(settings, dataset.id);
    const started = performance.now();
    const publish = (patch: Partial<SweepState>) => {
      if (this.controller === controller) this.store.set(patch);
    };
    this.store.set({
      ...IDLE_SWEEP,
      status: 'starting',
      n: dataset.n,
      datasetId: dataset.id,
      batchSizes,
      learningRates,
      target: settings.sweepTarget,
      targetSource: settings.sweepTarget === null ? 'auto' : 'given',
    });
    let engine: TrainingEngine | null = null;
    try {
      const created = await createTrainingEngine(dataset, model, {
        preferGpu: settings.engine !== 'cpu',
        makeCpuEngine: (d, m) => WorkerCpuEngine.start(d, m),
      });
      engine = created.engine;
      this.engine = engine;
      if (controller.signal.aborted) return;
      const bytesPerNumber = created.kind === 'webgpu' ? 4 : 8;
      publish({
        status: 'running',
        engineBadge: created.badge,
        bytesPerNumber,
        memory: batchSizes.map((b) => stepMemory(model, b, bytesPerNumber)),
      });
      const initSeed = combineSeeds(settings.seed, 1);
      const shuffleSeed = combineSeeds(settings.seed, 2);
      const runs: RunOutcome[] = [];
      let lastPublished = Number.NEGATIVE_INFINITY;
      let latest: SweepProgress | null = null;
      let trailing: ReturnType<typeof setTimeout> | null = null;
      const publishResults = () => {
        if (trailing !== null) clearTimeout(trailing);
        trailing = null;
        lastPublished = performance.now();
        const target = latest?.target ?? null;
        publish({
          runs: [...runs],
          progress: latest,
          target,
          analysis: target === null ? null : analyse(target),
          elapsedMs: lastPublished - started,
        });
      };
      const analyse = (target: number, costs: StepCost[] = []) =>
        analyzeSweep(runs, { n: dataset.n, target, batchSizes, costs });
      const result = await runSweep(
        engine,
        {
          batchSizes,
          learningRates,
          target: settings.sweepTarget ?? 'auto',
          maxEpochs: settings.sweepEpochs,
          maxSteps: DEFAULT_MAX_STEPS,
          initSeed,
          shuffleSeed,
        },
        {
          signal: controller.signal,
          onProgress: (progress) =>
            publish({ progress, target: progress.target, elapsedMs: performance.now() - started }),
          onRunDone: (run, progress) => {
            runs.push(run);
            latest = progress;
            // Results go out at most every PUBLISH_MS (each publication redraws the figures);
            // one held back goes out when the interval is over.
            const wait = lastPublished + PUBLISH_MS - performance.now();
            if (wait <= 0) publishResults();
            else trailing ??= setTimeout(publishResults, wait);
          },
        },
      );
      if (trailing !== null) clearTimeout(trailing);
      if (result.cancelled) {
        publish({ status: 'cancelled', runs: result.runs, elapsedMs: performance.now() - started });
        return;
      }
      publish({ status: 'measuring', runs: result.runs, target: result.target });
      const costs = await measureStepCosts(engine, batchSizes, {
        initSeed,
        shuffleSeed,
        learningRate: Math.min(...learningRates),
        signal: controller.signal,
      });
      if (controller.signal.aborted) {
        publish({ status: 'cancelled' });
        return;
      }
      publish({
        status: 'done',
        costs,
        runs: result.runs,
        target: result.target,
        analysis: analyzeSweep(result.runs, { n: dataset.n, target: result.target, batchSizes, costs }),
        elapsedMs: performance.now() - started,
      });
    } catch (error) {
      publish({ status: 'failed', error: `The sweep stopped: ${errorText(error)}` });
    } finally {
      engine?.dispose();
      if (this.engine === engine) this.engine = null;
      if (this.controller === controller) this.controller = null;
    }
  }

  cancel(): void {
    this.controller?.abort();
    if (this.controller) this.store.set({ status: 'cancelled' });
    this.controller = null;
  }

  dispose(): void {
    this.cancel();
    this.engine?.dispose();
    this.engine = null;
  }
}
