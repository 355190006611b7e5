/**
 * Everything the anatomy panel shows for one batch, gathered from `src/metrics/anatomy.ts` (which
 * uses the CPU reference engine's own functions), and the panel's own state (which stage, which
 * batch, which weights) as a reducer. The component only renders these.
 */
import { formatCount } from '../../data/format-count';
import { xor } from '../../data/synthetic';
import { initParams } from '../../engine/model';
import { combineSeeds } from '../../engine/random';
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
  reductionPathsSteps,
  type SequentialVsAveraged,
  sequentialVsAveragedSteps,
} from '../../metrics/anatomy';
import { randomSubset } from '../../metrics/noise-stream';
import { runToEnd, type Steps } from '../../metrics/steps';

export interface AnatomySetup {
  dataset: Dataset;
  model: ModelSpec;
  initialWeights: Float64Array;
  /** Seed of the shuffle the batches come from. */
  shuffleSeed: number;
  /** What is being dissected, in words (shown above the stages). */
  description: string;
}

/** The small example's learning rate: large enough that one update visibly moves the weights. */
export const EXAMPLE_LEARNING_RATE = 0.5;

/** A small network on XOR: 13 parameters, few enough for one bar each. */
export function defaultAnatomySetup(): AnatomySetup {
  const dataset = xor({ n: 64, noise: 0.1, seed: 4 });
  const model: ModelSpec = { inputSize: 2, hidden: [3], outputSize: 1, activation: 'tanh', loss: 'bce' };
  return {
    dataset,
    model,
    initialWeights: initParams(model, 8),
    shuffleSeed: 7,
    description: `a small example: XOR, ${dataset.n} points, a ${networkText(model)} network (${parameterNames(model).length} weights, few enough to show one bar each)`,
  };
}

/** `2-8-8-1`: the widths of a network's layers. */
export function networkText(model: ModelSpec): string {
  return [model.inputSize, ...model.hidden, model.outputSize].join('-');
}

/**
 * The page's own problem: its dataset, its network from the runs' shared starting weights and
 * the runs' shuffle, so the first batch dissected is the first batch the runs train on.
 */
export function pageAnatomySetup(
  dataset: Dataset,
  model: ModelSpec,
  initialWeights: Float64Array,
  seed: number,
): AnatomySetup {
  return {
    dataset,
    model,
    initialWeights,
    shuffleSeed: combineSeeds(seed, 2),
    description: `the page's data: ${dataset.name}, ${formatCount(dataset.n)} points, its ${networkText(model)} network (${formatCount(parameterNames(model).length)} weights) from the runs' starting weights`,
  };
}

/** The stages of one update, in order; each stage's caption is what the learner reads. */
export const ANATOMY_STAGES = [
  {
    id: 'batch',
    title: 'Draw a batch',
    caption:
      "B samples are taken from the shuffled dataset named above (the next B of this epoch's shuffle). The network and its weights have not changed yet.",
  },
  {
    id: 'forward',
    title: 'Forward pass',
    caption:
      'Each sample goes through the same network with the same weights, independently of the others: B predictions ŷ.',
  },
  {
    id: 'loss',
    title: 'Loss per sample',
    caption:
      'Each prediction is compared with its own target: one loss per sample. The batch loss is just their mean.',
  },
  {
    id: 'gradients',
    title: 'Backprop per sample',
    caption:
      'Back-propagation runs for each sample separately and gives B gradients: each says how that one sample would like every weight to move. They disagree.',
  },
  {
    id: 'reduce',
    title: 'Mean (or sum)',
    caption:
      'The B gradients (not the losses) are added up weight by weight and divided by B (mean) or not (sum). Every sample of the batch counts, equally; where they disagree they partly cancel.',
  },
  {
    id: 'update',
    title: 'One update',
    caption:
      'The weights change ONCE for the whole batch, w ← w − lr · ḡ: once per batch, not once per sample.',
  },
  {
    id: 'sequential',
    title: 'Sequential vs averaged',
    caption:
      "Why not apply each sample's change in turn? Then B full-size steps replace one: each gradient is taken at a different point (where the previous samples left the weights), so the walk goes much further and lands somewhere else.",
  },
  {
    id: 'sum-mean',
    title: 'Sum vs mean',
    caption:
      'Summing with learning rate lr/B takes exactly the same path as averaging with lr; summing with unchanged lr takes B-times larger steps.',
  },
] as const;

export type AnatomyStageId = (typeof ANATOMY_STAGES)[number]['id'];

export function stageIndex(id: string): number {
  return ANATOMY_STAGES.findIndex((s) => s.id === id);
}

export const ANATOMY_BATCH_SIZES: readonly number[] = [2, 4, 8, 16];
export const ANATOMY_LEARNING_RATES: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

/** Which problem the panel dissects: its own small example, or the page's. */
export type AnatomySource = 'example' | 'page';

/** The panel's state: everything the learner chooses in it. */
export interface AnatomyState {
  source: AnatomySource;
  stage: number;
  /** Batches applied since the start (the batch shown is the next one). */
  step: number;
  weights: Float64Array;
  batchSize: number;
  learningRate: number;
  reduction: Reduction;
  scaleSum: boolean;
  plane: 'mean-spread' | 'parameters';
  firstParameter: number;
  secondParameter: number;
}

export type AnatomyAction =
  | { type: 'stage'; stage: number }
  | { type: 'move'; by: number }
  | { type: 'batchSize'; value: number }
  | { type: 'learningRate'; value: number }
  | { type: 'reduction'; value: Reduction }
  | { type: 'scaleSum'; value: boolean }
  | { type: 'plane'; value: 'mean-spread' | 'parameters' }
  | { type: 'firstParameter'; value: number }
  | { type: 'secondParameter'; value: number }
  /** "Apply the update, next batch": the weights after this batch's update. */
  | { type: 'apply'; weightsAfter: Float64Array }
  /**
   * Back to the first batch from these starting weights: Restart (to the first stage), or a new
   * problem to dissect (`keepStage`: the learner stays at the stage they were reading).
   */
  | { type: 'restart'; initialWeights: Float64Array; keepStage?: boolean }
  /** Dissect another problem, with its learning rate. */
  | { type: 'source'; source: AnatomySource; initialWeights: Float64Array; learningRate: number };

export function initialAnatomyState(
  initialWeights: Float64Array,
  options: { batchSize?: number; learningRate?: number } = {},
): AnatomyState {
  return {
    source: 'example',
    stage: 0,
    step: 0,
    weights: initialWeights.slice(),
    batchSize: options.batchSize ?? 8,
    learningRate: options.learningRate ?? EXAMPLE_LEARNING_RATE,
    reduction: 'mean',
    scaleSum: true,
    plane: 'mean-spread',
    firstParameter: 0,
    secondParameter: 1,
  };
}

const lastStage = ANATOMY_STAGES.length - 1;

function clampStage(stage: number): number {
  return Math.min(lastStage, Math.max(0, Math.round(stage)));
}

/** The nearest of the panel's learning rates, so a page's rate shows in its menu. */
export function nearestAnatomyLearningRate(lr: number): number {
  let best = ANATOMY_LEARNING_RATES[0] as number;
  for (const v of ANATOMY_LEARNING_RATES)
    if (Math.abs(Math.log(v / lr)) < Math.abs(Math.log(best / lr))) best = v;
  return best;
}

export function anatomyReducer(state: AnatomyState, action: AnatomyAction): AnatomyState {
  switch (action.type) {
    case 'stage':
      return { ...state, stage: clampStage(action.stage) };
    case 'move':
      return { ...state, stage: clampStage(state.stage + action.by) };
    case 'batchSize':
      return { ...state, batchSize: action.value };
    case 'learningRate':
      return { ...state, learningRate: action.value };
    case 'reduction':
      return { ...state, reduction: action.value };
    case 'scaleSum':
      return { ...state, scaleSum: action.value };
    case 'plane':
      return { ...state, plane: action.value };
    case 'firstParameter':
      return action.value === state.secondParameter ? state : { ...state, firstParameter: action.value };
    case 'secondParameter':
      return action.value === state.firstParameter ? state : { ...state, secondParameter: action.value };
    case 'apply':
      return { ...state, weights: action.weightsAfter.slice(), step: state.step + 1, stage: 0 };
    case 'restart':
      return {
        ...state,
        weights: action.initialWeights.slice(),
        step: 0,
        stage: action.keepStage ? state.stage : 0,
      };
    case 'source':
      return {
        ...state,
        source: action.source,
        weights: action.initialWeights.slice(),
        step: 0,
        learningRate: nearestAnatomyLearningRate(action.learningRate),
        firstParameter: 0,
        secondParameter: 1,
      };
  }
}

/** The settings `buildAnatomyView` needs, from the panel's state. */
export function anatomySettings(
  state: Pick<
    AnatomyState,
    'batchSize' | 'learningRate' | 'reduction' | 'scaleSum' | 'plane' | 'firstParameter' | 'secondParameter'
  >,
  setup: AnatomySetup,
): AnatomySettings {
  return {
    batchSize: state.batchSize,
    learningRate: state.learningRate,
    reduction: state.reduction,
    scaleSumByBatch: state.scaleSum,
    shuffleSeed: setup.shuffleSeed,
    comparisonSteps: 20,
    projection:
      state.plane === 'parameters'
        ? { kind: 'parameters', first: state.firstParameter, second: state.secondParameter }
        : { kind: 'mean-spread' },
  };
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
  /**
   * The samples the "dataset" losses are measured on: all N, or (the page's data with a large
   * network) a random subset of them, so that one view costs at most `LOSS_WORK` multiply-adds.
   */
  lossSamples: { measured: number; of: number };
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
  return runToEnd(anatomyViewSteps(setup, weights, step, settings));
}

/**
 * Multiply-adds the "dataset" losses of one view may cost: every view measures the loss of
 * about 84 points (2 for the update, up to 19 for the sequential walk, 63 for the three 20-step
 * paths). On the page's data at the largest settings (N = 20,000, 12,737 weights) the whole
 * dataset would be 21 G multiply-adds: the panel froze the page for half a minute.
 */
export const LOSS_WORK = 200_000_000;
const LOSS_POINTS = 84;
/** Fewer samples than this would make a poor estimate of the loss: never fewer. */
const MIN_LOSS_SAMPLES = 64;

const lossSets = new WeakMap<AnatomySetup, Dataset>();

/** The data the losses are measured on: the dataset, or a fixed random subset of a large one. */
export function lossDataset(setup: AnatomySetup): Dataset {
  const cached = lossSets.get(setup);
  if (cached) return cached;
  const { dataset } = setup;
  const perSample = LOSS_POINTS * setup.initialWeights.length;
  const m = Math.min(dataset.n, Math.max(MIN_LOSS_SAMPLES, Math.floor(LOSS_WORK / Math.max(1, perSample))));
  let subset = dataset;
  if (m < dataset.n) {
    const rows = Array.from(randomSubset(dataset.n, m, combineSeeds(setup.shuffleSeed, 7))).sort(
      (a, b) => a - b,
    );
    const x = new Float64Array(m * dataset.inputSize);
    const y = new Float64Array(m * dataset.targetSize);
    rows.forEach((row, k) => {
      x.set(
        dataset.x.subarray(row * dataset.inputSize, (row + 1) * dataset.inputSize),
        k * dataset.inputSize,
      );
      y.set(
        dataset.y.subarray(row * dataset.targetSize, (row + 1) * dataset.targetSize),
        k * dataset.targetSize,
      );
    });
    subset = { ...dataset, n: m, x, y };
  }
  lossSets.set(setup, subset);
  return subset;
}

/**
 * `buildAnatomyView` as a generator that yields after each loss measured, so the panel computes
 * a view in slices (`runInSlices`) and never blocks the page.
 */
export function* anatomyViewSteps(
  setup: AnatomySetup,
  weights: Float64Array,
  step: number,
  settings: AnatomySettings,
): Steps<AnatomyView> {
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
  const lossOn = lossDataset(setup);
  const anatomy = dissectBatch(model, weights, dataset, indices, {
    learningRate: effectiveLearningRate,
    reduction: settings.reduction,
    lossOn,
  });
  yield;
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
  const sequential = yield* sequentialVsAveragedSteps(
    model,
    weights,
    dataset,
    indices,
    settings.learningRate,
    lossOn,
  );
  yield;
  const paths = yield* reductionPathsSteps(
    model,
    weights,
    dataset,
    { batchSize: B, learningRate: settings.learningRate, shuffleSeed: settings.shuffleSeed },
    settings.comparisonSteps,
    lossOn,
  );
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
    paths,
    lossSamples: { measured: lossOn.n, of: dataset.n },
    targets: Float64Array.from(indices, (i) => dataset.y[i * dataset.targetSize] as number),
    combinedLength: euclidean(anatomy.reducedGradient),
    updateLength: euclidean(anatomy.update),
  };
}

/** What the "dataset" losses of `view` are measured on, in words: the whole dataset or a subset. */
export function lossName(view: Pick<AnatomyView, 'lossSamples'>): string {
  const { measured, of } = view.lossSamples;
  return measured < of
    ? `loss on ${formatCount(measured)} of the ${formatCount(of)} samples`
    : 'full-dataset loss';
}

export interface WeightChoice {
  /** Index into the flat weight layout. */
  index: number;
  name: string;
}

/** Above this many weights, the two-weight plane offers the most active ones, not all. */
export const MAX_WEIGHT_CHOICES = 64;

/**
 * The weights offered for the two-weight plane: all of a small network's; of a large one, the
 * weights the view draws as bars (the most active) and the two chosen. Two lists of 12,737
 * options took a long task to build and were no use to read.
 */
export function weightChoices(
  names: readonly string[],
  view: Pick<AnatomyView, 'shownParameters'> | null,
  chosen: readonly number[],
): WeightChoice[] {
  const indices =
    names.length <= MAX_WEIGHT_CHOICES
      ? names.map((_, index) => index)
      : [...new Set([...(view?.shownParameters ?? []), ...chosen])]
          .filter((index) => index >= 0 && index < names.length)
          .sort((a, b) => a - b);
  return indices.map((index) => ({ index, name: names[index] ?? `θ${index}` }));
}
