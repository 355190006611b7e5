/**
 * Every setting of the page lives in the URL, so a link reproduces the view. This module is the
 * one place that reads and writes those parameters (the embed mode reuses it): parsing never
 * throws; an unknown, malformed or out-of-range parameter is ignored or clamped, and each such
 * repair is reported as a notice the page shows.
 */

import { GUIDE_STEPS, guideStepKeys } from './guide';
import {
  ACTIVATIONS,
  type DatasetBounds,
  DEFAULT_DATASET_ID,
  defaultSettings,
  ENGINE_CHOICES,
  LEARNING_RATE_MODES,
  MAX_HIDDEN_LAYERS,
  MAX_HIDDEN_WIDTH,
  MAX_RUNS,
  MAX_SEED,
  type Notice,
  OPTIMIZERS,
  PANEL_NAMES,
  type PanelName,
  type ParsedUrlState,
  type Settings,
  SPEEDS,
  SWEEP_MAX_EPOCHS,
  SWEEP_MAX_LEARNING_RATES,
  snapBatchSize,
  snapLearningRate,
  X_AXES,
  X_SCALES,
  Y_SCALES,
} from './settings';

/** The URL keys, in the order they are written. */
const KEYS = [
  'step',
  'dataset',
  'n',
  'noise',
  'seed',
  'hidden',
  'act',
  'lr',
  'lrmode',
  'reduction',
  'opt',
  'last',
  'b',
  'runs',
  'x',
  'xscale',
  'y',
  'speed',
  'engine',
  'panels',
  'play',
  'sweep',
  'target',
  'lrs',
  'epochs',
] as const;
export const URL_KEYS: readonly string[] = KEYS;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** A finite number, or null; rejects '', '1e', '0x10', 'Infinity' and the like. */
function parseNumber(raw: string): number | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim())) return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

/** Shortens what the user typed before echoing it in a notice. */
function quote(raw: string): string {
  const cut = raw.length > 24 ? `${raw.slice(0, 24)}…` : raw;
  return `“${cut}”`;
}

export interface ParseOptions {
  /** Keys another layer (the embed mode) handles: not reported as unknown. */
  extraKeys?: readonly string[];
}

/**
 * Reads settings from a query string (`?dataset=xor&b=32` or `dataset=xor&b=32`). Never throws:
 * every problem becomes a notice and a sensible value.
 */
export function parseUrlState(
  search: string,
  datasets: readonly DatasetBounds[],
  options: ParseOptions = {},
): ParsedUrlState {
  const params = new URLSearchParams(search);
  const notices: Notice[] = [];
  const note = (key: string, message: string) => {
    if (!notices.some((n) => n.key === key)) notices.push({ key, message });
  };
  const get = (key: string): string | null => {
    const all = params.getAll(key);
    if (all.length > 1)
      note(`${key}-repeated`, `The parameter “${key}” appeared ${all.length} times; the first was used.`);
    return all.length > 0 ? (all[0] as string) : null;
  };

  const known = new Set<string>([...URL_KEYS, ...(options.extraKeys ?? [])]);
  for (const key of new Set(params.keys())) {
    if (!known.has(key)) note(`unknown-${key}`, `Ignored the unknown parameter ${quote(key)}.`);
  }

  // A step of the guided path: its settings are the base, and whatever else the link sets wins.
  let guideStep = 0;
  const rawStep = get('step');
  if (rawStep !== null) {
    const v = parseNumber(rawStep);
    // Math.abs: `step=-0` is step 0, not a -0 that a link could not write back.
    if (v !== null && Number.isInteger(v) && v >= 0 && v <= GUIDE_STEPS.length) guideStep = Math.abs(v);
    else
      note('step', `Ignored step ${quote(rawStep)}: the guided path has steps 1 to ${GUIDE_STEPS.length}.`);
  }
  const stepQuery = new URLSearchParams(GUIDE_STEPS[guideStep - 1]?.query ?? '');
  for (const key of new Set(stepQuery.keys())) {
    if (!params.has(key)) for (const value of stepQuery.getAll(key)) params.append(key, value);
  }

  // The dataset first: N, the noise and B are checked against it.
  const rawDataset = get('dataset');
  let dataset = datasets.find((d) => d.id === DEFAULT_DATASET_ID) ?? datasets[0];
  if (rawDataset !== null) {
    const found = datasets.find((d) => d.id === rawDataset.trim().toLowerCase());
    if (found) dataset = found;
    else
      note(
        'dataset',
        `There is no dataset ${quote(rawDataset)}; showing ${dataset?.name ?? 'the first one'}. Known: ${datasets.map((d) => d.id).join(', ')}.`,
      );
  }
  const s = defaultSettings(datasets, dataset?.id);
  const bounds = datasets.find((d) => d.id === s.dataset) as DatasetBounds;

  const readNumber = (key: string, label: string): number | null => {
    const raw = get(key);
    if (raw === null) return null;
    const v = parseNumber(raw);
    if (v === null) note(key, `Ignored ${label} ${quote(raw)}: not a number.`);
    return v;
  };
  const readChoice = <T extends string>(key: string, label: string, choices: readonly T[]): T | null => {
    const raw = get(key);
    if (raw === null) return null;
    const v = raw.trim().toLowerCase() as T;
    if (choices.includes(v)) return v;
    note(key, `Ignored ${label} ${quote(raw)}: expected one of ${choices.join(', ')}.`);
    return null;
  };
  const clampNoted = (key: string, label: string, v: number, lo: number, hi: number): number => {
    const c = clamp(v, lo, hi);
    if (c !== v) note(key, `${label} ${v} is outside ${lo} to ${hi}; using ${c}.`);
    return c;
  };

  const n = readNumber('n', 'the dataset size');
  if (n !== null) {
    const rounded = Math.round(n);
    s.n = clampNoted('n', `The dataset size N =`, rounded, bounds.minN, bounds.maxN);
  }
  const noise = readNumber('noise', 'the noise level');
  if (noise !== null)
    s.noise = clampNoted('noise', 'The noise level', noise, bounds.noiseRange[0], bounds.noiseRange[1]);
  const seed = readNumber('seed', 'the seed');
  if (seed !== null) {
    s.seed = clamp(Math.round(Math.abs(seed)), 0, MAX_SEED);
    if (s.seed !== seed)
      note('seed', `The seed must be a whole number from 0 to ${MAX_SEED}; using ${s.seed}.`);
  }

  const rawHidden = get('hidden');
  if (rawHidden !== null) {
    const text = rawHidden.trim().toLowerCase();
    // An empty value is a slip (`<batch-lab hidden="">`), not a quiet request for a linear model.
    if (text === '')
      note(
        'hidden',
        'Ignored the empty hidden layers: expected widths like 16,16, or none for a linear model.',
      );
    else if (text === 'none' || text === '0') s.hidden = [];
    else {
      const parts = text.split(/[,\s]+/).filter((p) => p !== '');
      const widths = parts.map(parseNumber);
      if (widths.some((w) => w === null))
        note('hidden', `Ignored the hidden layers ${quote(rawHidden)}: expected widths like 16,16.`);
      else {
        let layers = (widths as number[]).map((w) => Math.round(w));
        if (layers.length > MAX_HIDDEN_LAYERS) {
          note(
            'hidden-layers',
            `At most ${MAX_HIDDEN_LAYERS} hidden layers; kept the first ${MAX_HIDDEN_LAYERS}.`,
          );
          layers = layers.slice(0, MAX_HIDDEN_LAYERS);
        }
        const clamped = layers.map((w) => clamp(w, 1, MAX_HIDDEN_WIDTH));
        if (clamped.some((w, i) => w !== layers[i]))
          note(
            'hidden-width',
            `Hidden layer widths run from 1 to ${MAX_HIDDEN_WIDTH}; using ${clamped.join(',')}.`,
          );
        s.hidden = clamped;
      }
    }
  }
  s.activation = readChoice('act', 'the activation', ACTIVATIONS) ?? s.activation;

  const lr = readNumber('lr', 'the learning rate');
  if (lr !== null) {
    if (lr <= 0) note('lr', `The learning rate must be positive; using ${s.learningRate}.`);
    else {
      const snapped = snapLearningRate(lr);
      if (Math.abs(snapped - lr) > 1e-12 * lr)
        note('lr', `The learning rate ${lr} is not one of the slider's values; using ${snapped}.`);
      s.learningRate = snapped;
    }
  }
  s.learningRateMode =
    readChoice('lrmode', 'the learning rate per batch size', LEARNING_RATE_MODES) ?? s.learningRateMode;
  s.reduction = readChoice('reduction', 'the reduction', ['mean', 'sum'] as const) ?? s.reduction;
  s.optimizer = readChoice('opt', 'the optimiser', OPTIMIZERS) ?? s.optimizer;
  s.lastBatch = readChoice('last', 'the last-batch policy', ['keep', 'drop'] as const) ?? s.lastBatch;

  const readBatch = (raw: number, key: string): number => {
    const whole = Math.round(raw);
    const inRange = clamp(whole, 1, s.n);
    const snapped = snapBatchSize(inRange, s.n);
    if (snapped !== raw)
      note(key, `The batch size ${raw} is not one of 1, powers of two, or N = ${s.n}; using B = ${snapped}.`);
    return snapped;
  };
  // `N` (the whole dataset) is a batch size wherever one is accepted, as in `runs`.
  const rawB = get('b');
  const b = rawB !== null && rawB.trim().toLowerCase() === 'n' ? s.n : readNumber('b', 'the batch size');
  s.batchSize = b !== null && b > 0 ? readBatch(b, 'b') : Math.min(s.batchSize, s.n);
  if (b !== null && b <= 0) note('b', `The batch size must be at least 1; using B = ${s.batchSize}.`);

  const rawRuns = get('runs');
  if (rawRuns !== null) {
    const runs: number[] = [];
    for (const part of rawRuns.split(/[,\s]+/).filter((p) => p !== '')) {
      const token = part.trim().toLowerCase();
      const v = token === 'n' ? s.n : parseNumber(token);
      if (v === null || v <= 0) {
        note('runs', `Ignored the run ${quote(part)}: expected batch sizes like 1,32,N.`);
        continue;
      }
      const snapped = readBatch(v, 'runs-b');
      if (!runs.includes(snapped)) runs.push(snapped);
    }
    if (runs.length === 0 && rawRuns.trim() !== '') {
      runs.push(s.batchSize);
      note('runs-empty', `No usable batch size in runs; starting one run with B = ${s.batchSize}.`);
    }
    if (runs.length > MAX_RUNS) {
      note('runs-max', `At most ${MAX_RUNS} runs at once; kept the first ${MAX_RUNS}.`);
      runs.length = MAX_RUNS;
    }
    s.runs = runs;
  } else s.runs = [s.batchSize];

  s.xAxis = readChoice('x', 'the x axis', X_AXES) ?? s.xAxis;
  s.xScale = readChoice('xscale', 'the x scale', X_SCALES) ?? s.xScale;
  s.yScale = readChoice('y', 'the loss axis', Y_SCALES) ?? s.yScale;
  const speed = readNumber('speed', 'the speed');
  if (speed !== null) s.speed = clampNoted('speed', 'The speed', Math.round(speed), 1, SPEEDS.length);
  s.engine = readChoice('engine', 'the engine', ENGINE_CHOICES) ?? s.engine;

  const rawPanels = get('panels');
  if (rawPanels !== null) {
    const panels: PanelName[] = [];
    for (const part of rawPanels.split(/[,\s]+/).filter((p) => p !== '')) {
      const name = part.toLowerCase() as PanelName;
      if (PANEL_NAMES.includes(name)) {
        if (!panels.includes(name)) panels.push(name);
      } else note(`panel-${part}`, `Ignored the unknown panel ${quote(part)}.`);
    }
    if (panels.length === 0) note('panels', 'No known panel was listed; showing all of them.');
    else s.panels = panels;
  }
  const play = get('play');
  if (play !== null) {
    if (['0', 'false', 'no'].includes(play.toLowerCase())) s.playing = false;
    else if (['1', 'true', 'yes'].includes(play.toLowerCase())) s.playing = true;
    else note('play', `Ignored play=${quote(play)}: expected 1 or 0.`);
  }

  // The batch-size sweep.
  const sweep = get('sweep');
  if (sweep !== null) {
    if (['0', 'false', 'no'].includes(sweep.toLowerCase())) s.sweepRun = false;
    else if (['1', 'true', 'yes', 'run'].includes(sweep.toLowerCase())) s.sweepRun = true;
    else note('sweep', `Ignored sweep=${quote(sweep)}: expected 1 or 0.`);
  }
  const rawTarget = get('target');
  if (rawTarget !== null && rawTarget.trim().toLowerCase() !== 'auto') {
    const target = parseNumber(rawTarget);
    if (target === null || target <= 0)
      note('target', `Ignored the target loss ${quote(rawTarget)}: expected a positive number or auto.`);
    else s.sweepTarget = target;
  }
  const rawLrs = get('lrs');
  if (rawLrs !== null && rawLrs.trim().toLowerCase() !== 'auto') {
    const values = rawLrs
      .split(/[,\s]+/)
      .filter((p) => p !== '')
      .map(parseNumber);
    if (values.length === 0 || values.some((v) => v === null || v <= 0))
      note('lrs', `Ignored the learning rates ${quote(rawLrs)}: expected positive numbers like 0.01,0.1,1.`);
    else {
      let grid = [...new Set(values as number[])].sort((a, b) => a - b);
      if (grid.length > SWEEP_MAX_LEARNING_RATES) {
        note(
          'lrs-max',
          `At most ${SWEEP_MAX_LEARNING_RATES} learning rates; kept the first ${SWEEP_MAX_LEARNING_RATES}.`,
        );
        grid = grid.slice(0, SWEEP_MAX_LEARNING_RATES);
      }
      s.sweepLearningRates = grid;
    }
  }
  const epochs = readNumber('epochs', 'the epoch budget');
  if (epochs !== null)
    s.sweepEpochs = clampNoted('epochs', 'The epoch budget', Math.round(epochs), 1, SWEEP_MAX_EPOCHS);
  s.guideStep = guideStep;
  return { settings: s, notices };
}

/** Writes the settings that differ from the defaults (short links), in a stable order. */
export function serializeUrlState(settings: Settings, datasets: readonly DatasetBounds[]): string {
  const d = defaultSettings(datasets, settings.dataset);
  const params = new URLSearchParams();
  // While a guided step is chosen, the keys it sets are always written: otherwise a value the
  // learner set back to its default would come back as the step's on the next load.
  const stepKeys = new Set(guideStepKeys(settings.guideStep));
  const put = (key: (typeof KEYS)[number], value: string, fallback: string) => {
    if (value !== fallback || stepKeys.has(key)) params.set(key, value);
  };
  if (settings.guideStep > 0) params.set('step', String(settings.guideStep));
  params.set('dataset', settings.dataset);
  put('n', String(settings.n), String(d.n));
  put('noise', String(settings.noise), String(d.noise));
  put('seed', String(settings.seed), String(d.seed));
  put('hidden', hiddenText(settings.hidden), hiddenText(d.hidden));
  put('act', settings.activation, d.activation);
  put('lr', String(settings.learningRate), String(d.learningRate));
  put('lrmode', settings.learningRateMode, d.learningRateMode);
  put('reduction', settings.reduction, d.reduction);
  put('opt', settings.optimizer, d.optimizer);
  put('last', settings.lastBatch, d.lastBatch);
  params.set('b', String(settings.batchSize));
  put(
    'runs',
    settings.runs.map((b) => (b === settings.n && b > 1 ? 'N' : String(b))).join(','),
    String(settings.batchSize),
  );
  put('x', settings.xAxis, d.xAxis);
  put('xscale', settings.xScale, d.xScale);
  put('y', settings.yScale, d.yScale);
  put('speed', String(settings.speed), String(d.speed));
  put('engine', settings.engine, d.engine);
  put('panels', settings.panels.join(','), d.panels.join(','));
  put('play', settings.playing ? '1' : '0', '1');
  put('sweep', settings.sweepRun ? '1' : '0', '0');
  put('target', settings.sweepTarget === null ? 'auto' : String(settings.sweepTarget), 'auto');
  put('lrs', settings.sweepLearningRates?.join(',') ?? 'auto', 'auto');
  put('epochs', String(settings.sweepEpochs), String(d.sweepEpochs));
  return params.toString().replaceAll('%2C', ',');
}

function hiddenText(hidden: readonly number[]): string {
  return hidden.length ? hidden.join(',') : 'none';
}
