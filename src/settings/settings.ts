/**
 * The settings model: what a page of batchlab can be set to, the bounds of each setting and
 * their defaults. Both shells (the page and the embed) and the state below them share it; the
 * URL codec beside it (`url-codec.ts`) reads and writes it.
 */
import type { Activation, LastBatchPolicy, Reduction } from '../engine/types';
import { DEFAULT_MAX_EPOCHS } from '../metrics/sweep/defaults';

export const PANEL_NAMES = [
  'controls',
  'data',
  'loss',
  'noise',
  'anatomy',
  'landscape',
  'sweep',
  'article',
] as const;
export type PanelName = (typeof PANEL_NAMES)[number];
/** A bare link shows every panel. */
export const DEFAULT_PANELS: readonly PanelName[] = PANEL_NAMES;

export const X_AXES = ['updates', 'epochs', 'samples', 'time'] as const;
export type XAxis = (typeof X_AXES)[number];
/** The loss plot's x scale: `auto` picks a readable one for the axis and the runs shown. */
export const X_SCALES = ['auto', 'linear', 'log'] as const;
export type XScale = (typeof X_SCALES)[number];
export const Y_SCALES = ['linear', 'log'] as const;
export type YScale = (typeof Y_SCALES)[number];
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu', 'sigmoid', 'linear'];
export const OPTIMIZERS = ['sgd', 'momentum'] as const;
export type Optimizer = (typeof OPTIMIZERS)[number];
/**
 * How the race picks each run's learning rate: the one on the slider for every B, that one
 * scaled in proportion to B (see `runLearningRate`), or each B's best from a finished sweep.
 */
export const LEARNING_RATE_MODES = ['same', 'scaled', 'sweep'] as const;
export type LearningRateMode = (typeof LEARNING_RATE_MODES)[number];
export const ENGINE_CHOICES = ['auto', 'cpu'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** Heavy-ball coefficient used when the optimiser is "SGD with momentum". */
export const MOMENTUM = 0.9;
export const MAX_HIDDEN_LAYERS = 4;
export const MAX_HIDDEN_WIDTH = 64;
export const MAX_SEED = 2 ** 31 - 1;
export const SPEEDS = [1, 2, 3, 4, 5] as const;
/** Learning rates on the control: a 1-2-5 sequence, so any URL value snaps to a nearby one. */
export const LEARNING_RATES: readonly number[] = (() => {
  const values: number[] = [];
  for (let exponent = -4; exponent <= 1; exponent++) {
    for (const mantissa of [1, 2, 5]) values.push(Number((mantissa * 10 ** exponent).toPrecision(1)));
  }
  return values.filter((v) => v <= 10);
})();

/** What the parser needs to know about each dataset (a subset of the catalog entries). */
export interface DatasetBounds {
  id: string;
  name: string;
  defaultN: number;
  minN: number;
  maxN: number;
  defaultNoise: number;
  noiseRange: readonly [number, number];
  /** The network and learning rate this dataset starts with (a generic default otherwise). */
  defaultHidden?: readonly number[];
  defaultActivation?: Activation;
  defaultLearningRate?: number;
}

/** The dataset a bare URL opens: quick to learn, so the batch-size lesson shows within seconds. */
export const DEFAULT_DATASET_ID = 'circles';

export interface Settings {
  dataset: string;
  n: number;
  noise: number;
  seed: number;
  hidden: number[];
  activation: Activation;
  learningRate: number;
  /** Learning rate per batch size in the race: same for all, scaled ∝ B, or best from the sweep. */
  learningRateMode: LearningRateMode;
  reduction: Reduction;
  optimizer: Optimizer;
  lastBatch: LastBatchPolicy;
  /** The batch size the slider shows: the next run starts with it. */
  batchSize: number;
  /** Batch sizes of the runs on the loss plot (a link restarts them side by side). */
  runs: number[];
  xAxis: XAxis;
  xScale: XScale;
  yScale: YScale;
  speed: number;
  engine: EngineChoice;
  panels: PanelName[];
  playing: boolean;
  /** The batch-size sweep's target loss; null: chosen from the data (see `autoTarget`). */
  sweepTarget: number | null;
  /** The sweep's learning-rate grid; null: the dataset's default grid (`defaultLearningRates`). */
  sweepLearningRates: number[] | null;
  /** Epoch budget of each run of the sweep. */
  sweepEpochs: number;
  /** Start the sweep as soon as the page has loaded (a shared link reproduces it). */
  sweepRun: boolean;
  /** The step of the guided path the learner is on (1, 2, …; 0: none chosen). */
  guideStep: number;
}

/** Bounds of the sweep's settings. */
export const SWEEP_MAX_LEARNING_RATES = 12;
export const SWEEP_MAX_EPOCHS = 2000;

export interface Notice {
  /** Stable key, so the same repair is not listed twice. */
  key: string;
  message: string;
}

export interface ParsedUrlState {
  settings: Settings;
  notices: Notice[];
}

export function defaultSettings(datasets: readonly DatasetBounds[], datasetId?: string): Settings {
  const dataset =
    datasets.find((d) => d.id === datasetId) ??
    datasets.find((d) => d.id === DEFAULT_DATASET_ID) ??
    datasets[0];
  if (!dataset) throw new Error('the dataset catalog is empty');
  const n = dataset.defaultN;
  const batchSize = Math.min(32, n);
  return {
    dataset: dataset.id,
    n,
    noise: dataset.defaultNoise,
    seed: 1,
    hidden: [...(dataset.defaultHidden ?? [16, 16])],
    activation: dataset.defaultActivation ?? 'tanh',
    learningRate: snapLearningRate(dataset.defaultLearningRate ?? 0.1),
    learningRateMode: 'same',
    reduction: 'mean',
    optimizer: 'sgd',
    lastBatch: 'keep',
    batchSize,
    runs: [batchSize],
    xAxis: 'epochs',
    xScale: 'auto',
    yScale: 'log',
    speed: 4,
    engine: 'auto',
    panels: [...DEFAULT_PANELS],
    playing: true,
    sweepTarget: null,
    sweepLearningRates: null,
    sweepEpochs: DEFAULT_MAX_EPOCHS,
    sweepRun: false,
    guideStep: 0,
  };
}

/** 1, 2, 4, ... (powers of two below N) and N itself: the positions of the batch-size slider. */
export function batchSizeStops(n: number): number[] {
  const stops: number[] = [];
  for (let b = 1; b < n; b *= 2) stops.push(b);
  stops.push(Math.max(1, n));
  return stops;
}

/** The slider position of `b`: its stop, or the next one up (N when past the last). */
export function batchSizeStopIndex(n: number, b: number): { index: number; stops: number[] } {
  const stops = batchSizeStops(n);
  let index = stops.indexOf(b);
  if (index < 0) index = stops.findIndex((s) => s >= b);
  if (index < 0) index = stops.length - 1;
  return { index, stops };
}

/** The stop nearest to `b` on a log scale. */
export function snapBatchSize(b: number, n: number): number {
  const stops = batchSizeStops(n);
  let best = stops[0] ?? 1;
  for (const stop of stops) {
    if (Math.abs(Math.log(stop) - Math.log(b)) < Math.abs(Math.log(best) - Math.log(b))) best = stop;
  }
  return best;
}

export function snapLearningRate(lr: number): number {
  let best = LEARNING_RATES[0] ?? lr;
  for (const v of LEARNING_RATES) {
    if (Math.abs(Math.log(v) - Math.log(lr)) < Math.abs(Math.log(best) - Math.log(lr))) best = v;
  }
  return best;
}

/** The most runs on the plot at once: one colour each from the colour-blind-safe palette. */
export const MAX_RUNS = 8;
