import { paramCount, validateModel } from '../model';
import { BatchSchedule } from '../schedule';
import type { Dataset, EngineKind, ModelSpec, TrainConfig, Trainer, TrainerProgress } from '../types';
import { applyUpdate } from '../update';
import {
  batchLossAndGradient,
  createWorkspace,
  datasetLoss,
  type MlpWorkspace,
  perSampleGradients,
  perSampleLosses,
} from './mlp';

/** Reason a training config cannot be used, or null when it is fine. */
export function validateTrainConfig(config: TrainConfig, n: number): string | null {
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1 || config.batchSize > n) {
    return `the batch size must be a whole number from 1 to N = ${n}`;
  }
  if (!Number.isFinite(config.learningRate) || config.learningRate < 0) {
    return 'the learning rate must be a finite number ≥ 0';
  }
  if (!Number.isFinite(config.momentum) || config.momentum < 0 || config.momentum >= 1) {
    return 'the momentum must be in [0, 1)';
  }
  if (config.reduction !== 'mean' && config.reduction !== 'sum')
    return "the reduction must be 'mean' or 'sum'";
  if (config.lastBatch !== 'keep' && config.lastBatch !== 'drop')
    return "the last batch must be 'keep' or 'drop'";
  return null;
}

/**
 * One training run on the CPU, in float64: the reference every other engine is checked against.
 * Each step takes the next batch of the epoch schedule, computes the batch loss and gradient at
 * the current weights, then applies one update. The async `Trainer` methods wrap the `…Sync` ones.
 */
export class CpuTrainer implements Trainer {
  readonly engine: EngineKind = 'cpu';
  readonly config: Readonly<TrainConfig>;
  /** The live parameter vector (flat layout of `paramLayout`); updated in place by each step. */
  readonly weights: Float64Array;
  private readonly velocity: Float64Array;
  private readonly gradient: Float64Array;
  private readonly workspace: MlpWorkspace;
  private readonly schedule: BatchSchedule;
  private stepCount = 0;

  /** Throws a RangeError with a readable reason when the model, config or weights do not fit. */
  constructor(
    readonly dataset: Dataset,
    readonly model: ModelSpec,
    config: TrainConfig,
    initialWeights: ArrayLike<number>,
  ) {
    const problem = validateModel(model) ?? validateTrainConfig(config, dataset.n);
    if (problem) throw new RangeError(problem);
    if (model.inputSize !== dataset.inputSize) {
      throw new RangeError(
        `the model takes ${model.inputSize} inputs but the dataset has ${dataset.inputSize}`,
      );
    }
    const count = paramCount(model);
    if (initialWeights.length !== count) {
      throw new RangeError(`expected ${count} initial weights, got ${initialWeights.length}`);
    }
    this.config = { ...config };
    this.weights = Float64Array.from(initialWeights);
    this.velocity = new Float64Array(count);
    this.gradient = new Float64Array(count);
    this.workspace = createWorkspace(model);
    this.schedule = new BatchSchedule(dataset.n, this.config);
  }

  /** Runs `count` steps; returns each step's batch loss (mean per-sample loss before its update). */
  stepSync(count = 1): Float64Array {
    const losses = new Float64Array(count);
    for (let s = 0; s < count; s++) {
      const batch = this.schedule.batch(this.stepCount);
      losses[s] = batchLossAndGradient(
        this.model,
        this.weights,
        this.dataset,
        batch,
        this.config.reduction,
        this.workspace,
        this.gradient,
      );
      applyUpdate(this.weights, this.velocity, this.gradient, this.config);
      this.stepCount++;
    }
    return losses;
  }

  /** Sample indices the next step will use (a copy). */
  nextBatch(): Uint32Array {
    return this.schedule.batch(this.stepCount).slice();
  }

  /** The batch gradient of the last step (at the weights before its update); read-only view. */
  get lastGradient(): Float64Array {
    return this.gradient;
  }

  progressSync(): TrainerProgress {
    return {
      step: this.stepCount,
      epoch: this.schedule.epochs(this.stepCount),
      samplesSeen: this.schedule.samplesSeen(this.stepCount),
    };
  }

  datasetLossSync(): number {
    return datasetLoss(this.model, this.weights, this.dataset, this.workspace);
  }

  /** Replaces the weights and clears the momentum (a new starting point, not a continuation). */
  setWeightsSync(weights: ArrayLike<number>): void {
    if (weights.length !== this.weights.length) {
      throw new RangeError(`expected ${this.weights.length} weights, got ${weights.length}`);
    }
    this.weights.set(weights);
    this.velocity.fill(0);
  }

  /** The momentum velocity (a copy). */
  velocitySync(): Float64Array {
    return this.velocity.slice();
  }

  /**
   * Continues from another run's state: its weights, its velocity and its step counter (hence
   * the same place in the same epoch's shuffle). Used to hand a run over between engines.
   */
  restoreSync(weights: ArrayLike<number>, velocity: ArrayLike<number>, step: number): void {
    if (weights.length !== this.weights.length || velocity.length !== this.velocity.length) {
      throw new RangeError(
        `expected ${this.weights.length} weights and velocities, got ${weights.length} and ${velocity.length}`,
      );
    }
    if (!Number.isInteger(step) || step < 0)
      throw new RangeError(`a step count must be a whole number ≥ 0, got ${step}`);
    this.weights.set(weights);
    this.velocity.set(velocity);
    this.stepCount = step;
  }

  perSampleGradientsSync(indices: ArrayLike<number>): Float64Array {
    return perSampleGradients(this.model, this.weights, this.dataset, indices, this.workspace);
  }

  perSampleLossesSync(indices: ArrayLike<number>): Float64Array {
    return perSampleLosses(this.model, this.weights, this.dataset, indices, this.workspace);
  }

  // The asynchronous `Trainer` interface, shared with the GPU engine.

  progress(): TrainerProgress {
    return this.progressSync();
  }

  async step(count = 1): Promise<Float64Array> {
    return this.stepSync(count);
  }

  async datasetLoss(): Promise<number> {
    return this.datasetLossSync();
  }

  async getWeights(): Promise<Float64Array> {
    return this.weights.slice();
  }

  async setWeights(weights: ArrayLike<number>): Promise<void> {
    this.setWeightsSync(weights);
  }

  async perSampleGradients(indices: ArrayLike<number>): Promise<Float64Array> {
    return this.perSampleGradientsSync(indices);
  }

  async perSampleLosses(indices: ArrayLike<number>): Promise<Float64Array> {
    return this.perSampleLossesSync(indices);
  }

  dispose(): void {
    // Nothing to release: plain arrays are garbage collected.
  }
}
