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
import { CpuTrainer } from './trainer';

interface CpuRun {
  trainer: CpuTrainer;
  diverged: boolean;
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
      const loss = trainer.datasetLossSync();
      if (!Number.isFinite(loss)) run.diverged = true;
      updates.push({
        runId,
        progress: trainer.progressSync(),
        batchLosses: losses.slice(0, taken),
        datasetLoss: loss,
        diverged: run.diverged,
      });
    }
    return updates;
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
  }

  async perSampleGradients(runId: number, indices: ArrayLike<number>): Promise<Float64Array> {
    return this.run(runId).trainer.perSampleGradientsSync(indices);
  }

  async datasetLoss(runId: number): Promise<number> {
    return this.run(runId).trainer.datasetLossSync();
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
