/**
 * The postMessage API of an embedded batchlab (iframe). Anything a host page posts is checked
 * here against the documented shapes before it is acted on; everything else is dropped. The
 * parameter values then go through the app's URL parser, so a message can set nothing that a
 * link could not (values are clamped, unknown keys ignored and reported).
 */
import { URL_KEYS } from '../settings/url-codec';

export const MESSAGE_VERSION = 1;

/** Host → embed. */
export type HostMessage =
  | { type: 'batchlab:set'; params: Record<string, string> }
  | { type: 'batchlab:play' }
  | { type: 'batchlab:pause' }
  | { type: 'batchlab:reset' }
  | { type: 'batchlab:get' };

export const HOST_MESSAGE_TYPES = [
  'batchlab:set',
  'batchlab:play',
  'batchlab:pause',
  'batchlab:reset',
  'batchlab:get',
] as const;

/** One run as the embed reports it. */
export interface RunReport {
  batchSize: number;
  step: number;
  epoch: number;
  samplesSeen: number;
  datasetLoss: number | null;
  diverged: boolean;
}

/** Embed → host. */
export type EmbedMessage =
  | { type: 'batchlab:ready'; version: number }
  | {
      type: 'batchlab:state';
      version: number;
      /** The settings as a query string (the same one a link would carry). */
      query: string;
      playing: boolean;
      engine: string | null;
      runs: RunReport[];
    }
  | { type: 'batchlab:error'; version: number; message: string }
  /** The height of the embed's page in CSS pixels, whenever it changes. */
  | { type: 'batchlab:size'; version: number; height: number };

const MAX_PARAMS = URL_KEYS.length;
const MAX_VALUE_LENGTH = 200;

export type ParseResult = { ok: true; message: HostMessage } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Parameters that may be given as an array (a comma list in a link). */
const LIST_KEYS: readonly string[] = ['hidden', 'runs', 'panels'];
/** Parameters that may be given as true/false (1/0 in a link). */
const FLAG_KEYS: readonly string[] = ['play'];

/**
 * A parameter's value as link text, or null when its type cannot be meant: `b: true` is not a
 * batch size (a string goes to the link parser, which explains what is wrong with it).
 */
function valueText(key: string, value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return FLAG_KEYS.includes(key) ? (value ? '1' : '0') : null;
  if (
    Array.isArray(value) &&
    LIST_KEYS.includes(key) &&
    value.every((v) => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string')
  )
    return value.join(',');
  return null;
}

/** Checks one message from a host page. Never throws. */
export function parseHostMessage(data: unknown): ParseResult {
  if (!isPlainObject(data)) return { ok: false, reason: 'not an object' };
  const type = data.type;
  if (typeof type !== 'string' || !(HOST_MESSAGE_TYPES as readonly string[]).includes(type))
    return { ok: false, reason: 'unknown type' };
  const allowed = type === 'batchlab:set' ? ['type', 'params'] : ['type'];
  const extra = Object.keys(data).filter((k) => !allowed.includes(k));
  if (extra.length > 0) return { ok: false, reason: `unexpected field ${extra[0]}` };
  if (type !== 'batchlab:set') return { ok: true, message: { type } as HostMessage };

  const params = data.params;
  if (!isPlainObject(params)) return { ok: false, reason: 'params must be an object' };
  const entries = Object.entries(params);
  if (entries.length === 0) return { ok: false, reason: 'params is empty' };
  if (entries.length > MAX_PARAMS) return { ok: false, reason: 'too many params' };
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!URL_KEYS.includes(key)) return { ok: false, reason: `unknown parameter ${key.slice(0, 24)}` };
    const text = valueText(key, value);
    if (text === null) return { ok: false, reason: `parameter ${key} has an unsupported value` };
    if (text.length > MAX_VALUE_LENGTH) return { ok: false, reason: `parameter ${key} is too long` };
    out[key] = text;
  }
  return { ok: true, message: { type: 'batchlab:set', params: out } };
}

/** The current query with the message's parameters written over it. */
export function mergeParams(currentQuery: string, params: Readonly<Record<string, string>>): string {
  const merged = new URLSearchParams(currentQuery);
  for (const [key, value] of Object.entries(params)) merged.set(key, value);
  return merged.toString();
}

/**
 * What a run of queued host messages amounts to, applied in this order: the settings (every
 * `set` merged, a later value winning), then one reset, then the last play or pause. A flood of
 * messages thus costs the page one change, not one per message.
 */
export interface MessageBatch {
  /** The merged parameters of every `set`, or null when there was none. */
  params: Record<string, string> | null;
  reset: boolean;
  /** The last play or pause, unless a later `set` gave `play` itself. */
  transport: 'play' | 'pause' | null;
}

export const EMPTY_BATCH: MessageBatch = { params: null, reset: false, transport: null };

/** Folds one more message into a batch (pure: the batch given is not changed). */
export function addToBatch(batch: MessageBatch, message: HostMessage): MessageBatch {
  switch (message.type) {
    case 'batchlab:set':
      return {
        ...batch,
        params: { ...batch.params, ...message.params },
        transport: 'play' in message.params ? null : batch.transport,
      };
    case 'batchlab:play':
    case 'batchlab:pause': {
      // Applied after the settings, so it overrides a `play` given before it.
      let params = batch.params;
      if (params && 'play' in params) {
        const { play: _overridden, ...rest } = params;
        params = Object.keys(rest).length > 0 ? rest : null;
      }
      return { ...batch, params, transport: message.type === 'batchlab:play' ? 'play' : 'pause' };
    }
    case 'batchlab:reset':
      return { ...batch, reset: true };
    case 'batchlab:get':
      return batch;
  }
}

export function coalesceMessages(messages: readonly HostMessage[]): MessageBatch {
  return messages.reduce(addToBatch, EMPTY_BATCH);
}
