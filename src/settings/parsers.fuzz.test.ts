/**
 * Fuzz test of the link and attribute parsers: thousands of seeded, generated queries (plausible,
 * out of range, garbage) through the URL codec and the embed parameters. None may throw, every
 * result must be valid settings within bounds, and a parsed link written back and read again
 * must give the same settings with nothing to report.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import { Rng } from '../engine/random';
import {
  attributesToSearch,
  CONTROL_NAMES,
  EMBED_KEYS,
  isEmbedSearch,
  normaliseOrigin,
  parseEmbedOptions,
  withEmbedDefaults,
} from './embed-params';
import { fuzzAttributes, fuzzQuery, settingsProblems } from './testing/fuzz-inputs';
import { parseUrlState, serializeUrlState } from './url-codec';

const CASES = 1500;

describe('the URL codec, fuzzed', () => {
  it(`reads ${CASES} generated links into valid settings, and round-trips them exactly`, () => {
    const rng = new Rng(20261130);
    const failures: string[] = [];
    let withNotices = 0;
    for (let i = 0; i < CASES; i++) {
      const query = fuzzQuery(rng, DATASETS);
      try {
        const first = parseUrlState(query, DATASETS, { extraKeys: EMBED_KEYS });
        if (first.notices.length > 0) withNotices++;
        for (const notice of first.notices)
          if (!notice.key || !notice.message) failures.push(`${query}: an empty notice`);
        const problems = settingsProblems(first.settings, DATASETS);
        if (problems.length > 0) failures.push(`${query}: ${problems.join('; ')}`);
        const written = serializeUrlState(first.settings, DATASETS);
        const again = parseUrlState(written, DATASETS);
        expect(again.settings, `${query} → ${written}`).toEqual(first.settings);
        expect(again.notices, `${query} → ${written}`).toEqual([]);
        expect(serializeUrlState(again.settings, DATASETS)).toBe(written);
      } catch (error) {
        failures.push(`${JSON.stringify(query)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // The generator reaches both sides: clean links and ones that need repairs.
    expect(withNotices).toBeGreaterThan(CASES / 4);
    expect(withNotices).toBeLessThan(CASES);
  });
});

describe('the embed parameters, fuzzed', () => {
  it(`read ${CASES} generated embed links and element attribute sets without throwing, within bounds`, () => {
    const rng = new Rng(7);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const fromAttributes = i % 2 === 0;
      const search = fromAttributes
        ? withEmbedDefaults(attributesToSearch(fuzzAttributes(rng, DATASETS)))
        : fuzzQuery(rng, DATASETS);
      try {
        isEmbedSearch(search);
        const { options, notices } = parseEmbedOptions(search);
        const inOrder = CONTROL_NAMES.filter((c) => options.controls.includes(c));
        if (options.controls.join() !== inOrder.join())
          failures.push(`${search}: controls ${options.controls}`);
        if (!options.locked.every((c) => CONTROL_NAMES.includes(c)))
          failures.push(`${search}: locked ${options.locked}`);
        if (options.origin !== null && normaliseOrigin(options.origin) !== options.origin)
          failures.push(`${search}: origin ${options.origin}`);
        if (notices.some((n) => !n.key || !n.message)) failures.push(`${search}: an empty notice`);
        const parsed = parseUrlState(search, DATASETS, { extraKeys: EMBED_KEYS });
        const problems = settingsProblems(parsed.settings, DATASETS);
        if (problems.length > 0) failures.push(`${search}: ${problems.join('; ')}`);
        // Keys of the embed layer are never reported as unknown by the app's parser.
        for (const key of EMBED_KEYS)
          if (parsed.notices.some((n) => n.key === `unknown-${key}`))
            failures.push(`${search}: ${key} unknown`);
      } catch (error) {
        failures.push(`${JSON.stringify(search)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
