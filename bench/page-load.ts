/**
 * `npm run bench -- --load`: the page's main-thread tasks while it loads. Each scenario is
 * loaded several times, each time in a fresh browser (nothing cached, as on a first visit), and
 * every task over 50 ms in the first seconds is recorded (Long Tasks API), with
 * the scripts the Long Animation Frames API names for the frame it fell in. Figures, not a
 * pass/fail: this module holds the scenarios, the measurement in the page and the summary;
 * `scripts/bench.mjs` builds the app and drives the browser.
 */
import type { Page } from '@playwright/test';
import { LONG_TASK_MS } from './longtasks';
import { LARGEST_QUERY } from './memory';

export interface LoadScenario {
  name: string;
  /** The app's query string. */
  query: string;
}

export const LOAD_SCENARIOS: readonly LoadScenario[] = [
  { name: 'default page (WebGPU if it starts)', query: '' },
  { name: 'default page, CPU engine', query: 'engine=cpu' },
  { name: 'largest settings, CPU engine', query: `${LARGEST_QUERY}&engine=cpu` },
  { name: 'largest settings, WebGPU', query: LARGEST_QUERY },
  { name: 'sweep from the link (all panels)', query: 'sweep=1' },
  { name: 'iframe embed', query: 'embed=1' },
];

/** One load: its tasks over 50 ms, and what the browser says ran in the frames that held them. */
export interface LoadRecord {
  longTasks: { startMs: number; durationMs: number }[];
  /**
   * Each of the main thread's tasks over 50 ms in the browser's trace: its wall time and the
   * CPU time the thread got in it. On 2 cores shared with the GPU process and the training
   * worker, a task can last 50 ms while the page's own work in it took 10: the thread waited.
   */
  traced: { wallMs: number; cpuMs: number }[];
  /** "invoker (function) ms" of the scripts in frames that contained a long task. */
  culprits: string[];
}

declare global {
  interface Window {
    __loadTasks?: { startMs: number; durationMs: number }[];
    __loadFrames?: { startMs: number; durationMs: number; scripts: string[] }[];
  }
}

/** Installs the observers before any of the page's own script runs. */
export async function observeLoad(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const tasks: { startMs: number; durationMs: number }[] = [];
    const frames: { startMs: number; durationMs: number; scripts: string[] }[] = [];
    window.__loadTasks = tasks;
    window.__loadFrames = frames;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push({ startMs: e.startTime, durationMs: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const frame = e as PerformanceEntry & {
            scripts?: { invoker: string; sourceFunctionName: string; duration: number }[];
          };
          frames.push({
            startMs: e.startTime,
            durationMs: e.duration,
            scripts: (frame.scripts ?? []).map(
              (s) =>
                `${s.invoker}${s.sourceFunctionName ? ` (${s.sourceFunctionName})` : ''} ${Math.round(s.duration)} ms`,
            ),
          });
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    } catch {
      // A browser without Long Animation Frames: the tasks are still counted.
    }
  });
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The renderer main thread's tasks over 50 ms in a Chromium trace (`toplevel` category). */
export function longTracedTasks(trace: { traceEvents: TraceEvent[] }): { wallMs: number; cpuMs: number }[] {
  const events = trace.traceEvents;
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  return events
    .filter((e) => e.ph === 'X' && e.name === 'RunTask' && mains.has(`${e.pid}:${e.tid}`))
    .filter((e) => (e.dur ?? 0) / 1000 > LONG_TASK_MS)
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

/** What the page recorded (call after the window), with the trace's tasks. */
export async function collectLoad(
  page: Page,
  traced: { wallMs: number; cpuMs: number }[],
): Promise<LoadRecord> {
  const recorded = await page.evaluate((threshold) => {
    const longTasks = (window.__loadTasks ?? []).filter((t) => t.durationMs > threshold);
    const culprits = (window.__loadFrames ?? [])
      .filter((f) =>
        longTasks.some((t) => t.startMs >= f.startMs - 1 && t.startMs <= f.startMs + f.durationMs),
      )
      .flatMap((f) => f.scripts);
    return { longTasks, culprits };
  }, LONG_TASK_MS);
  return { ...recorded, traced };
}

export interface LoadSummary {
  scenario: string;
  loads: number;
  /** Loads with at least one task over 50 ms. */
  loadsWithLongTasks: number;
  longTasks: number;
  /** The longest task over all loads (ms); null when none was over 50 ms. */
  longestMs: number | null;
  /** The scripts named most often in frames with a long task, most frequent first. */
  culprits: string[];
  /** Traced tasks over 50 ms whose main-thread CPU time was over 50 ms too: the page's own work. */
  cpuLongTasks: number;
  /** The most CPU time the main thread got in any traced task over 50 ms (ms); null when none. */
  longestCpuMs: number | null;
}

export function summariseLoads(scenario: string, records: readonly LoadRecord[]): LoadSummary {
  const all = records.flatMap((r) => r.longTasks.map((t) => t.durationMs));
  const counts = new Map<string, number>();
  for (const r of records)
    for (const c of r.culprits) {
      const where = c.replace(/ \d+ ms$/, '');
      counts.set(where, (counts.get(where) ?? 0) + 1);
    }
  return {
    scenario,
    loads: records.length,
    loadsWithLongTasks: records.filter((r) => r.longTasks.length > 0).length,
    longTasks: all.length,
    longestMs: all.length > 0 ? Math.max(...all) : null,
    cpuLongTasks: records.flatMap((r) => r.traced).filter((t) => t.cpuMs > LONG_TASK_MS).length,
    longestCpuMs: records.some((r) => r.traced.length > 0)
      ? Math.max(...records.flatMap((r) => r.traced.map((t) => t.cpuMs)))
      : null,
    culprits: [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([where, n]) => `${where} ×${n}`),
  };
}

export function formatLoads(summaries: readonly LoadSummary[]): string {
  const header = [
    'scenario',
    'loads',
    'loads with a task > 50 ms',
    'tasks > 50 ms',
    'longest (ms)',
    'most CPU in one (ms)',
    'tasks with > 50 ms of CPU',
  ];
  const rows = summaries.map((s) => [
    s.scenario,
    String(s.loads),
    String(s.loadsWithLongTasks),
    String(s.longTasks),
    s.longestMs === null ? `< ${LONG_TASK_MS}` : s.longestMs.toFixed(0),
    s.longestCpuMs === null ? '–' : s.longestCpuMs.toFixed(0),
    String(s.cpuLongTasks),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const culprits = summaries
    .filter((s) => s.culprits.length > 0)
    .map((s) => `${s.scenario}: ${s.culprits.join('; ')}`);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(culprits.length > 0 ? ['', 'scripts in the frames of those tasks:', ...culprits] : []),
  ].join('\n');
}
