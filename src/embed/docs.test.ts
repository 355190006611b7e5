/**
 * docs/embedding.md is the teachers' reference: this keeps it in step with the code. Every URL
 * parameter, alias, panel, control, message type and dataset must be listed, and the numbers the
 * page quotes must be the catalog's and the parser's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import {
  ATTRIBUTE_ALIASES,
  CONTROL_NAMES,
  DEFAULT_EMBED_CONTROLS,
  EMBED_KEYS,
} from '../settings/embed-params';
import {
  DEFAULT_DATASET_ID,
  defaultSettings,
  LEARNING_RATES,
  MAX_HIDDEN_LAYERS,
  MAX_HIDDEN_WIDTH,
  MAX_RUNS,
  MAX_SEED,
  PANEL_NAMES,
} from '../settings/settings';
import { URL_KEYS } from '../settings/url-codec';
import { SPEED_LABELS } from '../state/budget';
import { HOST_MESSAGE_TYPES } from './messages';

const doc = readFileSync(new URL('../../docs/embedding.md', import.meta.url), 'utf8');

/** The lines under a heading, up to the next heading. */
function section(title: string): string[] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '') === title);
  if (start < 0) throw new Error(`docs/embedding.md has no section “${title}”`);
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

function cells(line: string): string[] {
  return line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

/** The cells of the table row (in that section) whose first cell is `name` in backticks. */
function row(name: string, title = 'Parameters'): string[] {
  const line = section(title).find((l) => l.startsWith('|') && cells(l)[0] === `\`${name}\``);
  if (!line) throw new Error(`docs/embedding.md has no row for \`${name}\` under “${title}”`);
  return cells(line);
}

describe('docs/embedding.md', () => {
  it('lists every URL parameter and embed parameter, with its element alias', () => {
    for (const key of [...URL_KEYS, ...EMBED_KEYS]) {
      const cells = row(key);
      const alias = Object.entries(ATTRIBUTE_ALIASES).find(([, k]) => k === key)?.[0];
      expect(cells[1], `alias of ${key}`).toBe(alias ? `\`${alias}\`` : '');
    }
  });

  it('quotes the parser’s limits and defaults', () => {
    const d = defaultSettings(DATASETS);
    expect(row('dataset')[3]).toBe(`\`${DEFAULT_DATASET_ID}\``);
    expect(row('seed')[2]).toContain(`0 to ${MAX_SEED}`);
    expect(row('seed')[3]).toBe(`\`${d.seed}\``);
    expect(row('hidden')[2]).toContain(
      `at most ${MAX_HIDDEN_LAYERS} layers of 1 to ${MAX_HIDDEN_WIDTH} units`,
    );
    expect(row('lr')[2]).toContain(`from ${LEARNING_RATES[0]} to ${LEARNING_RATES.at(-1)}`);
    expect(row('runs')[2]).toContain(`at most ${MAX_RUNS}`);
    expect(row('speed')[3]).toBe(`\`${d.speed}\``);
    expect(row('speed')[2]).toBe(`1 (${SPEED_LABELS[0]}) to ${SPEED_LABELS.length} (${SPEED_LABELS.at(-1)})`);
    expect(row('reduction')[3]).toBe(`\`${d.reduction}\``);
    expect(row('opt')[3]).toBe(`\`${d.optimizer}\``);
    expect(row('last')[3]).toBe(`\`${d.lastBatch}\``);
    expect(row('x')[3]).toBe(`\`${d.xAxis}\``);
    expect(row('y')[3]).toBe(`\`${d.yScale}\``);
    expect(row('engine')[3]).toBe(`\`${d.engine}\``);
    expect(row('controls')[3]).toBe(`\`${DEFAULT_EMBED_CONTROLS.join(',')}\``);
  });

  it('lists every dataset with the catalog’s sizes and noise ranges', () => {
    for (const d of DATASETS) {
      expect(row(d.id, 'Datasets')).toEqual([
        `\`${d.id}\``,
        d.name,
        d.task,
        String(d.defaultN),
        `${d.minN} to ${d.maxN}`,
        String(d.defaultNoise),
        `${d.noiseRange[0]} to ${d.noiseRange[1]}`,
      ]);
    }
  });

  it('lists every panel, control and host message', () => {
    for (const name of PANEL_NAMES) expect(row(name, 'Panels').length).toBe(2);
    for (const name of CONTROL_NAMES) expect(row(name, 'Controls').length).toBe(2);
    for (const type of HOST_MESSAGE_TYPES) expect(doc).toContain(`{ type: '${type}'`);
  });
});
