import { describe, expect, it } from 'vitest';
import { effectiveXScale, LOG_X_SPAN, type LossPlotRun } from './draw-loss-plot';
import { LOSS_CSV_HEADER, lossCsv } from './loss-csv';

function run(batchSize: number, n: number, steps: number): LossPlotRun {
  const stepsPerEpoch = Math.ceil(n / batchSize);
  return {
    id: batchSize,
    label: batchSize === n ? `B = N = ${n} (full batch)` : `B = ${batchSize}`,
    colour: '#000',
    diverged: false,
    n,
    batchSize,
    lastBatch: 'keep',
    stepsPerEpoch,
    buckets: [
      { stepStart: 0, count: 1, min: 0.7, max: 0.7, mean: 0.7, timeMs: 1 },
      { stepStart: 1, count: steps - 1, min: 0.3, max: 0.6, mean: 0.45, timeMs: 20 },
    ],
    datasetLosses: [
      { step: 0, timeMs: 0, loss: 0.69 },
      { step: steps, timeMs: 20, loss: 0.4 },
    ],
    firstNonFiniteStep: null,
  };
}

describe('the x scale', () => {
  it('goes log on the updates axis when the runs span more than 30× in updates', () => {
    const wide = [run(1, 512, 5120), run(512, 512, 10)];
    const close = [run(16, 512, 320), run(32, 512, 160)];
    expect(5120 / 10).toBeGreaterThan(LOG_X_SPAN);
    expect(effectiveXScale('auto', 'updates', wide)).toBe('log');
    expect(effectiveXScale('auto', 'updates', close)).toBe('linear');
    expect(effectiveXScale('auto', 'updates', [run(1, 512, 5120)])).toBe('linear');
    for (const axis of ['epochs', 'samples', 'time'] as const)
      expect(effectiveXScale('auto', axis, wide)).toBe('linear');
    expect(effectiveXScale('linear', 'updates', wide)).toBe('linear');
    expect(effectiveXScale('log', 'epochs', close)).toBe('log');
  });
});

describe('the runs as CSV', () => {
  it('has a header row, then one row per recorded point with the settings in leading columns', () => {
    const runs = [run(1, 512, 1024), run(512, 512, 2)];
    const text = lossCsv(runs, {
      dataset: 'circles',
      hidden: [8, 8],
      activation: 'tanh',
      learningRate: 0.1,
      reduction: 'mean',
      optimizer: 'sgd',
      lastBatch: 'keep',
      seed: 1,
    });
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(LOSS_CSV_HEADER.join(','));
    expect(lines).toHaveLength(1 + 2 * 4);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const row of rows) expect(row).toHaveLength(LOSS_CSV_HEADER.length);
    const column = (name: (typeof LOSS_CSV_HEADER)[number]) => LOSS_CSV_HEADER.indexOf(name);
    const last = rows.find((r) => r[column('run')] === 'B = 1' && r[column('step')] === '1024');
    expect(last?.slice(0, 9)).toEqual(['circles', '512', '8-8', 'tanh', '0.1', 'mean', 'sgd', 'keep', '1']);
    expect(last?.[column('series')]).toBe('dataset_loss');
    expect(last?.[column('epoch')]).toBe('2');
    expect(last?.[column('samples_seen')]).toBe('1024');
    expect(last?.[column('loss')]).toBe('0.4');
    const merged = rows.find(
      (r) =>
        r[column('run')] === 'B = 1' && r[column('series')] === 'batch_loss' && r[column('step')] === '1',
    );
    expect(merged?.[column('steps_in_row')]).toBe('1023');
    expect([merged?.[column('loss_min')], merged?.[column('loss_max')]]).toEqual(['0.3', '0.6']);
  });
});
