/**
 * Runs one gradient-noise measurement: asks the engine for the per-sample gradients of the
 * planned samples a chunk at a time (`planNoiseMeasurement`), and hands each chunk to the noise
 * worker, which accumulates the statistics (`StreamingNoise`). The page never holds more than a
 * chunk or two of rows (4 MiB each), whatever N and the network. Without workers (e.g. a strict
 * Content-Security-Policy) the same accumulation runs on the main thread in slices of a few ms.
 */
import {
  batchesForWork,
  planNoiseMeasurement,
  StreamingNoise,
  type StreamingNoiseOptions,
} from '../../metrics/noise-stream';
import type { NoiseWorkerReply, NoiseWorkerRequest } from './noise-protocol';
import { type NoiseReport, streamedNoiseReport } from './noise-report';

/** Per-sample gradients (k × P, row-major, in `indices` order) at the weights being measured. */
export type GradientFetch = (indices: Uint32Array) => Promise<Float64Array>;

/** Where the gradients come from: one run of the training engine. */
export interface GradientSource {
  /** Samples in the dataset, N. */
  n: number;
  /** Parameters of the network, P. */
  p: number;
  /**
   * Runs `task` with exclusive use of the engine (no training step in between, so every chunk
   * comes from the same weights); resolves with null when there is no engine right now.
   */
  hold<T>(task: (fetch: GradientFetch) => Promise<T>): Promise<T | null>;
}

export interface NoiseMeasurement {
  report: NoiseReport;
  /** How long the engine was held (training paused) for this measurement, in ms. */
  heldMs: number;
}

/** Accumulates one measurement somewhere: in the noise worker or on the main thread. */
interface NoiseSink {
  add(positions: Uint32Array, rows: Float64Array): Promise<void>;
  finish(): Promise<NoiseReport>;
  cancel(): void;
}

// ------------------------------------------------------------------------------- in a worker

let worker: Worker | null = null;
let workerBroken = false;
let nextJob = 0;
/** Per job, what waits for the worker's next replies, in order. */
const waiting = new Map<
  number,
  { resolve: (reply: NoiseWorkerReply) => void; reject: (error: Error) => void }[]
>();

class WorkerStopped extends Error {}

function getWorker(): Worker | null {
  if (workerBroken || typeof Worker === 'undefined') return null;
  if (worker) return worker;
  try {
    worker = new Worker(new URL('./noise.worker.ts', import.meta.url), {
      type: 'module',
      name: 'batchlab-noise',
    });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.onmessage = (event: MessageEvent<NoiseWorkerReply>) => {
    const queue = waiting.get(event.data.job);
    const next = queue?.shift();
    if (!next) return;
    if (event.data.kind === 'error') next.reject(new Error(event.data.error));
    else next.resolve(event.data);
  };
  worker.onerror = () => {
    // A worker that cannot start (e.g. a strict CSP): measure on the main thread from now on.
    workerBroken = true;
    worker = null;
    for (const queue of waiting.values())
      for (const entry of queue) entry.reject(new WorkerStopped('the noise worker stopped'));
    waiting.clear();
  };
  return worker;
}

class WorkerSink implements NoiseSink {
  private readonly job = nextJob++;

  constructor(
    private readonly w: Worker,
    options: StreamingNoiseOptions,
    datasetN: number,
  ) {
    waiting.set(this.job, []);
    this.post({ kind: 'start', job: this.job, options, datasetN });
  }

  private post(message: NoiseWorkerRequest, transfer: Transferable[] = []): void {
    this.w.postMessage(message, transfer);
  }

  private expectReply(): Promise<NoiseWorkerReply> {
    return new Promise((resolve, reject) => {
      const queue = waiting.get(this.job);
      if (!queue) reject(new WorkerStopped('the noise worker stopped'));
      else queue.push({ resolve, reject });
    });
  }

  async add(positions: Uint32Array, rows: Float64Array): Promise<void> {
    const reply = this.expectReply();
    // Transferred, not copied: the caller does not keep the chunk.
    const whole = (a: Uint32Array | Float64Array) =>
      a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
    const ownRows = whole(rows) ? rows : rows.slice();
    const ownPositions = whole(positions) ? positions : positions.slice();
    this.post({ kind: 'rows', job: this.job, positions: ownPositions, rows: ownRows }, [
      ownPositions.buffer,
      ownRows.buffer,
    ]);
    await reply;
  }

  async finish(): Promise<NoiseReport> {
    const reply = this.expectReply();
    this.post({ kind: 'finish', job: this.job });
    try {
      const answer = await reply;
      if (answer.kind !== 'report') throw new Error('the noise worker answered out of turn');
      return answer.report;
    } finally {
      waiting.delete(this.job);
    }
  }

  cancel(): void {
    this.post({ kind: 'cancel', job: this.job });
    for (const entry of waiting.get(this.job) ?? []) entry.reject(new Error('the measurement was cancelled'));
    waiting.delete(this.job);
  }
}

// ------------------------------------------------------------------------ on the main thread

/** Multiply-adds per slice of main-thread work: a few ms, far below a 50 ms long task. */
const INLINE_SLICE_WORK = 2e6;

function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

class InlineSink implements NoiseSink {
  private readonly accumulator: StreamingNoise;

  constructor(
    options: StreamingNoiseOptions,
    private readonly datasetN: number,
  ) {
    this.accumulator = new StreamingNoise(options);
  }

  async add(positions: Uint32Array, rows: Float64Array): Promise<void> {
    const p = this.accumulator.p;
    // Each row is summed into about `batchesPerSize` batches, plus its Welford update.
    const perRow = p * (2 + this.accumulator.batchesPerSize);
    const slice = Math.max(1, Math.floor(INLINE_SLICE_WORK / perRow));
    for (let first = 0; first < positions.length; first += slice) {
      const end = Math.min(positions.length, first + slice);
      this.accumulator.add(positions.subarray(first, end), rows.subarray(first * p, end * p));
      await yieldToPage();
    }
  }

  async finish(): Promise<NoiseReport> {
    return streamedNoiseReport(this.accumulator.result(), this.datasetN);
  }

  cancel(): void {}
}

// ------------------------------------------------------------------------------ the measurement

export interface MeasureOptions {
  seed: number;
  /** Random batches per batch size (default: from the work and memory budgets). */
  batchesPerSize?: number;
  /** Measure on the main thread even where a worker could (for tests). */
  inline?: boolean;
}

/**
 * Measures the gradient noise of `source` at its current weights. Resolves with null when the
 * source has no engine right now.
 */
export async function measureNoise(
  source: GradientSource,
  options: MeasureOptions,
): Promise<NoiseMeasurement | null> {
  const w = options.inline ? null : getWorker();
  try {
    return await measureWith(source, options, w);
  } catch (error) {
    if (error instanceof WorkerStopped && w) return measureWith(source, options, null);
    throw error;
  }
}

async function measureWith(
  source: GradientSource,
  options: MeasureOptions,
  w: Worker | null,
): Promise<NoiseMeasurement | null> {
  const { n, p } = source;
  // On the main thread a smaller budget keeps the total time there short (each slice is short anyway).
  const plan = planNoiseMeasurement(n, p, {
    seed: options.seed,
    ...(w ? {} : { work: 6e7, maxNumbers: 2 ** 23 }),
    ...(options.batchesPerSize !== undefined ? { batchesPerSize: options.batchesPerSize } : {}),
  });
  const m = plan.sample.length;
  const accumulatorOptions: StreamingNoiseOptions = {
    m,
    p,
    batchSizes: plan.batchSizes,
    batchesPerSize: plan.batchesPerSize,
    seed: plan.seed,
  };
  const sink: NoiseSink = w
    ? new WorkerSink(w, accumulatorOptions, n)
    : new InlineSink(accumulatorOptions, n);
  let heldMs = 0;
  try {
    const held = await source.hold(async (fetch) => {
      const started = performance.now();
      // At most one chunk waits in the sink while the engine computes the next.
      let queued: Promise<void> = Promise.resolve();
      for (let first = 0; first < m; first += plan.chunkRows) {
        const end = Math.min(m, first + plan.chunkRows);
        const rows = await fetch(plan.sample.slice(first, end));
        if (rows.length !== (end - first) * p) {
          throw new Error(
            `the engine returned ${rows.length} gradient numbers for ${end - first} samples of ${p} parameters`,
          );
        }
        await queued;
        queued = sink.add(
          Uint32Array.from({ length: end - first }, (_, k) => first + k),
          rows,
        );
        // Marked as handled here; a failure still surfaces where it is awaited.
        queued.catch(() => undefined);
      }
      heldMs = performance.now() - started;
      // The engine is free again: the last chunk is summed while training goes on.
      return { last: queued };
    });
    if (held === null) {
      sink.cancel();
      return null;
    }
    await held.last;
    return { report: await sink.finish(), heldMs };
  } catch (error) {
    sink.cancel();
    throw error;
  }
}

/**
 * Random batches per batch size for a fixed amount of work (about 3·10⁸ multiply-adds, a second
 * or so in a worker): 200 for small problems, about 40 for N = 20 000 with 337 parameters,
 * never under 20. Fewer batches only widen the error bars, which the plot shows.
 */
export function batchesForBudget(n: number, p: number, budget = 3e8): number {
  return batchesForWork(n, p, budget);
}
