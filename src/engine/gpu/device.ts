/**
 * Obtains a WebGPU device for the training engine, or a readable reason why there is none.
 * Works with the browser's `navigator.gpu` (page or worker) and with Dawn in Node.
 */

import { errorText } from '../../error-text';
import { adapterKind } from './choose-layout';

export type GpuDeviceResult =
  | { ok: true; device: GPUDevice; adapterName: string; isFallbackAdapter: boolean }
  | { ok: false; reason: string };

/** Limits the engine benefits from, raised to what the adapter allows. */
const WANTED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
] as const;

function defaultGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

/** A short name for the adapter, e.g. `swiftshader` or `nvidia`. */
export function adapterDisplayName(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture].filter((p) => p && p.length > 0);
  if (info.architecture === 'swiftshader') return 'swiftshader';
  if (parts.length > 0) return parts.join(' ');
  return info.description || 'unknown adapter';
}

export async function requestGpuDevice(gpu: GPU | undefined = defaultGpu()): Promise<GpuDeviceResult> {
  if (!gpu) {
    return { ok: false, reason: 'this browser has no WebGPU (navigator.gpu is undefined)' };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ok: false, reason: `requesting a WebGPU adapter failed: ${errorText(error)}` };
  }
  if (!adapter) return { ok: false, reason: 'WebGPU is present but offers no adapter' };

  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const info = adapter.info as GPUAdapterInfo | undefined;
  // `isFallbackAdapter` moved from the adapter to its info; read whichever exists.
  const isFallbackAdapter =
    Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
    adapterKind(info) === 'software';
  try {
    const device = await adapter.requestDevice({ requiredLimits, label: 'batchlab' });
    return { ok: true, device, adapterName: adapterDisplayName(info), isFallbackAdapter };
  } catch (error) {
    return { ok: false, reason: `requesting a WebGPU device failed: ${errorText(error)}` };
  }
}
