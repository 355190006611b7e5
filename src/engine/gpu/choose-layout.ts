/**
 * How the WebGPU engine lays its work out on an adapter, as plain arithmetic (no GPU): what kind
 * of adapter it is (from the device's own adapter information), invocations per workgroup,
 * samples per chunk, what lives in workgroup memory, how large batches are split, and how many
 * runs the buffers hold. Throws an Error with a readable reason when the model or dataset
 * exceed what the adapter allows.
 */
import { layerWidths, paramCount } from '../model';
import type { ModelSpec } from '../types';
import { paddedLayout } from './layout';
import { chunkBytesPerSample, type ShaderLayout, totalUnits, workgroupOverheadBytes } from './shader';

/**
 * A software adapter runs a workgroup on one CPU thread as SIMD-4 (SwiftShader and the like); a
 * GPU wants wide workgroups. The two layouts differ 6–7× in speed on the wrong kind.
 */
export type AdapterKind = 'software' | 'gpu';

/** Names in adapter information that mean a CPU implementation of WebGPU. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** The kind of adapter described by `info` (a device's `adapterInfo`). */
export function adapterKind(info: Partial<GPUAdapterInfo> | undefined): AdapterKind {
  if (!info) return 'gpu';
  if (info.isFallbackAdapter === true) return 'software';
  const names = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return SOFTWARE_NAMES.test(names) ? 'software' : 'gpu';
}

/** The adapter information of a device, where the runtime exposes it (recent WebGPU). */
export function deviceAdapterInfo(device: GPUDevice): GPUAdapterInfo | undefined {
  return (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
}

/** Units of all layers together the training kernel's chunk of samples can hold (see chooseLayout). */
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
const MAX_CHUNK_BYTES = 16384;
const WORKGROUP_SIZE = { software: 4, gpu: 64 } as const;
/**
 * A batch of at least this many chunks is split over several workgroups: each step then takes
 * two dispatches (~80 µs each on SwiftShader), which a batch this large more than pays back.
 */
const SPLIT_MIN_CHUNKS = 8;
/** A software adapter has a CPU thread per workgroup; a GPU has many units to fill. */
const DEFAULT_PARTS = { software: 2, gpu: 16 } as const;
const DEFAULT_MAX_RUNS = 64;

/** The adapter limits the layout depends on. */
export type LayoutLimits = Pick<
  GPUSupportedLimits,
  | 'maxComputeInvocationsPerWorkgroup'
  | 'maxComputeWorkgroupSizeX'
  | 'maxStorageBufferBindingSize'
  | 'maxBufferSize'
  | 'maxComputeWorkgroupStorageSize'
>;

export interface LayoutRequest {
  /** Invocations per run-workgroup; by default 4 on a software adapter, 64 on a GPU. */
  workgroupSize?: number | undefined;
  /** Workgroups that share one step of a large batch (default 2 on a software adapter, 16 on a GPU). */
  parts?: number | undefined;
  /** The smallest batch that is split (default: 8 chunks). */
  splitBatchSize?: number | undefined;
  /** Most runs the engine holds at once (default 64). */
  maxRuns?: number | undefined;
}

export interface EngineLayout extends ShaderLayout {
  kind: AdapterKind;
  splitBatchSize: number;
  /** Runs the buffers are sized for. */
  capacity: number;
  /** The layout in words, and why (shown by the bench and the tools). */
  description: string;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Bytes of one buffer binding the adapter allows. */
export function maxBindingBytes(limits: Pick<LayoutLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>) {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/**
 * The layout of `model` on `n` samples of `inputSize + targetSize` values on an adapter of
 * `kind` with `limits`. Workgroup memory is budgeted in order: a chunk of at least 4 samples,
 * then the weights, then the gradient sum, each where it fits; then as many chunk samples as fit.
 * Storage: every per-run buffer must fit one binding, which bounds the runs held at once.
 */
export function chooseLayout(
  model: ModelSpec,
  data: { n: number; inputSize: number; targetSize: number },
  limits: LayoutLimits,
  kind: AdapterKind,
  request: LayoutRequest = {},
): EngineLayout {
  const maxInvocations = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  const workgroupSize = request.workgroupSize ?? WORKGROUP_SIZE[kind];
  if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > maxInvocations) {
    throw new Error(
      `the workgroup size must be a whole number from 1 to ${maxInvocations}, got ${workgroupSize}`,
    );
  }
  const units = totalUnits(model);
  if (units > MAX_TOTAL_UNITS) {
    throw new Error(
      `the model is too large for the WebGPU engine: its layers have ${units} units in all ` +
        `(${layerWidths(model).join('→')}), a chunk of samples in workgroup memory holds at most ${MAX_TOTAL_UNITS}`,
    );
  }
  const maxBinding = maxBindingBytes(limits);
  const n = data.n;
  const dataBytes = 4 * n * (data.inputSize + data.targetSize);
  if (dataBytes > maxBinding) {
    throw new Error(
      `the dataset is too large for this GPU: ${mib(dataBytes)} of samples, the adapter allows ${mib(maxBinding)} per buffer`,
    );
  }
  const pv = paddedLayout(model).paramsV;
  const limitBytes = limits.maxComputeWorkgroupStorageSize;
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
  const chunk = Math.max(4, Math.min(CHUNK_SAMPLES[kind], 4 * Math.floor(chunkBytes / perSample / 4)));
  const parts = request.parts ?? DEFAULT_PARTS[kind];
  if (!Number.isInteger(parts) || parts < 1 || parts > 64) {
    throw new Error(`the parts of a split step must be a whole number from 1 to 64, got ${parts}`);
  }
  const splitBatchSize = request.splitBatchSize ?? SPLIT_MIN_CHUNKS * chunk;
  // Per run: weights and velocities; the gradient sums (the chunk sum unless it is in workgroup
  // memory, and each part's sum and loss); the epoch order.
  const gradientSumsPerRun = (reduceInWorkgroup ? 0 : pv) + parts * (pv + 1);
  const perRunBytes = Math.max(2 * pv * 16, gradientSumsPerRun * 16, n * 4);
  const capacity = Math.min(request.maxRuns ?? DEFAULT_MAX_RUNS, Math.floor(maxBinding / perRunBytes));
  if (capacity < 1) {
    throw new Error(
      `the model is too large for this GPU: ${paramCount(model)} parameters need ${mib(perRunBytes)} per run, ` +
        `the adapter allows ${mib(maxBinding)} per buffer`,
    );
  }
  const why = request.workgroupSize
    ? 'chosen by the caller'
    : kind === 'software'
      ? 'software adapter: a workgroup runs on one CPU thread as SIMD-4'
      : 'GPU: wide workgroups';
  const where = `chunks of ${chunk} samples; weights in ${weightsInWorkgroup ? 'workgroup memory' : 'storage'}, gradient sum in ${
    reduceInWorkgroup ? 'workgroup memory' : 'storage'
  }`;
  const splitting = parts > 1 ? `; batches of ${splitBatchSize}+ split over ${parts} workgroups` : '';
  return {
    kind,
    workgroupSize,
    weightsInWorkgroup,
    reduceInWorkgroup,
    chunk,
    parts,
    splitBatchSize,
    capacity,
    description: `${workgroupSize} invocations per run-workgroup (${why}); ${where}${splitting}`,
  };
}
