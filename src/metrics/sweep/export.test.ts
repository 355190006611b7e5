import { describe, expect, it } from 'vitest';
import { analyzeSweep } from './analysis';
import { CSV_COLUMNS, sweepCsv, sweepJson } from './export';
import type { RunOutcome } from './outcome';

function run(
  batchSize: number,
  learningRate: number,
  status: RunOutcome['status'],
  step?: number,
): RunOutcome {
  return {
    batchSize,
    learningRate,
    status,
    crossing:
      step === undefined
        ? null
        : { step, samples: step * batchSize, stepBefore: step - 1, stepAfter: step + 1 },
    stepsTaken: step ?? 50,
    samplesTaken: 0,
    finalLoss: status === 'diverged' ? Number.NaN : 0.1,
    history: [],
    simpleNoiseScale: step === undefined ? null : 30,
  };
}

const RUNS = [
  run(4, 1, 'diverged'),
  run(4, 0.1, 'reached', 40),
  run(1, 0.1, 'reached', 100),
  run(1, 0.01, 'slower'),
];
const ANALYSIS = analyzeSweep(RUNS, {
  n: 64,
  target: 0.2,
  batchSizes: [1, 4],
  costs: [
    { batchSize: 1, secondsPerStep: 1e-5 },
    { batchSize: 4, secondsPerStep: 2e-5 },
  ],
});

describe('sweep export', () => {
  it('writes one CSV row per run, sorted, with the best run of each B marked', () => {
    const lines = sweepCsv(RUNS, ANALYSIS).trim().split('\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(5);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['1', '0.01', 'slower'],
      ['1', '0.1', 'reached'],
      ['4', '0.1', 'reached'],
      ['4', '1', 'diverged'],
    ]);
    expect(rows.map((r) => r[11])).toEqual(['false', 'true', 'true', 'false']);
    expect(Number(rows[2]?.[7])).toBeCloseTo((40 * 4) / 64, 12); // epochs = samples / N
    expect(Number(rows[2]?.[13])).toBeCloseTo(40 * 2e-5, 12);
    expect(rows[3]?.[9]).toBe(''); // a NaN loss is an empty cell, not "NaN"
  });

  it('writes valid JSON with the verdict, the fit and every run', () => {
    const parsed = JSON.parse(
      sweepJson(RUNS, ANALYSIS, {
        dataset: 'circles',
        n: 64,
        engine: 'CPU',
        learningRates: [0.01, 0.1, 1],
        batchSizes: [1, 4],
        targetSource: 'given',
        url: '?sweep=1',
      }),
    );
    expect(parsed.runs).toHaveLength(4);
    expect(parsed.verdict).toBe(ANALYSIS.verdict);
    expect(parsed.fit.bCrit).toBeCloseTo(ANALYSIS.fit?.bCrit as number, 12);
    expect(parsed.runs[0].finalLoss).toBeNull();
  });
});
