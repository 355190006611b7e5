import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../types';
import {
  type AdvancePlan,
  isSplit,
  type PlannedRun,
  type PlanSettings,
  planAdvance,
  sampleForwardUnits,
  stepUnits,
  Throughput,
} from './plan';
import { JOB, JOB_FLAG, NOT_A_PART } from './records';

const MODEL: ModelSpec = { inputSize: 2, hidden: [16, 16], outputSize: 1, activation: 'tanh', loss: 'bce' };
const LAYOUT = { chunk: 32, parts: 3, splitBatchSize: 256 };
const FORWARD = sampleForwardUnits(MODEL);

const SETTINGS: PlanSettings = {
  dispatchUnits: 1e9,
  submitUnits: 1e12,
  parts: LAYOUT.parts,
  jobAlignment: 256,
  jobBindingBytes: 4 * LAYOUT.parts * JOB.bytes,
  lossChunks: 2,
  datasetLossUnits: 1000,
};

function run(slot: number, batchSize: number, steps: number, step = 0): PlannedRun {
  return {
    slot,
    step,
    steps,
    perEpoch: Math.ceil(1000 / batchSize),
    stepUnits: stepUnits(batchSize, FORWARD, LAYOUT),
    split: isSplit(batchSize, LAYOUT),
    config: { batchSize, shuffleSeed: 11 + slot, reduction: 'mean', momentum: 0.5, learningRate: 0.25 },
  };
}

interface DecodedJob {
  kernel: string;
  dispatch: number;
  slot: number;
  firstStep: number;
  steps: number;
  lossBase: number;
  flags: number;
  part: number;
  learningRate: number;
}

/** Every job record of every dispatch, read back from the plan's bytes. */
function decode(plan: AdvancePlan): DecodedJob[] {
  const words = plan.jobs;
  const floats = new Float32Array(words.buffer);
  const jobs: DecodedJob[] = [];
  plan.dispatches.forEach((d, dispatch) => {
    for (let i = 0; i < d.count; i++) {
      const base = d.offset / 4 + i * JOB.words;
      const at = (name: Parameters<typeof JOB.wordOf>[0]) => words[base + JOB.wordOf(name)] as number;
      jobs.push({
        kernel: d.kernel,
        dispatch,
        slot: at('slot'),
        firstStep: at('firstStep'),
        steps: at('steps'),
        lossBase: at('lossBase'),
        flags: at('flags'),
        part: at('part'),
        learningRate: floats[base + JOB.wordOf('learningRate')] as number,
      });
    }
  });
  return jobs;
}

describe('the step-cost model', () => {
  it('counts tiles of 4 samples and a fixed cost per chunk; a split step shares the batch', () => {
    expect(FORWARD).toBe(2 * 16 + 8 * 16 + 16 * 16 + 8 * 16 + 16 + 8);
    const sample = 3 * FORWARD;
    expect(stepUnits(1, FORWARD, LAYOUT)).toBe(sample * (4 + 8));
    expect(stepUnits(33, FORWARD, LAYOUT)).toBe(sample * (36 + 16));
    expect(isSplit(255, LAYOUT)).toBe(false);
    expect(isSplit(256, LAYOUT)).toBe(true);
    expect(isSplit(4096, { ...LAYOUT, parts: 1 })).toBe(false);
    expect(stepUnits(256, FORWARD, LAYOUT)).toBe((sample * (256 + 64)) / 3 + sample * 32);
  });

  it('learns the throughput only from advances long enough to measure', () => {
    const throughput = new Throughput();
    const first = throughput.unitsPerMs;
    throughput.learn(1e6, 3);
    expect(throughput.unitsPerMs).toBe(first);
    throughput.learn(1e6, 10);
    expect(throughput.unitsPerMs).toBeCloseTo(0.6 * first + 0.4 * 1e5);
    expect(throughput.ms(throughput.unitsPerMs * 7)).toBeCloseTo(7);
  });
});

describe('planAdvance', () => {
  it('gives every run exactly its steps, in order, with its losses in one contiguous range', () => {
    const runs = [run(0, 1, 50, 7), run(3, 32, 20), run(5, 8, 0), run(6, 4, 9)];
    // Small dispatches: the steps are cut into many dispatches.
    const plan = planAdvance(runs, [], { ...SETTINGS, dispatchUnits: 8 * runs[0]!.stepUnits });
    expect(plan.dispatches.length).toBeGreaterThan(3);
    const jobs = decode(plan);
    expect(plan.batchLossFloats).toBe(50 + 20 + 9);
    expect(plan.batchLossBase).toEqual([0, 50, 70, 70]);
    runs.forEach((r, index) => {
      const mine = jobs.filter((j) => j.slot === r.slot);
      let step = r.step;
      let lossBase = plan.batchLossBase[index] as number;
      for (const job of mine) {
        expect(job).toMatchObject({ kernel: 'train', firstStep: step, lossBase, part: NOT_A_PART });
        expect(job.flags).toBe(JOB_FLAG.MOMENTUM);
        expect(job.learningRate).toBe(0.25);
        step += job.steps;
        lossBase += job.steps;
      }
      expect(step - r.step, `slot ${r.slot}`).toBe(r.steps);
    });
    // Every dispatch advances every run that still has steps (as many workgroups as runs).
    const remaining = new Map(runs.map((r) => [r.slot, r.steps]));
    plan.dispatches.forEach((_, dispatch) => {
      const inDispatch = jobs.filter((j) => j.dispatch === dispatch);
      const pending = [...remaining].filter(([, steps]) => steps > 0).map(([slot]) => slot);
      expect(inDispatch.map((j) => j.slot)).toEqual(pending);
      for (const j of inDispatch) remaining.set(j.slot, (remaining.get(j.slot) as number) - j.steps);
    });
  });

  it('takes at most stepsPerDispatch steps per job when asked', () => {
    const plan = planAdvance([run(1, 4, 10)], [], { ...SETTINGS, stepsPerDispatch: 3 });
    expect(decode(plan).map((j) => j.steps)).toEqual([3, 3, 3, 1]);
  });

  it('splits a large batch: prepare its order, then per step its parts side by side and an apply', () => {
    const big = run(2, 512, 2, 10);
    const plan = planAdvance([big, run(4, 2, 3)], [], SETTINGS);
    const jobs = decode(plan);
    const split = jobs.filter((j) => j.slot === 2);
    expect(split[0]).toMatchObject({ kernel: 'apply_parts', firstStep: 10, steps: 0 });
    expect(split[0]?.flags).toBe(JOB_FLAG.PREPARE_ONLY | JOB_FLAG.MOMENTUM);
    for (const [t, step] of [10, 11].entries()) {
      const parts = split.filter((j) => j.kernel === 'train' && j.firstStep === step);
      expect(parts.map((j) => j.part)).toEqual([0, 1, 2]);
      expect(parts.every((j) => j.steps === 1)).toBe(true);
      const apply = split.filter((j) => j.kernel === 'apply_parts' && j.firstStep === step && j.steps === 1);
      expect(apply).toHaveLength(1);
      expect(apply[0]).toMatchObject({ steps: 1, lossBase: t, part: NOT_A_PART });
      // The apply comes right after its parts' dispatch.
      expect(apply[0]?.dispatch).toBe((parts[0]?.dispatch as number) + 1);
    }
  });

  it('aligns every job block for dynamic offsets and leaves room for the last binding', () => {
    const plan = planAdvance([run(0, 512, 3), run(1, 1, 100)], [0, 1], { ...SETTINGS, jobAlignment: 256 });
    for (const d of plan.dispatches) expect(d.offset % 256).toBe(0);
    const loss = plan.datasetLoss;
    expect(loss).not.toBeNull();
    expect((loss?.offset ?? 1) % 256).toBe(0);
    expect(plan.jobs.byteLength).toBeGreaterThanOrEqual((loss?.offset ?? 0) + SETTINGS.jobBindingBytes);
  });

  it('plans the dataset loss: one job per run, each with its range of chunk sums', () => {
    const plan = planAdvance([], [4, 9, 2], SETTINGS);
    expect(plan.dispatches).toEqual([]);
    expect(plan.datasetLoss?.runs).toBe(3);
    expect(plan.lossSumFloats).toBe(3 * SETTINGS.lossChunks);
    expect(plan.totalUnits).toBe(3 * SETTINGS.datasetLossUnits);
    const base = (plan.datasetLoss?.offset ?? 0) / 4;
    [4, 9, 2].forEach((slot, k) => {
      expect(plan.jobs[base + k * JOB.words + JOB.wordOf('slot')]).toBe(slot);
      expect(plan.jobs[base + k * JOB.words + JOB.wordOf('lossBase')]).toBe(k * SETTINGS.lossChunks);
    });
    expect(planAdvance([run(0, 1, 5)], [], SETTINGS).datasetLoss).toBeNull();
  });

  it('cuts submissions at submitUnits, never leaving one empty', () => {
    const r = run(0, 1, 100);
    const plan = planAdvance([r], [], {
      ...SETTINGS,
      dispatchUnits: 10 * r.stepUnits,
      submitUnits: 25 * r.stepUnits,
    });
    expect(plan.dispatches).toHaveLength(10);
    const perSubmission = new Map<number, number>();
    for (const d of plan.dispatches)
      perSubmission.set(d.submission, (perSubmission.get(d.submission) ?? 0) + d.units);
    expect([...perSubmission.keys()]).toEqual([0, 1, 2, 3, 4]);
    for (const units of perSubmission.values()) expect(units).toBeLessThanOrEqual(25 * r.stepUnits);
    expect(plan.totalUnits).toBe(100 * r.stepUnits);
  });
});
