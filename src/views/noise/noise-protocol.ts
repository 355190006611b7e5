/** Messages between the page and the noise worker, which accumulates one measurement at a time. */
import type { StreamingNoiseOptions } from '../../metrics/noise-stream';
import type { NoiseReport } from './noise-report';

export type NoiseWorkerRequest =
  | { kind: 'start'; job: number; options: StreamingNoiseOptions; datasetN: number }
  /** Rows of the samples at `positions` of the measurement (transferred, not copied). */
  | { kind: 'rows'; job: number; positions: Uint32Array; rows: Float64Array }
  | { kind: 'finish'; job: number }
  | { kind: 'cancel'; job: number };

export type NoiseWorkerReply =
  | { kind: 'ack'; job: number }
  | { kind: 'report'; job: number; report: NoiseReport }
  | { kind: 'error'; job: number; error: string };
