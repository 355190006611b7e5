import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import {
  ATTRIBUTE_ALIASES,
  attributesToSearch,
  CONTROL_NAMES,
  DEFAULT_EMBED_CONTROLS,
  EMBED_KEYS,
  isEmbedSearch,
  normaliseOrigin,
  OBSERVED_ATTRIBUTES,
  parseEmbedOptions,
  withEmbedDefaults,
} from './embed-params';
import { parseUrlState, URL_KEYS } from './url-codec';

const attrs = (record: Record<string, string>) =>
  Object.entries(record).map(([name, value]) => ({ name, value }));

describe('embed options', () => {
  it('default to the slider, train and reset, nothing locked, any parent', () => {
    const { options, notices } = parseEmbedOptions('');
    expect(options).toEqual({ controls: [...DEFAULT_EMBED_CONTROLS], locked: [], origin: null });
    expect(notices).toEqual([]);
  });

  it('read controls in the bar order, with all and none, and report unknown names', () => {
    expect(parseEmbedOptions('controls=reset,batch').options.controls).toEqual(['batch', 'reset']);
    expect(parseEmbedOptions('controls=all').options.controls).toEqual([...CONTROL_NAMES]);
    expect(parseEmbedOptions('controls=none').options.controls).toEqual([]);
    const parsed = parseEmbedOptions('controls=batch,fly&lock=batch,x');
    expect(parsed.options.controls).toEqual(['batch']);
    expect(parsed.options.locked).toEqual(['batch']);
    expect(parsed.notices.map((n) => n.key)).toEqual(['controls-fly', 'lock-x']);
  });

  it('accept only an http(s) origin, reduced to its origin', () => {
    expect(parseEmbedOptions('origin=https://course.example.org/week3?x=1').options.origin).toBe(
      'https://course.example.org',
    );
    const bad = parseEmbedOptions('origin=javascript:alert(1)');
    expect(bad.options.origin).toBeNull();
    expect(bad.notices[0]?.key).toBe('origin');
    expect(normaliseOrigin('not a url')).toBeNull();
  });

  it('are only switched on by embed=1 (or true, yes)', () => {
    expect(isEmbedSearch('?embed=1')).toBe(true);
    expect(isEmbedSearch('embed=YES')).toBe(true);
    expect(isEmbedSearch('?embed=0')).toBe(false);
    expect(isEmbedSearch('?dataset=xor')).toBe(false);
  });

  it('show only the loss panel unless panels is given', () => {
    expect(new URLSearchParams(withEmbedDefaults('b=8')).get('panels')).toBe('loss');
    expect(new URLSearchParams(withEmbedDefaults('panels=noise')).get('panels')).toBe('noise');
  });

  it('are not reported as unknown by the app parser', () => {
    const { notices } = parseUrlState('embed=1&controls=batch&lock=batch&origin=https://a.org', DATASETS, {
      extraKeys: EMBED_KEYS,
    });
    expect(notices).toEqual([]);
  });
});

describe('element attributes', () => {
  it('become the same query a link would carry, so they go through the same checks', () => {
    const search = attributesToSearch(
      attrs({ dataset: 'spirals', 'batch-size': '32', panels: 'loss', class: 'x' }),
    );
    expect(new URLSearchParams(search).get('b')).toBe('32');
    expect(new URLSearchParams(search).has('class')).toBe(false);
    const parsed = parseUrlState(search, DATASETS);
    expect(parsed.settings.dataset).toBe('spirals');
    expect(parsed.settings.batchSize).toBe(32);
    expect(parsed.settings.panels).toEqual(['loss']);
    expect(parsed.notices).toEqual([]);
  });

  it('take the hidden layers as hidden-layers (HTML’s own hidden attribute hides the element)', () => {
    const parsed = parseUrlState(attributesToSearch(attrs({ 'hidden-layers': '64,64,64,64' })), DATASETS);
    expect(parsed.settings.hidden).toEqual([64, 64, 64, 64]);
    expect(parsed.notices).toEqual([]);
    expect(OBSERVED_ATTRIBUTES).toContain('hidden-layers');
  });

  it('prefer the URL key over its alias when both are given', () => {
    const search = attributesToSearch(attrs({ 'batch-size': '8', b: '64', 'learning-rate': '0.05' }));
    const params = new URLSearchParams(search);
    expect(params.get('b')).toBe('64');
    expect(params.get('lr')).toBe('0.05');
  });

  it('are clamped and reported like URL parameters', () => {
    const parsed = parseUrlState(
      attributesToSearch(attrs({ dataset: 'circles', 'batch-size': '5000' })),
      DATASETS,
    );
    expect(parsed.settings.batchSize).toBe(parsed.settings.n);
    expect(parsed.notices.map((n) => n.key)).toContain('b');
  });

  it('with an empty list of hidden layers, keep the network and say so (not a silent linear model)', () => {
    for (const value of ['', '  ']) {
      const parsed = parseUrlState(
        attributesToSearch(attrs({ dataset: 'circles', hidden: value })),
        DATASETS,
      );
      expect(parsed.settings.hidden).toEqual(parseUrlState('dataset=circles', DATASETS).settings.hidden);
      expect(parsed.settings.hidden.length).toBeGreaterThan(0);
      expect(parsed.notices.map((n) => n.key)).toEqual(['hidden']);
      expect(parsed.notices[0]?.message).toContain('empty hidden layers');
    }
    // A linear model is asked for by name.
    for (const value of ['none', '0'])
      expect(parseUrlState(attributesToSearch(attrs({ hidden: value })), DATASETS)).toMatchObject({
        settings: { hidden: [] },
        notices: [],
      });
  });

  it('cover every URL key and every alias points at one', () => {
    for (const key of URL_KEYS) expect(OBSERVED_ATTRIBUTES).toContain(key);
    for (const key of Object.values(ATTRIBUTE_ALIASES)) expect(URL_KEYS).toContain(key);
  });
});
