/**
 * The list of built-in datasets, what the UI shows about each, and one entry point to load any of
 * them. Synthetic datasets are generated on the spot; real ones come from a lazily imported
 * module so bundles that never load them leave them out.
 */

import type { Activation, Dataset, ModelSpec } from '../engine/types';
import { blobs, circles, plane, type SyntheticOptions, sine, spirals, xor } from './synthetic';

export type DatasetId = 'spirals' | 'circles' | 'xor' | 'blobs' | 'sine' | 'plane' | 'cars' | 'penguins';

export interface DatasetInfo {
  id: DatasetId;
  name: string;
  task: Dataset['task'];
  /** One plain sentence for students. */
  description: string;
  defaultN: number;
  minN: number;
  /** Largest N (the row count for real datasets). */
  maxN: number;
  defaultNoise: number;
  /** Allowed noise; [0, 0] when noise does not apply (real data). */
  noiseRange: readonly [number, number];
  isReal: boolean;
  /** Hidden widths and activation of the default network (also used by `defaultModel`). */
  defaultHidden: readonly number[];
  defaultActivation: Activation;
  /** A learning rate that trains the default network well with mean reduction. */
  defaultLearningRate: number;
  /** The default network for a loaded instance of this dataset. */
  defaultModel: (dataset: Dataset) => ModelSpec;
}

export interface LoadOptions {
  n: number;
  noise: number;
  seed: number;
}

/** The workload `npm run bench` times and the README quotes. */
export const BENCHMARK_WORKLOAD = { dataset: 'spirals', n: 4096, noise: 0.05, seed: 1 } as const;

/** The largest N any dataset accepts (uploads included). */
export const MAX_N = 20_000;
export const MIN_N = 8;

/** Real datasets' usable row counts, known here without loading the data (a test checks them). */
export const REAL_ROWS = { cars: 392, penguins: 342 } as const;

type InfoWithoutModel = Omit<DatasetInfo, 'defaultModel'>;

function withDefaultModel(info: InfoWithoutModel): DatasetInfo {
  return {
    ...info,
    defaultModel: (dataset) => defaultModelFor(dataset, [...info.defaultHidden], info.defaultActivation),
  };
}

const DATASET_INFOS: readonly InfoWithoutModel[] = [
  {
    id: 'spirals',
    name: 'Two spirals',
    task: 'classification',
    description: 'Two spirals wound into each other: a hard, curvy boundary that needs a deeper network.',
    defaultN: 1024,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.05,
    noiseRange: [0, 0.5],
    isReal: false,
    defaultHidden: [16, 16],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.3,
  },
  {
    id: 'circles',
    name: 'Circles',
    task: 'classification',
    description: 'A disc of one class inside a ring of the other: the boundary is a circle.',
    defaultN: 512,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.1,
    noiseRange: [0, 0.5],
    isReal: false,
    defaultHidden: [8, 8],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.1,
  },
  {
    id: 'xor',
    name: 'XOR',
    task: 'classification',
    description: 'Opposite corners share a class, so no single straight line can separate the two classes.',
    defaultN: 512,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.1,
    noiseRange: [0, 0.5],
    isReal: false,
    defaultHidden: [8, 8],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.1,
  },
  {
    id: 'blobs',
    name: 'Gaussian blobs',
    task: 'classification',
    description: 'Three round clouds of points, one per class, learned with a softmax output.',
    defaultN: 600,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.5,
    noiseRange: [0.1, 1.5],
    isReal: false,
    defaultHidden: [8],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.1,
  },
  {
    id: 'sine',
    name: 'Noisy sine',
    task: 'regression',
    description: 'Noisy points around a sine wave: the network fits a smooth curve through them.',
    defaultN: 256,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.2,
    noiseRange: [0, 1],
    isReal: false,
    defaultHidden: [16, 16],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.05,
  },
  {
    id: 'plane',
    name: 'Noisy plane',
    task: 'regression',
    description: 'Points scattered around a tilted flat plane: linear regression, whose loss has one bowl.',
    defaultN: 256,
    minN: MIN_N,
    maxN: MAX_N,
    defaultNoise: 0.3,
    noiseRange: [0, 1],
    isReal: false,
    defaultHidden: [],
    defaultActivation: 'linear',
    defaultLearningRate: 0.05,
  },
  {
    id: 'cars',
    name: 'Cars: fuel economy',
    task: 'regression',
    description: 'Real cars from the 1970s and 80s: predict miles per gallon from horsepower and weight.',
    defaultN: REAL_ROWS.cars,
    minN: MIN_N,
    maxN: REAL_ROWS.cars,
    defaultNoise: 0,
    noiseRange: [0, 0],
    isReal: true,
    defaultHidden: [8],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.05,
  },
  {
    id: 'penguins',
    name: 'Palmer penguins',
    task: 'classification',
    description:
      'Real penguins from Antarctica: tell three species apart from bill length and flipper length.',
    defaultN: REAL_ROWS.penguins,
    minN: MIN_N,
    maxN: REAL_ROWS.penguins,
    defaultNoise: 0,
    noiseRange: [0, 0],
    isReal: true,
    defaultHidden: [8],
    defaultActivation: 'tanh',
    defaultLearningRate: 0.1,
  },
];

export const DATASETS: readonly DatasetInfo[] = DATASET_INFOS.map(withDefaultModel);

export function isDatasetId(value: string): value is DatasetId {
  return DATASETS.some((info) => info.id === value);
}

export function datasetInfo(id: DatasetId): DatasetInfo {
  const info = DATASETS.find((candidate) => candidate.id === id);
  if (!info) throw new RangeError(`unknown dataset '${id}'`);
  return info;
}

function clamp(value: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(hi, Math.max(lo, value)) : fallback;
}

/**
 * Loads a built-in dataset. `n` is rounded and clamped to [minN, maxN] and `noise` to the
 * dataset's noise range, so a bad URL parameter gives the nearest valid dataset, not a crash.
 * Rejects only for an unknown id.
 */
export async function loadDataset(id: DatasetId, options: LoadOptions): Promise<Dataset> {
  const info = datasetInfo(id);
  const n = Math.round(clamp(options.n, info.minN, info.maxN, info.defaultN));
  const noise = clamp(options.noise, info.noiseRange[0], info.noiseRange[1], info.defaultNoise);
  const seed = Number.isFinite(options.seed) ? options.seed : 0;
  const synthetic: SyntheticOptions = { n, noise, seed };
  switch (id) {
    case 'spirals':
      return spirals(synthetic);
    case 'circles':
      return circles(synthetic);
    case 'xor':
      return xor(synthetic);
    case 'blobs':
      return blobs(synthetic);
    case 'sine':
      return sine(synthetic);
    case 'plane':
      return plane(synthetic);
    case 'cars':
    case 'penguins': {
      const { loadRealDataset } = await import('./real');
      return loadRealDataset(id, { n, seed });
    }
  }
}

/**
 * A network for `dataset`: `hidden` layers of `activation`, and the output and loss its task
 * needs: one sigmoid output with binary cross-entropy for two classes, a softmax over the classes
 * with cross-entropy for more, linear outputs with squared error for regression.
 */
export function defaultModelFor(
  dataset: Dataset,
  hidden: number[] = [16, 16],
  activation: Activation = 'tanh',
): ModelSpec {
  const base = { inputSize: dataset.inputSize, hidden: [...hidden], activation };
  if (dataset.task === 'regression') return { ...base, outputSize: dataset.targetSize, loss: 'mse' };
  if (dataset.classes > 2) return { ...base, outputSize: dataset.classes, loss: 'softmax-ce' };
  return { ...base, outputSize: 1, loss: 'bce' };
}
