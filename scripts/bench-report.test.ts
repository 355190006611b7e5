import { describe, expect, it } from 'vitest';
import {
  checkTargets,
  type EnvironmentResult,
  formatRate,
  formatRatio,
  markdownTable,
  median,
  ratio,
  stepsForDuration,
  type Throughput,
  textTable,
  throughputRows,
} from '../bench/report';

function row(impl: Throughput['impl'], batchSize: number, stepsPerSecond: number | null): Throughput {
  return {
    impl,
    batchSize,
    stepsPerSecond,
    samplesPerSecond: stepsPerSecond == null ? null : stepsPerSecond * batchSize,
    stepsPerRep: 1,
    repSeconds: [1],
    lossAfter20: 0.5,
  };
}

function environment(
  throughput: Throughput[],
  together: number | null,
  oneByOne: number | null,
): EnvironmentResult {
  return {
    environment: 'browser',
    runtime: 'test',
    adapter: null,
    gpuLayout: null,
    tfjs: { version: '0', wasmVariant: null },
    throughput,
    race: {
      batchSizes: [1, 2],
      epochs: 10,
      togetherSeconds: together,
      oneByOneSeconds: oneByOne,
      cpuOneByOneSeconds: null,
      identicalWeights: true,
      repetitions: 3,
    },
    compile: [],
    wide: [],
    errors: [],
    elapsedSeconds: 1,
  };
}

describe('bench statistics', () => {
  it('takes the median of odd and even counts and ignores non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, Number.POSITIVE_INFINITY, 3])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('gives no ratio for missing, non-finite or non-positive denominators', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(null, 3)).toBeNull();
    expect(ratio(6, 0)).toBeNull();
    expect(ratio(6, Number.NaN)).toBeNull();
  });

  it('sizes a repetition from a probe, within [1, max]', () => {
    expect(stepsForDuration(10, 0.01, 0.3, 1e6)).toBe(300);
    expect(stepsForDuration(10, 0.01, 0.3, 100)).toBe(100);
    expect(stepsForDuration(1, 2, 0.3, 100)).toBe(1);
  });
});

describe('bench targets and tables', () => {
  it('checks each target against the ratio measured in the same run', () => {
    const rows = [
      row('gpu', 1, 1000),
      row('cpu', 1, 3000), // 0.33× < 0.5×: missed
      row('tfjs-webgpu', 1, 0.1), // 10,000× ≥ 5,000×: met
      row('gpu', 32, 300),
      row('cpu', 32, 100), // 3× ≥ 1.5×: met
    ];
    const checks = checkTargets(environment(rows, 0.4, 0.7));
    const byWhat = new Map(checks.map((c) => [c.what, c]));
    expect(byWhat.get('B = 1: WebGPU / CPU engine')?.met).toBe(false);
    expect(byWhat.get('B = 1: WebGPU / CPU engine')?.measured).toBeCloseTo(1 / 3, 12);
    expect(byWhat.get('B = 1: WebGPU / TF.js webgpu')?.met).toBe(true);
    expect(byWhat.get('B = 32: WebGPU / CPU engine')?.met).toBe(true);
    // No B = 256 figures: unknown, not failed.
    expect(byWhat.get('B = 256: WebGPU / CPU engine')?.met).toBeNull();
    expect(byWhat.get('race: one after another / in one engine')?.measured).toBeCloseTo(1.75, 12);
    expect(byWhat.get('race: one after another / in one engine')?.met).toBe(true);
  });

  it('formats rates, ratios and the throughput table with verdicts', () => {
    expect(formatRate(373804.4)).toBe('373,804');
    expect(formatRate(29.61)).toBe('29.6');
    expect(formatRate(null)).toBe('n/a');
    expect(formatRatio(12345.6)).toBe('12,346×');
    expect(formatRatio(1.234)).toBe('1.23×');
    const table = throughputRows([row('gpu', 1, 1000), row('cpu', 1, 3000)]);
    expect(table.rows[0]?.[0]).toBe('1');
    expect(table.rows[0]?.[5]).toBe('0.33× (≥0.5 ✗)');
    expect(table.rows[0]?.[3]).toBe('n/a');
  });

  it('pads plain-text columns to equal width and writes Markdown tables', () => {
    const text = textTable(
      ['B', 'rate'],
      [
        ['1', '10'],
        ['4096', '5'],
      ],
    ).split('\n');
    expect(text).toEqual(['B     rate', '----  ----', '1       10', '4096     5']);
    expect(markdownTable(['B', 'rate'], [['1', '10']])).toBe('| B | rate |\n| --- | ---: |\n| 1 | 10 |');
  });
});
