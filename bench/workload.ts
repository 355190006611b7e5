/**
 * The one workload every implementation trains in `npm run bench`: two spirals, N = 4,096,
 * 2→16→16→1 tanh, sigmoid output with binary cross-entropy, plain SGD (lr 0.1, mean reduction),
 * one set of initial weights and one shuffle seed, so every implementation sees the same batches.
 */
import { BENCHMARK_WORKLOAD, defaultModelFor, loadDataset } from '../src/data/catalog';
import { initParams } from '../src/engine/model';
import type { Dataset, ModelSpec, TrainConfig } from '../src/engine/types';

/** Batch sizes of the throughput table. */
export const BENCH_BATCH_SIZES = [1, 32, 256, 4096] as const;
/** Batch sizes of the wider model's comparison. */
export const WIDE_BATCH_SIZES = [32, 4096] as const;
export const LEARNING_RATE = 0.1;
/** Seed of the shared initial weights. */
export const INIT_SEED = 42;
/** Steps after which every implementation's dataset loss is compared. */
export const LOSS_CHECK_STEPS = 20;

export interface Workload {
  dataset: Dataset;
  model: ModelSpec;
  wideModel: ModelSpec;
  initialWeights: Float64Array;
  wideInitialWeights: Float64Array;
  description: string;
}

export async function loadWorkload(): Promise<Workload> {
  const dataset = await loadDataset(BENCHMARK_WORKLOAD.dataset, {
    n: BENCHMARK_WORKLOAD.n,
    noise: BENCHMARK_WORKLOAD.noise,
    seed: BENCHMARK_WORKLOAD.seed,
  });
  const model = defaultModelFor(dataset, [16, 16], 'tanh');
  const wideModel = defaultModelFor(dataset, [64, 64], 'tanh');
  return {
    dataset,
    model,
    wideModel,
    initialWeights: initParams(model, INIT_SEED),
    wideInitialWeights: initParams(wideModel, INIT_SEED),
    description:
      `two spirals, N = ${dataset.n} (noise ${BENCHMARK_WORKLOAD.noise}, seed ${BENCHMARK_WORKLOAD.seed}), ` +
      `2→16→16→1 tanh, sigmoid + BCE, SGD lr ${LEARNING_RATE}, mean reduction, ` +
      `initial weights seed ${INIT_SEED}, shuffle seed ${BENCHMARK_WORKLOAD.seed}`,
  };
}

export function trainConfig(batchSize: number): TrainConfig {
  return {
    batchSize,
    learningRate: LEARNING_RATE,
    reduction: 'mean',
    momentum: 0,
    lastBatch: 'keep',
    shuffleSeed: BENCHMARK_WORKLOAD.seed,
  };
}

/** 1, 2, 4, …, up to n: the batch sizes of the race. */
export function powersOfTwoUpTo(n: number): number[] {
  const sizes: number[] = [];
  for (let b = 1; b <= n; b *= 2) sizes.push(b);
  return sizes;
}
