/**
 * How much training to ask for per animation frame. The cost of a chunk is not known in advance
 * (it depends on the engine, the network and the batch sizes racing), so it is measured: the
 * next chunk is sized so that it should take `targetMs`, growing at most 2× per frame so one
 * slow frame cannot follow a lucky one.
 */
export class FrameBudget {
  samples: number;
  /**
   * Cost of a call that does (almost) no per-sample work: every run's full-dataset loss, one
   * step of a B = N run, the messages. Measured whenever a chunk is tiny. When it exceeds
   * `targetMs`, shrinking chunks cannot help and would starve the small-B runs of steps, so
   * the time aimed at rises to twice this cost, up to `maxTargetMs`.
   */
  private fixedMs = 0;

  constructor(
    public targetMs = 10,
    readonly minSamples = 1,
    readonly maxSamples = 1 << 20,
    initialSamples = 64,
    public maxTargetMs = 40,
  ) {
    this.samples = initialSamples;
  }

  get currentTargetMs(): number {
    return Math.min(this.maxTargetMs, Math.max(this.targetMs, 2 * this.fixedMs));
  }

  /** Forget the fixed cost (the set of runs changed). */
  resetFixedCost(): void {
    this.fixedMs = 0;
  }

  /** Records that `samples` samples per run took `elapsedMs`; returns the next chunk size. */
  record(samples: number, elapsedMs: number): number {
    if (samples <= 0) return this.samples;
    if (samples <= this.minSamples * 4) this.fixedMs = elapsedMs;
    else this.fixedMs = Math.min(this.fixedMs, elapsedMs);
    const perSample = Math.max(elapsedMs, 0.05) / samples;
    const ideal = this.currentTargetMs / perSample;
    const next = Math.min(ideal, this.samples * 2);
    this.samples = Math.round(Math.min(this.maxSamples, Math.max(this.minSamples, next)));
    return this.samples;
  }
}

/**
 * Time per chunk: on the main thread a chunk must leave room for drawing (well under the 50 ms
 * of a long task); off it (WebGPU, CPU worker) a longer chunk costs the page nothing and pays
 * the fixed cost of each call (the dataset losses, the read-back) less often.
 */
export const CHUNK_MS_ON_MAIN_THREAD = 10;
export const CHUNK_MS_OFF_THREAD = 30;
/** The most a chunk may take when its fixed cost forces longer ones (main thread: under 50 ms). */
export const MAX_CHUNK_MS_ON_MAIN_THREAD = 40;
export const MAX_CHUNK_MS_OFF_THREAD = 80;

/** Speed control: epochs per second per run, slowest first (Infinity: as fast as the budget allows). */
export const SPEED_EPOCHS_PER_SECOND = [1 / 16, 1 / 4, 1, 4, Number.POSITIVE_INFINITY] as const;
export const SPEED_LABELS = ['very slow', 'slow', 'medium', 'fast', 'as fast as it goes'] as const;

/**
 * Samples per run for the next advance, so every run sees the same samples: a multiple of the
 * largest batch size racing (a run of B takes ceil(samples / B) steps, so anything less would
 * give the large-B runs whole extra batches). Returns 0 when there is not yet credit for one
 * such unit.
 */
export function fairChunk(credit: number, largestBatch: number): number {
  const unit = Math.max(1, Math.round(largestBatch));
  return Math.floor(credit / unit) * unit;
}
