/** `b: 'N'` in a postMessage is the full batch, as `runs: 'N'` is (not "not a number"). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EMBED_KEYS } from '../settings/embed-params';
import { Session } from '../state/session';
import { connectHost } from './host-bridge';

const HOST = 'https://course.example.org';

describe('batchlab:set with b = N', () => {
  // Messages are merged over short intervals: the test moves the clock past each one.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sets B to N and reports no error', () => {
    const posted: unknown[] = [];
    const parent = { postMessage: (message: unknown) => posted.push(message) };
    let listener: ((event: MessageEvent) => void) | null = null;
    const win = {
      parent,
      addEventListener: (_type: string, handler: (event: MessageEvent) => void) => {
        listener = handler;
      },
      removeEventListener: () => {},
    } as unknown as Window;
    const session = new Session('dataset=xor&n=64&b=16', { extraUrlKeys: EMBED_KEYS, writeUrl: false });
    connectHost(session, null, win);
    for (const b of ['N', 'n']) {
      posted.length = 0;
      (listener as ((event: MessageEvent) => void) | null)?.({
        data: { type: 'batchlab:set', params: { b } },
        origin: HOST,
        source: parent,
      } as unknown as MessageEvent);
      vi.advanceTimersByTime(1000);
      expect(session.state.settings.batchSize, b).toBe(64);
      expect(
        posted.filter((m) => (m as { type: string }).type === 'batchlab:error'),
        b,
      ).toEqual([]);
      session.commitBatchSize(16);
    }
  });
});
