/**
 * How much training to ask for per animation frame. The cost of a chunk is not known in advance
 * (it depends on the engine, the network and the batch sizes racing), so it is measured: the
 * next chunk is sized so that it should take `targetMs`, growing at most 2× per frame so one
 * slow frame cannot follow a lucky one.
 */
export class FrameBudget {
  samples: number;

  constructor(
    readonly targetMs = 10,
    readonly minSamples = 1,
    readonly maxSamples = 1 << 20,
    initialSamples = 64,
  ) {
    this.samples = initialSamples;
  }

  /** Records that `samples` samples per run took `elapsedMs`; returns the next chunk size. */
  record(samples: number, elapsedMs: number): number {
    if (samples <= 0) return this.samples;
    const perSample = Math.max(elapsedMs, 0.05) / samples;
    const ideal = this.targetMs / perSample;
    const next = Math.min(ideal, this.samples * 2);
    this.samples = Math.round(Math.min(this.maxSamples, Math.max(this.minSamples, next)));
    return this.samples;
  }
}

/** Per-run sample rate caps of the speed control, slowest first (samples per second). */
export const SPEED_SAMPLES_PER_SECOND = [8, 64, 512, 4096, Number.POSITIVE_INFINITY] as const;
export const SPEED_LABELS = ['very slow', 'slow', 'medium', 'fast', 'as fast as it goes'] as const;
