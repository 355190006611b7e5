/**
 * How the WebGPU engine cuts an advance into dispatches, as plain arithmetic (no GPU): the cost
 * model of a step, and `planAdvance`, which turns (run, steps) pairs into job records, dispatches
 * and submissions that the host (engine.ts) only has to upload and encode.
 *
 * Results never depend on the plan: the kernels give the same bits however the steps are cut
 * into dispatches and whichever runs share one (the GPU tests check this).
 */
import { layerWidths } from '../model';
import type { ModelSpec, TrainConfig } from '../types';
import { JOB, JOB_FLAG, NOT_A_PART } from './records';

/** What one extra dispatch costs, in samples' worth of work (see `stepUnits`). */
const DISPATCH_COST_SAMPLES = 16;

/** Work units of one sample's forward pass (multiply-adds plus a few per unit). */
export function sampleForwardUnits(model: ModelSpec): number {
  const widths = layerWidths(model);
  let units = 0;
  for (let l = 1; l < widths.length; l++)
    units += (widths[l - 1] as number) * (widths[l] as number) + 8 * (widths[l] as number);
  return units;
}

/** The parts of the layout the cost of a step depends on. */
export interface StepCostLayout {
  /** Samples per chunk of the training kernel. */
  chunk: number;
  /** Workgroups sharing a step of a batch of at least `splitBatchSize` samples. */
  parts: number;
  splitBatchSize: number;
}

/** Whether a run of batch size B shares each step over `parts` workgroups. */
export function isSplit(batchSize: number, layout: StepCostLayout): boolean {
  return layout.parts > 1 && batchSize >= layout.splitBatchSize;
}

/**
 * Estimated cost of one step at batch size B, in work units: forward and backward passes over
 * tiles of 4 samples, and per chunk a pass through every phase of the kernel that costs about as
 * much as 8 samples (measured on SwiftShader: 35 µs at B = 1, 15 ms at B = 4,096 for 2-16-16-1).
 * A split step's parts run side by side, then one more dispatch applies them.
 */
export function stepUnits(batchSize: number, forwardUnits: number, layout: StepCostLayout): number {
  const sample = 3 * forwardUnits;
  const whole = sample * (4 * Math.ceil(batchSize / 4) + 8 * Math.ceil(batchSize / layout.chunk));
  if (!isSplit(batchSize, layout)) return whole;
  return whole / layout.parts + sample * 2 * DISPATCH_COST_SAMPLES;
}

/**
 * Work units per millisecond, learned from the advances long enough to measure (the read-back
 * alone costs ~1 ms). The first guess is SwiftShader's (a B = 1 step of 2-16-16-1 in ~35 µs).
 */
export class Throughput {
  unitsPerMs = 5e5;

  learn(units: number, elapsedMs: number): void {
    if (elapsedMs > 4 && units > 0) this.unitsPerMs = 0.6 * this.unitsPerMs + 0.4 * (units / elapsedMs);
  }

  /** Expected milliseconds of `units` of work. */
  ms(units: number): number {
    return units / this.unitsPerMs;
  }
}

/** One run as the planner sees it. */
export interface PlannedRun {
  slot: number;
  /** Global step count before this advance. */
  step: number;
  /** Steps to take in this advance (0: none). */
  steps: number;
  perEpoch: number;
  stepUnits: number;
  split: boolean;
  config: Pick<TrainConfig, 'batchSize' | 'shuffleSeed' | 'reduction' | 'momentum' | 'learningRate'>;
}

export interface PlanSettings {
  /** Work units one dispatch should take (the frame budget at the learned throughput). */
  dispatchUnits: number;
  /** Most work units in one submission (so no command buffer runs for seconds). */
  submitUnits: number;
  /** Fixed steps per dispatch for every run instead of the adaptive cut (tests, tuning). */
  stepsPerDispatch?: number | undefined;
  parts: number;
  /** Job blocks start at multiples of this (minStorageBufferOffsetAlignment). */
  jobAlignment: number;
  /** Bytes the job binding spans from each dynamic offset. */
  jobBindingBytes: number;
  /** Workgroups (chunks of samples) of the dataset-loss kernel per run. */
  lossChunks: number;
  /** Work units of one run's dataset loss. */
  datasetLossUnits: number;
}

export interface PlannedDispatch {
  kernel: 'train' | 'apply_parts';
  /** Byte offset of its job records in the jobs buffer (the dynamic offset). */
  offset: number;
  /** Workgroups: one per job record. */
  count: number;
  units: number;
  /** Index of the submission it belongs to. */
  submission: number;
}

export interface AdvancePlan {
  dispatches: PlannedDispatch[];
  /** The dataset-loss dispatch (lossChunks × runs workgroups), null when no run wants one. */
  datasetLoss: { offset: number; runs: number } | null;
  /** Every job record of the advance, ready to upload (with room for the last binding). */
  jobs: Uint32Array<ArrayBuffer>;
  /** Per input run: where its batch losses start in `batchLosses` (steps of them). */
  batchLossBase: number[];
  batchLossFloats: number;
  /** Loss run k's chunk sums are at lossSums[k · lossChunks …]. */
  lossSumFloats: number;
  /** Estimated work units of everything planned. */
  totalUnits: number;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function jobFlags(run: PlannedRun): number {
  return (
    (run.config.reduction === 'sum' ? JOB_FLAG.SUM : 0) | (run.config.momentum > 0 ? JOB_FLAG.MOMENTUM : 0)
  );
}

/**
 * Plans an advance: `runs` take their `steps`, then the runs of slots `lossSlots` get their
 * dataset loss. Each dispatch takes about `dispatchUnits` of work and advances every run by the
 * same share of its remaining steps, so all runs finish together and every dispatch has as many
 * workgroups as runs to spread over the cores. A split run (a large batch) takes each step in
 * two dispatches: its parts side by side, then apply_parts (after one apply_parts that prepares
 * its epoch order). Dispatches are grouped into submissions of at most `submitUnits`.
 */
export function planAdvance(runs: PlannedRun[], lossSlots: number[], settings: PlanSettings): AdvancePlan {
  const batchLossBase: number[] = [];
  const active: { run: PlannedRun; remaining: number; lossBase: number; done: number }[] = [];
  let batchLossFloats = 0;
  for (const run of runs) {
    batchLossBase.push(batchLossFloats);
    if (run.steps <= 0) continue;
    active.push({ run, remaining: run.steps, lossBase: batchLossFloats, done: 0 });
    batchLossFloats += run.steps;
  }

  const dispatches: PlannedDispatch[] = [];
  // Job blocks are packed (each binding still spans jobBindingBytes, so the buffer has that much
  // room after the last block): a GPU's parts blocks are large, the others small.
  const blocks: { offset: number; words: Uint32Array }[] = [];
  let jobBytes = 0;
  let totalUnits = 0;
  const newBlock = (count: number) => JOB.allocate(count, settings.jobAlignment);
  const addBlock = (words: Uint32Array) => {
    blocks.push({ offset: jobBytes, words });
    jobBytes += words.byteLength;
  };
  const addDispatch = (block: { words: Uint32Array }, count: number, units: number, apply: boolean) => {
    dispatches.push({
      kernel: apply ? 'apply_parts' : 'train',
      offset: jobBytes,
      count,
      units,
      submission: 0,
    });
    addBlock(block.words);
    totalUnits += units;
  };
  const writeJob = (
    block: { words: Uint32Array; floats: Float32Array },
    index: number,
    run: PlannedRun,
    job: { firstStep: number; steps: number; lossBase: number; part: number; flags?: number },
  ) => {
    JOB.write(block.words, block.floats, index, {
      slot: run.slot,
      firstStep: job.firstStep,
      steps: job.steps,
      batchSize: run.config.batchSize,
      stepsPerEpoch: run.perEpoch,
      seed: run.config.shuffleSeed >>> 0,
      lossBase: job.lossBase,
      flags: jobFlags(run) | (job.flags ?? 0),
      learningRate: run.config.learningRate,
      momentum: run.config.momentum,
      part: job.part,
    });
  };

  // Before a split run's first step, apply_parts makes sure its epoch order is in place.
  const splitRuns = active.filter((a) => a.run.split);
  if (splitRuns.length > 0) {
    const block = newBlock(splitRuns.length);
    splitRuns.forEach(({ run }, index) => {
      writeJob(block, index, run, {
        firstStep: run.step,
        steps: 0,
        lossBase: 0,
        part: NOT_A_PART,
        flags: JOB_FLAG.PREPARE_ONLY,
      });
    });
    addDispatch(block, splitRuns.length, 0, true);
  }
  while (active.some((a) => a.remaining > 0)) {
    const pending = active.filter((a) => a.remaining > 0);
    const remainingUnits = pending.reduce((sum, a) => sum + a.remaining * a.run.stepUnits, 0);
    const dispatchesLeft = Math.max(1, Math.ceil(remainingUnits / settings.dispatchUnits));
    const shares = pending.map((entry) => {
      const cap = settings.stepsPerDispatch ?? Math.max(1, Math.ceil(entry.remaining / dispatchesLeft));
      return { entry, take: Math.min(entry.remaining, cap) };
    });
    const whole = shares.filter(({ entry }) => !entry.run.split);
    if (whole.length > 0) {
      const block = newBlock(whole.length);
      let units = 0;
      whole.forEach(({ entry, take }, index) => {
        const { run } = entry;
        const firstStep = run.step + entry.done;
        const lossBase = entry.lossBase + entry.done;
        writeJob(block, index, run, { firstStep, steps: take, lossBase, part: NOT_A_PART });
        units += take * run.stepUnits;
      });
      addDispatch(block, whole.length, units, false);
    }
    const split = shares.filter(({ entry }) => entry.run.split);
    const splitSteps = Math.max(0, ...split.map(({ take }) => take));
    for (let t = 0; t < splitSteps; t++) {
      const stepping = split.filter(({ take }) => take > t);
      const partsBlock = newBlock(stepping.length * settings.parts);
      const applyBlock = newBlock(stepping.length);
      let units = 0;
      stepping.forEach(({ entry }, index) => {
        const { run } = entry;
        const step = run.step + entry.done + t;
        for (let part = 0; part < settings.parts; part++) {
          writeJob(partsBlock, index * settings.parts + part, run, {
            firstStep: step,
            steps: 1,
            lossBase: 0,
            part,
          });
        }
        const lossBase = entry.lossBase + entry.done + t;
        writeJob(applyBlock, index, run, { firstStep: step, steps: 1, lossBase, part: NOT_A_PART });
        units += run.stepUnits;
      });
      addDispatch(partsBlock, stepping.length * settings.parts, units, false);
      addDispatch(applyBlock, stepping.length, 0, true);
    }
    for (const { entry, take } of shares) {
      entry.done += take;
      entry.remaining -= take;
    }
  }

  // The dataset-loss jobs: one per run, its slot and where its chunk sums go.
  const lossBlock = newBlock(lossSlots.length);
  lossSlots.forEach((slot, index) => {
    JOB.write(lossBlock.words, lossBlock.floats, index, { slot, lossBase: index * settings.lossChunks });
  });
  const lossOffset = jobBytes;
  addBlock(lossBlock.words);
  totalUnits += lossSlots.length * settings.datasetLossUnits;

  // Cut the dispatches into submissions of bounded length.
  let submission = 0;
  let unitsInSubmit = 0;
  for (const dispatch of dispatches) {
    if (unitsInSubmit > 0 && unitsInSubmit + dispatch.units > settings.submitUnits) {
      submission++;
      unitsInSubmit = 0;
    }
    dispatch.submission = submission;
    unitsInSubmit += dispatch.units;
  }

  const jobs = new Uint32Array((lossOffset + roundUp(settings.jobBindingBytes, settings.jobAlignment)) / 4);
  for (const { offset, words } of blocks) jobs.set(words, offset / 4);
  return {
    dispatches,
    datasetLoss: lossSlots.length > 0 ? { offset: lossOffset, runs: lossSlots.length } : null,
    jobs,
    batchLossBase,
    batchLossFloats,
    lossSumFloats: lossSlots.length * settings.lossChunks,
    totalUnits,
  };
}
