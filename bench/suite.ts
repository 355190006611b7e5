/**
 * The benchmark itself, the same code in headless Chromium and in Node on Dawn: throughput of
 * each implementation at each B, loss after 20 steps, the race of 13 batch sizes, compile time
 * and a wider model. The entry points (`main.ts`, `node.ts`) supply the WebGPU side and the
 * runtime's name; this module measures and returns plain data (see `report.ts`).
 */
import { CpuEngine } from '../src/engine/cpu/engine';
import { CpuTrainer } from '../src/engine/cpu/trainer';
import { stepsPerEpoch } from '../src/engine/schedule';
import type { Dataset, ModelSpec, TrainConfig, TrainingEngine } from '../src/engine/types';
import {
  type AdapterDescription,
  type CompileResult,
  type DispatchProbe,
  type EnvironmentResult,
  type ImplId,
  median,
  type RaceResult,
  stepsForDuration,
  type Throughput,
} from './report';
import { benchSweep } from './sweep';
import { selectTfjsBackend, TfjsTrainer, tf, tfjsWasmVariant } from './tfjs-trainer';
import {
  BENCH_BATCH_SIZES,
  LOSS_CHECK_STEPS,
  loadWorkload,
  powersOfTwoUpTo,
  trainConfig,
  WIDE_BATCH_SIZES,
  type Workload,
} from './workload';

/** What the bench needs from one implementation's run: steps, a loss, cleanup. */
export interface BenchTrainer {
  /** Runs `count` steps and resolves once they are done (results available). */
  step(count: number): Promise<void>;
  datasetLoss(): Promise<number>;
  dispose(): void;
}

/** The WebGPU engine as the bench drives it; built by `gpu.ts` from a device. */
export interface GpuBackend {
  adapter: AdapterDescription;
  createTrainer(
    dataset: Dataset,
    model: ModelSpec,
    config: TrainConfig,
    init: Float64Array,
    /** Fixes the engine's steps per dispatch (default: its own adaptive plan). */
    stepsPerDispatch?: number,
  ): Promise<BenchTrainer>;
  /** A fresh multi-run engine for `model`; `compileMs` is its pipelines' compile time. */
  createEngine(
    dataset: Dataset,
    model: ModelSpec,
  ): Promise<{ engine: TrainingEngine; compileMs: number | null }>;
  /** How the engine lays out its runs on this adapter (workgroup size, memory), as it says. */
  describeLayout(dataset: Dataset, model: ModelSpec): Promise<string | null>;
}

export interface SuiteOptions {
  environment: EnvironmentResult['environment'];
  runtime: string;
  /** The WebGPU engine, or the reason there is none. */
  gpu: GpuBackend | string;
  quick: boolean;
  /** Also sweep fixed steps per dispatch (where the WebGPU engine's time goes). */
  profile: boolean;
  log: (message: string) => void;
}

interface Timing {
  /** Minimum length of one timed repetition. */
  minRepSeconds: number;
  repetitions: number;
  raceEpochs: number;
  raceRepetitions: number;
  batchSizes: readonly number[];
  wideBatchSizes: readonly number[];
}

function timingFor(quick: boolean): Timing {
  return quick
    ? // A smoke run: two batch sizes, one short repetition, a one-epoch race, and no wider model
      // (compiling its pipelines alone takes 10–30 s on the software adapter).
      {
        minRepSeconds: 0.05,
        repetitions: 1,
        raceEpochs: 1,
        raceRepetitions: 1,
        batchSizes: [1, 32],
        wideBatchSizes: [],
      }
    : {
        minRepSeconds: 0.3,
        repetitions: 3,
        raceEpochs: 10,
        raceRepetitions: 3,
        batchSizes: BENCH_BATCH_SIZES,
        wideBatchSizes: WIDE_BATCH_SIZES,
      };
}

const now = () => performance.now() / 1000;

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return now() - start;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Steps/s of one trainer: probes with growing step counts (the probes are the warm-up) until one
 * lasts a quarter of a repetition, then times `repetitions` runs of a count sized to last
 * `minRepSeconds`, and takes the median. A repetition far shorter than intended (the probe was
 * slowed by a one-off delay) resizes the count and starts the repetitions again.
 */
async function measureSteps(
  trainer: BenchTrainer,
  timing: Timing,
  maxSteps: number,
): Promise<{ stepsPerRep: number; repSeconds: number[] }> {
  let probe = 1;
  let probeSeconds = await seconds(() => trainer.step(probe));
  while (probeSeconds < timing.minRepSeconds / 4 && probe < maxSteps) {
    const estimate = stepsForDuration(probe, probeSeconds, timing.minRepSeconds / 2, maxSteps);
    probe = Math.min(maxSteps, Math.max(probe * 2, Math.min(probe * 64, estimate)));
    probeSeconds = await seconds(() => trainer.step(probe));
  }
  let stepsPerRep = stepsForDuration(probe, probeSeconds, timing.minRepSeconds, maxSteps);
  let repSeconds: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    repSeconds = [];
    let tooShort = false;
    for (let r = 0; r < timing.repetitions && !tooShort; r++) {
      const time = await seconds(() => trainer.step(stepsPerRep));
      repSeconds.push(time);
      tooShort = time < timing.minRepSeconds / 2 && stepsPerRep < maxSteps;
    }
    if (!tooShort) break;
    stepsPerRep = stepsForDuration(stepsPerRep, median(repSeconds), timing.minRepSeconds, maxSteps);
  }
  return { stepsPerRep, repSeconds };
}

/** Loss after 20 steps from the shared weights, then throughput on the same trainer. */
async function benchTrainer(
  impl: ImplId,
  batchSize: number,
  create: () => Promise<BenchTrainer>,
  timing: Timing,
  maxSteps: number,
): Promise<Throughput> {
  let trainer: BenchTrainer | null = null;
  try {
    trainer = await create();
    await trainer.step(LOSS_CHECK_STEPS);
    const lossAfter20 = await trainer.datasetLoss();
    const { stepsPerRep, repSeconds } = await measureSteps(trainer, timing, maxSteps);
    const stepsPerSecond = stepsPerRep / median(repSeconds);
    return {
      impl,
      batchSize,
      stepsPerSecond,
      samplesPerSecond: stepsPerSecond * batchSize,
      stepsPerRep,
      repSeconds,
      lossAfter20,
    };
  } catch (error) {
    return missing(impl, batchSize, `failed: ${message(error)}`);
  } finally {
    trainer?.dispose();
  }
}

function missing(impl: ImplId, batchSize: number, note: string): Throughput {
  return {
    impl,
    batchSize,
    stepsPerSecond: null,
    samplesPerSecond: null,
    stepsPerRep: 0,
    repSeconds: [],
    lossAfter20: null,
    note,
  };
}

function cpuTrainer(
  dataset: Dataset,
  model: ModelSpec,
  config: TrainConfig,
  init: Float64Array,
): BenchTrainer {
  const trainer = new CpuTrainer(dataset, model, config, init);
  return {
    // The synchronous path: the CPU engine's own speed, without a promise per call.
    step: async (count) => {
      trainer.stepSync(count);
    },
    datasetLoss: async () => trainer.datasetLossSync(),
    dispose: () => trainer.dispose(),
  };
}

function tfjsTrainer(
  dataset: Dataset,
  model: ModelSpec,
  config: TrainConfig,
  init: Float64Array,
): BenchTrainer {
  const trainer = new TfjsTrainer(dataset, model, config, init);
  return {
    step: (count) => trainer.step(count),
    datasetLoss: () => trainer.datasetLoss(),
    dispose: () => trainer.dispose(),
  };
}

/** Above this (together + one by one), the race is not repeated. */
const RACE_SLOW_SECONDS = 20;

const PROFILE_BATCH_SIZES = [1, 32, 256];
const PROFILE_STEPS_PER_DISPATCH = [1, 8, 64, 512, 4096];

/** Caps keep one repetition bounded even if a probe was misleadingly fast. */
const MAX_STEPS: Record<ImplId, number> = {
  gpu: 2_000_000,
  cpu: 2_000_000,
  'tfjs-webgpu': 2_000,
  'tfjs-wasm': 20_000,
};

// ---------------------------------------------------------------------------------------------
// The race: 13 runs (B = 1 … N), `epochs` epochs each
// ---------------------------------------------------------------------------------------------

interface RaceOutcome {
  seconds: number;
  weights: Float64Array[];
}

async function advanceUntilDone(
  engine: TrainingEngine,
  runIds: readonly number[],
  stepsNeeded: ReadonlyMap<number, number>,
  samples: number,
): Promise<void> {
  // One request covers all epochs; loop only in case an engine caps what one advance does.
  for (let round = 0; round < 1000; round++) {
    const updates = await engine.advance({ samplesPerRun: samples, maxStepsPerRun: samples });
    const done = runIds.every((id) => {
      const update = updates.find((u) => u.runId === id);
      return update !== undefined && (update.diverged || update.progress.step >= (stepsNeeded.get(id) ?? 0));
    });
    if (done) return;
  }
  throw new Error('the race did not finish after 1,000 advances');
}

/** All runs in one engine, racing in the same dispatches. */
async function raceTogether(
  engine: TrainingEngine,
  workload: Workload,
  sizes: readonly number[],
  epochs: number,
): Promise<RaceOutcome> {
  const n = workload.dataset.n;
  const ids: number[] = [];
  const needed = new Map<number, number>();
  for (const b of sizes) {
    const id = await engine.addRun(trainConfig(b), workload.initialWeights);
    ids.push(id);
    needed.set(id, stepsPerEpoch(n, b, 'keep') * epochs);
  }
  const time = await seconds(() => advanceUntilDone(engine, ids, needed, epochs * n));
  const weights = await Promise.all(ids.map((id) => engine.getWeights(id)));
  for (const id of ids) engine.removeRun(id);
  return { seconds: time, weights };
}

/** The same runs, each alone in the engine, one after another; the times add up. */
async function raceOneByOne(
  engine: TrainingEngine,
  workload: Workload,
  sizes: readonly number[],
  epochs: number,
): Promise<RaceOutcome> {
  const n = workload.dataset.n;
  let total = 0;
  const weights: Float64Array[] = [];
  for (const b of sizes) {
    const id = await engine.addRun(trainConfig(b), workload.initialWeights);
    total += await seconds(() =>
      advanceUntilDone(engine, [id], new Map([[id, stepsPerEpoch(n, b, 'keep') * epochs]]), epochs * n),
    );
    weights.push(await engine.getWeights(id));
    engine.removeRun(id);
  }
  return { seconds: total, weights };
}

function bitIdentical(a: readonly Float64Array[], b: readonly Float64Array[]): boolean {
  return (
    a.length === b.length &&
    a.every((wa, r) => {
      const wb = b[r];
      if (!wb || wb.length !== wa.length) return false;
      for (let p = 0; p < wa.length; p++) if (!Object.is(wa[p], wb[p])) return false;
      return true;
    })
  );
}

async function benchRace(
  workload: Workload,
  gpu: GpuBackend | string,
  timing: Timing,
  log: (m: string) => void,
): Promise<RaceResult> {
  const sizes = powersOfTwoUpTo(workload.dataset.n);
  const result: RaceResult = {
    batchSizes: sizes,
    epochs: timing.raceEpochs,
    togetherSeconds: null,
    oneByOneSeconds: null,
    cpuOneByOneSeconds: null,
    identicalWeights: null,
    repetitions: timing.raceRepetitions,
  };
  const notes: string[] = [];
  if (typeof gpu === 'string') {
    notes.push(`WebGPU: ${gpu}`);
  } else {
    let engine: TrainingEngine | null = null;
    try {
      engine = (await gpu.createEngine(workload.dataset, workload.model)).engine;
      // Warm-up: one short race (first dispatches, buffer creation, JIT of the host code).
      await raceTogether(engine, workload, sizes, 1);
      const together: number[] = [];
      const oneByOne: number[] = [];
      let identical = true;
      for (let r = 0; r < timing.raceRepetitions; r++) {
        const t = await raceTogether(engine, workload, sizes, timing.raceEpochs);
        const o = await raceOneByOne(engine, workload, sizes, timing.raceEpochs);
        together.push(t.seconds);
        oneByOne.push(o.seconds);
        identical &&= bitIdentical(t.weights, o.weights);
        log(`  race rep ${r + 1}: together ${t.seconds.toFixed(3)} s, one by one ${o.seconds.toFixed(3)} s`);
        // A race this slow is long enough to be its own measurement; more would blow the time.
        if (t.seconds + o.seconds > RACE_SLOW_SECONDS && r + 1 < timing.raceRepetitions) {
          notes.push(`WebGPU race: ${r + 1} repetition(s) only, each took over ${RACE_SLOW_SECONDS} s`);
          break;
        }
      }
      result.repetitions = together.length;
      result.togetherSeconds = median(together);
      result.oneByOneSeconds = median(oneByOne);
      result.identicalWeights = identical;
    } catch (error) {
      notes.push(`WebGPU race failed: ${message(error)}`);
    } finally {
      engine?.dispose();
    }
  }
  try {
    const cpu = new CpuEngine(workload.dataset, workload.model);
    const times: number[] = [];
    for (let r = 0; r < timing.raceRepetitions; r++) {
      times.push((await raceOneByOne(cpu, workload, sizes, timing.raceEpochs)).seconds);
    }
    result.cpuOneByOneSeconds = median(times);
    cpu.dispose();
  } catch (error) {
    notes.push(`CPU race failed: ${message(error)}`);
  }
  if (notes.length > 0) result.note = notes.join('; ');
  return result;
}

// ---------------------------------------------------------------------------------------------
// The whole suite
// ---------------------------------------------------------------------------------------------

export async function runSuite(options: SuiteOptions): Promise<EnvironmentResult> {
  const started = now();
  const { gpu, log } = options;
  const timing = timingFor(options.quick);
  const workload = await loadWorkload();
  const { dataset, model, wideModel } = workload;
  const errors: string[] = [];
  log(`${options.environment}: ${workload.description}`);
  if (typeof gpu === 'string') errors.push(`WebGPU engine not measured: ${gpu}`);

  const throughput: Throughput[] = [];
  const wide: Throughput[] = [];
  const compile: CompileResult[] = [];
  let gpuLayout: string | null = null;

  // Compile times first, while nothing of either shape has been compiled.
  if (typeof gpu !== 'string') {
    const shapes: [string, ModelSpec][] = [['2→16→16→1', model]];
    if (timing.wideBatchSizes.length > 0) shapes.push(['2→64→64→1', wideModel]);
    for (const [name, m] of shapes) {
      log(`compiling the WebGPU engine's pipelines for ${name}…`);
      try {
        const { engine, compileMs } = await gpu.createEngine(dataset, m);
        engine.dispose();
        compile.push({ model: name, milliseconds: compileMs });
        log(`  ${compileMs == null ? 'n/a' : `${compileMs.toFixed(0)} ms`}`);
      } catch (error) {
        compile.push({ model: name, milliseconds: null, note: message(error) });
        log(`  failed: ${message(error)}`);
      }
    }
    gpuLayout = await gpu.describeLayout(dataset, model).catch(() => null);
  } else {
    compile.push({ model: '2→16→16→1', milliseconds: null, note: gpu });
  }

  const run = async (impl: ImplId, b: number, m: ModelSpec, init: Float64Array, into: Throughput[]) => {
    const config = trainConfig(b);
    let row: Throughput;
    if (impl === 'gpu') {
      row =
        typeof gpu === 'string'
          ? missing(impl, b, gpu)
          : await benchTrainer(
              impl,
              b,
              () => gpu.createTrainer(dataset, m, config, init),
              timing,
              MAX_STEPS.gpu,
            );
    } else if (impl === 'cpu') {
      row = await benchTrainer(
        impl,
        b,
        async () => cpuTrainer(dataset, m, config, init),
        timing,
        MAX_STEPS.cpu,
      );
    } else {
      row = await benchTrainer(
        impl,
        b,
        async () => tfjsTrainer(dataset, m, config, init),
        timing,
        MAX_STEPS[impl],
      );
    }
    into.push(row);
    log(
      `  ${impl.padEnd(11)} B=${String(b).padEnd(5)} ${
        row.stepsPerSecond == null
          ? `n/a (${row.note ?? ''})`
          : `${row.stepsPerSecond.toFixed(1)} steps/s (${row.stepsPerRep} steps × ${row.repSeconds
              .map((s) => s.toFixed(3))
              .join('/')} s), loss@20 ${row.lossAfter20?.toFixed(6)}`
      }`,
    );
  };

  for (const b of timing.batchSizes) await run('gpu', b, model, workload.initialWeights, throughput);
  for (const b of timing.batchSizes) await run('cpu', b, model, workload.initialWeights, throughput);

  // TF.js, one backend at a time (its backends are global).
  let wasmVariant: string | null = null;
  let webgpuNote: string | undefined;
  for (const backend of ['webgpu', 'wasm'] as const) {
    const impl: ImplId = backend === 'webgpu' ? 'tfjs-webgpu' : 'tfjs-wasm';
    const problem = await selectTfjsBackend(backend);
    if (backend === 'webgpu' && problem) webgpuNote = problem;
    if (backend === 'wasm' && !problem) wasmVariant = await tfjsWasmVariant().catch(() => null);
    for (const b of timing.batchSizes) {
      if (problem) {
        throughput.push(missing(impl, b, problem));
        log(`  ${impl} B=${b}: n/a (${problem})`);
      } else {
        await run(impl, b, model, workload.initialWeights, throughput);
      }
    }
  }

  const dispatchSweep: DispatchProbe[] = [];
  if (options.profile && typeof gpu !== 'string') {
    log('steps per dispatch sweep…');
    for (const b of PROFILE_BATCH_SIZES) {
      for (const stepsPerDispatch of PROFILE_STEPS_PER_DISPATCH) {
        const row = await benchTrainer(
          'gpu',
          b,
          () => gpu.createTrainer(dataset, model, trainConfig(b), workload.initialWeights, stepsPerDispatch),
          timing,
          MAX_STEPS.gpu,
        );
        dispatchSweep.push({ batchSize: b, stepsPerDispatch, stepsPerSecond: row.stepsPerSecond });
        log(
          `  B=${b} ${stepsPerDispatch} steps/dispatch: ${row.stepsPerSecond?.toFixed(1) ?? row.note} steps/s`,
        );
      }
    }
  }

  log('race…');
  const race = await benchRace(workload, gpu, timing, log);

  log('batch-size sweep…');
  const sweep = await benchSweep(gpu, log);

  if (timing.wideBatchSizes.length > 0) log('wider model…');
  for (const b of timing.wideBatchSizes) {
    await run('gpu', b, wideModel, workload.wideInitialWeights, wide);
    await run('cpu', b, wideModel, workload.wideInitialWeights, wide);
  }

  return {
    environment: options.environment,
    runtime: options.runtime,
    adapter: typeof gpu === 'string' ? null : gpu.adapter,
    gpuLayout,
    ...(dispatchSweep.length > 0 ? { dispatchSweep } : {}),
    tfjs: { version: tf.version_core, wasmVariant, ...(webgpuNote ? { webgpuNote } : {}) },
    throughput,
    race,
    sweep,
    compile,
    wide,
    errors,
    elapsedSeconds: now() - started,
  };
}
