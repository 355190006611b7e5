/**
 * The contract shared by the CPU reference engine and the WebGPU engine.
 * The UI and the metrics talk only to these types, so they cannot tell the engines apart.
 */

export type Activation = 'tanh' | 'relu' | 'sigmoid' | 'linear';

/**
 * The loss also fixes the output activation:
 * - `mse`: linear output, loss = ½·Σ_k (ŷ_k − y_k)² per sample (½ so the output delta is ŷ − y);
 * - `bce`: one sigmoid output, binary cross-entropy, target in {0, 1};
 * - `softmax-ce`: softmax over `outputSize` classes, cross-entropy, target is the class index.
 */
export type LossKind = 'mse' | 'bce' | 'softmax-ce';

/** How per-sample gradients are combined into the batch gradient. */
export type Reduction = 'mean' | 'sum';

/** What happens to the last batch of an epoch when B does not divide N. */
export type LastBatchPolicy = 'keep' | 'drop';

export type EngineKind = 'cpu' | 'webgpu';

export interface ModelSpec {
  inputSize: number;
  /** Widths of the hidden layers, input side first; may be empty (a linear/logistic model). */
  hidden: readonly number[];
  outputSize: number;
  /** Activation of every hidden layer. */
  activation: Activation;
  loss: LossKind;
}

export interface Dataset {
  /** Stable identifier, e.g. `spirals`. */
  id: string;
  /** Human-readable name, e.g. `Two spirals`. */
  name: string;
  task: 'classification' | 'regression';
  n: number;
  inputSize: number;
  /** Number of targets per sample in `y` (1 for `bce` and `softmax-ce`, outputSize for `mse`). */
  targetSize: number;
  /** Number of classes for classification, 0 for regression. */
  classes: number;
  /** Inputs, N × inputSize, row-major. */
  x: Float64Array;
  /** Targets, N × targetSize, row-major. Class index (as a float) for classification. */
  y: Float64Array;
  /** Where the data comes from, shown in the UI (required for real datasets). */
  source?: string;
  /** Names of the input features and of the target, for axes and tooltips. */
  featureNames?: readonly string[];
  targetName?: string;
}

export interface TrainConfig {
  batchSize: number;
  learningRate: number;
  reduction: Reduction;
  /** Heavy-ball momentum μ (0 = plain SGD): v ← μ·v + g; w ← w − lr·v. */
  momentum: number;
  lastBatch: LastBatchPolicy;
  /** Seed of the epoch shuffles (see `epochPermutation`). */
  shuffleSeed: number;
}

export interface TrainerProgress {
  /** Weight updates done so far. */
  step: number;
  /** Completed epochs (fractional: step position within the current epoch). */
  epoch: number;
  /** Samples whose gradients have been used so far. */
  samplesSeen: number;
}

/** One training run on one engine. */
export interface Trainer {
  readonly engine: EngineKind;
  readonly model: ModelSpec;
  readonly dataset: Dataset;
  readonly config: Readonly<TrainConfig>;
  progress(): TrainerProgress;
  /**
   * Runs `count` batches (default 1): one weight update each. Resolves with the batch loss of
   * each step, the mean per-sample loss over the batch at the weights before that step's
   * update (a mean whatever the reduction, so curves compare across B).
   */
  step(count?: number): Promise<Float64Array>;
  /** Mean per-sample loss over the whole dataset at the current weights. */
  datasetLoss(): Promise<number>;
  getWeights(): Promise<Float64Array>;
  setWeights(weights: ArrayLike<number>): Promise<void>;
  /** Per-sample gradients at the current weights, k × paramCount, row-major, in `indices` order. */
  perSampleGradients(indices: ArrayLike<number>): Promise<Float64Array>;
  /** Per-sample losses at the current weights, in `indices` order. */
  perSampleLosses(indices: ArrayLike<number>): Promise<Float64Array>;
  dispose(): void;
}

/** What one `advance` did to one run. */
export interface RunUpdate {
  runId: number;
  progress: TrainerProgress;
  /** Batch loss of each step taken in this advance, in order (see `Trainer.step`). */
  batchLosses: Float64Array;
  /** Full-dataset loss after the last step of this advance (NaN/Infinity when diverged). */
  datasetLoss: number;
  /**
   * The step whose weights `datasetLoss` belongs to, when that is an earlier step than
   * `progress.step`: an engine may measure the loss of a large dataset over several advances
   * (the CPU engine does, so that no advance spends long on it). Absent: `progress.step`.
   */
  datasetLossStep?: number;
  /** True once any loss or weight became NaN or infinite; the run is then stopped. */
  diverged: boolean;
}

/**
 * Everything a run's future depends on besides its config, so that another engine (or another
 * instance) can take it over mid-run without restarting or repeating a step: the weights, the
 * momentum, and the number of steps taken, which fixes the position in the epoch's shuffle
 * (each epoch's order follows from the shuffle seed and the epoch number).
 */
export interface RunCheckpoint {
  weights: Float64Array;
  /** Heavy-ball velocity (all zeros for plain SGD). */
  velocity: Float64Array;
  /** Weight updates done so far. */
  step: number;
  /** True when the run was stopped (diverged): the importing engine keeps it stopped. */
  diverged: boolean;
}

export interface AdvanceRequest {
  /** Each run advances ceil(samplesPerRun / B) steps, so runs of every B cover the same epochs. */
  samplesPerRun: number;
  /** Upper bound on steps for any run in this advance. */
  maxStepsPerRun: number;
}

/**
 * Several independent runs (different B, learning rates, ...) on one dataset and model:
 * the "race" behind the side-by-side loss curves.
 */
export interface TrainingEngine {
  readonly engine: EngineKind;
  /** Shown in the UI's engine badge, e.g. `WebGPU: swiftshader` or `CPU`. */
  readonly label: string;
  readonly model: ModelSpec;
  readonly dataset: Dataset;
  addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number>;
  removeRun(runId: number): void;
  runIds(): number[];
  /** The run's full state, for a hand-over to another engine. */
  exportRun(runId: number): Promise<RunCheckpoint>;
  /** Adds a run that continues exactly where `checkpoint` left off (its step counter included). */
  importRun(config: TrainConfig, checkpoint: RunCheckpoint): Promise<number>;
  /**
   * Stops a run: it takes no further steps and is reported as diverged (the caller's rule found
   * its loss out of control although still finite). `setWeights` starts it again.
   */
  stopRun(runId: number): Promise<void>;
  advance(request: AdvanceRequest): Promise<RunUpdate[]>;
  getWeights(runId: number): Promise<Float64Array>;
  setWeights(runId: number, weights: ArrayLike<number>): Promise<void>;
  perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array>;
  datasetLoss(runId: number): Promise<number>;
  dispose(): void;
}
