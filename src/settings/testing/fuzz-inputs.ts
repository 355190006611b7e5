/**
 * For the parsers' fuzz tests: seeded generators of hostile input (links, element attributes,
 * values a host page might post) and one check of everything a parsed `Settings` must satisfy.
 * Only tests import this module.
 */
import type { Rng } from '../../engine/random';
import { ATTRIBUTE_ALIASES, EMBED_KEYS } from '../embed-params';
import {
  ACTIVATIONS,
  batchSizeStops,
  type DatasetBounds,
  ENGINE_CHOICES,
  LEARNING_RATE_MODES,
  LEARNING_RATES,
  MAX_HIDDEN_LAYERS,
  MAX_HIDDEN_WIDTH,
  MAX_RUNS,
  MAX_SEED,
  OPTIMIZERS,
  PANEL_NAMES,
  type Settings,
  SPEEDS,
  X_AXES,
  Y_SCALES,
} from '../settings';
import { URL_KEYS } from '../url-codec';

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** Numbers a parser can trip on: edges, exponents, signs, hex, words, whitespace. */
const ODD_NUMBERS = [
  '0',
  '-0',
  '+1',
  '-1',
  '1e309',
  '-1e309',
  '1e-320',
  '4.9e-324',
  '1.7976931348623157e308',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '0b11',
  '1e',
  '.5',
  '5.',
  '1_000',
  '1,5',
  ' 32 ',
  '\t8\n',
  '',
  ' ',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  'N',
  'n',
  'all',
  'none',
];

/** Pieces of strings that mean something to a URL or a parser. */
const ODD_TEXT = [
  '&',
  '=',
  '?',
  '#',
  '%',
  '%2C',
  '%00',
  '%ZZ',
  '+',
  ',',
  ',,',
  ';',
  '__proto__',
  'constructor',
  'toString',
  '<script>',
  '"',
  "'",
  '\\',
  '\u0000',
  '\u202e',
  '😀',
  'é',
  '\ud800',
  'true',
  'false',
  'null',
  'undefined',
];

const LIST_WORDS = [...PANEL_NAMES, 'batch', 'play', 'step', 'reset', 'race', 'speed', 'all', 'none'];

function randomText(rng: Rng, maxLength: number): string {
  let text = '';
  const length = rng.int(maxLength + 1);
  while (text.length < length) {
    const kind = rng.int(4);
    if (kind === 0) text += pick(rng, ODD_TEXT);
    else if (kind === 1) text += pick(rng, ODD_NUMBERS);
    else if (kind === 2) text += String.fromCharCode(32 + rng.int(95));
    else text += String.fromCharCode(rng.int(0x3000));
  }
  return text;
}

function randomList(rng: Rng, word: () => string): string {
  const parts: string[] = [];
  const count = rng.int(12);
  for (let i = 0; i < count; i++) parts.push(word());
  return parts.join(pick(rng, [',', ', ', ' ', ',,', ';']));
}

/** A value for `key`: often plausible, often out of range, sometimes garbage. */
export function fuzzValue(rng: Rng, key: string, datasets: readonly DatasetBounds[]): string {
  const roll = rng.int(10);
  if (roll === 0) return randomText(rng, 40);
  if (roll === 1) return pick(rng, ODD_NUMBERS);
  const number = () => {
    const magnitude = 10 ** (rng.int(12) - 5);
    const v = (rng.next() - 0.2) * magnitude;
    return rng.int(2) ? String(Math.round(v)) : String(v);
  };
  switch (key) {
    case 'dataset':
      return rng.int(4) ? pick(rng, datasets).id : randomText(rng, 12);
    case 'hidden':
    case 'runs':
      return randomList(rng, () => (rng.int(5) ? String(2 ** rng.int(16)) : rng.int(2) ? number() : 'N'));
    case 'panels':
    case 'controls':
    case 'lock':
      return randomList(rng, () => (rng.int(5) ? pick(rng, LIST_WORDS) : randomText(rng, 6)));
    case 'act':
      return pick(rng, [...ACTIVATIONS, 'TANH', 'softmax']);
    case 'opt':
      return pick(rng, [...OPTIMIZERS, 'adam']);
    case 'reduction':
      return pick(rng, ['mean', 'sum', 'max']);
    case 'last':
      return pick(rng, ['keep', 'drop', 'pad']);
    case 'x':
      return pick(rng, [...X_AXES, 'steps']);
    case 'y':
      return pick(rng, [...Y_SCALES, 'sqrt']);
    case 'engine':
      return pick(rng, [...ENGINE_CHOICES, 'gpu', 'webgl']);
    case 'lrmode':
      return pick(rng, [...LEARNING_RATE_MODES, 'SCALED', 'linear']);
    case 'play':
    case 'embed':
      return pick(rng, ['1', '0', 'true', 'false', 'yes', 'no', 'maybe', '']);
    case 'origin':
      return pick(rng, [
        'https://course.example.org',
        'http://localhost:8080/path?q=1',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'https://',
        'null',
        randomText(rng, 20),
      ]);
    default:
      return number();
  }
}

const ALL_KEYS: readonly string[] = [...URL_KEYS, ...EMBED_KEYS];

/** As a browser encodes a link: a lone surrogate becomes U+FFFD (encodeURIComponent throws on it). */
function encode(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

/** A query string as a link might carry it (`?` or not), built from keys and values. */
export function fuzzQuery(rng: Rng, datasets: readonly DatasetBounds[]): string {
  if (rng.int(20) === 0) return randomText(rng, 80);
  const params: string[] = [];
  const count = rng.int(ALL_KEYS.length + 4);
  for (let i = 0; i < count; i++) {
    const key = rng.int(12) === 0 ? randomText(rng, 8) : pick(rng, ALL_KEYS);
    const value = fuzzValue(rng, key, datasets);
    // Mostly encoded as a browser would; sometimes raw, as a hand-typed link is.
    params.push(rng.int(3) ? `${encode(key)}=${encode(value)}` : `${key}=${value}`);
  }
  return (rng.int(2) ? '?' : '') + params.join('&');
}

/** Attributes of a `<batch-lab>` element: URL keys, readable aliases, other names. */
export function fuzzAttributes(
  rng: Rng,
  datasets: readonly DatasetBounds[],
): { name: string; value: string }[] {
  const names = [...ALL_KEYS, ...Object.keys(ATTRIBUTE_ALIASES), 'class', 'id', 'app-url', 'Batch-Size'];
  const attributes: { name: string; value: string }[] = [];
  const count = rng.int(10);
  for (let i = 0; i < count; i++) {
    const name = pick(rng, names);
    const key = ATTRIBUTE_ALIASES[name.toLowerCase()] ?? name;
    attributes.push({ name, value: fuzzValue(rng, key, datasets) });
  }
  return attributes;
}

/**
 * Every rule a parsed `Settings` must keep, as a list of the ones broken (empty: valid). Checked
 * against the model's own bounds, so it holds whatever a parser was given.
 */
export function settingsProblems(s: Settings, datasets: readonly DatasetBounds[]): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const dataset = datasets.find((d) => d.id === s.dataset);
  check(dataset !== undefined, `dataset ${s.dataset}`);
  if (!dataset) return problems;
  check(Number.isInteger(s.n) && s.n >= dataset.minN && s.n <= dataset.maxN, `n ${s.n}`);
  check(
    Number.isFinite(s.noise) && s.noise >= dataset.noiseRange[0] && s.noise <= dataset.noiseRange[1],
    `noise ${s.noise}`,
  );
  check(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= MAX_SEED, `seed ${s.seed}`);
  check(
    s.hidden.length <= MAX_HIDDEN_LAYERS &&
      s.hidden.every((w) => Number.isInteger(w) && w >= 1 && w <= MAX_HIDDEN_WIDTH),
    `hidden ${s.hidden.join()}`,
  );
  check(ACTIVATIONS.includes(s.activation), `activation ${s.activation}`);
  check(LEARNING_RATES.includes(s.learningRate), `learning rate ${s.learningRate}`);
  check(s.reduction === 'mean' || s.reduction === 'sum', `reduction ${s.reduction}`);
  check(OPTIMIZERS.includes(s.optimizer), `optimizer ${s.optimizer}`);
  check(s.lastBatch === 'keep' || s.lastBatch === 'drop', `last batch ${s.lastBatch}`);
  const stops = batchSizeStops(s.n);
  check(stops.includes(s.batchSize), `batch size ${s.batchSize} with N = ${s.n}`);
  check(
    s.runs.length <= MAX_RUNS &&
      new Set(s.runs).size === s.runs.length &&
      s.runs.every((b) => stops.includes(b)),
    `runs ${s.runs.join()} with N = ${s.n}`,
  );
  check(X_AXES.includes(s.xAxis), `x axis ${s.xAxis}`);
  check(Y_SCALES.includes(s.yScale), `y scale ${s.yScale}`);
  check((SPEEDS as readonly number[]).includes(s.speed), `speed ${s.speed}`);
  check(ENGINE_CHOICES.includes(s.engine), `engine ${s.engine}`);
  check(LEARNING_RATE_MODES.includes(s.learningRateMode), `learning rate mode ${s.learningRateMode}`);
  check(
    s.panels.length > 0 &&
      new Set(s.panels).size === s.panels.length &&
      s.panels.every((p) => PANEL_NAMES.includes(p)),
    `panels ${s.panels.join()}`,
  );
  check(typeof s.playing === 'boolean', `playing ${String(s.playing)}`);
  return problems;
}
