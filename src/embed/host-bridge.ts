/**
 * The iframe side of the postMessage API. Only the parent window is listened to (and, with
 * `origin=`, only that origin); every message is checked by `parseHostMessage` and anything not
 * documented is dropped. Replies and state reports go to the origin that sent the last valid
 * message, never to '*'; the one exception is `batchlab:ready`, which carries no data.
 */

import { DATASETS } from '../data/catalog';
import { EMBED_KEYS } from '../settings/embed-params';
import { parseUrlState, serializeUrlState } from '../settings/url-codec';
import type { Session } from '../state/session';
import { applySettingsChange } from './apply';
import {
  addToBatch,
  EMPTY_BATCH,
  type EmbedMessage,
  MESSAGE_VERSION,
  type MessageBatch,
  mergeParams,
  parseHostMessage,
} from './messages';

/** State reports are sent at most this often while training. */
const STATE_INTERVAL_MS = 500;
/** `batchlab:ready` is sent this many times, this far apart, or until the host's first message. */
const READY_REPEATS = 10;
const READY_INTERVAL_MS = 1000;
/**
 * Host messages change the page at most this often; the ones between are merged. Acting on each
 * of a flood at once chained hundreds of store updates without a pause, which React stops with
 * "maximum update depth exceeded".
 */
const MESSAGE_INTERVAL_MS = 100;

export function stateMessage(session: Session): EmbedMessage {
  const { settings, runs, engine } = session.state;
  return {
    type: 'batchlab:state',
    version: MESSAGE_VERSION,
    query: serializeUrlState(settings, DATASETS),
    playing: settings.playing,
    engine: engine.kind,
    runs: runs.map((r) => ({
      batchSize: r.batchSize,
      step: r.progress.step,
      epoch: r.progress.epoch,
      samplesSeen: r.progress.samplesSeen,
      datasetLoss: r.datasetLoss,
      diverged: r.status === 'diverged',
    })),
  };
}

/** Listens to the parent page; returns a function that stops listening. */
export function connectHost(
  session: Session,
  allowedOrigin: string | null,
  win: Window = window,
): () => void {
  const parent = win.parent;
  if (!parent || parent === win) return () => undefined;
  let hostOrigin: string | null = null;
  let lastSent = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const send = (message: EmbedMessage, targetOrigin: string) => {
    // An opaque origin (a sandboxed or file: host) can only be addressed as '*'.
    parent.postMessage(message, targetOrigin === 'null' ? '*' : targetOrigin);
  };
  const sendState = () => {
    timer = null;
    if (hostOrigin === null) return;
    lastSent = performance.now();
    send(stateMessage(session), hostOrigin);
  };
  const scheduleState = () => {
    if (hostOrigin === null || timer !== null) return;
    timer = setTimeout(sendState, Math.max(0, STATE_INTERVAL_MS - (performance.now() - lastSent)));
  };

  const onMessage = (event: MessageEvent) => {
    if (event.source !== parent) return;
    if (allowedOrigin !== null && event.origin !== allowedOrigin) return;
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      // Tell the host about a malformed batchlab message; stay silent about everything else.
      const type = (event.data as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type.startsWith('batchlab:'))
        send(
          { type: 'batchlab:error', version: MESSAGE_VERSION, message: `ignored ${type}: ${parsed.reason}` },
          event.origin,
        );
      return;
    }
    hostOrigin = event.origin;
    pending = addToBatch(pending ?? EMPTY_BATCH, parsed.message);
    pendingFrom = event.origin;
    // The first message is acted on at once; what follows within the next interval is
    // gathered and applied as one change (see `addToBatch`).
    if (flushTimer === null) flush();
  };

  /** The messages received since the last change, already merged (bounded, whatever the flood). */
  let pending: MessageBatch | null = null;
  let pendingFrom = '';
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    flushTimer = null;
    if (pending === null) return;
    const batch = pending;
    pending = null;
    apply(batch, pendingFrom);
    sendState();
    sendSize();
    flushTimer = setTimeout(flush, MESSAGE_INTERVAL_MS);
  };
  const apply = (batch: MessageBatch, origin: string) => {
    if (batch.params) {
      const before = session.state.settings;
      const query = mergeParams(serializeUrlState(before, DATASETS), batch.params);
      const after = parseUrlState(query, DATASETS, { extraKeys: EMBED_KEYS });
      if (after.notices.length > 0)
        send(
          {
            type: 'batchlab:error',
            version: MESSAGE_VERSION,
            message: after.notices.map((n) => n.message).join(' '),
          },
          origin,
        );
      applySettingsChange(session, before, after.settings, 'runs' in batch.params);
    }
    if (batch.reset) session.reset();
    if (batch.transport === 'play') session.play();
    else if (batch.transport === 'pause') session.pause();
  };

  // The page's height, so a host can size the iframe to its content (no inner scroll bar).
  let lastHeight = 0;
  const sendSize = () => {
    if (hostOrigin === null || typeof document === 'undefined') return;
    // The root element's own box, not scrollHeight: that never drops below the frame's height.
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    send({ type: 'batchlab:size', version: MESSAGE_VERSION, height }, hostOrigin);
  };
  const resizeObserver =
    typeof ResizeObserver !== 'undefined' && typeof document !== 'undefined'
      ? new ResizeObserver(sendSize)
      : null;
  resizeObserver?.observe(document.documentElement);

  win.addEventListener('message', onMessage);
  const unsubscribe = session.store.subscribe(scheduleState);
  // `ready` is repeated a few times until the host speaks: a host script that starts after the
  // iframe (a deferred module, say) still hears it.
  let readyCount = 0;
  let readyTimer: ReturnType<typeof setTimeout> | null = null;
  const announce = () => {
    readyTimer = null;
    if (hostOrigin !== null) return;
    send({ type: 'batchlab:ready', version: MESSAGE_VERSION }, '*');
    if (++readyCount < READY_REPEATS) readyTimer = setTimeout(announce, READY_INTERVAL_MS);
  };
  announce();
  return () => {
    if (readyTimer !== null) clearTimeout(readyTimer);
    win.removeEventListener('message', onMessage);
    unsubscribe();
    resizeObserver?.disconnect();
    if (timer !== null) clearTimeout(timer);
    if (flushTimer !== null) clearTimeout(flushTimer);
    pending = null;
  };
}
