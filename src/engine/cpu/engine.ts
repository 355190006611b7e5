import { paramCount } from '../model';
import { stepsForAdvance } from '../schedule';
import type {
  AdvanceRequest,
  Dataset,
  EngineKind,
  ModelSpec,
  RunCheckpoint,
  RunUpdate,
  TrainConfig,
  TrainingEngine,
} from '../types';
import { createWorkspace, lossSum, type MlpWorkspace } from './mlp';
import { CpuTrainer } from './trainer';

interface CpuRun {
  trainer: CpuTrainer;
  diverged: boolean;
  /** The last dataset loss measured, and the step whose weights it belongs to. */
  measured?: { loss: number; step: number };
  /** A measurement over several advances: the weights of `step`, the sum so far, the next sample. */
  measuring?: { weights: Float64Array; step: number; sum: number; next: number };
}

/**
 * Multiply-adds an advance may spend on dataset losses, over all its runs. The loss of the
 * largest dataset and network (20,000 samples × 12,737 weights) is 2.5 × 10⁸: measured after
 * every advance it took 250 ms each time, a frozen page when the engine runs on the main thread
 * (the one-file embed) and a crawl in a worker. Above this, a run's loss is measured a share of
 * the samples per advance, for the weights of the step where the measurement began.
 */
export const LOSS_WORK_PER_ADVANCE = 10_000_000;

/** Lets other work run between two shares of a long measurement. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function allFinite(values: Float64Array): boolean {
  for (let p = 0; p < values.length; p++) if (!Number.isFinite(values[p] as number)) return false;
  return true;
}

/**
 * Several independent CPU runs on one dataset and model (the "race" of batch sizes). A run whose
 * loss or weights stop being finite is marked diverged and takes no further steps; the other
 * runs go on. `advance` reports every run, diverged ones with no new steps.
 */
export class CpuEngine implements TrainingEngine {
  readonly engine: EngineKind = 'cpu';
  readonly label = 'CPU';
  private readonly runs = new Map<number, CpuRun>();
  private nextRunId = 0;

  constructor(
    readonly dataset: Dataset,
    readonly model: ModelSpec,
    private readonly lossWorkPerAdvance = LOSS_WORK_PER_ADVANCE,
  ) {}

  /** Rejects with a readable RangeError when the config or weights do not fit. */
  async addRun(config: TrainConfig, initialWeights: ArrayLike<number>): Promise<number> {
    const trainer = new CpuTrainer(this.dataset, this.model, config, initialWeights);
    const runId = this.nextRunId++;
    this.runs.set(runId, { trainer, diverged: false });
    return runId;
  }

  removeRun(runId: number): void {
    this.runs.get(runId)?.trainer.dispose();
    this.runs.delete(runId);
  }

  runIds(): number[] {
    return [...this.runs.keys()];
  }

  async exportRun(runId: number): Promise<RunCheckpoint> {
    const run = this.run(runId);
    return {
      weights: run.trainer.weights.slice(),
      velocity: run.trainer.velocitySync(),
      step: run.trainer.progressSync().step,
      diverged: run.diverged,
    };
  }

  async importRun(config: TrainConfig, checkpoint: RunCheckpoint): Promise<number> {
    const trainer = new CpuTrainer(this.dataset, this.model, config, checkpoint.weights);
    trainer.restoreSync(checkpoint.weights, checkpoint.velocity, checkpoint.step);
    const runId = this.nextRunId++;
    this.runs.set(runId, { trainer, diverged: checkpoint.diverged });
    return runId;
  }

  async stopRun(runId: number): Promise<void> {
    this.run(runId).diverged = true;
  }

  /** The trainer behind a run, for synchronous access in tests and metrics. */
  trainer(runId: number): CpuTrainer {
    return this.run(runId).trainer;
  }

  isDiverged(runId: number): boolean {
    return this.run(runId).diverged;
  }

  advanceSync(request: AdvanceRequest): RunUpdate[] {
    const updates: RunUpdate[] = [];
    const live = [...this.runs.values()].filter((run) => !run.diverged).length;
    const lossSamples = this.lossShare(live);
    for (const [runId, run] of this.runs) {
      const { trainer } = run;
      const steps = run.diverged ? 0 : stepsForAdvance(request, trainer.config.batchSize);
      const losses = new Float64Array(steps);
      let taken = 0;
      // One step at a time, so a run stops at the first non-finite loss or weight.
      while (taken < steps && !run.diverged) {
        const loss = trainer.stepSync(1)[0] as number;
        losses[taken++] = loss;
        if (!Number.isFinite(loss) || !allFinite(trainer.weights)) run.diverged = true;
      }
      const { loss, step } = this.measure(run, lossSamples);
      if (!Number.isFinite(loss)) run.diverged = true;
      const progress = trainer.progressSync();
      updates.push({
        runId,
        progress,
        batchLosses: losses.slice(0, taken),
        datasetLoss: loss,
        ...(step !== progress.step ? { datasetLossStep: step } : {}),
        diverged: run.diverged,
      });
    }
    return updates;
  }

  /**
   * The run's dataset loss after this advance: measured at once when the dataset fits the
   * budget (or the run has stopped), else the latest finished measurement, `samples` more of
   * the current one evaluated now (a new one starts from the current weights when none runs).
   * Samples are summed in dataset order, so the result equals `datasetLoss` of those weights.
   */
  private measure(run: CpuRun, samples: number): { loss: number; step: number } {
    const { trainer } = run;
    const now = trainer.progressSync().step;
    // A stopped run's weights are not worth measuring (they may not even be finite).
    if (run.diverged) return { loss: Number.NaN, step: now };
    if (this.dataset.n <= samples || !run.measured) {
      run.measuring = undefined;
      run.measured = { loss: trainer.datasetLossSync(), step: now };
      return run.measured;
    }
    const pass = run.measuring ?? { weights: trainer.weights.slice(), step: now, sum: 0, next: 0 };
    const end = Math.min(this.dataset.n, pass.next + samples);
    pass.sum = lossSum(
      this.model,
      pass.weights,
      this.dataset,
      pass.next,
      end,
      this.lossWorkspace(),
      pass.sum,
    );
    pass.next = end;
    if (end === this.dataset.n) {
      run.measured = { loss: pass.sum / this.dataset.n, step: pass.step };
      run.measuring = undefined;
    } else run.measuring = pass;
    return run.measured;
  }

  /** Samples whose loss each of `runs` runs may evaluate in one advance (the budget shared). */
  private lossShare(runs: number): number {
    return Math.max(
      1,
      Math.floor(this.lossWorkPerAdvance / (Math.max(1, paramCount(this.model)) * Math.max(1, runs))),
    );
  }

  private workspace: MlpWorkspace | null = null;

  private lossWorkspace(): MlpWorkspace {
    this.workspace ??= createWorkspace(this.model);
    return this.workspace;
  }

  async advance(request: AdvanceRequest): Promise<RunUpdate[]> {
    return this.advanceSync(request);
  }

  async getWeights(runId: number): Promise<Float64Array> {
    return this.run(runId).trainer.weights.slice();
  }

  /** New weights give the run a fresh start: momentum cleared, divergence flag lifted. */
  async setWeights(runId: number, weights: ArrayLike<number>): Promise<void> {
    const run = this.run(runId);
    run.trainer.setWeightsSync(weights);
    run.diverged = false;
    run.measured = undefined;
    run.measuring = undefined;
  }

  async perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.run(runId).trainer.perSampleGradientsSync(indices);
  }

  /**
   * The run's dataset loss now. A dataset over the per-advance budget is measured a share at a
   * time with a pause between (so the engine never holds the thread long, on the main thread
   * too); the result is kept as the run's latest measurement.
   */
  async datasetLoss(runId: number): Promise<number> {
    const run = this.run(runId);
    const { trainer } = run;
    const step = trainer.progressSync().step;
    const samples = this.lossShare(1);
    let loss: number;
    if (this.dataset.n <= samples) loss = trainer.datasetLossSync();
    else {
      const weights = trainer.weights.slice();
      let sum = 0;
      for (let from = 0; from < this.dataset.n; from += samples) {
        if (from > 0) await pause();
        const end = Math.min(this.dataset.n, from + samples);
        sum = lossSum(this.model, weights, this.dataset, from, end, this.lossWorkspace(), sum);
      }
      loss = sum / this.dataset.n;
    }
    if (trainer.progressSync().step === step) {
      run.measured = { loss, step };
      run.measuring = undefined;
    }
    return loss;
  }

  dispose(): void {
    for (const run of this.runs.values()) run.trainer.dispose();
    this.runs.clear();
  }

  private run(runId: number): CpuRun {
    const run = this.runs.get(runId);
    if (!run) throw new RangeError(`no run with id ${runId}`);
    return run;
  }
}
