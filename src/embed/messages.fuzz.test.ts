/**
 * Fuzz test of the postMessage API's checks: thousands of seeded, generated messages (the
 * documented shapes with odd values, wrong types, extra fields, things that are not messages)
 * through `parseHostMessage`, merged as the bridge merges them, and applied to the settings as
 * the bridge applies them. None may throw; what is accepted is documented; the settings that
 * result are valid and within bounds.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import { Rng } from '../engine/random';
import { EMBED_KEYS } from '../settings/embed-params';
import { fuzzValue, pick, settingsProblems } from '../settings/testing/fuzz-inputs';
import { parseUrlState, serializeUrlState, URL_KEYS } from '../settings/url-codec';
import {
  addToBatch,
  EMPTY_BATCH,
  HOST_MESSAGE_TYPES,
  type MessageBatch,
  mergeParams,
  parseHostMessage,
} from './messages';

const CASES = 2000;
const TYPES = [...HOST_MESSAGE_TYPES, 'batchlab:eval', 'BATCHLAB:SET', 'batchlab:', '', 'other:set'];

/** Any value a host page could post (structured-clonable), or worse. */
function fuzzAny(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 8 : 12)) {
    case 0:
      return rng.int(3) - 1;
    case 1:
      return pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1e-320, 2 ** 53 + 1]);
    case 2:
      return (rng.next() - 0.5) * 10 ** rng.int(10);
    case 3:
      return rng.int(2) === 1;
    case 4:
      return pick(rng, [null, undefined]);
    case 5:
    case 6:
      return fuzzValue(rng, pick(rng, URL_KEYS), DATASETS);
    case 7:
      return pick(rng, [new Date(0), /x/, new Map(), Object.create({ type: 'batchlab:play' }), 12n]);
    case 8:
    case 9: {
      const list: unknown[] = [];
      for (let i = rng.int(5); i > 0; i--) list.push(fuzzAny(rng, depth + 1));
      return list;
    }
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        object[pick(rng, ['type', 'params', ...URL_KEYS, 'x'])] = fuzzAny(rng, depth + 1);
      return object;
    }
  }
}

/** A message: mostly the documented shapes, with odd parameters; sometimes anything at all. */
function fuzzMessage(rng: Rng): unknown {
  if (rng.int(10) === 0) return fuzzAny(rng);
  const message: Record<string, unknown> = {
    type: rng.int(6) ? pick(rng, HOST_MESSAGE_TYPES) : pick(rng, TYPES),
  };
  if (message.type === 'batchlab:set' || rng.int(10) === 0) {
    const params: Record<string, unknown> = {};
    // Half the time every value has a type the key allows (its text may still be nonsense).
    const typed = rng.int(2) === 0;
    for (let i = rng.int(5); i >= 0; i--) {
      const key =
        typed || rng.int(15) ? pick(rng, URL_KEYS) : pick(rng, ['embed', 'origin', '__proto__', 'zz']);
      const text = fuzzValue(rng, key, DATASETS);
      const roll = typed ? 1 + rng.int(3) : rng.int(4);
      const asNumber = Number(text);
      params[key] =
        roll === 0
          ? fuzzAny(rng)
          : roll === 1 && Number.isFinite(asNumber) && text.trim() !== ''
            ? asNumber
            : text;
    }
    message.params = rng.int(20) ? params : fuzzAny(rng);
  }
  if (rng.int(20) === 0) message[pick(rng, ['extra', 'version', 'params'])] = fuzzAny(rng);
  return message;
}

describe('host messages, fuzzed', () => {
  it(`${CASES} generated messages: no exception, only documented messages accepted, settings within bounds`, () => {
    const rng = new Rng(13);
    const failures: string[] = [];
    let accepted = 0;
    let sets = 0;
    let settings = parseUrlState('dataset=xor&b=16', DATASETS).settings;
    let batch: MessageBatch = EMPTY_BATCH;
    const applyBatch = () => {
      if (!batch.params) return;
      // As the bridge does: the current link with the merged parameters written over it.
      const query = mergeParams(serializeUrlState(settings, DATASETS), batch.params);
      const after = parseUrlState(query, DATASETS, { extraKeys: EMBED_KEYS });
      const problems = settingsProblems(after.settings, DATASETS);
      if (problems.length > 0) failures.push(`${query}: ${problems.join('; ')}`);
      settings = after.settings;
      batch = EMPTY_BATCH;
    };
    for (let i = 0; i < CASES; i++) {
      const data = fuzzMessage(rng);
      const shown = () => {
        try {
          return JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
        } catch {
          return String(data);
        }
      };
      try {
        const parsed = parseHostMessage(data);
        if (!parsed.ok) {
          if (!parsed.reason || parsed.reason.length > 80)
            failures.push(`${shown()}: reason ${parsed.reason}`);
          continue;
        }
        accepted++;
        const message = parsed.message;
        if (!(HOST_MESSAGE_TYPES as readonly string[]).includes(message.type))
          failures.push(`${shown()}: type`);
        if (message.type === 'batchlab:set') {
          sets++;
          for (const [key, value] of Object.entries(message.params))
            if (!URL_KEYS.includes(key) || typeof value !== 'string' || value.length > 200)
              failures.push(`${shown()}: parameter ${key}`);
        }
        batch = addToBatch(batch, message);
        // Flushed now and then, as the bridge's timer would.
        if (rng.int(4) === 0) applyBatch();
      } catch (error) {
        failures.push(`${shown()}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    applyBatch();
    expect(failures.slice(0, 5)).toEqual([]);
    // Both sides are reached: many accepted (sets among them), many refused.
    expect(accepted).toBeGreaterThan(CASES / 3);
    expect(sets).toBeGreaterThan(CASES / 10);
    expect(accepted).toBeLessThan(CASES);
  });
});
