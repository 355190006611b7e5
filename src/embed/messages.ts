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
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else if (typeof value === 'boolean') text = value ? '1' : '0';
    else if (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string'))
      text = value.join(',');
    else return { ok: false, reason: `parameter ${key} has an unsupported value` };
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
