/**
 * The runs' curves as CSV for a spreadsheet: one header row, then one row per recorded point.
 * The settings that produced the runs repeat on every row as leading columns (a spreadsheet
 * shows comment lines as data, columns it sorts and filters).
 */
import type { Settings } from '../../settings/settings';
import { type CsvValue, csvText } from '../chart/csv';
import { type LossPlotRun, stepToX } from './draw-loss-plot';

export const LOSS_CSV_HEADER = [
  'dataset',
  'n',
  'hidden_layers',
  'activation',
  'learning_rate',
  'reduction',
  'optimizer',
  'last_batch',
  'seed',
  'run',
  'batch_size',
  'series',
  'step',
  'steps_in_row',
  'epoch',
  'samples_seen',
  'time_s',
  'loss',
  'loss_min',
  'loss_max',
] as const;

export function lossCsv(
  runs: readonly LossPlotRun[],
  settings: Pick<
    Settings,
    'dataset' | 'hidden' | 'activation' | 'learningRate' | 'reduction' | 'optimizer' | 'lastBatch' | 'seed'
  >,
): string {
  const rows: CsvValue[][] = [];
  for (const run of runs) {
    const lead: CsvValue[] = [
      settings.dataset,
      run.n,
      settings.hidden.join('-') || 'none',
      settings.activation,
      settings.learningRate,
      settings.reduction,
      settings.optimizer,
      settings.lastBatch,
      settings.seed,
      run.label,
      run.batchSize,
    ];
    for (const p of run.datasetLosses) {
      rows.push([
        ...lead,
        'dataset_loss',
        p.step,
        '',
        round(stepToX(run, p.step, 'epochs')),
        stepToX(run, p.step, 'samples'),
        round(p.timeMs / 1000),
        Number.isFinite(p.loss) ? p.loss : String(p.loss),
        '',
        '',
      ]);
    }
    for (const b of run.buckets) {
      const lastStep = b.stepStart + b.count - 1;
      rows.push([
        ...lead,
        'batch_loss',
        b.stepStart,
        b.count,
        round(stepToX(run, lastStep + 1, 'epochs')),
        stepToX(run, lastStep + 1, 'samples'),
        round(b.timeMs / 1000),
        b.mean,
        b.count > 1 ? b.min : '',
        b.count > 1 ? b.max : '',
      ]);
    }
  }
  return csvText(LOSS_CSV_HEADER, rows);
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}
