import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../data/catalog';
import { attributesToSearch, EMBED_KEYS, parseEmbedOptions } from '../../settings/embed-params';
import type { PanelName } from '../../settings/settings';
import { parseUrlState } from '../../settings/url-codec';
import {
  elementSnippet,
  embedQuery,
  escapeAttribute,
  IFRAME_SIZE_SCRIPT,
  iframeSnippet,
  shareLink,
  suggestedHeight,
} from './snippets';

const settings = parseUrlState('dataset=spirals&b=64&lr=0.1&x=updates', DATASETS).settings;
const choice = {
  panels: ['loss', 'data'] as const,
  controls: ['batch', 'play'] as const,
  locked: ['batch'] as const,
};

/** Reads the attributes of the first `<batch-lab ...>` tag of a snippet, as a browser would. */
function attributesOf(snippet: string): { name: string; value: string }[] {
  const tag = /<batch-lab ([^>]*)>/.exec(snippet)?.[1] ?? '';
  return [...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => ({
    name: m[1] as string,
    value: (m[2] as string)
      .replaceAll('&quot;', '"')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&'),
  }));
}

describe('share and embed snippets', () => {
  it('reproduce the settings: the iframe query parses back to the same settings and options', () => {
    const html = iframeSnippet('https://site.example/batchlab/', settings, choice);
    const src = /src="([^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(src.startsWith('https://site.example/batchlab/?')).toBe(true);
    const query = src.slice(src.indexOf('?'));
    const parsed = parseUrlState(query, DATASETS, { extraKeys: EMBED_KEYS });
    expect(parsed.notices).toEqual([]);
    expect({ ...parsed.settings, panels: settings.panels }).toEqual(settings);
    expect(parsed.settings.panels).toEqual(['loss', 'data']);
    expect(parseEmbedOptions(query).options).toEqual({
      controls: ['batch', 'play'],
      locked: ['batch'],
      origin: null,
    });
    expect(new URLSearchParams(query).get('embed')).toBe('1');
    expect(html).toMatch(/title="batchlab: [^"]+"/);
  });

  it('give the element the same parameters as readable attributes', () => {
    const html = elementSnippet('https://site.example/batchlab/embed/batch-lab.js', settings, choice);
    expect(html).toContain(
      '<script type="module" src="https://site.example/batchlab/embed/batch-lab.js"></script>',
    );
    const attributes = attributesOf(html);
    expect(attributes.map((a) => a.name)).toContain('batch-size');
    const parsed = parseUrlState(attributesToSearch(attributes), DATASETS, { extraKeys: EMBED_KEYS });
    expect(parsed.notices).toEqual([]);
    expect({ ...parsed.settings, panels: settings.panels }).toEqual(settings);
  });

  it('leave the default controls out, and write none when there are none', () => {
    const defaults = embedQuery(settings, {
      panels: ['loss'],
      controls: ['batch', 'play', 'reset'],
      locked: [],
    });
    expect(defaults.has('controls')).toBe(false);
    expect(defaults.has('lock')).toBe(false);
    expect(embedQuery(settings, { panels: ['noise'], controls: [], locked: [] }).get('controls')).toBe(
      'none',
    );
  });

  it('escape what could break out of an attribute', () => {
    expect(escapeAttribute('a"b<c>&d')).toBe('a&quot;b&lt;c&gt;&amp;d');
    expect(shareLink('https://x.example/', settings)).toMatch(/^https:\/\/x\.example\/\?dataset=spirals&/);
  });
});

describe('the iframe snippet sizes itself', () => {
  /** Runs the snippet's script as a browser would, against a fake iframe and window. */
  function runScript(src: string) {
    const posted: { message: unknown; origin: string }[] = [];
    const contentWindow = {
      postMessage: (message: unknown, origin: string) => posted.push({ message, origin }),
    };
    const frame = { src, contentWindow, height: '900' };
    let listener: ((event: { source: unknown; origin: string; data: unknown }) => void) | null = null;
    const run = new Function('document', 'addEventListener', 'location', IFRAME_SIZE_SCRIPT);
    run(
      { currentScript: { previousElementSibling: frame } },
      (type: string, fn: typeof listener) => {
        if (type === 'message') listener = fn;
      },
      { href: 'https://course.example/week3.html' },
    );
    const receive = (data: unknown, source: unknown = contentWindow, origin = 'https://site.example') =>
      listener?.({ source, origin, data });
    return { frame, posted, receive };
  }

  it('puts the script right after the iframe, with a fallback height on the iframe', () => {
    const html = iframeSnippet('https://site.example/batchlab/', settings, choice);
    expect(html).toMatch(/^<iframe [^>]*height="\d+"[^>]*><\/iframe>\n<script>\n[\s\S]*\n<\/script>$/);
    expect(html).toContain(IFRAME_SIZE_SCRIPT);
    expect(suggestedHeight(choice)).toBeGreaterThan(600);
  });

  it('falls back to a height that holds the panels stacked (content heights measured at 700 and 1000 px)', () => {
    const measured: [PanelName[], number][] = [
      [['loss'], 894],
      [['data'], 795],
      [['noise'], 1764],
      [['anatomy'], 1448],
      [['landscape'], 1311],
      [['article'], 1807],
      [['controls'], 629],
      [['loss', 'data'], 1373],
      [['loss', 'data', 'noise'], 3111],
    ];
    for (const [panels, height] of measured) {
      const fallback = suggestedHeight({ panels, controls: ['batch', 'play', 'reset'], locked: [] });
      expect(fallback, panels.join()).toBeGreaterThanOrEqual(height);
      // Not wildly more: a third of white space at most.
      expect(fallback, panels.join()).toBeLessThan(height * 1.35 + 200);
    }
  });

  it('answers ready with get, then sets the iframe to the height the frame reports', () => {
    const { frame, posted, receive } = runScript('https://site.example/batchlab/?embed=1&panels=loss');
    receive({ type: 'batchlab:ready', version: 1 });
    expect(posted).toEqual([{ message: { type: 'batchlab:get' }, origin: 'https://site.example' }]);
    receive({ type: 'batchlab:size', version: 1, height: 2336.4 });
    expect(frame.height).toBe('2337');
  });

  it('trusts only its own frame, from its origin, and sane heights', () => {
    const { frame, posted, receive } = runScript('https://site.example/batchlab/?embed=1');
    receive({ type: 'batchlab:size', version: 1, height: 50 }, {}, 'https://site.example');
    receive({ type: 'batchlab:size', version: 1, height: 60 }, undefined, 'https://evil.example');
    receive({ type: 'batchlab:ready', version: 1 }, undefined, 'https://evil.example');
    receive({ type: 'batchlab:size', version: 1, height: -5 });
    receive(null);
    expect(frame.height).toBe('900');
    expect(posted).toEqual([]);
    receive({ type: 'batchlab:size', version: 1, height: 1e9 });
    expect(frame.height).toBe('6000');
  });

  it('resolves a relative iframe address against the course page', () => {
    const { frame, receive } = runScript('batchlab/?embed=1');
    receive({ type: 'batchlab:size', version: 1, height: 700 }, undefined, 'https://course.example');
    expect(frame.height).toBe('700');
  });
});
