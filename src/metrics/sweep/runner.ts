/**
 * Runs a batch-size sweep on any `TrainingEngine`: every (B, learning rate) pair trained from the
 * same initial weights until its dataset loss reaches the target, it diverges, or its budget runs
 * out, all racing in one engine.
 *
 * How it stays fast without changing the answer:
 * - All runs share each `advance` (the engine trains them side by side).
 * - The dataset loss (N forward passes per run, computed by every advance) is evaluated on a
 *   schedule that grows geometrically with the samples trained: each advance trains
 *   `evaluationGrowth` (5 %) more samples than all the advances before it together, at least a
 *   quarter of an epoch and at most 16 epochs. The crossing is interpolated between evaluations
 *   (`targetCrossing`), so a coarse schedule costs little precision; its bracket is reported.
 * - A run is stopped as `slower` as soon as it has taken more steps than the best run of its B
 *   needed while still above the target: its crossing can only come later, so it cannot win.
 * The schedule is a function of the samples each run has trained since it started, the same for
 * every run of a wave, so a run's evaluations (hence its result) do not depend on which other
 * runs share the engine or were stopped: pruning changes the cost, never the answer.
 *
 * Runs beyond the engine's capacity (the WebGPU engine holds 64) wait for the next wave, which
 * starts when the current one is done; the largest batch sizes, which need the most samples,
 * go first.
 */

import { createWorkspace, perSampleGradients } from '../../engine/cpu/mlp';
import { initParams, paramCount } from '../../engine/model';
import { permutation, Rng } from '../../engine/random';
import type { Dataset, ModelSpec, RunUpdate, TrainConfig, TrainingEngine } from '../../engine/types';
import { gradientNoiseStats } from '../noise';
import { type Evaluation, targetCrossing } from './crossing';
import { bestRunPerBatchSize, type RunOutcome, type RunStatus } from './outcome';

export interface SweepSettings {
  batchSizes: readonly number[];
  learningRates: readonly number[];
  /** The target dataset loss, or 'auto' to choose it from a pilot (see `autoTarget`). */
  target: number | 'auto';
  /** Epoch budget of each run. */
  maxEpochs: number;
  /** Step budget of each run. */
  maxSteps: number;
  /** Seed of the initial weights shared by every run. */
  initSeed: number;
  /** Seed of the epoch shuffles (also shared: every B sees the samples in the same order). */
  shuffleSeed: number;
  /**
   * Fewest samples between two evaluations of the dataset loss (default: a quarter of an epoch).
   * Smaller values resolve crossings that come within the first epoch, at N forward passes each.
   */
  evaluationFloor?: number;
}

/** Samples trained by one advance, relative to those already trained (see the module comment). */
export const EVALUATION_GROWTH = 0.05;
/** A run whose loss exceeds this multiple of the starting loss counts as diverged. */
export const EXPLODED_FACTOR = 10;
/** Most per-sample gradient numbers used to measure B_simple (a random subset beyond it). */
const NOISE_NUMBERS = 1 << 22;

export interface SweepProgress {
  phase: 'pilot' | 'racing' | 'done' | 'cancelled';
  done: number;
  total: number;
  /** Known once the pilot is over (or at once when it was given). */
  target: number | null;
}

export interface SweepCallbacks {
  /** Each run's outcome, as soon as it is known. */
  onRunDone?: (run: RunOutcome, progress: SweepProgress) => void;
  onProgress?: (progress: SweepProgress) => void;
  signal?: AbortSignal;
  /** Most runs to hold in the engine at once (default 64, the WebGPU engine's capacity). */
  maxConcurrentRuns?: number;
  /**
   * Called between advances; the page awaits a frame here so its own work gets a turn.
   * Default: nothing.
   */
  yieldBetweenAdvances?: () => Promise<void>;
}

export interface SweepRun {
  target: number;
  targetSource: 'given' | 'auto';
  /** Dataset loss at the shared initial weights. */
  initialLoss: number;
  runs: RunOutcome[];
  cancelled: boolean;
  /** Wall-clock time of the whole sweep. */
  elapsedMs: number;
  /** Milliseconds after the start at which the first run's outcome was known. */
  firstResultMs: number | null;
  /** Number of `advance` calls (each also evaluated the dataset loss of every active run). */
  advances: number;
}

/** The shared training settings of every run, apart from B and the learning rate. */
export function sweepConfig(batchSize: number, learningRate: number, shuffleSeed: number): TrainConfig {
  return { batchSize, learningRate, reduction: 'mean', momentum: 0, lastBatch: 'keep', shuffleSeed };
}

/**
 * The rule behind the default target: full-batch descent (B = N), the slowest of all batch sizes
 * in samples, is raced at every learning rate for half the epoch budget (the pilot). The target
 * is halfway, on a log scale, between the starting loss and the lowest loss the pilot reached:
 * low enough to need real training, high enough that the best runs cross it well before they
 * level off (near the floor, crossings are decided by noise). Samples to a target grow with B
 * (E = E_min·(1 + B/B_crit)), so a loss that B = N reaches within half the budget every smaller
 * B reaches within the budget too, at a well-chosen learning rate. Null when the pilot made no
 * progress.
 */
export function autoTarget(initialLoss: number, bestPilotLoss: number): number | null {
  if (!(bestPilotLoss < initialLoss) || !(bestPilotLoss >= 0)) return null;
  if (bestPilotLoss === 0) return 0;
  return Math.sqrt(initialLoss * bestPilotLoss);
}

/** Share of the epoch budget the pilot of an automatic target uses. */
export const PILOT_SHARE = 0.5;

/** B_simple = tr Σ / ‖G‖² at `weights`, by the CPU reference maths and the noise statistics. */
export function simpleNoiseScaleAt(model: ModelSpec, dataset: Dataset, weights: ArrayLike<number>): number {
  const p = paramCount(model);
  const count = Math.min(dataset.n, Math.max(2, Math.floor(NOISE_NUMBERS / p)));
  // All samples when they fit; otherwise a fixed random subset (tr Σ and ‖G‖² estimated from it).
  const indices =
    count === dataset.n
      ? Uint32Array.from({ length: count }, (_, i) => i)
      : permutation(dataset.n, new Rng(0)).subarray(0, count);
  const gradients = perSampleGradients(model, weights, dataset, indices, createWorkspace(model));
  return gradientNoiseStats(gradients, count, p).simpleNoiseScale;
}

interface ActiveRun {
  runId: number;
  batchSize: number;
  learningRate: number;
  history: Evaluation[];
  /** Weights at each evaluation, kept only during a pilot (the target is not known yet). */
  snapshots: Float64Array[] | null;
  stepsTaken: number;
  samplesTaken: number;
}

interface Pair {
  batchSize: number;
  learningRate: number;
}

function validate(settings: SweepSettings, dataset: Dataset): string | null {
  if (settings.batchSizes.length === 0) return 'the sweep needs at least one batch size';
  if (settings.learningRates.length === 0) return 'the sweep needs at least one learning rate';
  for (const b of settings.batchSizes) {
    if (!Number.isInteger(b) || b < 1 || b > dataset.n)
      return `batch sizes must be whole numbers from 1 to N = ${dataset.n}`;
  }
  for (const lr of settings.learningRates) {
    if (!(Number.isFinite(lr) && lr > 0)) return 'learning rates must be positive numbers';
  }
  if (settings.target !== 'auto' && !(Number.isFinite(settings.target) && settings.target >= 0)) {
    return 'the target loss must be a number ≥ 0';
  }
  if (!(settings.maxEpochs > 0) || !(settings.maxSteps > 0)) return 'the budgets must be positive';
  if (settings.evaluationFloor !== undefined && !(settings.evaluationFloor >= 1)) {
    return 'the evaluation interval must be at least one sample';
  }
  return null;
}

/** Samples the next advance of a wave trains, given the samples it has trained so far. */
export function advanceSamples(elapsedSamples: number, n: number, evaluationFloor = n / 4): number {
  const floor = Math.max(1, Math.ceil(evaluationFloor));
  return Math.min(16 * n, Math.max(floor, Math.ceil(EVALUATION_GROWTH * elapsedSamples)));
}

/** Runs the sweep. Rejects (RangeError) only for unusable settings; the engine's runs are removed at the end. */
export async function runSweep(
  engine: TrainingEngine,
  settings: SweepSettings,
  callbacks: SweepCallbacks = {},
): Promise<SweepRun> {
  const { dataset, model } = engine;
  const problem = validate(settings, dataset);
  if (problem) throw new RangeError(problem);
  const started = performance.now();
  const capacity = Math.max(1, callbacks.maxConcurrentRuns ?? 64);
  const init = initParams(model, settings.initSeed);
  const n = dataset.n;

  const pairs: Pair[] = [];
  const batchSizes = [...new Set(settings.batchSizes)].sort((a, b) => b - a);
  const learningRates = [...new Set(settings.learningRates)].sort((a, b) => a - b);
  for (const batchSize of batchSizes)
    for (const learningRate of learningRates) pairs.push({ batchSize, learningRate });

  const outcomes: RunOutcome[] = [];
  let target: number | null = settings.target === 'auto' ? null : settings.target;
  let phase: SweepProgress['phase'] = target === null ? 'pilot' : 'racing';
  let firstResultMs: number | null = null;
  let advances = 0;
  const progress = (): SweepProgress => ({ phase, done: outcomes.length, total: pairs.length, target });

  // The starting loss, once: every run starts from the same weights.
  const probeId = await engine.addRun(
    sweepConfig(batchSizes[0] as number, learningRates[0] as number, settings.shuffleSeed),
    init,
  );
  const initialLoss = await engine.datasetLoss(probeId);
  engine.removeRun(probeId);

  const bestSteps = (batchSize: number): number =>
    bestRunPerBatchSize(outcomes.filter((o) => o.batchSize === batchSize)).get(batchSize)?.crossing.step ??
    Number.POSITIVE_INFINITY;

  const finish = async (run: ActiveRun, status: RunStatus, atTarget?: Float64Array): Promise<void> => {
    engine.removeRun(run.runId);
    const crossing = status === 'reached' && target !== null ? targetCrossing(run.history, target) : null;
    const last = run.history[run.history.length - 1] as Evaluation;
    const outcome: RunOutcome = {
      batchSize: run.batchSize,
      learningRate: run.learningRate,
      status,
      crossing,
      stepsTaken: run.stepsTaken,
      samplesTaken: run.samplesTaken,
      finalLoss: last.loss,
      history: run.history,
      simpleNoiseScale: atTarget ? simpleNoiseScaleAt(model, dataset, atTarget) : null,
    };
    outcomes.push(outcome);
    if (firstResultMs === null) firstResultMs = performance.now() - started;
    callbacks.onRunDone?.(outcome, progress());
  };

  const queue = [...pairs];
  const aborted = () => callbacks.signal?.aborted === true;

  /** Advances a wave until all its runs are done (a pilot: until its runs used `pilotSamples`). */
  const runWave = async (wave: ActiveRun[], pilotSamples: number | null): Promise<void> => {
    let elapsed = 0;
    const active = new Set(wave);
    const pilotLeft = () => (pilotSamples ?? 0) - Math.max(...[...active].map((run) => run.samplesTaken));
    while (active.size > 0 && !aborted()) {
      let samples = advanceSamples(elapsed, n, settings.evaluationFloor);
      if (pilotSamples !== null) samples = Math.max(1, Math.min(samples, pilotLeft()));
      const updates = await engine.advance({
        samplesPerRun: samples,
        maxStepsPerRun: Number.MAX_SAFE_INTEGER,
      });
      advances++;
      elapsed += samples;
      const byId = new Map<number, RunUpdate>(updates.map((u) => [u.runId, u]));
      for (const run of [...active]) {
        const update = byId.get(run.runId);
        if (!update) continue;
        run.stepsTaken = update.progress.step;
        run.samplesTaken = update.progress.samplesSeen;
        const loss = update.datasetLoss;
        run.history.push({ step: run.stepsTaken, samples: run.samplesTaken, loss });
        if (update.diverged || !Number.isFinite(loss) || loss > EXPLODED_FACTOR * initialLoss) {
          active.delete(run);
          await finish(run, 'diverged');
          continue;
        }
        if (run.snapshots) run.snapshots.push(await engine.getWeights(run.runId));
        if (target !== null && loss <= target) {
          const weights = await engine.getWeights(run.runId);
          active.delete(run);
          await finish(run, 'reached', weights);
          continue;
        }
        if (update.progress.epoch >= settings.maxEpochs || run.stepsTaken >= settings.maxSteps) {
          active.delete(run);
          await finish(run, 'budget');
        }
      }
      if (pilotSamples !== null && (active.size === 0 || pilotLeft() <= 0)) return; // the caller settles them
      for (const run of [...active]) {
        if (run.stepsTaken >= bestSteps(run.batchSize)) {
          active.delete(run);
          await finish(run, 'slower');
        }
      }
      callbacks.onProgress?.(progress());
      await callbacks.yieldBetweenAdvances?.();
    }
    if (aborted()) for (const run of active) await finish(run, 'cancelled');
  };

  const addWave = async (candidates: Pair[], keepSnapshots: boolean): Promise<ActiveRun[]> => {
    const wave: ActiveRun[] = [];
    while (candidates.length > 0 && wave.length < capacity) {
      const pair = candidates[0] as Pair;
      let runId: number;
      try {
        runId = await engine.addRun(
          sweepConfig(pair.batchSize, pair.learningRate, settings.shuffleSeed),
          init,
        );
      } catch (error) {
        // A full engine: the rest waits for the next wave (a first run that fails is a real error).
        if (wave.length > 0 && error instanceof RangeError) break;
        throw error;
      }
      candidates.shift();
      wave.push({
        runId,
        ...pair,
        history: [{ step: 0, samples: 0, loss: initialLoss }],
        snapshots: keepSnapshots ? [init] : null,
        stepsTaken: 0,
        samplesTaken: 0,
      });
    }
    return wave;
  };

  callbacks.onProgress?.(progress());
  if (target === null) {
    // The pilot: B = N (the largest B) at every learning rate, for part of the budget.
    const pilotB = batchSizes[0] as number;
    const pilotPairs = queue.filter((p) => p.batchSize === pilotB);
    queue.splice(0, pilotPairs.length);
    const pilotSamples = Math.max(1, Math.round(PILOT_SHARE * settings.maxEpochs * n));
    const wave = await addWave(pilotPairs, true);
    queue.unshift(...pilotPairs); // those that did not fit race later, like any other pair
    await runWave(wave, pilotSamples);
    if (!aborted()) {
      const alive = wave.filter(
        (run) => !outcomes.some((o) => o.batchSize === run.batchSize && o.learningRate === run.learningRate),
      );
      const lowest = Math.min(
        ...alive.map((run) => (run.history[run.history.length - 1] as Evaluation).loss),
      );
      target = autoTarget(initialLoss, lowest) ?? initialLoss / 2;
      phase = 'racing';
      callbacks.onProgress?.(progress());
      // Settle the pilot's runs against the target now known: reached, or slower than the best.
      for (const run of alive) {
        const crossing = targetCrossing(run.history, target);
        if (crossing) {
          const index = run.history.findIndex((e) => e.loss <= (target as number));
          await finish(run, 'reached', run.snapshots?.[index]);
        }
      }
      for (const run of alive) {
        if (outcomes.some((o) => o.batchSize === run.batchSize && o.learningRate === run.learningRate))
          continue;
        await finish(run, run.stepsTaken >= bestSteps(run.batchSize) ? 'slower' : 'budget');
      }
    }
  }
  while (queue.length > 0 && !aborted()) {
    const wave = await addWave(queue, false);
    await runWave(wave, null);
  }
  const cancelled = aborted();
  if (cancelled) {
    phase = 'cancelled';
    const finished = new Set(outcomes.map((o) => `${o.batchSize}/${o.learningRate}`));
    for (const pair of pairs) {
      if (finished.has(`${pair.batchSize}/${pair.learningRate}`)) continue;
      outcomes.push({
        ...pair,
        status: 'cancelled',
        crossing: null,
        stepsTaken: 0,
        samplesTaken: 0,
        finalLoss: Number.NaN,
        history: [],
        simpleNoiseScale: null,
      });
    }
  } else {
    phase = 'done';
  }
  callbacks.onProgress?.(progress());
  return {
    target: target ?? Number.NaN,
    targetSource: settings.target === 'auto' ? 'auto' : 'given',
    initialLoss,
    runs: outcomes,
    cancelled,
    elapsedMs: performance.now() - started,
    firstResultMs,
    advances,
  };
}
