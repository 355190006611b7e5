/**
 * Bounded storage for loss curves, so a run of millions of steps costs the same to keep and to
 * draw as a short one.
 *
 * Batch losses go into buckets of `width` consecutive steps (min, max, mean, and the wall-clock
 * time at the bucket's end); when `capacity` buckets are full, neighbours merge in pairs and the
 * width doubles. Nothing is dropped: each bucket summarises every step in its range exactly.
 * The full-dataset loss, a handful of points per second, keeps its points and thins them by
 * half (keeping the first and the latest) when full.
 */

export interface BatchBucket {
  /** First step (0-based update index) in this bucket. */
  stepStart: number;
  /** Steps summarised. */
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Training time of the run (ms) at the bucket's last step. */
  timeMs: number;
}

export interface DatasetLossPoint {
  /** Updates done when this loss was measured. */
  step: number;
  timeMs: number;
  loss: number;
}

export class LossSeries {
  private width = 1;
  private readonly starts: number[] = [];
  private readonly counts: number[] = [];
  private readonly mins: number[] = [];
  private readonly maxs: number[] = [];
  private readonly sums: number[] = [];
  private readonly times: number[] = [];
  private readonly datasetPoints: DatasetLossPoint[] = [];
  /** Steps recorded so far (the index of the next batch loss). */
  steps = 0;
  /** Step of the first NaN or infinite batch loss (the run diverged there), or null. */
  firstNonFiniteStep: number | null = null;
  /** Increases on every change, so views redraw only when needed. */
  version = 0;

  constructor(readonly capacity = 512) {
    if (capacity < 4 || capacity % 2 !== 0) throw new RangeError('capacity must be an even number ≥ 4');
  }

  /**
   * Appends the batch losses of consecutive steps. `timeFromMs` → `timeToMs` is the training
   * time these steps took; each step is placed linearly inside it.
   */
  addBatchLosses(losses: ArrayLike<number>, timeFromMs: number, timeToMs: number): void {
    const k = losses.length;
    for (let i = 0; i < k; i++) {
      const loss = losses[i] as number;
      const time = timeFromMs + ((timeToMs - timeFromMs) * (i + 1)) / k;
      this.addOne(loss, time);
    }
    if (k > 0) this.version++;
  }

  private addOne(loss: number, timeMs: number): void {
    const step = this.steps++;
    // A NaN or infinite loss is not drawable: remember where it happened instead.
    if (!Number.isFinite(loss)) {
      if (this.firstNonFiniteStep === null) this.firstNonFiniteStep = step;
      return;
    }
    if (this.tryExtendLastBucket(step, loss, timeMs)) return;
    if (this.starts.length === this.capacity) {
      this.mergePairs();
      if (this.tryExtendLastBucket(step, loss, timeMs)) return;
    }
    this.starts.push(Math.floor(step / this.width) * this.width);
    this.counts.push(1);
    this.mins.push(loss);
    this.maxs.push(loss);
    this.sums.push(loss);
    this.times.push(timeMs);
  }

  private tryExtendLastBucket(step: number, loss: number, timeMs: number): boolean {
    const last = this.starts.length - 1;
    if (last < 0 || this.starts[last] !== Math.floor(step / this.width) * this.width) return false;
    this.counts[last] = (this.counts[last] as number) + 1;
    this.mins[last] = Math.min(this.mins[last] as number, loss);
    this.maxs[last] = Math.max(this.maxs[last] as number, loss);
    this.sums[last] = (this.sums[last] as number) + loss;
    this.times[last] = timeMs;
    return true;
  }

  private mergePairs(): void {
    this.width *= 2;
    const half = this.starts.length / 2;
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const b = a + 1;
      this.starts[i] = this.starts[a] as number;
      this.counts[i] = (this.counts[a] as number) + (this.counts[b] as number);
      this.mins[i] = Math.min(this.mins[a] as number, this.mins[b] as number);
      this.maxs[i] = Math.max(this.maxs[a] as number, this.maxs[b] as number);
      this.sums[i] = (this.sums[a] as number) + (this.sums[b] as number);
      this.times[i] = this.times[b] as number;
    }
    for (const array of [this.starts, this.counts, this.mins, this.maxs, this.sums, this.times])
      array.length = half;
  }

  addDatasetLoss(point: DatasetLossPoint): void {
    if (this.datasetPoints.length >= this.capacity) {
      const kept = this.datasetPoints.filter((_, i) => i % 2 === 0);
      this.datasetPoints.length = 0;
      this.datasetPoints.push(...kept);
    }
    this.datasetPoints.push(point);
    this.version++;
  }

  /** Steps per bucket now. */
  get bucketWidth(): number {
    return this.width;
  }

  buckets(): BatchBucket[] {
    return this.starts.map((stepStart, i) => ({
      stepStart,
      count: this.counts[i] as number,
      min: this.mins[i] as number,
      max: this.maxs[i] as number,
      mean: (this.sums[i] as number) / (this.counts[i] as number),
      timeMs: this.times[i] as number,
    }));
  }

  datasetLosses(): readonly DatasetLossPoint[] {
    return this.datasetPoints;
  }

  firstDatasetLoss(): number | undefined {
    return this.datasetPoints[0]?.loss;
  }

  latestDatasetLoss(): number | undefined {
    return this.datasetPoints[this.datasetPoints.length - 1]?.loss;
  }
}
