/**
 * Which run the data and noise panels follow when several runs start together (Race, a link
 * with several batch sizes). The last one added is usually B = N, which makes one update per
 * epoch and so barely moves while the others visibly train; B = 1 moves but jitters. The
 * smallest mini-batch above 1 shows training best, so it is followed; with one run, that run.
 */
export function runToFollow(runs: readonly { id: number; batchSize: number; n: number }[]): number | null {
  if (runs.length === 0) return null;
  const miniBatches = runs.filter((r) => r.batchSize > 1 && r.batchSize < r.n);
  const pool = miniBatches.length > 0 ? miniBatches : runs;
  let chosen = pool[0];
  for (const run of pool) if (chosen === undefined || run.batchSize < chosen.batchSize) chosen = run;
  return chosen?.id ?? null;
}
