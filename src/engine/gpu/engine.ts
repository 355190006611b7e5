/**
 * The WebGPU training engine: R independent runs of one model on one dataset, trained by the
 * kernels of `shaders/mlp.wgsl`: one workgroup per run takes many SGD steps per dispatch; a large
 * batch's step is instead shared by `parts` workgroups and then applied (two dispatches a step).
 *
 * This file is the host: it owns the buffers and turns plans into uploads, dispatches and read-
 * backs. What it decides is plain arithmetic elsewhere: the layout for the adapter
 * (`choose-layout.ts`), the dispatches of an advance and the cost model (`plan.ts`), the binary
 * records (`records.ts`). Each advance is a few submissions and ONE asynchronous read-back; the
 * host never waits on the GPU per step.
 */

import { errorText } from '../../error-text';
import { validateTrainConfig } from '../cpu/trainer';
import { paramCount, validateModel } from '../model';
import { BatchSchedule, stepsForAdvance, stepsPerEpoch } from '../schedule';
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
} from '../types';
import {
  type AdapterKind,
  adapterKind,
  chooseLayout,
  deviceAdapterInfo,
  type EngineLayout,
  maxBindingBytes,
} from './choose-layout';
import { adapterDisplayName } from './device';
import { fromPadded, type PaddedLayout, paddedLayout, toPadded } from './layout';
import { isSplit, type PlannedRun, planAdvance, sampleForwardUnits, stepUnits, Throughput } from './plan';
import { ACTIVATION_CODE, GLOBALS, JOB, LOSS_CODE, NO_EPOCH, RUN_STATE } from './records';
import { type KernelBuffers, kernelBindGroup, type MlpPipelines, mlpPipelines } from './shader';

export interface GpuEngineOptions {
  /** Shown in the label; by default derived from the device's adapter information. */
  adapterName?: string;
  /**
   * The kind of adapter to lay the work out for. By default read from the device itself
   * (`device.adapterInfo`): set it only to try one layout on another adapter (tests, tuning).
   */
  adapterKind?: AdapterKind;
  /** Invocations per run-workgroup; by default 4 on a software adapter, 64 on a GPU. */
  workgroupSize?: number;
  /** GPU time one frame's work should stay within (ms); also the cap of one dispatch. */
  frameBudgetMs?: number;
  /** Most runs the engine holds at once (buffers are sized for them up front). */
  maxRuns?: number;
  /** Fixed steps per dispatch for every run, instead of the adaptive plan (tests, tuning). */
  stepsPerDispatch?: number;
  /**
   * Workgroups that share one step of a large batch (by default 2 on a software adapter, which
   * has a CPU thread per workgroup, 16 on a GPU), and the smallest batch that is split.
   */
  parts?: number;
  splitBatchSize?: number;
}

/** Samples per workgroup of the dataset-loss kernel (spreads a large N over both cores). */
const LOSS_CHUNK = 512;
/** Longest estimated GPU time of one submission (ms), so no command buffer runs for seconds. */
const SUBMIT_CAP_MS = 200;
/**
 * Dawn in Node resolves `mapAsync` by polling the device from `setImmediate` in a busy loop, which
 * burns a whole CPU core (on a software adapter, one that SwiftShader's workers need) for as
 * long as the GPU works. There the host first sleeps for this share of the expected GPU time.
 * Browsers wait without polling, so they skip it.
 */
const NODE_SLEEP_SHARE = 0.7;
const POLLS_WHILE_WAITING =
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

interface RunRecord {
  id: number;
  slot: number;
  config: TrainConfig;
  schedule: BatchSchedule;
  perEpoch: number;
  step: number;
  diverged: boolean;
  /** Cost of one step in the engine's work units (see `stepUnits`). */
  stepUnits: number;
  /** Each step is shared by `parts` workgroups, then applied (a large batch; see apply_parts). */
  split: boolean;
}

interface StepOutcome {
  losses: Map<number, Float64Array>;
  datasetLosses: Map<number, number>;
}

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

export class GpuEngine implements TrainingEngine {
  readonly engine: EngineKind = 'webgpu';
  readonly label: string;
  /** Milliseconds spent compiling this shape's pipelines (0 when another engine already had). */
  readonly compileMs: number;
  /** The layout chosen for this adapter, and why. */
  readonly layout: string;
  /** The kind of adapter the layout is for. */
  readonly adapterKind: AdapterKind;
  readonly workgroupSize: number;
  /** Samples per chunk of the training kernel. */
  readonly chunk: number;
  /** Workgroups sharing a step of a batch of at least `splitBatchSize` samples. */
  readonly parts: number;
  readonly splitBatchSize: number;
  readonly paramCount: number;
  private readonly padded: PaddedLayout;
  /** Runs the buffers are sized for. */
  readonly capacity: number;

  private readonly runs = new Map<number, RunRecord>();
  private readonly freeSlots: number[] = [];
  private nextRunId = 0;
  private readonly lostCallbacks: ((reason: string) => void)[] = [];
  private lostReason: string | null = null;
  private disposed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly throughput = new Throughput();
  private readonly frameBudgetMs: number;
  private readonly stepsPerDispatch: number | undefined;
  private readonly forwardUnits: number;
  private readonly datasetLossUnits: number;

  private readonly globalsBuffer: GPUBuffer;
  private readonly dataBuffer: GPUBuffer;
  private readonly paramsBuffer: GPUBuffer;
  private readonly gradientSumsBuffer: GPUBuffer;
  private readonly epochOrderBuffer: GPUBuffer;
  private readonly stateBuffer: GPUBuffer;
  private jobsBuffer: GPUBuffer;
  private batchLossesBuffer: GPUBuffer;
  private lossSumsBuffer: GPUBuffer;
  private sharedGroup: GPUBindGroup;
  private trainingGroup: GPUBindGroup;
  private datasetLossGroup: GPUBindGroup;
  private readonly jobAlignment: number;
  private readonly jobBindingBytes: number;

  private constructor(
    readonly device: GPUDevice,
    readonly dataset: Dataset,
    readonly model: ModelSpec,
    private readonly pipelines: MlpPipelines,
    settings: {
      label: string;
      compileMs: number;
      layout: EngineLayout;
      frameBudgetMs: number;
      stepsPerDispatch: number | undefined;
    },
  ) {
    const { layout } = settings;
    this.label = settings.label;
    this.compileMs = settings.compileMs;
    this.layout = layout.description;
    this.adapterKind = layout.kind;
    this.workgroupSize = layout.workgroupSize;
    this.chunk = layout.chunk;
    this.parts = layout.parts;
    this.splitBatchSize = layout.splitBatchSize;
    this.capacity = layout.capacity;
    this.frameBudgetMs = settings.frameBudgetMs;
    this.stepsPerDispatch = settings.stepsPerDispatch;
    this.paramCount = paramCount(model);
    this.padded = paddedLayout(model);
    this.forwardUnits = sampleForwardUnits(model);
    this.datasetLossUnits = dataset.n * this.forwardUnits;
    for (let slot = layout.capacity - 1; slot >= 0; slot--) this.freeSlots.push(slot);

    const n = dataset.n;
    const pv = this.padded.paramsV;
    const capacity = layout.capacity;
    this.globalsBuffer = device.createBuffer({
      label: 'globals',
      size: GLOBALS.bytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const targetBase = n * dataset.inputSize;
    const data = new Float32Array(targetBase + n * dataset.targetSize);
    data.set(dataset.x.subarray(0, targetBase));
    data.set(dataset.y.subarray(0, n * dataset.targetSize), targetBase);
    this.dataBuffer = device.createBuffer({
      label: 'data',
      size: Math.max(16, data.byteLength),
      usage: STORAGE,
    });
    device.queue.writeBuffer(this.dataBuffer, 0, data);
    const globals = GLOBALS.allocate(1);
    GLOBALS.write(globals.words, globals.floats, 0, {
      n,
      activation: ACTIVATION_CODE[model.activation],
      loss: LOSS_CODE[model.loss],
      targetSize: dataset.targetSize,
      targetBase,
      velocityBaseV: capacity * pv,
      lossChunk: LOSS_CHUNK,
      // The parts' areas follow the chunk sums, when those are in storage.
      partsBaseV: layout.reduceInWorkgroup ? 0 : capacity * pv,
    });
    device.queue.writeBuffer(this.globalsBuffer, 0, globals.words);
    this.paramsBuffer = device.createBuffer({
      label: 'params',
      size: 2 * capacity * pv * 16,
      usage: STORAGE,
    });
    this.gradientSumsBuffer = device.createBuffer({
      label: 'gradient sums',
      size: capacity * ((layout.reduceInWorkgroup ? 0 : pv) + layout.parts * (pv + 1)) * 16,
      usage: STORAGE,
    });
    this.epochOrderBuffer = device.createBuffer({
      label: 'epoch order',
      size: capacity * n * 4,
      usage: STORAGE,
    });
    this.stateBuffer = device.createBuffer({
      label: 'run state',
      size: capacity * RUN_STATE.bytes,
      usage: STORAGE,
    });
    this.jobAlignment = device.limits.minStorageBufferOffsetAlignment;
    this.jobBindingBytes = capacity * layout.parts * JOB.bytes;
    this.jobsBuffer = this.createJobsBuffer(this.jobBindingBytes);
    this.batchLossesBuffer = this.createOutputBuffer('batch losses', 4096);
    this.lossSumsBuffer = this.createOutputBuffer('dataset loss sums', 1024);
    this.sharedGroup = this.createSharedGroup();
    this.trainingGroup = this.createTrainingGroup();
    this.datasetLossGroup = this.createDatasetLossGroup();

    device.lost.then((info) => {
      if (this.disposed) return;
      this.lostReason = info.message || `the GPU device was lost (${info.reason})`;
      for (const callback of this.lostCallbacks) callback(this.lostReason);
    });
  }

  /**
   * Builds an engine for `model` on `dataset`. Lays the work out for the device's adapter (read
   * from `device.adapterInfo`) and compiles (or reuses) the pipelines of the model's shape.
   * Throws an Error with a readable reason when the model or dataset exceed what the adapter
   * allows.
   */
  static async create(
    device: GPUDevice,
    dataset: Dataset,
    model: ModelSpec,
    options: GpuEngineOptions = {},
  ): Promise<GpuEngine> {
    const problem = validateModel(model) ?? checkDataset(dataset, model);
    if (problem) throw new Error(`the WebGPU engine cannot train this model: ${problem}`);
    const info = deviceAdapterInfo(device);
    const layout = chooseLayout(
      model,
      dataset,
      device.limits,
      options.adapterKind ?? adapterKind(info),
      options,
    );
    let pipelines: MlpPipelines;
    let cached: boolean;
    try {
      ({ pipelines, cached } = await mlpPipelines(device, model, layout));
    } catch (error) {
      throw new Error(`the WebGPU engine could not be built: ${errorText(error)}`);
    }
    return new GpuEngine(device, dataset, model, pipelines, {
      label: `WebGPU: ${options.adapterName ?? adapterDisplayName(info)}`,
      compileMs: cached ? 0 : pipelines.compileMs,
      layout,
      frameBudgetMs: options.frameBudgetMs ?? 8,
      stepsPerDispatch: options.stepsPerDispatch,
    });
  }

  /** Called once if the device is lost (the caller keeps weights to recover from: see create.ts). */
  onDeviceLost(callback: (reason: string) => void): void {
    this.lostCallbacks.push(callback);
    if (this.lostReason) callback(this.lostReason);
  }

  async addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number> {
    const problem = validateTrainConfig(config, this.dataset.n);
    if (problem) throw new RangeError(problem);
    if (initialWeights.length !== this.paramCount) {
      throw new RangeError(`expected ${this.paramCount} initial weights, got ${initialWeights.length}`);
    }
    const slot = this.freeSlots.pop();
    if (slot === undefined) {
      throw new RangeError(`this engine holds at most ${this.capacity} runs at once`);
    }
    const id = this.nextRunId++;
    const frozen = { ...config };
    const perEpoch = stepsPerEpoch(this.dataset.n, config.batchSize, config.lastBatch);
    const run: RunRecord = {
      id,
      slot,
      config: frozen,
      schedule: new BatchSchedule(this.dataset.n, frozen),
      perEpoch,
      step: 0,
      diverged: false,
      stepUnits: stepUnits(config.batchSize, this.forwardUnits, this),
      split: isSplit(config.batchSize, this),
    };
    this.runs.set(id, run);
    this.writeRunStart(run, initialWeights);
    return id;
  }

  removeRun(runId: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    this.freeSlots.push(run.slot);
  }

  runIds(): number[] {
    return [...this.runs.keys()];
  }

  /** Progress of one run (synchronous: the host tracks step counts itself). */
  progress(runId: number): TrainerProgress {
    const run = this.run(runId);
    return {
      step: run.step,
      epoch: run.schedule.epochs(run.step),
      samplesSeen: run.schedule.samplesSeen(run.step),
    };
  }

  isDiverged(runId: number): boolean {
    return this.run(runId).diverged;
  }

  /**
   * samplesPerRun for the next `advance` so that its training work stays within the frame budget,
   * from the throughput measured so far. The UI calls this each frame to stay smooth. The
   * dataset-loss pass of each advance (N forward passes per run) comes on top of it.
   */
  suggestedSamplesPerRun(frameMs = this.frameBudgetMs): number {
    let unitsPerSample = 0;
    for (const run of this.runs.values()) {
      if (!run.diverged) unitsPerSample += run.stepUnits / run.config.batchSize;
    }
    if (unitsPerSample === 0) return this.dataset.n;
    return Math.max(1, Math.floor((frameMs * this.throughput.unitsPerMs) / unitsPerSample));
  }

  advance(request: AdvanceRequest): Promise<RunUpdate[]> {
    return this.exclusive(async () => {
      const plan = new Map<number, number>();
      for (const run of this.runs.values()) {
        plan.set(run.id, run.diverged ? 0 : stepsForAdvance(request, run.config.batchSize));
      }
      const outcome = await this.execute(plan, [...this.runs.keys()]);
      const updates: RunUpdate[] = [];
      for (const run of this.runs.values()) {
        const datasetLoss = outcome.datasetLosses.get(run.id) ?? Number.NaN;
        if (!Number.isFinite(datasetLoss)) run.diverged = true;
        updates.push({
          runId: run.id,
          progress: this.progress(run.id),
          batchLosses: outcome.losses.get(run.id) ?? new Float64Array(0),
          datasetLoss,
          diverged: run.diverged,
        });
      }
      return updates;
    });
  }

  /** Runs exactly `count` steps of one run (fewer if it diverges); returns their batch losses. */
  stepRun(runId: number, count: number): Promise<Float64Array> {
    return this.exclusive(async () => {
      const run = this.run(runId);
      const steps = Math.max(0, Math.floor(count));
      const outcome = await this.execute(new Map([[runId, run.diverged ? 0 : steps]]), []);
      return outcome.losses.get(runId) ?? new Float64Array(0);
    });
  }

  getWeights(runId: number): Promise<Float64Array> {
    return this.exclusive(async () => {
      const run = this.run(runId);
      const bytes = this.padded.paramsV * 16;
      const staging = this.device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.paramsBuffer, run.slot * bytes, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      const padded = new Float32Array(await this.readBack(staging));
      const weights = new Float64Array(this.paramCount);
      fromPadded(this.padded, padded, 0, weights);
      return weights;
    });
  }

  /** New weights are a fresh start: momentum cleared, divergence flag lifted (as on the CPU). */
  setWeights(runId: number, weights: ArrayLike<number>): Promise<void> {
    return this.exclusive(async () => {
      const run = this.run(runId);
      if (weights.length !== this.paramCount) {
        throw new RangeError(`expected ${this.paramCount} weights, got ${weights.length}`);
      }
      run.diverged = false;
      this.writeRunStart(run, weights);
    });
  }

  // Hand-over between engines (e.g. from the CPU engine that trained while these pipelines
  // compiled): a run's weights, velocity and step counter; the shader rebuilds the epoch's
  // order from the step (NO_EPOCH in the run state), so the shuffle position carries over.

  async importRun(config: TrainConfig, checkpoint: RunCheckpoint): Promise<number> {
    if (checkpoint.velocity.length !== this.paramCount) {
      throw new RangeError(`expected ${this.paramCount} velocities, got ${checkpoint.velocity.length}`);
    }
    if (!Number.isInteger(checkpoint.step) || checkpoint.step < 0 || checkpoint.step >= 2 ** 32) {
      throw new RangeError(`a step count must be a whole number ≥ 0, got ${checkpoint.step}`);
    }
    const id = await this.addRun(config, checkpoint.weights);
    const run = this.run(id);
    run.step = checkpoint.step;
    run.diverged = checkpoint.diverged;
    const bytes = this.padded.paramsV * 16;
    const velocity = toPadded(this.padded, checkpoint.velocity);
    this.device.queue.writeBuffer(this.paramsBuffer, (this.capacity + run.slot) * bytes, velocity);
    const state = RUN_STATE.allocate(1);
    const diverged = checkpoint.diverged ? 1 : 0;
    RUN_STATE.write(state.words, state.floats, 0, { orderEpoch: NO_EPOCH, diverged, stepsDone: run.step });
    this.device.queue.writeBuffer(this.stateBuffer, run.slot * RUN_STATE.bytes, state.words);
    return id;
  }

  exportRun(runId: number): Promise<RunCheckpoint> {
    return this.exclusive(async () => {
      const run = this.run(runId);
      const bytes = this.padded.paramsV * 16;
      const staging = this.device.createBuffer({
        size: 2 * bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.paramsBuffer, run.slot * bytes, staging, 0, bytes);
      encoder.copyBufferToBuffer(
        this.paramsBuffer,
        (this.capacity + run.slot) * bytes,
        staging,
        bytes,
        bytes,
      );
      this.device.queue.submit([encoder.finish()]);
      const padded = new Float32Array(await this.readBack(staging));
      const weights = new Float64Array(this.paramCount);
      const velocity = new Float64Array(this.paramCount);
      fromPadded(this.padded, padded, 0, weights);
      fromPadded(this.padded, padded, bytes / 4, velocity);
      return { weights, velocity, step: run.step, diverged: run.diverged };
    });
  }

  /** The host skips a diverged run in every plan, so the flag alone stops it. */
  stopRun(runId: number): Promise<void> {
    return this.exclusive(async () => {
      this.run(runId).diverged = true;
    });
  }

  perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.exclusive(async () => (await this.perSample(runId, indices)).gradients);
  }

  perSampleLosses(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.exclusive(async () => (await this.perSample(runId, indices)).losses);
  }

  datasetLoss(runId: number): Promise<number> {
    return this.exclusive(async () => {
      this.run(runId);
      const outcome = await this.execute(new Map(), [runId]);
      return outcome.datasetLosses.get(runId) ?? Number.NaN;
    });
  }

  /**
   * f(x) and f'(x) of every activation (tanh, relu, sigmoid, linear) computed by the shader's
   * own functions, for tests: returns xs.length × 8 values (4 activations, then 4 slopes).
   */
  probeActivations(xs: ArrayLike<number>): Promise<Float32Array> {
    return this.exclusive(async () => {
      const count = xs.length;
      if (count === 0) return new Float32Array(0);
      const pipeline = await this.pipelines.activationProbe();
      const input = this.device.createBuffer({
        size: count * 16,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      const inputs = new Float32Array(count * 4);
      for (let i = 0; i < count; i++) inputs[4 * i] = xs[i] as number;
      this.device.queue.writeBuffer(input, 0, inputs);
      const output = this.device.createBuffer({
        size: count * 32,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      const group = kernelBindGroup(this.device, this.pipelines, 'activationProbe', {
        probeInputs: { buffer: input },
        probeOutputs: { buffer: output },
      });
      const staging = this.device.createBuffer({
        size: count * 32,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.sharedGroup, [0]);
      pass.setBindGroup(1, group);
      pass.dispatchWorkgroups(Math.ceil(count / this.workgroupSize));
      pass.end();
      encoder.copyBufferToBuffer(output, 0, staging, 0, count * 32);
      this.device.queue.submit([encoder.finish()]);
      const result = new Float32Array(await this.readBack(staging));
      input.destroy();
      output.destroy();
      return result;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runs.clear();
    for (const buffer of [
      this.globalsBuffer,
      this.dataBuffer,
      this.paramsBuffer,
      this.gradientSumsBuffer,
      this.epochOrderBuffer,
      this.stateBuffer,
      this.jobsBuffer,
      this.batchLossesBuffer,
      this.lossSumsBuffer,
    ]) {
      buffer.destroy();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  private run(runId: number): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw new RangeError(`no run with id ${runId}`);
    return run;
  }

  /** One GPU operation at a time, in call order (they share staging and job buffers). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(() => {
      if (this.disposed) throw new Error('this WebGPU engine was disposed');
      if (this.lostReason) throw new Error(`the GPU device was lost: ${this.lostReason}`);
      return task();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private writeRunStart(run: RunRecord, weights: ArrayLike<number>): void {
    const bytes = this.padded.paramsV * 16;
    this.device.queue.writeBuffer(this.paramsBuffer, run.slot * bytes, toPadded(this.padded, weights));
    this.device.queue.writeBuffer(
      this.paramsBuffer,
      (this.capacity + run.slot) * bytes,
      new Float32Array(bytes / 4),
    );
    const state = RUN_STATE.allocate(1);
    RUN_STATE.write(state.words, state.floats, 0, { orderEpoch: NO_EPOCH, diverged: 0, stepsDone: run.step });
    this.device.queue.writeBuffer(this.stateBuffer, run.slot * RUN_STATE.bytes, state.words);
  }

  private createJobsBuffer(bytes: number): GPUBuffer {
    return this.device.createBuffer({
      label: 'jobs',
      size: roundUp(Math.max(bytes, this.jobBindingBytes), 256),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
  }

  private createOutputBuffer(label: string, floats: number): GPUBuffer {
    return this.device.createBuffer({
      label,
      size: roundUp(Math.max(16, floats * 4), 256),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  }

  private createSharedGroup(): GPUBindGroup {
    return this.device.createBindGroup({
      label: 'batchlab shared',
      layout: this.pipelines.shared,
      entries: [
        { binding: 0, resource: { buffer: this.globalsBuffer } },
        { binding: 1, resource: { buffer: this.dataBuffer } },
        { binding: 2, resource: { buffer: this.jobsBuffer, offset: 0, size: this.jobBindingBytes } },
        { binding: 3, resource: { buffer: this.paramsBuffer } },
        { binding: 4, resource: { buffer: this.stateBuffer } },
      ],
    });
  }

  private createTrainingGroup(): GPUBindGroup {
    const buffers: KernelBuffers<'training'> = {
      gradientSums: { buffer: this.gradientSumsBuffer },
      epochOrder: { buffer: this.epochOrderBuffer },
      batchLosses: { buffer: this.batchLossesBuffer },
    };
    return kernelBindGroup(this.device, this.pipelines, 'training', buffers);
  }

  private createDatasetLossGroup(): GPUBindGroup {
    return kernelBindGroup(this.device, this.pipelines, 'datasetLoss', {
      lossSums: { buffer: this.lossSumsBuffer },
    });
  }

  /** Grows the buffers an advance writes when its plan needs more room. */
  private ensureBuffers(jobBytes: number, batchLossFloats: number, lossSumFloats: number): void {
    if (jobBytes > this.jobsBuffer.size) {
      this.jobsBuffer.destroy();
      this.jobsBuffer = this.createJobsBuffer(Math.max(jobBytes, 2 * this.jobsBuffer.size));
      this.sharedGroup = this.createSharedGroup();
    }
    if (batchLossFloats * 4 > this.batchLossesBuffer.size) {
      this.batchLossesBuffer.destroy();
      this.batchLossesBuffer = this.createOutputBuffer(
        'batch losses',
        Math.max(batchLossFloats, (2 * this.batchLossesBuffer.size) / 4),
      );
      this.trainingGroup = this.createTrainingGroup();
    }
    if (lossSumFloats * 4 > this.lossSumsBuffer.size) {
      this.lossSumsBuffer.destroy();
      this.lossSumsBuffer = this.createOutputBuffer(
        'dataset loss sums',
        Math.max(lossSumFloats, (2 * this.lossSumsBuffer.size) / 4),
      );
      this.datasetLossGroup = this.createDatasetLossGroup();
    }
  }

  private async readBack(staging: GPUBuffer): Promise<ArrayBuffer> {
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (error) {
      staging.destroy();
      throw new Error(`reading results back from the GPU failed: ${this.lostReason ?? errorText(error)}`);
    }
    const copy = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    return copy;
  }

  /**
   * Trains the runs of `steps` (run id → steps) and computes the dataset loss of `lossRuns`, as
   * planned by `planAdvance`, then reads the run states and losses back in ONE read-back.
   * Updates step counts and divergence flags.
   */
  private async execute(steps: Map<number, number>, lossRuns: number[]): Promise<StepOutcome> {
    const planned: { run: RunRecord; steps: number }[] = [];
    for (const [runId, count] of steps) {
      const run = this.run(runId);
      if (count > 0 && !run.diverged) planned.push({ run, steps: count });
    }
    const lossChunks = Math.ceil(this.dataset.n / LOSS_CHUNK);
    const plan = planAdvance(
      planned.map(({ run, steps: count }): PlannedRun => ({ ...run, steps: count })),
      lossRuns.map((runId) => this.run(runId).slot),
      {
        dispatchUnits: this.frameBudgetMs * this.throughput.unitsPerMs,
        submitUnits: SUBMIT_CAP_MS * this.throughput.unitsPerMs,
        stepsPerDispatch: this.stepsPerDispatch,
        parts: this.parts,
        jobAlignment: this.jobAlignment,
        jobBindingBytes: this.jobBindingBytes,
        lossChunks,
        datasetLossUnits: this.datasetLossUnits,
      },
    );
    this.ensureBuffers(plan.jobs.byteLength, plan.batchLossFloats, plan.lossSumFloats);
    this.device.queue.writeBuffer(this.jobsBuffer, 0, plan.jobs);

    const stateBytes = this.capacity * RUN_STATE.bytes;
    const batchLossBytes = plan.batchLossFloats * 4;
    const lossSumBytes = plan.lossSumFloats * 4;
    const staging = this.device.createBuffer({
      label: 'read-back',
      size: Math.max(16, stateBytes + batchLossBytes + lossSumBytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });

    const started = performance.now();
    let encoder = this.device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    let submission = 0;
    for (const dispatch of plan.dispatches) {
      if (dispatch.submission !== submission) {
        pass.end();
        this.device.queue.submit([encoder.finish()]);
        encoder = this.device.createCommandEncoder();
        pass = encoder.beginComputePass();
        submission = dispatch.submission;
      }
      pass.setPipeline(dispatch.kernel === 'apply_parts' ? this.pipelines.applyParts : this.pipelines.train);
      pass.setBindGroup(0, this.sharedGroup, [dispatch.offset]);
      pass.setBindGroup(1, this.trainingGroup);
      pass.dispatchWorkgroups(dispatch.count);
    }
    if (plan.datasetLoss) {
      pass.setPipeline(this.pipelines.datasetLoss);
      pass.setBindGroup(0, this.sharedGroup, [plan.datasetLoss.offset]);
      pass.setBindGroup(1, this.datasetLossGroup);
      pass.dispatchWorkgroups(lossChunks, plan.datasetLoss.runs);
    }
    pass.end();
    encoder.copyBufferToBuffer(this.stateBuffer, 0, staging, 0, stateBytes);
    if (batchLossBytes > 0)
      encoder.copyBufferToBuffer(this.batchLossesBuffer, 0, staging, stateBytes, batchLossBytes);
    if (lossSumBytes > 0)
      encoder.copyBufferToBuffer(this.lossSumsBuffer, 0, staging, stateBytes + batchLossBytes, lossSumBytes);
    this.device.queue.submit([encoder.finish()]);
    // The share is below 1, and a wait that outlasts the GPU lowers the learned rate and so the
    // next estimate: at worst a few advances return a little later than the GPU finished.
    const expectedMs = this.throughput.ms(plan.totalUnits);
    if (POLLS_WHILE_WAITING && expectedMs > 2) await sleep(NODE_SLEEP_SHARE * expectedMs);
    const bytes = await this.readBack(staging);
    this.throughput.learn(plan.totalUnits, performance.now() - started);

    const state = new Uint32Array(bytes, 0, stateBytes / 4);
    const batchLosses = new Float32Array(bytes, stateBytes, plan.batchLossFloats);
    const lossSums = new Float32Array(bytes, stateBytes + batchLossBytes, plan.lossSumFloats);
    const outcome: StepOutcome = { losses: new Map(), datasetLosses: new Map() };
    planned.forEach(({ run, steps: count }, index) => {
      const at = run.slot * RUN_STATE.words;
      const stepsDone = state[at + RUN_STATE.wordOf('stepsDone')] as number;
      const taken = Math.max(0, Math.min(count, stepsDone - run.step));
      run.step += taken;
      if ((state[at + RUN_STATE.wordOf('diverged')] as number) !== 0) run.diverged = true;
      const base = plan.batchLossBase[index] as number;
      outcome.losses.set(run.id, Float64Array.from(batchLosses.subarray(base, base + taken)));
    });
    lossRuns.forEach((runId, index) => {
      let sum = 0;
      for (let c = 0; c < lossChunks; c++) sum += lossSums[index * lossChunks + c] as number;
      outcome.datasetLosses.set(runId, sum / this.dataset.n);
    });
    return outcome;
  }

  /** Per-sample gradients (k × P) and losses, in chunks that fit one storage buffer. */
  private async perSample(
    runId: number,
    indices: ArrayLike<number>,
  ): Promise<{ gradients: Float64Array; losses: Float64Array }> {
    const run = this.run(runId);
    const n = this.dataset.n;
    const k = indices.length;
    for (let i = 0; i < k; i++) {
      const index = indices[i] as number;
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new RangeError(`sample index ${index} is not in 0..${n - 1}`);
      }
    }
    const pipeline = await this.pipelines.perSample().catch((error: unknown) => {
      throw new Error(`the per-sample gradient shader failed to compile: ${errorText(error)}`);
    });
    const p = this.paramCount;
    const gradients = new Float64Array(k * p);
    const losses = new Float64Array(k);
    const pv = this.padded.paramsV;
    const perChunk = Math.max(
      1,
      Math.min(Math.floor(maxBindingBytes(this.device.limits) / (pv * 16)), 1 << 16),
    );
    // The kernel reads the run's slot from the first job record.
    const job = JOB.allocate(1);
    JOB.write(job.words, job.floats, 0, { slot: run.slot });
    for (let first = 0; first < k; first += perChunk) {
      const count = Math.min(perChunk, k - first);
      const list = new Uint32Array(count);
      for (let i = 0; i < count; i++) list[i] = indices[first + i] as number;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const listBuffer = this.device.createBuffer({ size: roundUp(count * 4, 16), usage });
      this.device.queue.writeBuffer(listBuffer, 0, list);
      const gradBuffer = this.device.createBuffer({ size: count * pv * 16, usage });
      const lossBuffer = this.device.createBuffer({ size: Math.max(16, count * 4), usage });
      this.device.queue.writeBuffer(this.jobsBuffer, 0, job.words);
      // The list's binding is exactly its entries: the kernel takes their number from it.
      const group = kernelBindGroup(this.device, this.pipelines, 'perSample', {
        sampleList: { buffer: listBuffer, offset: 0, size: count * 4 },
        sampleGradients: { buffer: gradBuffer },
        sampleLosses: { buffer: lossBuffer },
      });
      const staging = this.device.createBuffer({
        size: count * pv * 16 + count * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.sharedGroup, [0]);
      pass.setBindGroup(1, group);
      const groups = Math.ceil(count / this.chunk);
      pass.dispatchWorkgroups(Math.min(groups, 65535), Math.ceil(groups / 65535));
      pass.end();
      encoder.copyBufferToBuffer(gradBuffer, 0, staging, 0, count * pv * 16);
      encoder.copyBufferToBuffer(lossBuffer, 0, staging, count * pv * 16, count * 4);
      this.device.queue.submit([encoder.finish()]);
      const bytes = await this.readBack(staging);
      // Sample i's gradient: pv vec4s from vec4 i·pv, in the padded layout.
      const padded = new Float32Array(bytes, 0, count * pv * 4);
      for (let i = 0; i < count; i++) fromPadded(this.padded, padded, i * pv * 4, gradients, (first + i) * p);
      losses.set(new Float32Array(bytes, count * pv * 16, count), first);
      listBuffer.destroy();
      gradBuffer.destroy();
      lossBuffer.destroy();
    }
    return { gradients, losses };
  }
}

function checkDataset(dataset: Dataset, model: ModelSpec): string | null {
  if (!Number.isInteger(dataset.n) || dataset.n < 1) return 'the dataset has no samples';
  if (dataset.inputSize !== model.inputSize) {
    return `the model takes ${model.inputSize} inputs but the dataset has ${dataset.inputSize}`;
  }
  const targets = model.loss === 'mse' ? model.outputSize : 1;
  if (dataset.targetSize !== targets) {
    return `the ${model.loss} loss needs ${targets} target value(s) per sample, the dataset has ${dataset.targetSize}`;
  }
  if (dataset.x.length < dataset.n * dataset.inputSize || dataset.y.length < dataset.n * dataset.targetSize) {
    return 'the dataset arrays are shorter than N samples';
  }
  if (model.loss === 'softmax-ce') {
    for (let i = 0; i < dataset.n; i++) {
      const label = dataset.y[i] as number;
      if (!Number.isInteger(label) || label < 0 || label >= model.outputSize) {
        return `sample ${i} has class ${label}, the model has ${model.outputSize} classes`;
      }
    }
  }
  return null;
}
