/**
 * The parameters only an embedded batchlab reads (an iframe with `embed=1`, or the `<batch-lab>`
 * element). Every other parameter is the app's own and is parsed by `url-codec.ts`; this
 * module only adds the embed keys, the defaults an embed starts with, and the attribute names
 * of the custom element. Parsing never throws: problems become notices, like the app's.
 */
import { type Notice, PANEL_NAMES, type PanelName } from './settings';
import { URL_KEYS } from './url-codec';

/** Controls of the compact control bar, in the order they are drawn. */
export const CONTROL_NAMES = ['batch', 'play', 'step', 'reset', 'race', 'speed'] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

/** An embed without `controls=` shows the slider and the train/pause and reset buttons. */
export const DEFAULT_EMBED_CONTROLS: readonly ControlName[] = ['batch', 'play', 'reset'];
/** An embed without `panels=` shows only the loss curves. */
export const DEFAULT_EMBED_PANELS: readonly PanelName[] = ['loss'];

/** URL keys the embed layer reads (the app parser is told to leave them alone). */
export const EMBED_KEYS = ['embed', 'controls', 'lock', 'origin'] as const;
export type EmbedKey = (typeof EMBED_KEYS)[number];

export interface EmbedOptions {
  /** Controls drawn in the compact bar. */
  controls: ControlName[];
  /** Controls drawn but not usable: the teacher fixed that setting. */
  locked: ControlName[];
  /** The only host origin whose messages are acted on (iframe only); null: the parent, any origin. */
  origin: string | null;
}

export interface ParsedEmbed {
  options: EmbedOptions;
  notices: Notice[];
}

function quote(raw: string): string {
  return `“${raw.length > 24 ? `${raw.slice(0, 24)}…` : raw}”`;
}

function parseList(
  raw: string,
  key: string,
  notices: Notice[],
): { names: ControlName[]; all: boolean; none: boolean } {
  const parts = raw
    .toLowerCase()
    .split(/[,\s]+/)
    .filter((p) => p !== '');
  const names: ControlName[] = [];
  let all = false;
  let none = false;
  for (const part of parts) {
    if (part === 'all') all = true;
    else if (part === 'none') none = true;
    else if ((CONTROL_NAMES as readonly string[]).includes(part)) {
      if (!names.includes(part as ControlName)) names.push(part as ControlName);
    } else
      notices.push({
        key: `${key}-${part}`,
        message: `Ignored the unknown control ${quote(part)} in “${key}”; known: ${CONTROL_NAMES.join(', ')}.`,
      });
  }
  return { names, all, none };
}

/** Reads `controls`, `lock` and `origin` from a query string. */
export function parseEmbedOptions(search: string): ParsedEmbed {
  const params = new URLSearchParams(search);
  const notices: Notice[] = [];
  let controls: ControlName[] = [...DEFAULT_EMBED_CONTROLS];
  const rawControls = params.get('controls');
  if (rawControls !== null) {
    const list = parseList(rawControls, 'controls', notices);
    controls = list.all ? [...CONTROL_NAMES] : list.none ? [] : list.names;
  }
  let locked: ControlName[] = [];
  const rawLock = params.get('lock');
  if (rawLock !== null) {
    const list = parseList(rawLock, 'lock', notices);
    locked = list.all ? [...CONTROL_NAMES] : list.none ? [] : list.names;
  }
  // Drawn in the bar's order, whatever order the URL gave.
  controls = CONTROL_NAMES.filter((c) => controls.includes(c));
  let origin: string | null = null;
  const rawOrigin = params.get('origin');
  if (rawOrigin !== null) {
    origin = normaliseOrigin(rawOrigin);
    if (origin === null)
      notices.push({
        key: 'origin',
        message: `Ignored origin=${quote(rawOrigin)}: expected an origin like https://course.example.org. Messages from the host page are not acted on.`,
      });
  }
  return { options: { controls, locked, origin }, notices };
}

/** `https://a.example:8443/path` → `https://a.example:8443`; null when it is not an http(s) origin. */
export function normaliseOrigin(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Whether a page query asks for the compact embed layout. */
export function isEmbedSearch(search: string): boolean {
  const value = new URLSearchParams(search).get('embed');
  return value !== null && ['1', 'true', 'yes'].includes(value.trim().toLowerCase());
}

/** The query an embed starts from: the given one, with the embed's own default panels. */
export function withEmbedDefaults(search: string): string {
  const params = new URLSearchParams(search);
  if (!params.has('panels')) params.set('panels', DEFAULT_EMBED_PANELS.join(','));
  return params.toString();
}

/**
 * Readable attribute names of `<batch-lab>` for the terse URL keys. Every URL key also works
 * as an attribute under its own name (`b="32"` and `batch-size="32"` mean the same).
 */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  'batch-size': 'b',
  'learning-rate': 'lr',
  activation: 'act',
  optimizer: 'opt',
  'last-batch': 'last',
  'x-axis': 'x',
  'x-scale': 'xscale',
  'y-scale': 'y',
  playing: 'play',
  // `hidden` is HTML's own attribute: on the element it also hides it (display: none).
  'hidden-layers': 'hidden',
};

/** Every attribute the element reacts to. */
export const OBSERVED_ATTRIBUTES: readonly string[] = [
  ...URL_KEYS,
  ...EMBED_KEYS.filter((k) => k !== 'embed' && k !== 'origin'),
  ...Object.keys(ATTRIBUTE_ALIASES),
];

/**
 * Turns the element's attributes into the query string the app parser reads, so attributes and
 * URL parameters go through exactly the same checks. Where an alias and a URL key are both
 * given, the URL key wins (and the parser is not told twice).
 */
export function attributesToSearch(attributes: Iterable<{ name: string; value: string }>): string {
  const params = new URLSearchParams();
  const fromAlias = new Map<string, string>();
  const observed = new Set(OBSERVED_ATTRIBUTES);
  for (const { name, value } of attributes) {
    const lower = name.toLowerCase();
    if (!observed.has(lower)) continue;
    const key = ATTRIBUTE_ALIASES[lower];
    if (key) fromAlias.set(key, value);
    else params.set(lower, value);
  }
  for (const [key, value] of fromAlias) if (!params.has(key)) params.set(key, value);
  return params.toString();
}

/** Is this a panel name the page knows? (Used to validate the share dialog's choices.) */
export function isPanelName(name: string): name is PanelName {
  return (PANEL_NAMES as readonly string[]).includes(name);
}
