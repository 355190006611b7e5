import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import { parseUrlState, serializeUrlState } from '../settings/url-codec';
import { mergeParams, parseHostMessage } from './messages';

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
