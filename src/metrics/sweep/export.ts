/**
 * The sweep's results as files: CSV (one row per run, the per-B summary in columns beside the
 * best run) and JSON (everything, settings included, for a notebook).
 */

import type { SweepAnalysis } from './analysis';
import type { RunOutcome } from './outcome';

export const CSV_COLUMNS = [
  'batch_size',
  'learning_rate',
  'status',
  'steps_to_target',
  'steps_low',
  'steps_high',
  'samples_to_target',
  'epochs_to_target',
  'steps_taken',
  'final_loss',
  'b_simple',
  'best_for_batch_size',
  'seconds_per_step',
  'wall_seconds_to_target',
] as const;

function cell(value: number | string | null | boolean): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return String(value);
}

/** One line per run, sorted by B then learning rate. */
export function sweepCsv(runs: readonly RunOutcome[], analysis: SweepAnalysis): string {
  const rows = [CSV_COLUMNS.join(',')];
  const sorted = [...runs].sort((a, b) => a.batchSize - b.batchSize || a.learningRate - b.learningRate);
  for (const run of sorted) {
    const row = analysis.rows.find((r) => r.batchSize === run.batchSize);
    const best = row?.bestLearningRate === run.learningRate && run.status === 'reached';
    const c = run.crossing;
    rows.push(
      [
        run.batchSize,
        run.learningRate,
        run.status,
        c?.step ?? null,
        c?.stepBefore ?? null,
        c?.stepAfter ?? null,
        c?.samples ?? null,
        c ? c.samples / analysis.n : null,
        run.stepsTaken,
        run.finalLoss,
        run.simpleNoiseScale,
        best,
        row?.secondsPerStep ?? null,
        best && c && row?.secondsPerStep ? c.step * row.secondsPerStep : null,
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

export interface SweepExportContext {
  dataset: string;
  n: number;
  engine: string;
  learningRates: readonly number[];
  batchSizes: readonly number[];
  targetSource: 'given' | 'auto' | null;
  url: string;
}

/** Everything in one JSON document (the runs without their full loss histories' weights). */
export function sweepJson(
  runs: readonly RunOutcome[],
  analysis: SweepAnalysis,
  context: SweepExportContext,
): string {
  const { rows, fit, simpleNoiseScale, noiseToCriticalRatio, fastestBatchSize, verdict, target } = analysis;
  return `${JSON.stringify(
    {
      ...context,
      target,
      verdict,
      fit,
      simpleNoiseScale,
      noiseToCriticalRatio,
      fastestBatchSize,
      perBatchSize: rows,
      runs: runs.map((r) => ({ ...r, finalLoss: Number.isFinite(r.finalLoss) ? r.finalLoss : null })),
    },
    null,
    2,
  )}\n`;
}
