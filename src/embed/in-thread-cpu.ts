/**
 * Stands in for `state/cpu-worker/worker-engine.ts` in the `<batch-lab>` library build (see
 * vite.embed.config.ts). A worker script is a second file, and a course page on another origin
 * or with a strict CSP could not start it anyway; refusing here makes the engine factory train
 * on the main thread instead, in the small per-frame chunks the session already schedules.
 */
import type { Dataset, ModelSpec, TrainingEngine } from '../engine/types';

export const WorkerCpuEngine = {
  start(_dataset: Dataset, _model: ModelSpec): Promise<TrainingEngine> {
    return Promise.reject(new Error('the embedded element trains the CPU engine on the main thread'));
  },
};
