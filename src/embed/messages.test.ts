import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import { parseUrlState, serializeUrlState } from '../settings/url-codec';
import {
  addToBatch,
  coalesceMessages,
  EMPTY_BATCH,
  type HostMessage,
  mergeParams,
  parseHostMessage,
} from './messages';

describe('host messages', () => {
  it('accept the documented commands and nothing more', () => {
    for (const type of ['batchlab:play', 'batchlab:pause', 'batchlab:reset', 'batchlab:get'])
      expect(parseHostMessage({ type })).toEqual({ ok: true, message: { type } });
    expect(parseHostMessage({ type: 'batchlab:play', extra: 1 }).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:eval', code: 'x' }).ok).toBe(false);
    expect(parseHostMessage({ type: 'BATCHLAB:PLAY' }).ok).toBe(false);
  });

  it('reject anything that is not a plain object', () => {
    for (const data of [
      null,
      undefined,
      'batchlab:play',
      42,
      ['batchlab:play'],
      new Date(),
      Object.create({ type: 'batchlab:play' }),
    ])
      expect(parseHostMessage(data).ok).toBe(false);
  });

  it('turn set parameters into strings, and reject unknown keys and odd values', () => {
    expect(
      parseHostMessage({ type: 'batchlab:set', params: { b: 64, play: false, runs: [1, 8, 'N'] } }),
    ).toEqual({
      ok: true,
      message: { type: 'batchlab:set', params: { b: '64', play: '0', runs: '1,8,N' } },
    });
    expect(parseHostMessage({ type: 'batchlab:set', params: { embed: '0' } }).ok).toBe(false);
    expect(parseHostMessage(JSON.parse('{"type":"batchlab:set","params":{"__proto__":"1"}}')).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:set', params: { b: Number.NaN } }).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:set', params: { b: { valueOf: 3 } } }).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:set', params: { dataset: 'x'.repeat(201) } }).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:set', params: {} }).ok).toBe(false);
    expect(parseHostMessage({ type: 'batchlab:set' }).ok).toBe(false);
  });

  it('refuse a value of the wrong type instead of reading it as a number', () => {
    const refused = (params: Record<string, unknown>) => parseHostMessage({ type: 'batchlab:set', params });
    expect(refused({ b: true })).toEqual({ ok: false, reason: 'parameter b has an unsupported value' });
    expect(refused({ b: false }).ok).toBe(false);
    expect(refused({ b: [64] }).ok).toBe(false);
    expect(refused({ n: null }).ok).toBe(false);
    expect(refused({ runs: [1, Number.POSITIVE_INFINITY] }).ok).toBe(false);
    expect(refused({ hidden: [8, true] }).ok).toBe(false);
    // Flags and lists where they belong.
    expect(refused({ play: true, hidden: [8, 4], panels: ['loss', 'data'] })).toEqual({
      ok: true,
      message: { type: 'batchlab:set', params: { play: '1', hidden: '8,4', panels: 'loss,data' } },
    });
  });

  it('change only the given settings, through the same parser as links (clamped)', () => {
    const start = parseUrlState('dataset=xor&b=16&lr=0.1', DATASETS).settings;
    const merged = mergeParams(serializeUrlState(start, DATASETS), { b: '100000', speed: '2' });
    const next = parseUrlState(merged, DATASETS);
    expect(next.settings.batchSize).toBe(start.n);
    expect(next.settings.speed).toBe(2);
    expect({ ...next.settings, batchSize: start.batchSize, runs: start.runs, speed: start.speed }).toEqual(
      start,
    );
    expect(next.notices.map((n) => n.key)).toContain('b');
  });
});

describe('a run of host messages, merged', () => {
  const set = (params: Record<string, string>): HostMessage => ({ type: 'batchlab:set', params });
  const play: HostMessage = { type: 'batchlab:play' };
  const pause: HostMessage = { type: 'batchlab:pause' };

  it('is one set with the last value of each parameter', () => {
    expect(
      coalesceMessages([set({ b: '1', speed: '2' }), set({ b: '64' }), { type: 'batchlab:get' }]),
    ).toEqual({
      params: { b: '64', speed: '2' },
      reset: false,
      transport: null,
    });
  });

  it('ends in the state the last play, pause or play= asked for', () => {
    expect(coalesceMessages([set({ play: '0' }), play]).transport).toBe('play');
    expect(coalesceMessages([set({ play: '0', b: '4' }), play]).params).toEqual({ b: '4' });
    expect(coalesceMessages([set({ play: '0' }), play]).params).toBeNull();
    expect(coalesceMessages([play, set({ play: '0' })])).toEqual({
      params: { play: '0' },
      reset: false,
      transport: null,
    });
    expect(coalesceMessages([pause, play, pause, set({ b: '8' })]).transport).toBe('pause');
  });

  it('keeps a reset, and nothing at all for nothing', () => {
    expect(coalesceMessages([play, { type: 'batchlab:reset' }, { type: 'batchlab:reset' }]).reset).toBe(true);
    expect(coalesceMessages([])).toEqual(EMPTY_BATCH);
    expect(coalesceMessages([{ type: 'batchlab:get' }])).toEqual(EMPTY_BATCH);
  });

  it('never changes the batch it is given', () => {
    const before = coalesceMessages([set({ b: '2', play: '1' })]);
    const copy = structuredClone(before);
    addToBatch(before, set({ b: '4' }));
    addToBatch(before, pause);
    expect(before).toEqual(copy);
  });
});
