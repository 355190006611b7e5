/**
 * The batch-size sweep's part of the bench result and its text (pure, like `report.ts`).
 */

/** Issue 15's target: the default sweep's verdict within this many seconds. */
export const SWEEP_TARGET_SECONDS = 10;

export interface SweepEngineResult {
  engine: 'cpu' | 'webgpu';
  /** Race + step costs + analysis, from the first run added to the verdict. */
  verdictSeconds: number | null;
  raceSeconds: number | null;
  costSeconds: number | null;
  /** When the first run's outcome was known (the page's first point). */
  firstResultSeconds: number | null;
  /** The slowest of the per-B winning runs, each trained alone to the target on this engine. */
  slowestWinnerAloneSeconds: number | null;
  slowestWinner: { batchSize: number; learningRate: number } | null;
  advances: number | null;
  bCrit: number | null;
  fastestBatchSize: number | null;
  best: { batchSize: number; learningRate: number | null; steps: number | null }[];
  verdict: string | null;
  note?: string;
}

export interface SweepBenchResult {
  workload: string;
  engines: SweepEngineResult[];
}

function s(value: number | null, digits = 2): string {
  return value === null ? 'n/a' : `${value.toFixed(digits)} s`;
}

export function formatSweep(result: SweepBenchResult): string {
  const out = [`sweep (issue 15): ${result.workload}`];
  for (const e of result.engines) {
    const name = e.engine === 'cpu' ? 'CPU engine' : 'WebGPU engine';
    if (e.verdictSeconds === null) {
      out.push(`  ${name}: n/a (${e.note ?? 'failed'})`);
      continue;
    }
    const ratio =
      e.slowestWinnerAloneSeconds && e.slowestWinnerAloneSeconds > 0
        ? `${(e.verdictSeconds / e.slowestWinnerAloneSeconds).toFixed(1)}×`
        : 'n/a';
    const met = e.verdictSeconds <= SWEEP_TARGET_SECONDS ? '✓' : '✗';
    out.push(
      `  ${name}: verdict in ${s(e.verdictSeconds)} (≤ ${SWEEP_TARGET_SECONDS} s ${met}; race ${s(e.raceSeconds)}, ` +
        `step costs ${s(e.costSeconds)}, first result at ${s(e.firstResultSeconds)}, ${e.advances} advances); ` +
        `slowest winner alone (B = ${e.slowestWinner?.batchSize}, lr ${e.slowestWinner?.learningRate}) ${s(e.slowestWinnerAloneSeconds, 3)}: ` +
        `verdict / slowest winner = ${ratio} (race alone: ${
          e.slowestWinnerAloneSeconds && e.raceSeconds !== null
            ? `${(e.raceSeconds / e.slowestWinnerAloneSeconds).toFixed(1)}×`
            : 'n/a'
        }); B_crit ≈ ${e.bCrit?.toPrecision(3) ?? 'n/a'}, fastest B here: ${e.fastestBatchSize ?? 'n/a'}`,
    );
    out.push(
      `    best lr per B: ${e.best.map((b) => `${b.batchSize}: ${b.learningRate ?? '—'} (${b.steps?.toFixed(0) ?? '—'} steps)`).join(', ')}`,
    );
  }
  return out.join('\n');
}
