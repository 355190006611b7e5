/**
 * The WebGPU training engine: R independent runs of one model on one dataset, trained by the
 * kernels of `shaders/mlp.wgsl`: one workgroup per run takes many SGD steps per dispatch; a large
 * batch's step is instead shared by `parts` workgroups and then applied (two dispatches a step).
 *
 * Host side: it plans each `advance` as a few dispatches (each run gets steps worth about the
 * same GPU time, capped so no dispatch runs long), submits them with the dataset-loss kernel,
 * and reads everything back with ONE asynchronous map at the end. It never waits on the GPU per
 * step. Results do not depend on how steps are cut into dispatches nor on which runs share one.
 */

import { errorText } from '../../error-text';
import { validateTrainConfig } from '../cpu/trainer';
import { layerWidths, paramCount, validateModel } from '../model';
import { BatchSchedule, stepsPerEpoch } from '../schedule';
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunUpdate,
  TrainConfig,
  TrainerProgress,
  TrainingEngine,
} from '../types';
import { fromPadded, type PaddedLayout, paddedLayout, toPadded } from './layout';
import {
  chunkBytesPerSample,
  type MlpPipelines,
  mlpPipelines,
  totalUnits,
  workgroupOverheadBytes,
} from './shader';

export interface GpuEngineOptions {
  adapterName?: string;
  isFallbackAdapter?: boolean;
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

const ACTIVATION_CODE = { tanh: 0, relu: 1, sigmoid: 2, linear: 3 } as const;
const LOSS_CODE = { mse: 0, bce: 1, 'softmax-ce': 2 } as const;
const FLAG_SUM = 1;
const FLAG_MOMENTUM = 2;
const FLAG_PREPARE_ONLY = 4;
/** Job record field `part` of a job that trains its run's whole batch. */
const NOT_A_PART = 0xffffffff;
const NO_EPOCH = 0xffffffff;
const JOB_BYTES = 48;
const STATE_BYTES = 16;
/**
 * Units of all layers together: the training kernel keeps every unit's activation and delta for
 * a chunk of at least 4 samples in workgroup memory; 960 units take 4 × 7.7 KB, within the 32 KB
 * most adapters offer. An adapter with less is checked in `create`.
 */
export const MAX_TOTAL_UNITS = 960;
/**
 * Most bytes of weights, and of the gradient reduction area, kept in workgroup memory. Large
 * workgroup arrays make SwiftShader compile for a long time (default 16-16 network: 1.2 s with
 * its 6.7 KB reduction area in storage, 5.5 s in workgroup memory, at the same speed; 64-64:
 * ~1.5 s against ~12 s with its 18 KB of weights in workgroup memory).
 */
const MAX_WORKGROUP_WEIGHT_BYTES = 8192;
const MAX_WORKGROUP_REDUCE_BYTES = 8192;
/**
 * Samples per chunk of the training kernel: more samples share each weight read, but the
 * chunk's activations and deltas must fit in workgroup memory (and big workgroup arrays compile
 * slowly on SwiftShader). A GPU's wide workgroup wants more tiles of 4 samples to share out.
 */
const CHUNK_SAMPLES = { software: 32, gpu: 128 } as const;
/**
 * A batch of at least this many chunks is split over several workgroups: each step then takes
 * two dispatches (~80 µs each on SwiftShader), which a batch this large more than pays back.
 */
const SPLIT_MIN_CHUNKS = 8;
const DEFAULT_PARTS = { software: 2, gpu: 16 } as const;
/** What one extra dispatch costs, in samples' worth of work (see `stepUnits`). */
const DISPATCH_COST_SAMPLES = 16;
const MAX_CHUNK_BYTES = 16384;
/** Samples per workgroup of the dataset-loss kernel (spreads a large N over both cores). */
const LOSS_CHUNK = 512;
/** Longest estimated GPU time of one submission (ms), so no command buffer runs for seconds. */
const SUBMIT_CAP_MS = 200;
/** Weights are read back with every advance (for device-loss recovery) up to this many floats. */
const WEIGHT_READBACK_LIMIT = 1 << 20;
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

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

export class GpuEngine implements TrainingEngine {
  readonly engine: EngineKind = 'webgpu';
  readonly label: string;
  /** Milliseconds spent compiling this shape's pipelines (0 when another engine already had). */
  readonly compileMs: number;
  /** The layout chosen for this adapter, and why. */
  readonly layout: string;
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
  private readonly lastWeights = new Map<number, Float32Array>();
  /** Measured throughput in work units per millisecond (all workgroups together). */
  private unitsPerMs: number;
  private readonly frameBudgetMs: number;
  private readonly stepsPerDispatch: number | undefined;
  private readonly datasetLossUnits: number;

  private readonly globalsBuffer: GPUBuffer;
  private readonly dataBuffer: GPUBuffer;
  private readonly paramsBuffer: GPUBuffer;
  private readonly accBuffer: GPUBuffer;
  private readonly orderBuffer: GPUBuffer;
  private readonly stateBuffer: GPUBuffer;
  private jobsBuffer: GPUBuffer;
  private lossesBuffer: GPUBuffer;
  private bindGroup: GPUBindGroup;
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
      layout: string;
      workgroupSize: number;
      chunk: number;
      parts: number;
      splitBatchSize: number;
      capacity: number;
      reduceInWorkgroup: boolean;
      frameBudgetMs: number;
      stepsPerDispatch: number | undefined;
    },
  ) {
    this.label = settings.label;
    this.compileMs = settings.compileMs;
    this.layout = settings.layout;
    this.workgroupSize = settings.workgroupSize;
    this.chunk = settings.chunk;
    this.parts = settings.parts;
    this.splitBatchSize = settings.splitBatchSize;
    this.capacity = settings.capacity;
    this.frameBudgetMs = settings.frameBudgetMs;
    this.stepsPerDispatch = settings.stepsPerDispatch;
    this.paramCount = paramCount(model);
    this.padded = paddedLayout(model);
    // A first guess (SwiftShader: a B = 1 step of 2-16-16-1 in ~35 µs); replaced by measurements.
    this.unitsPerMs = 5e5;
    this.datasetLossUnits = dataset.n * this.sampleForwardUnits();
    for (let slot = settings.capacity - 1; slot >= 0; slot--) this.freeSlots.push(slot);

    const n = dataset.n;
    const pv = this.padded.paramsV;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    this.globalsBuffer = device.createBuffer({
      label: 'globals',
      size: 32,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const targetBase = n * dataset.inputSize;
    const data = new Float32Array(targetBase + n * dataset.targetSize);
    data.set(dataset.x.subarray(0, targetBase));
    data.set(dataset.y.subarray(0, n * dataset.targetSize), targetBase);
    this.dataBuffer = device.createBuffer({ label: 'data', size: Math.max(16, data.byteLength), usage });
    device.queue.writeBuffer(this.dataBuffer, 0, data);
    const globals = new Uint32Array([
      n,
      ACTIVATION_CODE[model.activation],
      LOSS_CODE[model.loss],
      dataset.targetSize,
      targetBase,
      settings.capacity * pv,
      LOSS_CHUNK,
      settings.reduceInWorkgroup ? 0 : settings.capacity * pv,
    ]);
    device.queue.writeBuffer(this.globalsBuffer, 0, globals);
    this.paramsBuffer = device.createBuffer({
      label: 'params',
      size: 2 * settings.capacity * pv * 16,
      usage,
    });
    this.accBuffer = device.createBuffer({
      label: 'gradient reduction',
      size: settings.capacity * ((settings.reduceInWorkgroup ? 0 : pv) + settings.parts * (pv + 1)) * 16,
      usage,
    });
    this.orderBuffer = device.createBuffer({ label: 'epoch order', size: settings.capacity * n * 4, usage });
    this.stateBuffer = device.createBuffer({
      label: 'run state',
      size: settings.capacity * STATE_BYTES,
      usage,
    });
    this.jobAlignment = device.limits.minStorageBufferOffsetAlignment;
    this.jobBindingBytes = settings.capacity * settings.parts * JOB_BYTES;
    this.jobsBuffer = this.createJobsBuffer(this.jobBindingBytes);
    this.lossesBuffer = this.createLossesBuffer(4096);
    this.bindGroup = this.createBindGroup();

    device.lost.then((info) => {
      if (this.disposed) return;
      this.lostReason = info.message || `the GPU device was lost (${info.reason})`;
      for (const callback of this.lostCallbacks) callback(this.lostReason);
    });
  }

  /**
   * Builds an engine for `model` on `dataset`. Compiles (or reuses) the pipelines of the model's
   * shape. Throws an Error with a readable reason when the model or dataset exceed what the
   * adapter allows.
   */
  static async create(
    device: GPUDevice,
    dataset: Dataset,
    model: ModelSpec,
    options: GpuEngineOptions = {},
  ): Promise<GpuEngine> {
    const problem = validateModel(model) ?? checkDataset(dataset, model);
    if (problem) throw new Error(`the WebGPU engine cannot train this model: ${problem}`);
    const limits = device.limits;
    const software = options.isFallbackAdapter ?? false;
    const maxInvocations = Math.min(
      limits.maxComputeInvocationsPerWorkgroup,
      limits.maxComputeWorkgroupSizeX,
    );
    const requested = options.workgroupSize ?? (software ? 4 : 64);
    if (!Number.isInteger(requested) || requested < 1 || requested > maxInvocations) {
      throw new Error(
        `the workgroup size must be a whole number from 1 to ${maxInvocations}, got ${requested}`,
      );
    }
    const workgroupSize = requested;
    const p = paramCount(model);
    const units = totalUnits(model);
    if (units > MAX_TOTAL_UNITS) {
      throw new Error(
        `the model is too large for the WebGPU engine: its layers have ${units} units in all ` +
          `(${layerWidths(model).join('→')}), a chunk of samples in workgroup memory holds at most ${MAX_TOTAL_UNITS}`,
      );
    }
    const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const n = dataset.n;
    const dataBytes = 4 * n * (dataset.inputSize + dataset.targetSize);
    if (dataBytes > maxBinding) {
      throw new Error(
        `the dataset is too large for this GPU: ${mib(dataBytes)} of samples, the adapter allows ${mib(maxBinding)} per buffer`,
      );
    }
    const pv = paddedLayout(model).paramsV;
    const limitBytes = limits.maxComputeWorkgroupStorageSize;
    // Workgroup memory: first a chunk of at least 4 samples, then the weights, then the
    // gradient sum, each where it fits; then as many chunk samples as fit.
    const perSample = chunkBytesPerSample(model);
    const overhead = workgroupOverheadBytes(workgroupSize);
    const minimumBytes = overhead + 4 * perSample;
    if (minimumBytes > limitBytes) {
      throw new Error(
        `the model is too large for this GPU: its training kernel needs ${minimumBytes} bytes of ` +
          `workgroup memory, the adapter allows ${limitBytes}`,
      );
    }
    const weightBytes = 16 * pv;
    const weightsInWorkgroup =
      weightBytes <= MAX_WORKGROUP_WEIGHT_BYTES && minimumBytes + weightBytes <= limitBytes;
    const reduceInWorkgroup =
      weightBytes <= MAX_WORKGROUP_REDUCE_BYTES &&
      minimumBytes + (weightsInWorkgroup ? weightBytes : 0) + weightBytes <= limitBytes;
    const spareBytes =
      limitBytes - overhead - (weightsInWorkgroup ? weightBytes : 0) - (reduceInWorkgroup ? weightBytes : 0);
    const chunkBytes = Math.min(spareBytes, MAX_CHUNK_BYTES);
    const chunk = Math.max(
      4,
      Math.min(
        software ? CHUNK_SAMPLES.software : CHUNK_SAMPLES.gpu,
        4 * Math.floor(chunkBytes / perSample / 4),
      ),
    );
    const parts = options.parts ?? (software ? DEFAULT_PARTS.software : DEFAULT_PARTS.gpu);
    if (!Number.isInteger(parts) || parts < 1 || parts > 64) {
      throw new Error(`the parts of a split step must be a whole number from 1 to 64, got ${parts}`);
    }
    const splitBatchSize = options.splitBatchSize ?? SPLIT_MIN_CHUNKS * chunk;
    // Per run: weights and velocities; the chunk gradient sum; each part's sum and loss; order.
    const accPerRun = (reduceInWorkgroup ? 0 : pv) + parts * (pv + 1);
    const perRunBytes = Math.max(2 * pv * 16, accPerRun * 16, n * 4);
    const capacity = Math.min(options.maxRuns ?? 64, Math.floor(maxBinding / perRunBytes));
    if (capacity < 1) {
      throw new Error(
        `the model is too large for this GPU: ${p} parameters need ${mib(perRunBytes)} per run, ` +
          `the adapter allows ${mib(maxBinding)} per buffer`,
      );
    }
    let pipelines: MlpPipelines;
    let cached: boolean;
    try {
      ({ pipelines, cached } = await mlpPipelines(device, model, {
        workgroupSize,
        weightsInWorkgroup,
        reduceInWorkgroup,
        chunk,
        parts,
      }));
    } catch (error) {
      throw new Error(`the WebGPU engine could not be built: ${errorText(error)}`);
    }
    const why = options.workgroupSize
      ? 'chosen by the caller'
      : software
        ? 'software adapter: a workgroup runs on one CPU thread as SIMD-4'
        : 'GPU: wide workgroups';
    const where = `chunks of ${chunk} samples; weights in ${weightsInWorkgroup ? 'workgroup memory' : 'storage'}, gradient sum in ${
      reduceInWorkgroup ? 'workgroup memory' : 'storage'
    }`;
    const splitting = parts > 1 ? `; batches of ${splitBatchSize}+ split over ${parts} workgroups` : '';
    const layout = `${workgroupSize} invocations per run-workgroup (${why}); ${where}${splitting}`;
    return new GpuEngine(device, dataset, model, pipelines, {
      label: `WebGPU: ${options.adapterName ?? 'unknown adapter'}`,
      compileMs: cached ? 0 : pipelines.compileMs,
      layout,
      workgroupSize,
      chunk,
      parts,
      splitBatchSize,
      capacity,
      reduceInWorkgroup,
      frameBudgetMs: options.frameBudgetMs ?? 8,
      stepsPerDispatch: options.stepsPerDispatch,
    });
  }

  /** Called once if the device is lost; `lastKnownWeights` then holds each run's latest weights. */
  onDeviceLost(callback: (reason: string) => void): void {
    this.lostCallbacks.push(callback);
    if (this.lostReason) callback(this.lostReason);
  }

  /** The weights last read back for a run (every advance and getWeights), as float64. */
  lastKnownWeights(runId: number): Float64Array | undefined {
    const weights = this.lastWeights.get(runId);
    return weights ? Float64Array.from(weights) : undefined;
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
      stepUnits: this.stepUnits(config.batchSize),
      split: this.isSplit(config.batchSize),
    };
    this.runs.set(id, run);
    this.writeRunStart(run, initialWeights);
    this.lastWeights.set(id, Float32Array.from(initialWeights));
    return id;
  }

  removeRun(runId: number): void {
    const run = this.runs.get(runId);
    if (!run) return;
    this.runs.delete(runId);
    this.lastWeights.delete(runId);
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
    return Math.max(1, Math.floor((frameMs * this.unitsPerMs) / unitsPerSample));
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
      this.lastWeights.set(runId, Float32Array.from(weights));
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
      this.lastWeights.set(runId, Float32Array.from(weights));
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
      const pipeline = await this.pipelines.activationProbe();
      const count = xs.length;
      const input = this.device.createBuffer({
        size: Math.max(16, count * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      const inputs = new Float32Array(count * 4);
      for (let i = 0; i < count; i++) inputs[4 * i] = xs[i] as number;
      this.device.queue.writeBuffer(input, 0, inputs);
      const output = this.device.createBuffer({
        size: Math.max(16, count * 32),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
      const globals = this.device.createBuffer({
        size: 32,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.device.queue.writeBuffer(globals, 0, new Uint32Array([count, 0, 0, 1, 0, 0, LOSS_CHUNK, 0]));
      const bindGroup = this.createBindGroup({ globals, acc: input, losses: output });
      const staging = this.device.createBuffer({
        size: count * 32,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup, [0]);
      pass.dispatchWorkgroups(Math.ceil(count / this.workgroupSize));
      pass.end();
      encoder.copyBufferToBuffer(output, 0, staging, 0, count * 32);
      this.device.queue.submit([encoder.finish()]);
      const result = new Float32Array(await this.readBack(staging));
      input.destroy();
      output.destroy();
      globals.destroy();
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
      this.accBuffer,
      this.orderBuffer,
      this.stateBuffer,
      this.jobsBuffer,
      this.lossesBuffer,
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

  /** Work units of one sample's forward pass (multiply-adds plus a few per unit). */
  private sampleForwardUnits(): number {
    const widths = layerWidths(this.model);
    let units = 0;
    for (let l = 1; l < widths.length; l++)
      units += (widths[l - 1] as number) * (widths[l] as number) + 8 * (widths[l] as number);
    return units;
  }

  /**
   * Estimated cost of one step at batch size B: forward and backward passes over tiles of 4
   * samples, and per chunk a pass through every phase of the kernel that costs about as much as
   * 8 samples (measured on SwiftShader: 35 µs at B = 1, 15 ms at B = 4,096 for 2-16-16-1).
   */
  private stepUnits(batchSize: number): number {
    const sample = 3 * this.sampleForwardUnits();
    const whole = sample * (4 * Math.ceil(batchSize / 4) + 8 * Math.ceil(batchSize / this.chunk));
    if (!this.isSplit(batchSize)) return whole;
    // Elapsed time: the parts run side by side, then one more dispatch applies them.
    return whole / this.parts + sample * 2 * DISPATCH_COST_SAMPLES;
  }

  private isSplit(batchSize: number): boolean {
    return this.parts > 1 && batchSize >= this.splitBatchSize;
  }

  private writeRunStart(run: RunRecord, weights: ArrayLike<number>): void {
    const bytes = this.padded.paramsV * 16;
    this.device.queue.writeBuffer(this.paramsBuffer, run.slot * bytes, toPadded(this.padded, weights));
    this.device.queue.writeBuffer(
      this.paramsBuffer,
      (this.capacity + run.slot) * bytes,
      new Float32Array(bytes / 4),
    );
    this.device.queue.writeBuffer(
      this.stateBuffer,
      run.slot * STATE_BYTES,
      new Uint32Array([NO_EPOCH, 0, run.step, 0]),
    );
  }

  private createJobsBuffer(bytes: number): GPUBuffer {
    return this.device.createBuffer({
      label: 'jobs',
      size: roundUp(Math.max(bytes, this.jobBindingBytes), 256),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
  }

  private createLossesBuffer(floats: number): GPUBuffer {
    return this.device.createBuffer({
      label: 'losses',
      size: roundUp(Math.max(16, floats * 4), 256),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  }

  private createBindGroup(
    overrides: { globals?: GPUBuffer; acc?: GPUBuffer; order?: GPUBuffer; losses?: GPUBuffer } = {},
  ): GPUBindGroup {
    return this.device.createBindGroup({
      layout: this.pipelines.layout,
      entries: [
        { binding: 0, resource: { buffer: overrides.globals ?? this.globalsBuffer } },
        { binding: 1, resource: { buffer: this.dataBuffer } },
        { binding: 2, resource: { buffer: this.jobsBuffer, offset: 0, size: this.jobBindingBytes } },
        { binding: 3, resource: { buffer: this.paramsBuffer } },
        { binding: 4, resource: { buffer: overrides.acc ?? this.accBuffer } },
        { binding: 5, resource: { buffer: overrides.order ?? this.orderBuffer } },
        { binding: 6, resource: { buffer: this.stateBuffer } },
        { binding: 7, resource: { buffer: overrides.losses ?? this.lossesBuffer } },
      ],
    });
  }

  private ensureBuffers(jobBytes: number, lossFloats: number): void {
    let changed = false;
    if (jobBytes > this.jobsBuffer.size) {
      this.jobsBuffer.destroy();
      this.jobsBuffer = this.createJobsBuffer(Math.max(jobBytes, 2 * this.jobsBuffer.size));
      changed = true;
    }
    if (lossFloats * 4 > this.lossesBuffer.size) {
      this.lossesBuffer.destroy();
      this.lossesBuffer = this.createLossesBuffer(Math.max(lossFloats, (2 * this.lossesBuffer.size) / 4));
      changed = true;
    }
    if (changed) this.bindGroup = this.createBindGroup();
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
   * Trains the runs of `plan` (run id → steps) and computes the dataset loss of `lossRuns`, in
   * one or a few submissions, then ONE read-back. Updates step counts and divergence flags.
   */
  private async execute(plan: Map<number, number>, lossRuns: number[]): Promise<StepOutcome> {
    const pv = this.padded.paramsV;
    const active: { run: RunRecord; remaining: number; lossBase: number; done: number }[] = [];
    let lossFloats = 0;
    for (const [runId, steps] of plan) {
      const run = this.run(runId);
      if (steps <= 0 || run.diverged) continue;
      active.push({ run, remaining: steps, lossBase: lossFloats, done: 0 });
      lossFloats += steps;
    }
    const chunks = Math.ceil(this.dataset.n / LOSS_CHUNK);
    const datasetLossBase = lossFloats;
    lossFloats += lossRuns.length * chunks;

    // Plan the dispatches: each takes about `frameBudgetMs` of GPU time and advances every run by
    // the same share of its remaining work, so all runs finish together and every dispatch has
    // as many workgroups as runs to spread over the cores. A split run (a large batch) takes
    // each of its steps in two dispatches: its parts side by side, then apply_parts.
    const dispatches: { offset: number; count: number; units: number; apply: boolean }[] = [];
    // Job blocks are packed (each binding still spans jobBindingBytes, so the buffer has that
    // much room after the last block): a GPU's parts blocks are large, the others small.
    const blocks: { offset: number; jobs: Uint32Array }[] = [];
    let jobBytes = 0;
    const newBlock = (count: number) =>
      new Uint32Array(roundUp(Math.max(1, count) * JOB_BYTES, this.jobAlignment) / 4);
    const dispatchUnits = this.frameBudgetMs * this.unitsPerMs;
    let totalUnits = 0;
    const addBlock = (jobs: Uint32Array) => {
      blocks.push({ offset: jobBytes, jobs });
      jobBytes += jobs.byteLength;
    };
    const addDispatch = (block: Uint32Array, count: number, units: number, apply: boolean) => {
      dispatches.push({ offset: jobBytes, count, units, apply });
      addBlock(block);
      totalUnits += units;
    };
    const writeJob = (
      block: Uint32Array,
      index: number,
      run: RunRecord,
      job: { firstStep: number; steps: number; lossBase: number; part: number; flags?: number },
    ) => {
      const floats = new Float32Array(block.buffer);
      const o = (index * JOB_BYTES) / 4;
      block[o] = run.slot;
      block[o + 1] = job.firstStep;
      block[o + 2] = job.steps;
      block[o + 3] = run.config.batchSize;
      block[o + 4] = run.perEpoch;
      block[o + 5] = run.config.shuffleSeed >>> 0;
      block[o + 6] = job.lossBase;
      block[o + 7] =
        (run.config.reduction === 'sum' ? FLAG_SUM : 0) |
        (run.config.momentum > 0 ? FLAG_MOMENTUM : 0) |
        (job.flags ?? 0);
      floats[o + 8] = run.config.learningRate;
      floats[o + 9] = run.config.momentum;
      block[o + 10] = job.part;
    };
    // Before a split run's first step, apply_parts makes sure its epoch order is in place.
    const splitRuns = active.filter((a) => a.run.split);
    if (splitRuns.length > 0) {
      const block = newBlock(splitRuns.length);
      splitRuns.forEach(({ run }, index) => {
        const job = {
          firstStep: run.step,
          steps: 0,
          lossBase: 0,
          part: NOT_A_PART,
          flags: FLAG_PREPARE_ONLY,
        };
        writeJob(block, index, run, job);
      });
      addDispatch(block, splitRuns.length, 0, true);
    }
    while (active.some((a) => a.remaining > 0)) {
      const pending = active.filter((a) => a.remaining > 0);
      const remainingUnits = pending.reduce((sum, a) => sum + a.remaining * a.run.stepUnits, 0);
      const dispatchesLeft = Math.max(1, Math.ceil(remainingUnits / dispatchUnits));
      const shares = pending.map((entry) => {
        const cap = this.stepsPerDispatch ?? Math.max(1, Math.ceil(entry.remaining / dispatchesLeft));
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
        const partsBlock = newBlock(stepping.length * this.parts);
        const applyBlock = newBlock(stepping.length);
        let units = 0;
        stepping.forEach(({ entry }, index) => {
          const { run } = entry;
          const step = run.step + entry.done + t;
          for (let part = 0; part < this.parts; part++) {
            writeJob(partsBlock, index * this.parts + part, run, {
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
        addDispatch(partsBlock, stepping.length * this.parts, units, false);
        addDispatch(applyBlock, stepping.length, 0, true);
      }
      for (const { entry, take } of shares) {
        entry.done += take;
        entry.remaining -= take;
      }
    }
    // The dataset-loss jobs: one per run, slot and where its chunk sums go.
    const lossBlock = newBlock(lossRuns.length);
    lossRuns.forEach((runId, index) => {
      const o = (index * JOB_BYTES) / 4;
      lossBlock[o] = this.run(runId).slot;
      lossBlock[o + 6] = datasetLossBase + index * chunks;
    });
    const lossOffset = jobBytes;
    addBlock(lossBlock);
    totalUnits += lossRuns.length * this.datasetLossUnits;

    const allJobBytes = lossOffset + roundUp(this.jobBindingBytes, this.jobAlignment);
    this.ensureBuffers(allJobBytes, lossFloats);
    const allJobs = new Uint32Array(allJobBytes / 4);
    for (const { offset, jobs } of blocks) allJobs.set(jobs, offset / 4);
    this.device.queue.writeBuffer(this.jobsBuffer, 0, allJobs);

    const stateBytes = this.capacity * STATE_BYTES;
    const weightBytes = this.capacity * pv * 4 <= WEIGHT_READBACK_LIMIT ? this.capacity * pv * 16 : 0;
    const lossBytes = roundUp(lossFloats * 4, 4);
    const staging = this.device.createBuffer({
      label: 'read-back',
      size: Math.max(16, stateBytes + weightBytes + lossBytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });

    // Cut the dispatches into submissions of bounded length.
    const started = performance.now();
    const submitUnits = SUBMIT_CAP_MS * this.unitsPerMs;
    let encoder = this.device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    let unitsInSubmit = 0;
    for (const dispatch of dispatches) {
      if (unitsInSubmit > 0 && unitsInSubmit + dispatch.units > submitUnits) {
        pass.end();
        this.device.queue.submit([encoder.finish()]);
        encoder = this.device.createCommandEncoder();
        pass = encoder.beginComputePass();
        unitsInSubmit = 0;
      }
      pass.setPipeline(dispatch.apply ? this.pipelines.applyParts : this.pipelines.train);
      pass.setBindGroup(0, this.bindGroup, [dispatch.offset]);
      pass.dispatchWorkgroups(dispatch.count);
      unitsInSubmit += dispatch.units;
    }
    if (lossRuns.length > 0) {
      pass.setPipeline(this.pipelines.datasetLoss);
      pass.setBindGroup(0, this.bindGroup, [lossOffset]);
      pass.dispatchWorkgroups(chunks, lossRuns.length);
    }
    pass.end();
    encoder.copyBufferToBuffer(this.stateBuffer, 0, staging, 0, stateBytes);
    if (weightBytes > 0) encoder.copyBufferToBuffer(this.paramsBuffer, 0, staging, stateBytes, weightBytes);
    if (lossBytes > 0)
      encoder.copyBufferToBuffer(this.lossesBuffer, 0, staging, stateBytes + weightBytes, lossBytes);
    this.device.queue.submit([encoder.finish()]);
    // The share is below 1, and a wait that outlasts the GPU lowers the learned rate and so the
    // next estimate: at worst a few advances return a little later than the GPU finished.
    const expectedMs = totalUnits / this.unitsPerMs;
    if (POLLS_WHILE_WAITING && expectedMs > 2) await sleep(NODE_SLEEP_SHARE * expectedMs);
    const bytes = await this.readBack(staging);
    const elapsed = performance.now() - started;
    // Learn the throughput from advances long enough to measure (the read-back costs ~1 ms).
    if (elapsed > 4 && totalUnits > 0) {
      const measured = totalUnits / elapsed;
      this.unitsPerMs = 0.6 * this.unitsPerMs + 0.4 * measured;
    }

    const state = new Uint32Array(bytes, 0, stateBytes / 4);
    const lossValues = new Float32Array(bytes, stateBytes + weightBytes, lossFloats);
    const outcome: StepOutcome = { losses: new Map(), datasetLosses: new Map() };
    for (const entry of active) {
      const { run } = entry;
      const stepsDone = state[run.slot * 4 + 2] as number;
      const taken = Math.max(0, Math.min(entry.done, stepsDone - run.step));
      run.step += taken;
      if ((state[run.slot * 4 + 1] as number) !== 0) run.diverged = true;
      outcome.losses.set(
        run.id,
        Float64Array.from(lossValues.subarray(entry.lossBase, entry.lossBase + taken)),
      );
    }
    lossRuns.forEach((runId, index) => {
      let sum = 0;
      for (let c = 0; c < chunks; c++) sum += lossValues[datasetLossBase + index * chunks + c] as number;
      outcome.datasetLosses.set(runId, sum / this.dataset.n);
    });
    if (weightBytes > 0) {
      const all = new Float32Array(bytes, stateBytes, weightBytes / 4);
      for (const run of this.runs.values()) {
        const weights = new Float32Array(this.paramCount);
        fromPadded(this.padded, all, run.slot * pv * 4, weights);
        this.lastWeights.set(run.id, weights);
      }
    }
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
    const limits = this.device.limits;
    const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const pv = this.padded.paramsV;
    const perChunk = Math.max(1, Math.min(Math.floor(maxBinding / (pv * 16)), 1 << 16));
    const job = new Uint32Array(this.jobBindingBytes / 4);
    for (let first = 0; first < k; first += perChunk) {
      const count = Math.min(perChunk, k - first);
      const list = new Uint32Array(count);
      for (let i = 0; i < count; i++) list[i] = indices[first + i] as number;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      const listBuffer = this.device.createBuffer({ size: Math.max(16, count * 4), usage });
      this.device.queue.writeBuffer(listBuffer, 0, list);
      const gradBuffer = this.device.createBuffer({ size: count * pv * 16, usage });
      const lossBuffer = this.device.createBuffer({ size: Math.max(16, count * 4), usage });
      job[0] = run.slot;
      job[1] = count;
      this.ensureBuffers(this.jobBindingBytes, 0);
      this.device.queue.writeBuffer(this.jobsBuffer, 0, job);
      const bindGroup = this.createBindGroup({ acc: gradBuffer, order: listBuffer, losses: lossBuffer });
      const staging = this.device.createBuffer({
        size: count * pv * 16 + count * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup, [0]);
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

/** Steps a run of batch size B takes in one advance: enough for `samplesPerRun`, capped. */
export function stepsForAdvance(request: AdvanceRequest, batchSize: number): number {
  const wanted = Math.ceil(Math.max(0, request.samplesPerRun) / batchSize);
  const cap = Math.max(0, Math.floor(request.maxStepsPerRun));
  return Number.isFinite(wanted) ? Math.min(wanted, cap) : cap;
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
