import { describe, expect, it, vi } from 'vitest';
import { EMBED_KEYS } from '../settings/embed-params';
import { Session } from '../state/session';
import { connectHost } from './host-bridge';

interface Posted {
  message: unknown;
  targetOrigin: string;
}

/** Just enough of a window inside an iframe: its parent records what is posted to it. */
function fakeFrame() {
  const posted: Posted[] = [];
  const parent = {
    postMessage: (message: unknown, targetOrigin: string) => posted.push({ message, targetOrigin }),
  };
  let listener: ((event: MessageEvent) => void) | null = null;
  const win = {
    parent,
    addEventListener: (type: string, handler: (event: MessageEvent) => void) => {
      if (type === 'message') listener = handler;
    },
    removeEventListener: () => {
      listener = null;
    },
  };
  const deliver = (data: unknown, origin: string, source: unknown = parent) =>
    listener?.({ data, origin, source } as MessageEvent);
  return { win: win as unknown as Window, posted, deliver, listening: () => listener !== null };
}

function session(): Session {
  return new Session('dataset=xor&b=16', { extraUrlKeys: EMBED_KEYS, writeUrl: false });
}

const HOST = 'https://course.example.org';

describe('the iframe side of the postMessage API', () => {
  it('announces itself with no data but its version, and listens', () => {
    const frame = fakeFrame();
    const stop = connectHost(session(), null, frame.win);
    expect(frame.posted).toEqual([{ message: { type: 'batchlab:ready', version: 1 }, targetOrigin: '*' }]);
    expect(frame.listening()).toBe(true);
    stop();
    expect(frame.listening()).toBe(false);
  });

  it('repeats the announcement until the host speaks, then stops', () => {
    vi.useFakeTimers();
    try {
      const frame = fakeFrame();
      connectHost(session(), null, frame.win);
      vi.advanceTimersByTime(2500);
      const readies = () =>
        frame.posted.filter((p) => (p.message as { type: string }).type === 'batchlab:ready');
      expect(readies()).toHaveLength(3);
      frame.deliver({ type: 'batchlab:get' }, HOST);
      vi.advanceTimersByTime(20_000);
      expect(readies()).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('acts on a valid message from its parent and answers that origin only', () => {
    const frame = fakeFrame();
    const s = session();
    connectHost(s, null, frame.win);
    frame.deliver({ type: 'batchlab:set', params: { b: 64, speed: 2 } }, HOST);
    expect(s.state.settings.batchSize).toBe(64);
    expect(s.state.settings.speed).toBe(2);
    const reply = frame.posted.at(-1);
    expect(reply?.targetOrigin).toBe(HOST);
    expect(reply?.message).toMatchObject({ type: 'batchlab:state', version: 1, playing: true });
    expect((reply?.message as { query?: string } | undefined)?.query).toContain('b=64');
  });

  it('ignores messages from any window but its parent', () => {
    const frame = fakeFrame();
    const s = session();
    connectHost(s, null, frame.win);
    frame.deliver({ type: 'batchlab:set', params: { b: 64 } }, HOST, { postMessage: () => undefined });
    expect(s.state.settings.batchSize).toBe(16);
    expect(frame.posted).toHaveLength(1);
  });

  it('with origin= set, ignores its parent when the parent is on another origin', () => {
    const frame = fakeFrame();
    const s = session();
    connectHost(s, HOST, frame.win);
    frame.deliver({ type: 'batchlab:pause' }, 'https://evil.example');
    expect(s.state.settings.playing).toBe(true);
    frame.deliver({ type: 'batchlab:pause' }, HOST);
    expect(s.state.settings.playing).toBe(false);
  });

  it('reports malformed batchlab messages, stays silent about everything else', () => {
    const frame = fakeFrame();
    const s = session();
    connectHost(s, null, frame.win);
    frame.deliver({ type: 'batchlab:set', params: { embed: '0' } }, HOST);
    expect(frame.posted.at(-1)).toEqual({
      message: {
        type: 'batchlab:error',
        version: 1,
        message: 'ignored batchlab:set: unknown parameter embed',
      },
      targetOrigin: HOST,
    });
    const count = frame.posted.length;
    frame.deliver({ type: 'something-else' }, HOST);
    frame.deliver('batchlab:play', HOST);
    expect(frame.posted).toHaveLength(count);
    expect(s.state.settings.batchSize).toBe(16);
  });

  it('passes values through the link parser: out of range is clamped and reported', () => {
    const frame = fakeFrame();
    const s = session();
    connectHost(s, null, frame.win);
    frame.deliver({ type: 'batchlab:set', params: { speed: 99 } }, HOST);
    expect(s.state.settings.speed).toBe(5);
    const messages = frame.posted.map((p) => p.message as { type: string; message?: string });
    expect(messages.some((m) => m.type === 'batchlab:error' && m.message?.includes('speed'))).toBe(true);
  });

  it('merges a flood of messages: the first acts at once, the rest as one change after a pause', () => {
    vi.useFakeTimers();
    try {
      const frame = fakeFrame();
      const s = session();
      connectHost(s, null, frame.win);
      let storeUpdates = 0;
      s.store.subscribe(() => storeUpdates++);
      const sizes = [1, 2, 4, 8, 16, 32, 64, 128];
      frame.deliver({ type: 'batchlab:set', params: { speed: 2 } }, HOST);
      expect(s.state.settings.speed).toBe(2);
      const afterFirst = storeUpdates;
      for (let i = 0; i < 400; i++) {
        frame.deliver({ type: 'batchlab:set', params: { b: sizes[i % sizes.length] } }, HOST);
        if (i % 7 === 0) frame.deliver({ type: i % 2 ? 'batchlab:pause' : 'batchlab:play' }, HOST);
      }
      frame.deliver({ type: 'batchlab:set', params: { b: 16, speed: 3 } }, HOST);
      frame.deliver({ type: 'batchlab:pause' }, HOST);
      // Nothing of the flood has reached the session yet.
      expect(storeUpdates).toBe(afterFirst);
      expect(s.state.settings.speed).toBe(2);
      vi.advanceTimersByTime(100);
      expect(s.state.settings).toMatchObject({ batchSize: 16, speed: 3, playing: false });
      // A handful of store updates for 458 messages (the settings, the batch size, the pause).
      expect(storeUpdates - afterFirst).toBeLessThanOrEqual(5);
      const states = frame.posted.filter((p) => (p.message as { type: string }).type === 'batchlab:state');
      expect(states).toHaveLength(2);
      // Quiet again: the next message acts at once.
      vi.advanceTimersByTime(100);
      frame.deliver({ type: 'batchlab:play' }, HOST);
      expect(s.state.settings.playing).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
