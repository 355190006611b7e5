/// <reference lib="webworker" />
/**
 * Accumulates the gradient-noise statistics off the main thread, chunk by chunk as the engine
 * computes the per-sample gradients: at the largest settings summing rows into the random batches
 * takes about a second, which would freeze the page.
 */

import { errorText } from '../../error-text';
import { StreamingNoise } from '../../metrics/noise-stream';
import type { NoiseWorkerReply, NoiseWorkerRequest } from './noise-protocol';
import { streamedNoiseReport } from './noise-report';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let current: { job: number; accumulator: StreamingNoise; datasetN: number } | null = null;

function reply(message: NoiseWorkerReply): void {
  scope.postMessage(message);
}

scope.onmessage = (event: MessageEvent<NoiseWorkerRequest>) => {
  const message = event.data;
  try {
    switch (message.kind) {
      case 'start':
        // One measurement at a time: a new one drops the last (and its memory).
        current = {
          job: message.job,
          accumulator: new StreamingNoise(message.options),
          datasetN: message.datasetN,
        };
        return;
      case 'cancel':
        if (current?.job === message.job) current = null;
        return;
      case 'rows':
        if (current?.job !== message.job) throw new Error('this measurement was cancelled');
        current.accumulator.add(message.positions, message.rows);
        reply({ kind: 'ack', job: message.job });
        return;
      case 'finish': {
        if (current?.job !== message.job) throw new Error('this measurement was cancelled');
        const { accumulator, datasetN } = current;
        current = null;
        reply({
          kind: 'report',
          job: message.job,
          report: streamedNoiseReport(accumulator.result(), datasetN),
        });
        return;
      }
    }
  } catch (error) {
    if (current?.job === message.job) current = null;
    reply({ kind: 'error', job: message.job, error: errorText(error) });
  }
};
