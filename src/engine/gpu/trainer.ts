/**
 * One training run on the WebGPU engine behind the `Trainer` interface: a GpuEngine holding a
 * single run. Same maths, schedule and seeds as the CPU trainer; only the speed differs.
 */
import type { Dataset, EngineKind, ModelSpec, TrainConfig, Trainer, TrainerProgress } from '../types';
import { GpuEngine, type GpuEngineOptions } from './engine';

export class GpuTrainer implements Trainer {
  readonly engine: EngineKind = 'webgpu';
  readonly config: Readonly<TrainConfig>;

  private constructor(
    readonly gpu: GpuEngine,
    private readonly runId: number,
    config: TrainConfig,
  ) {
    this.config = { ...config };
  }

  static async create(
    device: GPUDevice,
    dataset: Dataset,
    model: ModelSpec,
    config: TrainConfig,
    initialWeights: ArrayLike<number>,
    options: GpuEngineOptions = {},
  ): Promise<GpuTrainer> {
    const engine = await GpuEngine.create(device, dataset, model, { ...options, maxRuns: 1 });
    try {
      const runId = await engine.addRun(config, initialWeights);
      return new GpuTrainer(engine, runId, config);
    } catch (error) {
      engine.dispose();
      throw error;
    }
  }

  get model(): ModelSpec {
    return this.gpu.model;
  }

  get dataset(): Dataset {
    return this.gpu.dataset;
  }

  progress(): TrainerProgress {
    return this.gpu.progress(this.runId);
  }

  step(count = 1): Promise<Float64Array> {
    return this.gpu.stepRun(this.runId, count);
  }

  datasetLoss(): Promise<number> {
    return this.gpu.datasetLoss(this.runId);
  }

  getWeights(): Promise<Float64Array> {
    return this.gpu.getWeights(this.runId);
  }

  setWeights(weights: ArrayLike<number>): Promise<void> {
    return this.gpu.setWeights(this.runId, weights);
  }

  perSampleGradients(indices: ArrayLike<number>): Promise<Float64Array> {
    return this.gpu.perSampleGradients(this.runId, indices);
  }

  perSampleLosses(indices: ArrayLike<number>): Promise<Float64Array> {
    return this.gpu.perSampleLosses(this.runId, indices);
  }

  dispose(): void {
    this.gpu.dispose();
  }
}
