/**
 * The link and the HTML a teacher pastes into a course page, made from the current settings:
 * the same query string the app writes (so a snippet reproduces the view exactly), plus the
 * embed's own keys.
 */

import { DATASETS } from '../../data/catalog';
import { ATTRIBUTE_ALIASES, type ControlName, DEFAULT_EMBED_CONTROLS } from '../../settings/embed-params';
import type { PanelName, Settings } from '../../settings/settings';
import { serializeUrlState } from '../../settings/url-codec';

export interface EmbedChoice {
  panels: readonly PanelName[];
  controls: readonly ControlName[];
  locked: readonly ControlName[];
}

/** The settings as the embed's query (embed keys last; defaults left out, as in links). */
export function embedQuery(settings: Settings, choice: EmbedChoice): URLSearchParams {
  const params = new URLSearchParams(serializeUrlState(settings, DATASETS));
  params.delete('panels');
  params.set('panels', choice.panels.join(','));
  if (choice.controls.join() !== DEFAULT_EMBED_CONTROLS.join())
    params.set('controls', choice.controls.length ? choice.controls.join(',') : 'none');
  if (choice.locked.length > 0) params.set('lock', choice.locked.join(','));
  return params;
}

function queryText(params: URLSearchParams): string {
  return params.toString().replaceAll('%2C', ',');
}

/** Escapes text for a double-quoted HTML attribute. */
export function escapeAttribute(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/**
 * Each panel's height in an iframe about 700 px wide, where panels stack (measured in Chromium on
 * 30 November 2026, rounded up; the noise panel with its table folded). Wider frames put some
 * side by side and need less.
 */
export const PANEL_HEIGHTS: Readonly<Record<PanelName, number>> = {
  loss: 720,
  data: 620,
  noise: 1650,
  anatomy: 1300,
  landscape: 1150,
  article: 1650,
  controls: 460,
  // Not offered in embeds (the sweep keeps the one-file embed within its size budget); a value
  // is still needed for the full set of panels: the sweep panel's height with its results.
  sweep: 2600,
};

/**
 * The iframe's height before the frame reports its own, and for good where a course page strips
 * the snippet's script: the chosen panels stacked, so the learner gets white space below rather
 * than a scroll bar inside the frame.
 */
export function suggestedHeight(choice: EmbedChoice): number {
  const header = 130;
  const controls = choice.controls.length > 0 ? 60 : 0;
  return header + controls + choice.panels.reduce((sum, panel) => sum + PANEL_HEIGHTS[panel], 0);
}

/**
 * The host page's side of sizing: the frame reports its content's height (`batchlab:size`, after
 * the host's first message) and this sets the iframe to it, so the learner never scrolls inside
 * the frame. It finds its iframe as the element just before it, and trusts only that frame's
 * messages from its origin. Where a course page strips scripts, the iframe keeps its height.
 */
export const IFRAME_SIZE_SCRIPT = `(function (frame) {
  var origin = new URL(frame.src, location.href).origin;
  addEventListener('message', function (event) {
    var data = event.data;
    if (event.source !== frame.contentWindow || event.origin !== origin || !data) return;
    if (data.type === 'batchlab:ready') frame.contentWindow.postMessage({ type: 'batchlab:get' }, origin);
    if (data.type === 'batchlab:size' && data.height > 0) frame.height = String(Math.min(Math.ceil(data.height), 6000));
  });
})(document.currentScript.previousElementSibling);`;

export function iframeSnippet(appUrl: string, settings: Settings, choice: EmbedChoice): string {
  const params = embedQuery(settings, choice);
  params.set('embed', '1');
  const src = `${appUrl}?${queryText(params)}`;
  const title = `batchlab: mini-batch gradient descent on ${settings.dataset}, B = ${settings.batchSize}`;
  const frame = `<iframe src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" width="100%" height="${suggestedHeight(choice)}" loading="lazy"></iframe>`;
  return `${frame}\n<script>\n${IFRAME_SIZE_SCRIPT}\n</script>`;
}

const READABLE_NAME: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ATTRIBUTE_ALIASES).map(([alias, key]) => [key, alias]),
);

export function elementSnippet(scriptUrl: string, settings: Settings, choice: EmbedChoice): string {
  const params = embedQuery(settings, choice);
  const attributes = [...params]
    .map(([key, value]) => `${READABLE_NAME[key] ?? key}="${escapeAttribute(value)}"`)
    .join(' ');
  return `<script type="module" src="${escapeAttribute(scriptUrl)}"></script>\n<batch-lab ${attributes}></batch-lab>`;
}

export function shareLink(appUrl: string, settings: Settings): string {
  return `${appUrl}?${serializeUrlState(settings, DATASETS)}`;
}
