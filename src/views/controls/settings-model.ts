/**
 * What the settings controls show and what each control asks the session for, as plain
 * functions of the settings (no React, no DOM): the components only render this and pass the
 * patches on, and the rules live where a unit test can reach them.
 */
import { type DatasetId, datasetInfo, isDatasetId } from '../../data/catalog';
import { LEARNING_RATES, MAX_HIDDEN_LAYERS, MAX_SEED, type Settings } from '../../settings/settings';

/** Units per hidden layer the control offers. */
export const WIDTHS: readonly number[] = [2, 4, 8, 16, 32, 64];
export const LAYER_COUNTS: readonly number[] = Array.from({ length: MAX_HIDDEN_LAYERS + 1 }, (_, k) => k);
/** Dataset sizes the control offers (within each dataset's range). */
export const N_CHOICES: readonly number[] = [
  8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 10000, 20000,
];
/** The largest CSV file read (bytes). */
export const MAX_UPLOAD_BYTES = 10_000_000;
/** Width of new layers when the network has none yet. */
const DEFAULT_WIDTH = 16;

export interface SettingsView {
  /** Description of the dataset (or of the upload) under the picker. */
  datasetHelp: string | undefined;
  /** The picker's value: '' while an uploaded file is trained on. */
  datasetValue: string;
  nChoices: number[];
  nDisabled: boolean;
  noise: { min: number; max: number; disabled: boolean; label: string };
  /** Position of the learning rate on its slider, and the slider's last position. */
  learningRate: { index: number; max: number; label: string };
  /**
   * The units per layer when every layer has the same width and the control offers it; null
   * otherwise (a link can give `hidden=5,3`), and the picker then shows the widths as they are.
   */
  uniformWidth: number | null;
  /** Text of the picker's placeholder for mixed widths; null when `uniformWidth` is set. */
  mixedWidths: string | null;
  /** No hidden layer: width and activation do not apply. */
  linear: boolean;
  reductionHelp: string;
}

export function settingsView(settings: Settings, uploadedName: string | null): SettingsView {
  const info = isDatasetId(settings.dataset) ? datasetInfo(settings.dataset as DatasetId) : null;
  const uploaded = uploadedName !== null && uploadedName !== '';
  const nChoices = info
    ? [
        ...new Set([
          ...N_CHOICES.filter((v) => v >= info.minN && v <= info.maxN),
          info.defaultN,
          info.maxN,
          settings.n,
        ]),
      ].sort((a, b) => a - b)
    : [settings.n];
  const [noiseMin, noiseMax] = info?.noiseRange ?? [0, 0];
  const width = settings.hidden[0] ?? DEFAULT_WIDTH;
  const uniform = WIDTHS.includes(width) && settings.hidden.every((w) => w === width);
  return {
    datasetHelp: uploaded ? `Training on your file ${uploadedName}.` : info?.description,
    datasetValue: uploaded ? '' : settings.dataset,
    nChoices,
    nDisabled: uploaded || info === null || info.minN === info.maxN,
    noise: {
      min: noiseMin,
      max: noiseMax,
      disabled: noiseMax === noiseMin || uploaded,
      label: `Noise ${settings.noise.toFixed(2)}`,
    },
    learningRate: {
      index: Math.max(0, LEARNING_RATES.indexOf(settings.learningRate)),
      max: LEARNING_RATES.length - 1,
      label: `Learning rate ${settings.learningRate}`,
    },
    uniformWidth: uniform ? width : null,
    mixedWidths: uniform ? null : settings.hidden.join(', '),
    linear: settings.hidden.length === 0,
    reductionHelp:
      settings.reduction === 'mean'
        ? 'Mean: the step size does not depend on B.'
        : 'Sum: B times the mean, so with the same learning rate, larger batches take B-times larger steps (sum with lr/B is exactly mean with lr).',
  };
}

/** `layers` hidden layers, all as wide as the first one is now. */
export function withLayerCount(settings: Settings, layers: number): Pick<Settings, 'hidden'> {
  const count = Math.max(0, Math.min(MAX_HIDDEN_LAYERS, Math.round(layers)));
  const width = settings.hidden[0] ?? DEFAULT_WIDTH;
  return { hidden: Array.from({ length: count }, () => width) };
}

/** Every hidden layer `width` units wide. */
export function withWidth(settings: Settings, width: number): Pick<Settings, 'hidden'> {
  return { hidden: settings.hidden.map(() => width) };
}

/** The learning rate at a slider position (the current one for a position off the scale). */
export function learningRateAt(settings: Settings, index: number): Pick<Settings, 'learningRate'> {
  return { learningRate: LEARNING_RATES[index] ?? settings.learningRate };
}

/** The slider's noise, rounded to its steps. */
export function noiseAt(value: number): Pick<Settings, 'noise'> {
  return { noise: Number(value.toFixed(2)) };
}

/**
 * The seed typed in the box, or null when it is not one (the box then shows the current seed
 * again) or when it is the current seed (nothing to restart).
 */
export function seedFromText(settings: Settings, text: string): Pick<Settings, 'seed'> | null {
  const v = Math.round(Number(text));
  if (!Number.isFinite(v) || v < 0 || v > MAX_SEED || v === settings.seed) return null;
  return { seed: v };
}

/** Why a file is not read at all (too large), or null. */
export function uploadSizeProblem(bytes: number): string | null {
  return bytes > MAX_UPLOAD_BYTES
    ? `the file is ${(bytes / 1e6).toFixed(0)} MB; at most ${MAX_UPLOAD_BYTES / 1e6} MB can be used.`
    : null;
}
