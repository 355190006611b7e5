/// <reference lib="webworker" />
/** Runs the CPU reference engine in a worker, so training never blocks the page. */
import { CpuEngine } from '../../engine/cpu/engine';
import { errorText } from '../../error-text';
import type { WorkerRequest, WorkerResponse, WorkerResult } from './protocol';

let engine: CpuEngine | null = null;

function need(): CpuEngine {
  if (!engine) throw new Error('the CPU engine is not initialised');
  return engine;
}

async function handle(message: WorkerRequest): Promise<WorkerResult> {
  switch (message.method) {
    case 'init':
      engine?.dispose();
      engine = new CpuEngine(message.dataset, message.model);
      return null;
    case 'addRun':
      return need().addRun(message.config, message.weights);
    case 'removeRun':
      need().removeRun(message.runId);
      return null;
    case 'exportRun':
      return need().exportRun(message.runId);
    case 'importRun':
      return need().importRun(message.config, message.checkpoint);
    case 'stopRun':
      await need().stopRun(message.runId);
      return null;
    case 'advance':
      return need().advance(message.request);
    case 'getWeights':
      return need().getWeights(message.runId);
    case 'setWeights':
      await need().setWeights(message.runId, message.weights);
      return null;
    case 'perSampleGradients':
      return need().perSampleGradients(message.runId, message.indices);
    case 'datasetLoss':
      return need().datasetLoss(message.runId);
  }
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { id } = event.data;
  let response: WorkerResponse;
  const transfer: Transferable[] = [];
  try {
    const result = await handle(event.data);
    // Per-sample gradients are made fresh for the caller and can be megabytes: moved, not copied.
    if (event.data.method === 'perSampleGradients' && result instanceof Float64Array)
      transfer.push(result.buffer);
    response = { id, ok: true, result };
  } catch (error) {
    response = { id, ok: false, error: errorText(error) };
  }
  scope.postMessage(response, transfer);
};
