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

export interface ShaderLayout {
  /** Invocations per workgroup. */
  workgroupSize: number;
  /** Keep the run's weights in workgroup memory (else they are read from the storage buffer). */
  weightsInWorkgroup: boolean;
  /** Add up the gradients of a batch's chunks in workgroup memory (else in the `acc` buffer). */
  reduceInWorkgroup: boolean;
  /** Samples per chunk of the training kernel (a multiple of 4). */
  chunk: number;
  /** Workgroups that share one step of a large batch. */
  parts: number;
}

export interface MlpPipelines {
  layout: GPUBindGroupLayout;
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

function createLayout(device: GPUDevice): GPUBindGroupLayout {
  const storage = (
    binding: number,
    type: GPUBufferBindingType,
    hasDynamicOffset = false,
  ): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type, hasDynamicOffset },
  });
  return device.createBindGroupLayout({
    label: 'batchlab mlp',
    entries: [
      storage(0, 'uniform'),
      storage(1, 'read-only-storage'),
      storage(2, 'read-only-storage', true),
      storage(3, 'storage'),
      storage(4, 'storage'),
      storage(5, 'storage'),
      storage(6, 'storage'),
      storage(7, 'storage'),
    ],
  });
}

async function compile(device: GPUDevice, model: ModelSpec, layout: ShaderLayout): Promise<MlpPipelines> {
  const started = performance.now();
  const code = specialiseMlpShader(model, layout);
  const module = device.createShaderModule({ label: `mlp ${shapeKey(model, layout)}`, code });
  const bindGroupLayout = createLayout(device);
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] });
  const make = (entryPoint: string) =>
    device.createComputePipelineAsync({
      label: `mlp ${entryPoint}`,
      layout: pipelineLayout,
      compute: { module, entryPoint },
    });
  const lazy = (entryPoint: string) => {
    let pending: Promise<GPUComputePipeline> | undefined;
    return () => {
      pending ??= make(entryPoint).catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    };
  };
  try {
    const [train, applyParts, datasetLoss] = await Promise.all([
      make('train'),
      make('apply_parts'),
      make('dataset_loss'),
    ]);
    return {
      layout: bindGroupLayout,
      train,
      applyParts,
      datasetLoss,
      perSample: lazy('per_sample'),
      activationProbe: lazy('activation_probe'),
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
