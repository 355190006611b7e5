/**
 * The WebGPU engine as the bench drives it: one device for the whole bench, the engine's own
 * layout choice for the adapter (the software-adapter layout when the adapter is a fallback).
 */
import { requestGpuDevice } from '../src/engine/gpu/device';
import { GpuEngine, type GpuEngineOptions } from '../src/engine/gpu/engine';
import { GpuTrainer } from '../src/engine/gpu/trainer';
import type { AdapterDescription } from './report';
import type { GpuBackend } from './suite';

function adapterDescription(
  device: GPUDevice,
  adapterName: string,
  isFallbackAdapter: boolean,
): AdapterDescription {
  // `GPUDevice.adapterInfo` is recent; older runtimes only had the name the engine derived.
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    name: adapterName,
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter,
  };
}

/** The bench's WebGPU side, or the reason there is none here. */
export async function gpuBackend(gpu: GPU | undefined): Promise<GpuBackend | string> {
  const result = await requestGpuDevice(gpu);
  if (!result.ok) return result.reason;
  const { device, adapterName, isFallbackAdapter } = result;
  const options: GpuEngineOptions = { adapterName };
  return {
    adapter: adapterDescription(device, adapterName, isFallbackAdapter),
    async createTrainer(dataset, model, config, init, stepsPerDispatch) {
      const trainer = await GpuTrainer.create(device, dataset, model, config, init, {
        ...options,
        ...(stepsPerDispatch ? { stepsPerDispatch } : {}),
      });
      return {
        step: async (count) => {
          await trainer.step(count);
        },
        datasetLoss: () => trainer.datasetLoss(),
        dispose: () => trainer.dispose(),
      };
    },
    async createEngine(dataset, model) {
      const engine = await GpuEngine.create(device, dataset, model, options);
      return { engine, compileMs: engine.compileMs };
    },
    async describeLayout(dataset, model) {
      const engine = await GpuEngine.create(device, dataset, model, options);
      const layout = engine.layout;
      engine.dispose();
      return layout;
    },
  };
}
