/**
 * Turns a user's CSV file into a Dataset, or into a clear message saying what is wrong with it.
 * Never throws: every problem becomes `{ error }`.
 *
 * Expected format: a header row of column names, then one row per sample of numbers; the last
 * column is the target, every other column an input. Commas, semicolons or tabs separate cells.
 * If the first row is all numbers it is taken as data and the columns are named x1, x2, …, y.
 */

import type { Dataset } from '../engine/types';
import { errorText } from '../error-text';

export interface CsvOptions {
  /** Name shown in the UI (default `Uploaded data`). */
  name?: string;
  /** Most data rows accepted (default 20,000). */
  maxRows?: number;
  /** Most input columns accepted (default 16). */
  maxInputs?: number;
  /** Integer targets with at most this many distinct values mean classification (default 10). */
  maxClasses?: number;
  /** Force the task instead of guessing it from the target column. */
  task?: Dataset['task'];
  /** Standardise inputs (and a regression target) to mean 0, std 1 (default true). */
  standardize?: boolean;
}

/** How the stored numbers map back to the file's units: original = stored · std + mean. */
export interface CsvScaling {
  featureMean: number[];
  featureStd: number[];
  targetMean: number;
  targetStd: number;
}

export interface CsvSuccess {
  dataset: Dataset;
  /** For classification: the file's label of each class index, ascending. */
  classLabels?: number[];
  scaling: CsvScaling;
}

export type CsvResult = CsvSuccess | { error: string };

export const MIN_UPLOAD_ROWS = 4;
const MAX_TEXT_LENGTH = 10_000_000;
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const formatCount = (count: number) => count.toLocaleString('en-US');

function pickDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t']) {
    const count = line.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Splits one line into trimmed cells, removing surrounding double quotes. */
function splitCells(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((cell) => {
    const trimmed = cell.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
      ? trimmed.slice(1, -1).trim()
      : trimmed;
  });
}

function parseNumber(cell: string): number | null {
  if (!NUMBER_PATTERN.test(cell)) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

function meanAndStd(values: ArrayLike<number>, stride: number, offset: number, count: number) {
  let sum = 0;
  for (let r = 0; r < count; r++) sum += values[r * stride + offset] as number;
  const mean = sum / count;
  let squares = 0;
  for (let r = 0; r < count; r++) squares += ((values[r * stride + offset] as number) - mean) ** 2;
  const std = Math.sqrt(squares / count);
  // A constant column stays constant (0 after centring) instead of dividing by zero.
  return { mean, std: std > 0 ? std : 1 };
}

export function parseCsvDataset(text: string, options: CsvOptions = {}): CsvResult {
  try {
    return parse(text, options);
  } catch (error) {
    // Defensive only: parse() reports every known problem itself.
    return {
      error: `The file could not be read (${errorText(error)}).`,
    };
  }
}

function parse(text: string, options: CsvOptions): CsvResult {
  const maxRows = options.maxRows ?? 20_000;
  const maxInputs = options.maxInputs ?? 16;
  const maxClasses = options.maxClasses ?? 10;
  const standardize = options.standardize ?? true;

  if (typeof text !== 'string') return { error: 'The file is not text.' };
  if (text.length > MAX_TEXT_LENGTH) return { error: 'The file is too large (over 10 MB).' };

  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const firstLine = lines[0];
  if (firstLine === undefined) return { error: 'The file is empty.' };

  const delimiter = pickDelimiter(firstLine);
  const firstCells = splitCells(firstLine, delimiter);
  const columns = firstCells.length;
  if (columns < 2) {
    return { error: 'The file needs at least two columns: one or more inputs, then the target.' };
  }
  if (columns - 1 > maxInputs) {
    return { error: `The file has ${columns - 1} input columns; at most ${maxInputs} are supported.` };
  }

  const hasHeader = !firstCells.every((cell) => parseNumber(cell) !== null);
  const names = hasHeader
    ? firstCells.map((cell, c) => cell || `column ${c + 1}`)
    : [...firstCells.slice(1).map((_, c) => `x${c + 1}`), 'y'];
  const dataLines = hasHeader ? lines.slice(1) : lines;
  const rows = dataLines.length;
  if (rows === 0) return { error: 'The file has a header but no data rows.' };
  if (rows < MIN_UPLOAD_ROWS) {
    return { error: `The file has ${rows} data row(s); at least ${MIN_UPLOAD_ROWS} are needed.` };
  }
  if (rows > maxRows) {
    return {
      error: `The file has ${formatCount(rows)} data rows; at most ${formatCount(maxRows)} are supported.`,
    };
  }

  const inputSize = columns - 1;
  const x = new Float64Array(rows * inputSize);
  const targets = new Float64Array(rows);
  const lineOffset = hasHeader ? 2 : 1; // for "row" numbers as a spreadsheet would count them
  for (let r = 0; r < rows; r++) {
    const cells = splitCells(dataLines[r] as string, delimiter);
    const rowLabel = `Row ${r + lineOffset}`;
    if (cells.length !== columns) {
      return { error: `${rowLabel} has ${cells.length} values, but the header has ${columns} columns.` };
    }
    for (let c = 0; c < columns; c++) {
      const cell = cells[c] as string;
      const value = parseNumber(cell);
      if (value === null) {
        const what = cell === '' ? 'is empty' : `'${cell.slice(0, 20)}' is not a number`;
        return { error: `${rowLabel}, column '${names[c]}': ${what}. Every cell must be a number.` };
      }
      if (c < inputSize) x[r * inputSize + c] = value;
      else targets[r] = value;
    }
  }

  const distinct = [...new Set(targets)].sort((a, b) => a - b);
  if (distinct.length < 2) {
    return {
      error: `The target column '${names[inputSize]}' has only one value, so there is nothing to learn.`,
    };
  }
  const looksLikeClasses = distinct.length <= maxClasses && distinct.every((v) => Number.isInteger(v));
  const task = options.task ?? (looksLikeClasses ? 'classification' : 'regression');
  if (task === 'classification' && !looksLikeClasses) {
    return {
      error: `For classification the target column must hold whole-number labels with at most ${maxClasses} different values.`,
    };
  }

  const featureMean: number[] = [];
  const featureStd: number[] = [];
  for (let c = 0; c < inputSize; c++) {
    const stats = standardize ? meanAndStd(x, inputSize, c, rows) : { mean: 0, std: 1 };
    featureMean.push(stats.mean);
    featureStd.push(stats.std);
    for (let r = 0; r < rows; r++)
      x[r * inputSize + c] = ((x[r * inputSize + c] as number) - stats.mean) / stats.std;
  }

  const y = new Float64Array(rows);
  let targetMean = 0;
  let targetStd = 1;
  if (task === 'classification') {
    const classOf = new Map(distinct.map((label, index) => [label, index]));
    for (let r = 0; r < rows; r++) y[r] = classOf.get(targets[r] as number) as number;
  } else {
    if (standardize) ({ mean: targetMean, std: targetStd } = meanAndStd(targets, 1, 0, rows));
    for (let r = 0; r < rows; r++) y[r] = ((targets[r] as number) - targetMean) / targetStd;
  }

  const dataset: Dataset = {
    id: 'upload',
    name: options.name ?? 'Uploaded data',
    task,
    n: rows,
    inputSize,
    targetSize: 1,
    classes: task === 'classification' ? distinct.length : 0,
    x,
    y,
    source: 'Uploaded CSV file',
    featureNames: names.slice(0, inputSize),
    targetName: names[inputSize] as string,
  };
  return {
    dataset,
    ...(task === 'classification' ? { classLabels: distinct } : {}),
    scaling: { featureMean, featureStd, targetMean, targetStd },
  };
}
