/// <reference lib="webworker" />
/**
 * Measures the batch noise off the main thread: for N = 4096 samples and a few hundred
 * parameters the sampled batches cost a few hundred milliseconds, which would stall the page.
 */

import { errorText } from '../../error-text';
import { buildNoiseReport, type NoiseRequest } from './noise-report';

interface WorkerRequest extends NoiseRequest {
  id: number;
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const { id, ...request } = event.data;
  try {
    self.postMessage({ id, report: buildNoiseReport(request) });
  } catch (error) {
    self.postMessage({ id, error: errorText(error) });
  }
};
