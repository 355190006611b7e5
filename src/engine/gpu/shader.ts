/**
 * Specialises `shaders/mlp.wgsl` to one model shape and compiles its pipelines, once per
 * (device, shape, layout): activation, loss, batch size and every other setting are runtime
 * values, so they never trigger a compile.
 */
import mlpSource from '../../../shaders/mlp.wgsl?raw';
import { errorText } from '../../error-text';
import { layerWidths } from '../model';
import type { ModelSpec } from '../types';
import { paddedLayout } from './layout';
import { recordPlaceholders } from './records';

export interface ShaderLayout {
  /** Invocations per workgroup. */
  workgroupSize: number;
  /** Keep the run's weights in workgroup memory (else they are read from the storage buffer). */
  weightsInWorkgroup: boolean;
  /** Add up the gradients of a batch's chunks in workgroup memory (else in `gradientSums`). */
  reduceInWorkgroup: boolean;
  /** Samples per chunk of the training kernel (a multiple of 4). */
  chunk: number;
  /** Workgroups that share one step of a large batch. */
  parts: number;
}

type BindingType = 'uniform' | 'read-only-storage' | 'storage';

/**
 * The bindings of `shaders/mlp.wgsl`, one meaning each: group 0 is shared by every kernel (the
 * job records with a dynamic offset); group 1 holds a kernel's own inputs and outputs, so each
 * kernel's bind group names only what it uses (and stays within 8 storage buffers per stage).
 */
export const SHARED_BINDINGS = {
  globals: { binding: 0, type: 'uniform' },
  data: { binding: 1, type: 'read-only-storage' },
  jobs: { binding: 2, type: 'read-only-storage', dynamicOffset: true },
  params: { binding: 3, type: 'storage' },
  state: { binding: 4, type: 'storage' },
} as const satisfies Record<string, { binding: number; type: BindingType; dynamicOffset?: boolean }>;

export const KERNEL_BINDINGS = {
  /** train and apply_parts. */
  training: {
    gradientSums: { binding: 0, type: 'storage' },
    epochOrder: { binding: 1, type: 'storage' },
    batchLosses: { binding: 2, type: 'storage' },
  },
  datasetLoss: { lossSums: { binding: 3, type: 'storage' } },
  perSample: {
    sampleList: { binding: 4, type: 'read-only-storage' },
    sampleGradients: { binding: 5, type: 'storage' },
    sampleLosses: { binding: 6, type: 'storage' },
  },
  activationProbe: {
    probeInputs: { binding: 7, type: 'read-only-storage' },
    probeOutputs: { binding: 8, type: 'storage' },
  },
} as const satisfies Record<string, Record<string, { binding: number; type: BindingType }>>;

export type KernelGroup = keyof typeof KERNEL_BINDINGS;

/** Buffers (or buffer ranges) for the bindings of one kernel group. */
export type KernelBuffers<K extends KernelGroup> = Record<
  keyof (typeof KERNEL_BINDINGS)[K],
  GPUBufferBinding
>;

export interface MlpPipelines {
  /** Group 0: the bindings every kernel shares. */
  shared: GPUBindGroupLayout;
  /** Group 1 of each kernel group. */
  kernels: Record<KernelGroup, GPUBindGroupLayout>;
  train: GPUComputePipeline;
  applyParts: GPUComputePipeline;
  datasetLoss: GPUComputePipeline;
  /** Compiled on first use (the noise views, the tests): start-up does not wait for them. */
  perSample: () => Promise<GPUComputePipeline>;
  activationProbe: () => Promise<GPUComputePipeline>;
  /** Wall time of compiling all the pipelines (0 when they came from the cache). */
  compileMs: number;
}

/** All units, inputs and outputs included (each holds an activation and a delta per sample). */
export function totalUnits(model: ModelSpec): number {
  return layerWidths(model).reduce((sum, w) => sum + w, 0);
}

/** The WGSL source for one model shape: every `{{NAME}}` placeholder replaced by a constant. */
export function specialiseMlpShader(model: ModelSpec, layout: ShaderLayout): string {
  const padded = paddedLayout(model);
  const list = (values: number[]) => values.map((v) => `${v}u`).join(', ');
  const constants: Record<string, string> = {
    NUM_LAYERS: String(padded.layers.length),
    NUM_LAYERS_PLUS_1: String(padded.layers.length + 1),
    LAYER_IN: list(padded.layers.map((l) => l.inputs)),
    LAYER_OUT: list(padded.layers.map((l) => l.outputs)),
    ROW_V: list(padded.layers.map((l) => l.rowV)),
    W_V: list(padded.layers.map((l) => l.weightV)),
    B_V: list(padded.layers.map((l) => l.biasV)),
    UNIT_V: list(padded.unitV),
    UNITS_V: String(padded.unitsV),
    INPUTS: String(model.inputSize),
    OUTPUTS: String(model.outputSize),
    PARAMS_V: String(padded.paramsV),
    WORKGROUP_SIZE: String(layout.workgroupSize),
    WEIGHTS_IN_WORKGROUP: layout.weightsInWorkgroup ? 'true' : 'false',
    WORKGROUP_WEIGHTS_V: String(layout.weightsInWorkgroup ? padded.paramsV : 1),
    REDUCE_IN_WORKGROUP: layout.reduceInWorkgroup ? 'true' : 'false',
    WORKGROUP_REDUCE_V: String(layout.reduceInWorkgroup ? padded.paramsV : 1),
    CHUNK: String(layout.chunk),
    PARTS: String(layout.parts),
    ...recordPlaceholders(),
  };
  return mlpSource.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, name: string) => {
    const value = constants[name];
    if (value === undefined) throw new Error(`mlp.wgsl: no value for the placeholder {{${name}}}`);
    return value;
  });
}

/** Bytes of workgroup memory the training kernel needs besides the weights and gradient sum. */
export function workgroupOverheadBytes(workgroupSize: number): number {
  return 4 * workgroupSize + 32;
}

/** Bytes of workgroup memory per sample of a training chunk: activations, deltas, index, loss. */
export function chunkBytesPerSample(model: ModelSpec): number {
  return 2 * 16 * paddedLayout(model).unitsV + 8;
}

/** Key of the shape: layer widths only (activation and loss are runtime values). */
export function shapeKey(model: ModelSpec, layout: ShaderLayout): string {
  const where = `${layout.weightsInWorkgroup ? 'w' : ''}${layout.reduceInWorkgroup ? 'r' : ''}`;
  return `${layerWidths(model).join('-')}/wg${layout.workgroupSize}/c${layout.chunk}/p${layout.parts}/${where}`;
}

const cache = new WeakMap<GPUDevice, Map<string, Promise<MlpPipelines>>>();

function createLayout(
  device: GPUDevice,
  label: string,
  bindings: Record<string, { binding: number; type: BindingType; dynamicOffset?: boolean }>,
): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label,
    entries: Object.values(bindings).map(({ binding, type, ...rest }) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type, hasDynamicOffset: 'dynamicOffset' in rest && rest.dynamicOffset === true },
    })),
  });
}

/** A bind group of one kernel group (group 1), from named buffers. */
export function kernelBindGroup<K extends KernelGroup>(
  device: GPUDevice,
  pipelines: MlpPipelines,
  group: K,
  buffers: KernelBuffers<K>,
): GPUBindGroup {
  const bindings = KERNEL_BINDINGS[group] as Record<string, { binding: number }>;
  const named = buffers as Record<string, GPUBufferBinding>;
  return device.createBindGroup({
    label: `batchlab ${group}`,
    layout: pipelines.kernels[group],
    entries: Object.entries(bindings).map(([name, { binding }]) => ({
      binding,
      resource: named[name] as GPUBufferBinding,
    })),
  });
}

async function compile(device: GPUDevice, model: ModelSpec, layout: ShaderLayout): Promise<MlpPipelines> {
  const started = performance.now();
  const code = specialiseMlpShader(model, layout);
  const module = device.createShaderModule({ label: `mlp ${shapeKey(model, layout)}`, code });
  const shared = createLayout(device, 'batchlab shared', SHARED_BINDINGS);
  const kernels: Record<KernelGroup, GPUBindGroupLayout> = {
    training: createLayout(device, 'batchlab training', KERNEL_BINDINGS.training),
    datasetLoss: createLayout(device, 'batchlab datasetLoss', KERNEL_BINDINGS.datasetLoss),
    perSample: createLayout(device, 'batchlab perSample', KERNEL_BINDINGS.perSample),
    activationProbe: createLayout(device, 'batchlab activationProbe', KERNEL_BINDINGS.activationProbe),
  };
  const make = (entryPoint: string, group: KernelGroup) =>
    device.createComputePipelineAsync({
      label: `mlp ${entryPoint}`,
      layout: device.createPipelineLayout({ bindGroupLayouts: [shared, kernels[group]] }),
      compute: { module, entryPoint },
    });
  const lazy = (entryPoint: string, group: KernelGroup) => {
    let pending: Promise<GPUComputePipeline> | undefined;
    return () => {
      pending ??= make(entryPoint, group).catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    };
  };
  try {
    const [train, applyParts, datasetLoss] = await Promise.all([
      make('train', 'training'),
      make('apply_parts', 'training'),
      make('dataset_loss', 'datasetLoss'),
    ]);
    return {
      shared,
      kernels,
      train,
      applyParts,
      datasetLoss,
      perSample: lazy('per_sample', 'perSample'),
      activationProbe: lazy('activation_probe', 'activationProbe'),
      compileMs: performance.now() - started,
    };
  } catch (error) {
    const info = await module.getCompilationInfo().catch(() => undefined);
    const details = info?.messages
      .filter((m) => m.type === 'error')
      .map((m) => `${m.lineNum}:${m.linePos} ${m.message}`)
      .join('; ');
    const reason = errorText(error);
    throw new Error(`the training shader failed to compile: ${details || reason}`);
  }
}

/** The pipelines for one shape on one device; compiled on first use, then shared. */
export async function mlpPipelines(
  device: GPUDevice,
  model: ModelSpec,
  layout: ShaderLayout,
): Promise<{ pipelines: MlpPipelines; cached: boolean }> {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = shapeKey(model, layout);
  const existing = perDevice.get(key);
  if (existing) return { pipelines: await existing, cached: true };
  const pending = compile(device, model, layout);
  perDevice.set(key, pending);
  // A failed compile is not cached: a later attempt may succeed (e.g. after a device reset).
  pending.catch(() => perDevice.delete(key));
  return { pipelines: await pending, cached: false };
}
