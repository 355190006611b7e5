import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../data/catalog';
import { attributesToSearch, EMBED_KEYS, parseEmbedOptions } from '../../settings/embed-params';
import { parseUrlState } from '../../settings/url-codec';
import { elementSnippet, embedQuery, escapeAttribute, iframeSnippet, shareLink } from './snippets';

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
