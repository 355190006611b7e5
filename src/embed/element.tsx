/**
 * `<batch-lab>`: batchlab as a custom element for course pages. Its attributes are the app's URL
 * parameters (`dataset="spirals" batch-size="32" panels="loss"`), parsed by the same code as a
 * link; it reacts to attribute changes; each element has its own session (data, engine, runs)
 * and renders with React into its own shadow root, so several on a page are independent.
 */
import '../styles/app.css';
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { DATASETS } from '../data/catalog';
import { errorText } from '../error-text';
import {
  attributesToSearch,
  EMBED_KEYS,
  OBSERVED_ATTRIBUTES,
  parseEmbedOptions,
  withEmbedDefaults,
} from '../settings/embed-params';
import type { Settings } from '../settings/settings';
import { parseUrlState } from '../settings/url-codec';
import { Session } from '../state/session';
import { ErrorBoundary } from '../views/shared/ErrorBoundary';
import { applySettingsChange } from './apply';
import { EmbedApp } from './EmbedApp';
import { createOptionsStore, type EmbedOptionsStore } from './options-store';
import { adoptEmbedStyles } from './shadow-styles';

export const ELEMENT_NAME = 'batch-lab';

/** The full app, next to the `embed/` folder this file is served from (override: `app-url`). */
function defaultAppUrl(): string {
  return new URL(/* @vite-ignore */ '../', import.meta.url).href;
}

export class BatchLabElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return [...OBSERVED_ATTRIBUTES, 'app-url'];
  }

  private session: Session | null = null;
  private root: Root | null = null;
  private options: EmbedOptionsStore | null = null;
  /** The settings the attributes asked for last: a change applies only what they changed. */
  private requested: Settings | null = null;
  private updateQueued = false;

  /** The session of this element (for scripts on the course page that want to inspect it). */
  get batchlab(): Session | null {
    return this.session;
  }

  private search(): string {
    return withEmbedDefaults(attributesToSearch(this.attributes));
  }

  connectedCallback(): void {
    if (this.session) return; // moved within the page: keep running
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const mount = document.createElement('div');
    mount.className = 'batchlab-mount';
    try {
      const style = adoptEmbedStyles(shadow);
      if (style) shadow.replaceChildren(style, mount);
      else shadow.replaceChildren(mount);
      const search = this.search();
      const hidden = this.getAttribute('hidden');
      if (hidden && /\d/.test(hidden))
        // The layer widths were meant, but HTML's own `hidden` hides the element: say so.
        console.warn(
          `<batch-lab hidden="${hidden}"> is hidden by the browser (hidden is HTML's own attribute): write the layer widths as hidden-layers="${hidden}".`,
        );
      const embed = parseEmbedOptions(search);
      const session = new Session(search, { extraUrlKeys: EMBED_KEYS, writeUrl: false });
      if (embed.notices.length > 0) session.store.set((s) => ({ notices: [...s.notices, ...embed.notices] }));
      this.session = session;
      this.requested = session.state.settings;
      this.options = createOptionsStore(embed.options);
      session.start();
      this.root = createRoot(mount);
      this.render();
    } catch (error) {
      // Never an empty box on the course page: say what happened.
      mount.textContent = `batchlab could not start: ${errorText(error)}`;
      shadow.replaceChildren(mount);
    }
  }

  private render(): void {
    if (!this.root || !this.session || !this.options) return;
    this.root.render(
      <StrictMode>
        <ErrorBoundary what="batchlab">
          <EmbedApp
            session={this.session}
            options={this.options}
            appUrl={this.getAttribute('app-url') || defaultAppUrl()}
          />
        </ErrorBoundary>
      </StrictMode>,
    );
  }

  disconnectedCallback(): void {
    // Moving the element disconnects and reconnects it in one task: stop only if it stays out.
    queueMicrotask(() => {
      if (!this.isConnected) this.stop();
    });
  }

  attributeChangedCallback(_name: string, oldValue: string | null, newValue: string | null): void {
    if (!this.session || oldValue === newValue || this.updateQueued) return;
    // Several attributes set in a row are applied together.
    this.updateQueued = true;
    queueMicrotask(() => {
      this.updateQueued = false;
      this.applyAttributes();
    });
  }

  private applyAttributes(): void {
    const session = this.session;
    if (!session || !this.requested) return;
    const search = this.search();
    const parsed = parseUrlState(search, DATASETS, { extraKeys: EMBED_KEYS });
    const embed = parseEmbedOptions(search);
    const notices = [...parsed.notices, ...embed.notices];
    if (notices.length > 0)
      session.store.set((s) => ({
        notices: [...s.notices.filter((n) => !notices.some((m) => m.key === n.key)), ...notices],
      }));
    applySettingsChange(session, this.requested, parsed.settings, new URLSearchParams(search).has('runs'));
    this.requested = parsed.settings;
    this.options?.set(embed.options);
    this.render(); // `app-url` may have changed
  }

  private stop(): void {
    this.root?.unmount();
    this.root = null;
    this.session?.dispose();
    this.session = null;
    this.requested = null;
    this.options = null;
  }
}

/** Defines `<batch-lab>` once, even when the script is included twice. */
export function defineBatchLab(): void {
  if (typeof customElements !== 'undefined' && !customElements.get(ELEMENT_NAME))
    customElements.define(ELEMENT_NAME, BatchLabElement);
}
