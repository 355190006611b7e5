/**
 * The page's responsiveness while it trains: `npm run bench -- --longtasks` loads the built app
 * in headless Chromium, starts a race of B = 1, 8, 64 and N, and records every main-thread task
 * over 50 ms (the Long Tasks API) for a fixed time. Figures, not a pass/fail: this module
 * summarises and prints them; `scripts/bench.mjs` drives the browser.
 */

/** A task longer than this blocks input noticeably (the Long Tasks API's own threshold). */
export const LONG_TASK_MS = 50;

export interface LongTaskSetup {
  name: string;
  /** The app's query string for this setup. */
  query: string;
}

/** Each setup is one page load; the race is started with the page's Race button. */
export const LONG_TASK_SETUPS: readonly LongTaskSetup[] = [
  { name: 'default engine (WebGPU if it starts)', query: 'engine=auto&dataset=spirals&speed=5' },
  { name: 'CPU engine (in a worker)', query: 'engine=cpu&dataset=spirals&speed=5' },
];

export interface LongTaskSummary {
  /** Tasks over 50 ms in the window. */
  count: number;
  /** The longest task (ms); null when none was over 50 ms. */
  longestMs: number | null;
  /** Sum over the long tasks of the time beyond 50 ms (ms): the "total blocking time". */
  totalBlockingMs: number;
  /** Share of the window spent in long tasks. */
  busyFraction: number;
}

export function summariseLongTasks(durations: readonly number[], windowMs: number): LongTaskSummary {
  const long = durations.filter((d) => Number.isFinite(d) && d > LONG_TASK_MS);
  const total = long.reduce((sum, d) => sum + d, 0);
  return {
    count: long.length,
    longestMs: long.length > 0 ? Math.max(...long) : null,
    totalBlockingMs: long.reduce((sum, d) => sum + (d - LONG_TASK_MS), 0),
    busyFraction: windowMs > 0 ? Math.min(1, total / windowMs) : 0,
  };
}

export interface LongTaskResult {
  setup: string;
  /** The engine badge the page showed. */
  badge: string;
  windowMs: number;
  summary: LongTaskSummary;
  /** Updates each run made in the window. */
  stepsPerRun: Record<string, number>;
}

/** A plain-text table of the results, one row per setup. */
export function formatLongTasks(results: readonly LongTaskResult[]): string {
  const rows = results.map((r) => [
    r.setup,
    `${(r.windowMs / 1000).toFixed(0)} s`,
    String(r.summary.count),
    r.summary.longestMs === null ? `< ${LONG_TASK_MS}` : r.summary.longestMs.toFixed(0),
    r.summary.totalBlockingMs.toFixed(0),
    `${(100 * r.summary.busyFraction).toFixed(1)} %`,
    Object.entries(r.stepsPerRun)
      .map(([run, steps]) => `${run}: ${steps}`)
      .join(', '),
  ]);
  const header = [
    'setup',
    'window',
    'tasks > 50 ms',
    'longest (ms)',
    'blocking (ms)',
    'busy',
    'updates per run',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
