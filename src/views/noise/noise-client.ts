import { buildNoiseReport, type NoiseReport, type NoiseRequest } from './noise-report';

type Reply = { id: number; report: NoiseReport } | { id: number; error: string };

let worker: Worker | null = null;
let workerBroken = false;
let nextId = 0;
const pending = new Map<number, { resolve: (r: NoiseReport) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (workerBroken || typeof Worker === 'undefined') return null;
  if (worker) return worker;
  try {
    worker = new Worker(new URL('./noise.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const entry = pending.get(event.data.id);
    if (!entry) return;
    pending.delete(event.data.id);
    if ('report' in event.data) entry.resolve(event.data.report);
    else entry.reject(new Error(event.data.error));
  };
  worker.onerror = () => {
    // A worker that cannot start (e.g. a strict CSP): fall back to the main thread from now on.
    workerBroken = true;
    worker = null;
    for (const entry of pending.values()) entry.reject(new Error('the noise worker stopped'));
    pending.clear();
  };
  return worker;
}

/**
 * Builds the noise report in a worker when possible, on the main thread otherwise. Without an
 * explicit `batchesPerSize`, draws as many random batches as a fixed amount of work allows.
 */
export async function computeNoiseReport(
  options: Omit<NoiseRequest, 'batchesPerSize'> & { batchesPerSize?: number },
): Promise<NoiseReport> {
  const w = getWorker();
  const p = options.n > 0 ? options.gradients.length / options.n : 0;
  // On the main thread (no worker, e.g. the embedded element) a smaller budget keeps the page
  // responsive: ~6·10⁷ multiply-adds, a tenth of a second or so.
  const batchesPerSize = options.batchesPerSize ?? batchesForBudget(options.n, p, w ? 3e8 : 6e7);
  const request: NoiseRequest = { ...options, batchesPerSize };
  if (!w) return buildNoiseReport(request);
  const id = nextId++;
  try {
    return await new Promise<NoiseReport>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // A copy is sent (not transferred): the caller may still hold the gradients.
      w.postMessage({ id, ...request });
    });
  } catch (error) {
    if (workerBroken) return buildNoiseReport(request);
    throw error;
  }
}

/**
 * Random batches per batch size for a fixed amount of work (about 3·10⁸ multiply-adds, a second
 * or so in a worker): 200 for small problems, about 40 for N = 20 000 with 337 parameters,
 * never under 20. Fewer batches only widen the error bars, which the plot shows.
 */
export function batchesForBudget(n: number, p: number, budget = 3e8): number {
  let rowsPerRound = 0;
  for (let b = 1; b < n; b *= 2) rowsPerRound += Math.min(b, n - b);
  const perBatchRound = Math.max(1, rowsPerRound * p + 16 * n);
  return Math.max(20, Math.min(200, Math.floor(budget / perBatchRound)));
}
