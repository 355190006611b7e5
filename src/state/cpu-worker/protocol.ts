/** Messages between the page and the worker that runs the CPU engine off the main thread. */
import type {
  AdvanceRequest,
  Dataset,
  ModelSpec,
  RunCheckpoint,
  RunUpdate,
  TrainConfig,
} from '../../engine/types';

export type WorkerRequest =
  | { id: number; method: 'init'; dataset: Dataset; model: ModelSpec }
  | { id: number; method: 'addRun'; config: TrainConfig; weights: Float64Array }
  | { id: number; method: 'removeRun'; runId: number }
  | { id: number; method: 'exportRun'; runId: number }
  | { id: number; method: 'importRun'; config: TrainConfig; checkpoint: RunCheckpoint }
  | { id: number; method: 'stopRun'; runId: number }
  | { id: number; method: 'advance'; request: AdvanceRequest }
  | { id: number; method: 'getWeights'; runId: number }
  | { id: number; method: 'setWeights'; runId: number; weights: Float64Array }
  | { id: number; method: 'perSampleGradients'; runId: number; indices: Uint32Array }
  | { id: number; method: 'datasetLoss'; runId: number };

export type WorkerResult = number | RunUpdate[] | Float64Array | RunCheckpoint | null;

export type WorkerResponse =
  | { id: number; ok: true; result: WorkerResult }
  | { id: number; ok: false; error: string };
