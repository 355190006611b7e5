export { adapterDisplayName, type GpuDeviceResult, requestGpuDevice } from './device';
export { GpuEngine, type GpuEngineOptions, MAX_TOTAL_UNITS } from './engine';
export { GpuTrainer } from './trainer';
