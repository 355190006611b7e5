/**
 * Turns a user's CSV file into a Dataset, or into a clear message saying what is wrong with it.
 * Never throws: every problem becomes `{ error }`.
 *
 * Expected format: a header row of column names, then one row per sample of numbers; the last
 * column is the target, every other column an input. Commas, semicolons or tabs separate cells
 * (detected from the first rows); quoted fields follow RFC 4180 (d3-dsv parses them). With
 * semicolons or tabs, decimal commas (`-0,3272`) are accepted. If the first row is all numbers
 * it is taken as data and the columns are named x1, x2, …, y.
 */

import { dsvFormat } from 'd3';
import type { Dataset } from '../engine/types';
import { errorText } from '../error-text';
import { formatCount } from './format-count';

export interface CsvOptions {
  /** Name shown in the UI (default `Uploaded data`). */
  name?: string;
  /** Most data rows accepted (default 20,000). */
  maxRows?: number;
  /** Most input columns accepted (default 16). */
  maxInputs?: number;
  /**
   * Whole-number targets with at most this many distinct values are guessed to be classes
   * (default 10; capped at MAX_UPLOAD_CLASSES).
   */
  maxClasses?: number;
  /**
   * Overrides the guess: `classification` reads the target as classes, `regression` as a number
   * to predict. The UI's switch passes `result.target.alternative` here.
   */
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

/** How the last column was read, and why, so the UI can say so and offer the other reading. */
export interface CsvTargetReading {
  /** `classification`: read as classes; `regression`: read as a number to predict. */
  task: Dataset['task'];
  /** `guess`: decided from the values; `option`: forced by `CsvOptions.task`. */
  decidedBy: 'guess' | 'option';
  /** Distinct values in the target column. */
  distinctValues: number;
  /** Whether every target value is a whole number. */
  wholeNumbers: boolean;
  /** One sentence for the UI, e.g. `50 distinct whole numbers: read as a number to predict …`. */
  reason: string;
  /** The other reading, to pass as `CsvOptions.task` when the user flips the switch. */
  alternative: Dataset['task'];
  /** Null when `alternative` is possible; otherwise why not (the switch is then disabled). */
  alternativeBlocked: string | null;
}

export interface CsvSuccess {
  dataset: Dataset;
  /** For classification: the file's label of each class index, ascending. */
  classLabels?: number[];
  scaling: CsvScaling;
  target: CsvTargetReading;
  /** The cell separator found in the file. */
  delimiter: ',' | ';' | '\t';
  /** Whether some cells were read with a decimal comma (only with `;` or tab separators). */
  decimalComma: boolean;
}

export type CsvResult = CsvSuccess | { error: string };

export const MIN_UPLOAD_ROWS = 4;
/**
 * Most classes an upload may have. A softmax over 64 classes after 16 inputs and the largest
 * hidden layers the UI allows (4 × 64) is 336 units, well within the GPU engine's limit
 * (MAX_TOTAL_UNITS, checked in the test); beyond that, classes with a handful of rows each
 * cannot be learned from at most 20,000 rows anyway.
 */
export const MAX_UPLOAD_CLASSES = 64;
/**
 * Largest magnitude accepted without standardisation: the GPU engine stores data as float32
 * (max 3.4e38), and squared errors of values up to 1e15 summed over 20,000 rows stay below 1e35.
 */
export const MAX_UNSCALED_MAGNITUDE = 1e15;
const MAX_TEXT_LENGTH = 10_000_000;
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA_PATTERN = /^[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?$/;
const DELIMITERS = [',', ';', '\t'] as const;
type Delimiter = (typeof DELIMITERS)[number];
/** Characters looked at to decide whether the file is text, and to detect the separator. */
const SNIFF_LENGTH = 65_536;
/** Rows compared when detecting the separator. */
const SNIFF_ROWS = 50;
/**
 * Above this share of unreadable characters the file is not text. Random bytes decoded as UTF-8
 * are mostly U+FFFD and control characters (over 40 %), while a Latin-1 file read as UTF-8 has
 * U+FFFD only in place of its accented letters, a few percent of a CSV at most.
 */
const MAX_UNREADABLE_SHARE = 0.1;

/** Why the text is not a text file (NUL bytes, many unreadable characters), or null. */
function notTextReason(text: string): string | null {
  const sample = text.slice(0, SNIFF_LENGTH);
  const advice = 'Is it a spreadsheet (.xlsx) or another binary file? Save it as CSV (UTF-8) first.';
  if (sample.includes('\u0000')) {
    return `The file is not text: it contains NUL bytes (binary data, or text saved as UTF-16). ${advice}`;
  }
  let unreadable = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    // C0 controls except tab, line feed, form feed and carriage return; DEL and C1 controls;
    // U+FFFD, which the browser puts in place of bytes that are not valid UTF-8.
    const control =
      (code < 32 && code !== 9 && code !== 10 && code !== 12 && code !== 13) || (code >= 127 && code < 160);
    if (control || code === 0xfffd) unreadable++;
  }
  if (sample.length > 0 && unreadable / sample.length > MAX_UNREADABLE_SHARE) {
    const percent = Math.round((100 * unreadable) / sample.length);
    return `The file is not text: ${percent} % of its characters are control characters or bytes that are not valid UTF-8. ${advice}`;
  }
  return null;
}

/** Cells of every row, trimmed and unquoted, without blank rows and `#` comment rows. */
function readRows(text: string, delimiter: Delimiter): string[][] {
  const rows: string[][] = [];
  for (const raw of dsvFormat(delimiter).parseRows(text)) {
    const cells = raw.map(cleanCell);
    if (cells.every((cell) => cell === '')) continue;
    if ((raw[0] ?? '').trimStart().startsWith('#')) continue;
    rows.push(cells);
  }
  return rows;
}

/** Trims a cell and removes quotes d3-dsv left because of spaces before them (` "x" `). */
function cleanCell(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

/**
 * The separator whose reading of the first rows gives the most rows with as many cells as the
 * first row (at least two); ties go to more columns, then to comma, semicolon, tab in that order.
 */
function detectDelimiter(text: string): Delimiter {
  let sample = text.slice(0, SNIFF_LENGTH);
  if (sample.length < text.length) {
    // Cut at a line end so that no row is judged by a fragment.
    const lastBreak = Math.max(sample.lastIndexOf('\n'), sample.lastIndexOf('\r'));
    if (lastBreak > 0) sample = sample.slice(0, lastBreak);
  }
  let best: Delimiter = ',';
  let bestScore = -1;
  let bestColumns = 0;
  for (const delimiter of DELIMITERS) {
    const rows = readRows(sample, delimiter).slice(0, SNIFF_ROWS);
    const columns = rows[0]?.length ?? 0;
    if (columns < 2) continue;
    const score = rows.filter((row) => row.length === columns).length;
    if (score > bestScore || (score === bestScore && columns > bestColumns)) {
      best = delimiter;
      bestScore = score;
      bestColumns = columns;
    }
  }
  return best;
}

/** The number in a cell, or null; decimal commas are read only when `decimalComma` is true. */
function parseNumber(cell: string, decimalComma: boolean): number | null {
  let source = cell;
  if (!NUMBER_PATTERN.test(cell)) {
    if (!decimalComma || !DECIMAL_COMMA_PATTERN.test(cell)) return null;
    source = cell.replace(',', '.');
  }
  const value = Number(source);
  return Number.isFinite(value) ? value : null;
}

/** Why a cell is not a number, as the end of a sentence. */
function notANumber(cell: string, delimiter: Delimiter): string {
  if (cell === '') return 'is empty';
  const shown = `'${cell.slice(0, 20)}${cell.length > 20 ? '…' : ''}'`;
  if (/[\r\n]/.test(cell)) {
    return `${shown.replace(/[\r\n]+/g, ' ')} runs over several lines: a quote (") is probably never closed`;
  }
  if (NUMBER_PATTERN.test(cell) || (delimiter !== ',' && DECIMAL_COMMA_PATTERN.test(cell))) {
    return `${shown} is not a number (too large for double precision)`;
  }
  if (delimiter === ',' && DECIMAL_COMMA_PATTERN.test(cell)) {
    return (
      `${shown} is not a number: it has a decimal comma, but commas already separate the columns. ` +
      'Use decimal points, or separate the columns with semicolons'
    );
  }
  return `${shown} is not a number`;
}

/**
 * Mean and standard deviation of one column, computed on the values divided by a power of two
 * near their largest magnitude: exact for ordinary values, and no overflow for values near 1e300
 * (whose squares would be infinite). `scale` is that power of two; `mean` and `std` are in its
 * units. A constant column gets std 1 so that it stays constant (0 after centring).
 */
function columnStats(values: Float64Array, stride: number, offset: number, count: number) {
  let largest = 0;
  for (let r = 0; r < count; r++)
    largest = Math.max(largest, Math.abs(values[r * stride + offset] as number));
  const scale = largest > 0 ? 2 ** Math.floor(Math.log2(largest)) : 1;
  let sum = 0;
  for (let r = 0; r < count; r++) sum += (values[r * stride + offset] as number) / scale;
  const mean = sum / count;
  let squares = 0;
  for (let r = 0; r < count; r++) squares += ((values[r * stride + offset] as number) / scale - mean) ** 2;
  const std = Math.sqrt(squares / count);
  const constant = !(std > 0);
  return { scale, mean, std: constant ? 1 : std, constant, largest };
}

/**
 * Standardises one column in place; returns its mean and std in the file's units. The std can
 * never overflow (it is at most the largest magnitude), but it underflows to 0 for a spread of
 * a few subnormal numbers (near 5e-324): that is refused, as the scaling could not map back.
 */
function standardizeColumn(
  values: Float64Array,
  stride: number,
  offset: number,
  count: number,
  name: string,
): { mean: number; std: number } | { error: string } {
  const stats = columnStats(values, stride, offset, count);
  const mean = stats.mean * stats.scale;
  const std = stats.constant ? 1 : stats.std * stats.scale;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || !(std > 0)) {
    return {
      error:
        `Column '${name}': values as ${stats.largest < 1 ? 'small' : 'large'} as ${stats.largest.toPrecision(3)} ` +
        'are too extreme to standardise (their mean or spread is not a finite, non-zero number). ' +
        'Rescale the column, for example to other units.',
    };
  }
  for (let r = 0; r < count; r++) {
    const i = r * stride + offset;
    values[i] = ((values[i] as number) / stats.scale - stats.mean) / stats.std;
  }
  return { mean, std };
}

/** Decides how the target column is read (see CsvTargetReading). */
function readTarget(
  distinct: number[],
  maxClasses: number,
  forced: Dataset['task'] | undefined,
): CsvTargetReading | { error: string } {
  // Safe integers only: beyond 2^53 every double is whole, which says nothing about labels.
  const wholeNumbers = distinct.every((v) => Number.isSafeInteger(v));
  const k = distinct.length;
  const counted = `${formatCount(k)} distinct ${wholeNumbers ? 'whole numbers' : 'values'}`;
  const classesBlocked = !wholeNumbers
    ? `the values are not all whole numbers (such as ${distinct.find((v) => !Number.isSafeInteger(v))})`
    : k > MAX_UPLOAD_CLASSES
      ? `${counted}, but at most ${MAX_UPLOAD_CLASSES} classes are supported`
      : null;
  if (forced === 'classification' && classesBlocked !== null) {
    return {
      error:
        `The target column cannot be read as classes: ${classesBlocked}. Classes need whole-number ` +
        `labels with at most ${MAX_UPLOAD_CLASSES} different values.`,
    };
  }
  const guessClasses = wholeNumbers && k <= maxClasses;
  const task = forced ?? (guessClasses ? 'classification' : 'regression');
  let reason: string;
  if (forced !== undefined) {
    reason = `${counted}: read as ${task === 'classification' ? 'classes' : 'a number to predict'}, as chosen.`;
  } else if (guessClasses) {
    const listed = k <= 10 ? ` (${distinct.join(', ')})` : '';
    reason = `${counted}${listed}: read as classes.`;
  } else if (wholeNumbers) {
    reason = `${counted}: read as a number to predict (classes are guessed only for at most ${maxClasses} whole numbers).`;
  } else {
    reason = `${counted}, not all whole numbers: read as a number to predict.`;
  }
  const alternative = task === 'classification' ? 'regression' : 'classification';
  return {
    task,
    decidedBy: forced === undefined ? 'guess' : 'option',
    distinctValues: k,
    wholeNumbers,
    reason,
    alternative,
    alternativeBlocked: alternative === 'classification' ? classesBlocked : null,
  };
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

function parse(input: unknown, options: CsvOptions): CsvResult {
  const maxRows = options.maxRows ?? 20_000;
  const maxInputs = options.maxInputs ?? 16;
  const maxClasses = Math.min(options.maxClasses ?? 10, MAX_UPLOAD_CLASSES);
  const standardize = options.standardize ?? true;

  if (typeof input !== 'string') return { error: 'The file is not text.' };
  if (input.length > MAX_TEXT_LENGTH) return { error: 'The file is too large (over 10 MB).' };
  const text = input.replace(/^\uFEFF/, '');
  const binary = notTextReason(text);
  if (binary !== null) return { error: binary };

  const delimiter = detectDelimiter(text);
  const decimalComma = delimiter !== ',';
  const lines = readRows(text, delimiter);
  const firstCells = lines[0];
  if (firstCells === undefined) return { error: 'The file is empty.' };
  const columns = firstCells.length;
  if (columns < 2) {
    if (/[\r\n]/.test(firstCells[0] ?? '')) {
      return {
        error: 'The first row opens a quote (") that is never closed, so the whole file reads as one cell.',
      };
    }
    return {
      error:
        'The file needs at least two columns, separated by commas, semicolons or tabs: one or more ' +
        'inputs, then the target.',
    };
  }
  if (columns - 1 > maxInputs) {
    return {
      error: `The file has ${formatCount(columns - 1)} input columns; at most ${maxInputs} are supported.`,
    };
  }

  const hasHeader = !firstCells.every((cell) => parseNumber(cell, decimalComma) !== null);
  const names = hasHeader
    ? firstCells.map((cell, c) => cell || `column ${c + 1}`)
    : [...firstCells.slice(1).map((_, c) => `x${c + 1}`), 'y'];
  const dataLines = hasHeader ? lines.slice(1) : lines;
  const rows = dataLines.length;
  const lineOffset = hasHeader ? 2 : 1; // for "row" numbers as a spreadsheet would count them
  // A quote that is never closed swallows the rest of the file into one cell: name it before
  // the row count it shrinks or the ragged row it leaves.
  for (let r = 0; r < rows; r++) {
    const cells = dataLines[r] as string[];
    const c = cells.findIndex((cell) => /[\r\n]/.test(cell));
    if (c >= 0) {
      const cell = cells[c] as string;
      return {
        error: `Row ${r + lineOffset}, column '${names[c] ?? `column ${c + 1}`}': ${notANumber(cell, delimiter)}.`,
      };
    }
  }
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
  let usedDecimalComma = false;
  let largest = 0;
  for (let r = 0; r < rows; r++) {
    const cells = dataLines[r] as string[];
    const rowLabel = `Row ${r + lineOffset}`;
    if (cells.length !== columns) {
      const splitDecimals =
        delimiter === ',' &&
        cells.length > columns &&
        cells.every((cell) => /^[+-]?\d+$/.test(cell) || NUMBER_PATTERN.test(cell));
      const hint = splitDecimals
        ? ' If the numbers have decimal commas (0,5), the commas split them into two cells: use ' +
          'decimal points, or separate the columns with semicolons.'
        : '';
      return {
        error: `${rowLabel} has ${cells.length} values, but the header has ${columns} columns.${hint}`,
      };
    }
    for (let c = 0; c < columns; c++) {
      const cell = cells[c] as string;
      const value = parseNumber(cell, decimalComma);
      if (value === null) {
        return {
          error: `${rowLabel}, column '${names[c]}': ${notANumber(cell, delimiter)}. Every cell must be a number.`,
        };
      }
      if (decimalComma && !usedDecimalComma && cell.includes(',')) usedDecimalComma = true;
      largest = Math.max(largest, Math.abs(value));
      if (c < inputSize) x[r * inputSize + c] = value;
      else targets[r] = value;
    }
  }
  if (!standardize && largest > MAX_UNSCALED_MAGNITUDE) {
    return {
      error:
        `Values as large as ${largest.toPrecision(3)} cannot be trained on unscaled ` +
        `(at most ${MAX_UNSCALED_MAGNITUDE.toExponential()}): standardise them.`,
    };
  }

  const distinct = [...new Set(targets)].sort((a, b) => a - b);
  if (distinct.length < 2) {
    return {
      error: `The target column '${names[inputSize]}' has only one value, so there is nothing to learn.`,
    };
  }
  const target = readTarget(distinct, maxClasses, options.task);
  if ('error' in target) return target;
  const { task } = target;

  const featureMean: number[] = [];
  const featureStd: number[] = [];
  for (let c = 0; c < inputSize; c++) {
    if (!standardize) {
      featureMean.push(0);
      featureStd.push(1);
      continue;
    }
    const stats = standardizeColumn(x, inputSize, c, rows, names[c] as string);
    if ('error' in stats) return stats;
    featureMean.push(stats.mean);
    featureStd.push(stats.std);
  }

  const y = new Float64Array(rows);
  let targetMean = 0;
  let targetStd = 1;
  if (task === 'classification') {
    const classOf = new Map(distinct.map((label, index) => [label, index]));
    for (let r = 0; r < rows; r++) y[r] = classOf.get(targets[r] as number) as number;
  } else {
    y.set(targets);
    if (standardize) {
      const stats = standardizeColumn(y, 1, 0, rows, names[inputSize] as string);
      if ('error' in stats) return stats;
      ({ mean: targetMean, std: targetStd } = stats);
    }
  }
  // Last line of defence for the engines: every stored number is finite.
  if (!x.every(Number.isFinite) || !y.every(Number.isFinite)) {
    return { error: 'The file gives numbers that are not finite after scaling; rescale its columns.' };
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
    target,
    delimiter,
    decimalComma: usedDecimalComma,
  };
}
