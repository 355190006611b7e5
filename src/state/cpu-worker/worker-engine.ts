/**
 * The CPU engine behind the TrainingEngine contract, running in a Web Worker: the page stays
 * responsive however long a chunk of training takes. Calls are answered in order.
 */
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunCheckpoint,
  RunUpdate,
  TrainConfig,
  TrainingEngine,
} from '../../engine/types';
import type { WorkerRequest, WorkerResponse, WorkerResult } from './protocol';

type Pending = { resolve: (value: WorkerResult) => void; reject: (error: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerCpuEngine implements TrainingEngine {
  readonly engine: EngineKind = 'cpu';
  readonly label = 'CPU';
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextMessageId = 0;
  private readonly runs = new Set<number>();
  private failure: Error | null = null;

  /** Starts the worker; rejects when the browser cannot run it (the caller then trains in-thread). */
  static async start(dataset: Dataset, model: ModelSpec): Promise<WorkerCpuEngine> {
    const engine = new WorkerCpuEngine(dataset, model);
    try {
      await engine.call({ method: 'init', dataset, model });
    } catch (error) {
      engine.dispose();
      throw error;
    }
    return engine;
  }

  private constructor(
    readonly dataset: Dataset,
    readonly model: ModelSpec,
  ) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
      name: 'batchlab-cpu',
    });
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.error));
    };
    this.worker.onerror = (event) => {
      this.failure = new Error(`the CPU worker failed: ${event.message || 'could not start'}`);
      for (const waiting of this.pending.values()) waiting.reject(this.failure);
      this.pending.clear();
    };
  }

  private call(body: RequestBody, transfer: Transferable[] = []): Promise<WorkerResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextMessageId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    });
  }

  async addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number> {
    const runId = (await this.call({
      method: 'addRun',
      config: { ...config },
      weights: Float64Array.from(initialWeights),
    })) as number;
    this.runs.add(runId);
    return runId;
  }

  removeRun(runId: number): void {
    this.runs.delete(runId);
    void this.call({ method: 'removeRun', runId }).catch(() => {});
  }

  runIds(): number[] {
    return [...this.runs];
  }

  async exportRun(runId: number): Promise<RunCheckpoint> {
    return (await this.call({ method: 'exportRun', runId })) as RunCheckpoint;
  }

  async importRun(config: TrainConfig, checkpoint: RunCheckpoint): Promise<number> {
    const runId = (await this.call({
      method: 'importRun',
      config: { ...config },
      checkpoint: {
        weights: Float64Array.from(checkpoint.weights),
        velocity: Float64Array.from(checkpoint.velocity),
        step: checkpoint.step,
        diverged: checkpoint.diverged,
      },
    })) as number;
    this.runs.add(runId);
    return runId;
  }

  async stopRun(runId: number): Promise<void> {
    await this.call({ method: 'stopRun', runId });
  }

  async advance(request: AdvanceRequest): Promise<RunUpdate[]> {
    return (await this.call({ method: 'advance', request: { ...request } })) as RunUpdate[];
  }

  async getWeights(runId: number): Promise<Float64Array> {
    return (await this.call({ method: 'getWeights', runId })) as Float64Array;
  }

  async setWeights(runId: number, weights: ArrayLike<number>): Promise<void> {
    await this.call({ method: 'setWeights', runId, weights: Float64Array.from(weights) });
  }

  async perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return (await this.call({
      method: 'perSampleGradients',
      runId,
      indices: Uint32Array.from(indices),
    })) as Float64Array;
  }

  async datasetLoss(runId: number): Promise<number> {
    return (await this.call({ method: 'datasetLoss', runId })) as number;
  }

  dispose(): void {
    this.worker.terminate();
    const closed = new Error('the engine was disposed');
    for (const waiting of this.pending.values()) waiting.reject(closed);
    this.pending.clear();
    this.runs.clear();
  }
}
