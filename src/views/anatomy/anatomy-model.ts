/**
 * Everything the anatomy panel shows for one batch, gathered from `src/metrics/anatomy.ts` (which
 * uses the CPU reference engine's own functions). The component only renders this object.
 */
import { xor } from '../../data/synthetic';
import { initParams } from '../../engine/model';
import { BatchSchedule } from '../../engine/schedule';
import type { Dataset, ModelSpec, Reduction } from '../../engine/types';
import {
  type BatchAnatomy,
  dissectBatch,
  meanAndSpreadBasis,
  type ProjectedGradients,
  parameterBasis,
  parameterNames,
  projectDisplacements,
  projectGradients,
  type ReductionPaths,
  reductionPaths,
  type SequentialVsAveraged,
  sequentialVsAveraged,
} from '../../metrics/anatomy';

export interface AnatomySetup {
  dataset: Dataset;
  model: ModelSpec;
  initialWeights: Float64Array;
}

/** A small network on XOR: 13 parameters, few enough for one bar each. */
export function defaultAnatomySetup(): AnatomySetup {
  const dataset = xor({ n: 64, noise: 0.1, seed: 4 });
  const model: ModelSpec = { inputSize: 2, hidden: [3], outputSize: 1, activation: 'tanh', loss: 'bce' };
  return { dataset, model, initialWeights: initParams(model, 8) };
}

export interface AnatomySettings {
  batchSize: number;
  learningRate: number;
  reduction: Reduction;
  /** With the sum reduction, use lr/B (then the update equals the mean's with lr). */
  scaleSumByBatch: boolean;
  shuffleSeed: number;
  /** Steps of the sum-vs-mean comparison. */
  comparisonSteps: number;
  /** The plane of the 2-D pictures: mean gradient and largest disagreement, or two parameters. */
  projection: { kind: 'mean-spread' } | { kind: 'parameters'; first: number; second: number };
}

export interface AnatomyView {
  step: number;
  indices: Uint32Array;
  anatomy: BatchAnatomy;
  /** The learning rate the update used (lr, or lr/B for a scaled sum). */
  effectiveLearningRate: number;
  names: string[];
  /** Parameters drawn as bars (all of them for a small net, the most active 16 otherwise). */
  shownParameters: number[];
  axisLabels: [string, string];
  /** Axis labels for weight changes (the sequential-vs-averaged picture). */
  weightAxisLabels: [string, string];
  projected: ProjectedGradients;
  /** Projection of the gradient the update used (mean or sum). */
  combined: [number, number];
  sequential: SequentialVsAveraged;
  sequentialProjected: Float64Array;
  averagedProjected: Float64Array;
  paths: ReductionPaths;
  /** The first target of each batch sample (class index or value). */
  targets: Float64Array;
  /** ‖combined gradient‖ and ‖Δw‖. */
  combinedLength: number;
  updateLength: number;
}

function euclidean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < values.length; j++) sum += (values[j] as number) ** 2;
  return Math.sqrt(sum);
}

const MAX_BARS = 16;

export function buildAnatomyView(
  setup: AnatomySetup,
  weights: Float64Array,
  step: number,
  settings: AnatomySettings,
): AnatomyView {
  const { dataset, model } = setup;
  const B = Math.min(Math.max(1, Math.round(settings.batchSize)), dataset.n);
  const schedule = new BatchSchedule(dataset.n, {
    batchSize: B,
    lastBatch: 'drop',
    shuffleSeed: settings.shuffleSeed,
  });
  const indices = schedule.batch(step).slice();
  const effectiveLearningRate =
    settings.reduction === 'sum' && settings.scaleSumByBatch
      ? settings.learningRate / B
      : settings.learningRate;
  const anatomy = dissectBatch(model, weights, dataset, indices, {
    learningRate: effectiveLearningRate,
    reduction: settings.reduction,
  });
  const p = anatomy.paramCount;
  const names = parameterNames(model);
  const projection = settings.projection;
  const byParameters =
    projection.kind === 'parameters' &&
    projection.first !== projection.second &&
    Math.max(projection.first, projection.second) < p;
  const basis =
    byParameters && projection.kind === 'parameters'
      ? parameterBasis(p, projection.first, projection.second, names)
      : meanAndSpreadBasis(anatomy.gradients, B, p);
  const projected = projectGradients(anatomy.gradients, B, p, basis);
  const combinedXY = projectGradients(anatomy.reducedGradient, 1, p, basis).samples;
  const activity = Array.from({ length: p }, (_, j) => {
    let total = 0;
    for (let s = 0; s < B; s++) total += Math.abs(anatomy.gradients[s * p + j] as number);
    return total;
  });
  const shownParameters =
    p <= MAX_BARS
      ? Array.from({ length: p }, (_, j) => j)
      : Array.from({ length: p }, (_, j) => j)
          .sort((a, b) => (activity[b] as number) - (activity[a] as number))
          .slice(0, MAX_BARS)
          .sort((a, b) => a - b);
  const sequential = sequentialVsAveraged(model, weights, dataset, indices, settings.learningRate);
  return {
    step,
    indices,
    anatomy,
    effectiveLearningRate,
    names,
    shownParameters,
    axisLabels: byParameters
      ? [`∂loss/∂${basis.labels[0]}`, `∂loss/∂${basis.labels[1]}`]
      : ['along the mean gradient', 'across it: largest disagreement'],
    weightAxisLabels: byParameters
      ? [`change of ${basis.labels[0]}`, `change of ${basis.labels[1]}`]
      : ['weight change along the mean gradient', 'across it'],
    projected,
    combined: [combinedXY[0] as number, combinedXY[1] as number],
    sequential,
    sequentialProjected: projectDisplacements(sequential.sequential.weights, weights, basis),
    averagedProjected: projectDisplacements(sequential.averaged.weights, weights, basis),
    paths: reductionPaths(
      model,
      weights,
      dataset,
      { batchSize: B, learningRate: settings.learningRate, shuffleSeed: settings.shuffleSeed },
      settings.comparisonSteps,
    ),
    targets: Float64Array.from(indices, (i) => dataset.y[i * dataset.targetSize] as number),
    combinedLength: euclidean(anatomy.reducedGradient),
    updateLength: euclidean(anatomy.update),
  };
}
