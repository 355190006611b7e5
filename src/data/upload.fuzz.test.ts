/**
 * Fuzz test of the CSV parser: 1,200 seeded, generated files (random bytes, random separators,
 * quotes, huge and tiny numbers, blank lines, BOM, CRLF, ragged rows, decimal commas, mutations
 * of good files) must each give a clear message or a dataset the engines can train on. The
 * parser catches everything itself, so "no exception escapes" means its defensive catch (the
 * message "The file could not be read (…)") is never reached.
 */

import { describe, expect, it } from 'vitest';
import { Rng } from '../engine/random';
import type { Dataset } from '../engine/types';
import { type CsvOptions, type CsvResult, MAX_UPLOAD_CLASSES, parseCsvDataset } from './upload';

const FILES = 1200;
const SEED = 20261130;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;

const STRANGE_CELLS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '1e-999',
  'abc',
  '0x1F',
  '"',
  '""',
  '"1"',
  ' 1 ',
  '+.5',
  '5.',
  '.',
  '-0',
  '1e308',
  '-1.7976931348623157e308',
  '1.7976931348623157e308',
  '5e-324',
  '-5e-324',
  '9007199254740993',
  '1,5',
  '1.234,5',
  '٣',
  '½',
  '#',
  '\u0000',
  '\uFFFD',
  '\u001b[31m',
];

/** A number as a file might hold it: ordinary, huge, tiny, whole or with a decimal comma. */
function numberCell(rng: Rng, decimalComma: boolean): string {
  const kind = rng.int(10);
  let value: number;
  if (kind < 5) value = rng.normal() * 10;
  else if (kind < 7) value = rng.int(7) - 2;
  else if (kind < 8) value = rng.normal() * 10 ** (rng.int(617) - 308);
  else if (kind < 9) value = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(1, 1.8) * 1e308;
  else value = rng.normal() * 1e-310;
  const text = kind === 5 || kind === 6 ? String(value) : value.toPrecision(1 + rng.int(17));
  return decimalComma ? text.replace('.', ',') : text;
}

function quote(cell: string, rng: Rng, messy: boolean): string {
  const r = messy ? rng.next() : 0;
  if (r < 0.7) return `"${cell.replaceAll('"', '""')}"`;
  if (r < 0.85) return `"${cell}`; // never closed
  return ` "${cell}" `; // spaces around the quotes
}

/** A CSV-like file built row by row, with the defects chosen at random. */
function structuredCsv(rng: Rng, messy: boolean): string {
  const separator = messy ? pick(rng, [',', ';', '\t', '|', ' ']) : pick(rng, [',', ';', '\t']);
  const decimalComma = separator !== ',' && rng.next() < 0.4;
  const eol = pick(rng, ['\n', '\r\n', '\r']);
  const columns = (messy ? 1 : 2) + rng.int(5);
  const rows = (messy ? 0 : 4) + rng.int(30);
  const classes = rng.next() < 0.5 ? 2 + rng.int(70) : 0;
  const strangeRate = messy ? 0.08 : 0;
  const lines: string[] = [];
  if (rng.next() < 0.75) {
    const names = Array.from({ length: columns }, (_, c) => {
      const name = pick(rng, [`x${c}`, `name, ${c}`, `a "b" ${c}`, `Temp; °C ${c}`, `line\nbreak ${c}`, '']);
      return /[,;\t"\n]/.test(name) || rng.next() < 0.3 ? quote(name, rng, messy) : name;
    });
    lines.push(names.join(separator));
  }
  for (let r = 0; r < rows; r++) {
    if (rng.next() < 0.1)
      lines.push(pick(rng, ['', '  ', '# a comment, with commas', separator.repeat(columns - 1)]));
    const width = messy && rng.next() < 0.1 ? Math.max(1, columns + rng.int(3) - 1) : columns;
    const cells = Array.from({ length: width }, (_, c) => {
      let cell = c === width - 1 && classes > 0 ? String(rng.int(classes)) : numberCell(rng, decimalComma);
      if (rng.next() < strangeRate) cell = pick(rng, STRANGE_CELLS);
      if (rng.next() < 0.1 || (cell.includes(separator) && rng.next() < 0.8)) cell = quote(cell, rng, messy);
      return cell;
    });
    lines.push(cells.join(separator) + (messy && rng.next() < 0.05 ? separator : ''));
  }
  const body = lines.join(eol) + (rng.next() < 0.5 ? eol : '');
  return (rng.next() < 0.15 ? '\uFEFF' : '') + body;
}

/** Random bytes, decoded as the browser's `File.text()` does (invalid UTF-8 becomes U+FFFD). */
function randomBytes(rng: Rng): string {
  const bytes = new Uint8Array(rng.int(3000));
  const noNul = rng.next() < 0.5;
  for (let i = 0; i < bytes.length; i++) bytes[i] = noNul ? 1 + rng.int(255) : rng.int(256);
  return new TextDecoder('utf-8').decode(bytes);
}

/** A good file with a few characters replaced, inserted or cut off. */
function mutated(rng: Rng): string {
  const chars = [...structuredCsv(rng, false)];
  const edits = 1 + rng.int(6);
  for (let e = 0; e < edits && chars.length > 0; e++) {
    const at = rng.int(chars.length);
    const kind = rng.int(4);
    const char = String.fromCharCode(rng.next() < 0.5 ? rng.int(128) : rng.int(0x3000));
    if (kind === 0) chars[at] = char;
    else if (kind === 1) chars.splice(at, 0, char);
    else if (kind === 2) chars.splice(at, 1);
    else chars.length = at;
  }
  return chars.join('');
}

/** Printable noise with separators, quotes and line ends in it. */
function printableNoise(rng: Rng): string {
  const alphabet = '0123456789.,;\t\r\n"e-+ #abcxyz';
  return Array.from({ length: rng.int(400) }, () => alphabet[rng.int(alphabet.length)]).join('');
}

function generate(rng: Rng): { text: string; options: CsvOptions } {
  const kind = rng.int(20);
  const text =
    kind < 8
      ? structuredCsv(rng, false)
      : kind < 12
        ? structuredCsv(rng, true)
        : kind < 15
          ? mutated(rng)
          : kind < 18
            ? randomBytes(rng)
            : printableNoise(rng);
  const options: CsvOptions = {};
  if (rng.next() < 0.1) options.standardize = false;
  if (rng.next() < 0.15) options.task = pick(rng, ['classification', 'regression'] as const);
  if (rng.next() < 0.1) options.maxClasses = rng.int(100);
  if (rng.next() < 0.05) options.maxRows = 1 + rng.int(10);
  if (rng.next() < 0.05) options.maxInputs = rng.int(4);
  return { text, options };
}

/** Every invariant a dataset from an upload must meet; returns what is violated, or null. */
function datasetProblem(result: Exclude<CsvResult, { error: string }>, options: CsvOptions): string | null {
  const { dataset: d, scaling, target } = result;
  if (d.n < 4 || d.inputSize < 1 || d.targetSize !== 1) return 'bad shape';
  if (d.x.length !== d.n * d.inputSize || d.y.length !== d.n) return 'array lengths';
  if (!d.x.every(Number.isFinite)) return 'non-finite feature';
  if (!d.y.every(Number.isFinite)) return 'non-finite target';
  const stats = [...scaling.featureMean, ...scaling.featureStd, scaling.targetMean, scaling.targetStd];
  if (!stats.every(Number.isFinite)) return 'non-finite scaling';
  if (![...scaling.featureStd, scaling.targetStd].every((s) => s > 0)) return 'zero std in scaling';
  if (target.task !== d.task || target.alternative === d.task) return 'target reading disagrees';
  if (options.task !== undefined && d.task !== options.task) return 'override ignored';
  if (d.task === 'classification') {
    if (d.classes < 2 || d.classes > MAX_UPLOAD_CLASSES || d.classes !== target.distinctValues)
      return 'classes';
    if (!d.y.every((v) => Number.isInteger(v) && v >= 0 && v < d.classes)) return 'class index out of range';
  } else if (d.classes !== 0) return 'regression with classes';
  if (options.standardize === false) return null;
  // Standardised: each input column has mean 0 and std 1, or is constant (all 0).
  const columns: [Float64Array, number, number][] = Array.from({ length: d.inputSize }, (_, c) => [
    d.x,
    d.inputSize,
    c,
  ]);
  if (d.task === 'regression') columns.push([d.y, 1, 0]);
  for (const [values, stride, c] of columns) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < d.n; r++) sum += values[r * stride + c] as number;
    const mean = sum / d.n;
    for (let r = 0; r < d.n; r++) squares += ((values[r * stride + c] as number) - mean) ** 2;
    const std = Math.sqrt(squares / d.n);
    if (Math.abs(mean) > 1e-9) return `column ${c} mean ${mean}`;
    if (!(Math.abs(std - 1) < 1e-9 || std < 1e-9)) return `column ${c} std ${std}`;
  }
  // A regression target is never flattened to a constant (the loss would show 0).
  if (d.task === 'regression' && !d.y.some((v) => Math.abs(v) > 0.1)) return 'flat regression target';
  return null;
}

function errorProblem(message: string): string | null {
  if (message.startsWith('The file could not be read')) return 'an exception reached the defensive catch';
  if (message.length < 10 || message.length > 600) return 'message length';
  if (/undefined|\[object|NaN(?! )|null/.test(message.replace(/'[^']*'/g, "''"))) return 'garbled message';
  return null;
}

describe('parseCsvDataset: fuzz', () => {
  it(`${FILES} generated files: each gives a clear message or a trainable dataset`, () => {
    const rng = new Rng(SEED);
    const failures: string[] = [];
    let datasets = 0;
    let errors = 0;
    const tasks: Record<Dataset['task'], number> = { classification: 0, regression: 0 };
    const messages = new Set<string>();
    for (let i = 0; i < FILES; i++) {
      const { text, options } = generate(rng);
      let result: CsvResult;
      try {
        result = parseCsvDataset(text, options);
      } catch (error) {
        failures.push(`#${i} threw ${String(error)}`);
        continue;
      }
      const problem = 'error' in result ? errorProblem(result.error) : datasetProblem(result, options);
      if ('error' in result) {
        errors++;
        messages.add(result.error.replace(/'[^']*'|\d[\d,.e+-]*/g, '…').slice(0, 40));
      } else {
        datasets++;
        tasks[result.dataset.task]++;
      }
      if (problem !== null) {
        failures.push(`#${i} ${problem}: ${JSON.stringify(text.slice(0, 120))} ${JSON.stringify(options)}`);
      }
      if (i % 10 === 0) {
        // Deterministic: the same text and options give the same result.
        expect(JSON.stringify(parseCsvDataset(text, options), replacer)).toBe(
          JSON.stringify(result, replacer),
        );
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // The generator reaches both outcomes, both tasks and many kinds of message: a fuzz that
    // only ever produced one kind of file would prove little.
    expect(datasets).toBeGreaterThan(FILES / 5);
    expect(errors).toBeGreaterThan(FILES / 5);
    expect(tasks.classification).toBeGreaterThan(50);
    expect(tasks.regression).toBeGreaterThan(50);
    expect(messages.size).toBeGreaterThan(12);
  });
});

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Float64Array ? Array.from(value) : value;
}
