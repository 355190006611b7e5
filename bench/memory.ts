/**
 * `npm run bench -- --memory`: the page at the largest settings the UI allows (N = 20,000, four
 * hidden layers of 64, B = 1, every panel), in headless Chromium, on the CPU engine and on
 * WebGPU. Reports figures, asserts nothing:
 * - peak browser memory: the sum over Chromium's processes (browser, renderer, GPU, utility) of
 *   their proportional set size (PSS: shared pages split between the processes that map them, so
 *   the sum is what the browser costs the machine) and of their resident set size (RSS, which
 *   counts shared pages once per process: an upper bound), sampled every 250 ms from /proc;
 * - the page's JS heap (CDP `Performance.getMetrics`, main thread only), at its peak;
 * - the longest main-thread task (PerformanceObserver 'longtask', every task over 50 ms), over
 *   the whole visit and after training has started, with the count of tasks over 50 ms.
 * Linux only (/proc). Run it under `flock /tmp/browser.lock` where several browsers share a machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';

export const LARGEST_QUERY = 'dataset=spirals&n=20000&hidden=64,64,64,64&b=1&speed=5';

export interface MemoryScenario {
  name: string;
  query: string;
}

export const MEMORY_SCENARIOS: MemoryScenario[] = [
  { name: 'CPU engine, all panels', query: `${LARGEST_QUERY}&engine=cpu` },
  { name: 'WebGPU, all panels', query: `${LARGEST_QUERY}&engine=auto` },
];

export interface MemoryFigures {
  scenario: string;
  url: string;
  badge: string | null;
  seconds: number;
  peakPssMiB: number;
  peakRssMiB: number;
  /** Largest number of Chromium processes seen at once. */
  processes: number;
  peakJsHeapMiB: number;
  longestTaskMs: number;
  longTasks: number;
  longestTaskAfterStartMs: number;
  longTasksAfterStart: number;
  /** Weight updates of the B = 1 run when the visit ended (training kept going?). */
  steps: number;
  /** Noise panel status line at the end (what it measured). */
  noiseStatus: string | null;
  /** How long the noise panel's last measurement held the engine (training paused), ms. */
  noiseHeldMs: number | null;
  pageErrors: string[];
}

/** All descendants of `root` (inclusive), from /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** kB of `field` (e.g. `Pss`, `Rss`) in /proc/<pid>/smaps_rollup, 0 when gone. */
function rollup(pid: number): { pss: number; rss: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { pss: field('Pss'), rss: field('Rss') };
  } catch {
    return { pss: 0, rss: 0 };
  }
}

function sampleMemory(root: number): { pssKiB: number; rssKiB: number; processes: number } {
  let pssKiB = 0;
  let rssKiB = 0;
  const pids = processTree(root);
  for (const pid of pids) {
    const { pss, rss } = rollup(pid);
    pssKiB += pss;
    rssKiB += rss;
  }
  return { pssKiB, rssKiB, processes: pids.length };
}

declare global {
  interface Window {
    __longTasks?: { start: number; duration: number }[];
  }
}

async function stepsOfFirstRun(page: Page): Promise<number> {
  return page
    .locator('tr[data-run-row]')
    .first()
    .evaluate((row) => Number((row as HTMLElement).dataset.steps ?? 0))
    .catch(() => 0);
}

export async function measureScenario(
  browser: Browser,
  browserPid: number,
  baseUrl: string,
  scenario: MemoryScenario,
  seconds: number,
  log: (line: string) => void,
): Promise<MemoryFigures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    window.__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let peakPss = 0;
  let peakRss = 0;
  let processes = 0;
  let peakHeap = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = sampleMemory(browserPid);
      peakPss = Math.max(peakPss, m.pssKiB);
      peakRss = Math.max(peakRss, m.rssKiB);
      processes = Math.max(processes, m.processes);
      try {
        const { metrics } = await cdp.send('Performance.getMetrics');
        const heap = metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
        peakHeap = Math.max(peakHeap, heap);
      } catch {
        // the page is navigating or closing
      }
      await new Promise((done) => setTimeout(done, 250));
    }
  })();
  const url = `${baseUrl}?${scenario.query}`;
  const started = Date.now();
  await page.goto(url);
  // Training has started once the first run has taken a step (or the wait gives up).
  let trainingSince: number | null = null;
  const deadline = started + seconds * 1000;
  while (Date.now() < deadline) {
    if (trainingSince === null && (await stepsOfFirstRun(page)) > 0) {
      trainingSince = await page.evaluate(() => performance.now());
      log(`  ${scenario.name}: training after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await page.waitForTimeout(500);
  }
  const tasks = await page.evaluate(() => window.__longTasks?.slice() ?? []);
  const after = trainingSince === null ? [] : tasks.filter((t) => t.start >= (trainingSince as number));
  const badge = await page
    .locator('.engine-badge')
    .first()
    .textContent()
    .catch(() => null);
  const noiseStatus = await page
    .locator('[data-view="noise"] .noise-status')
    .first()
    .textContent({ timeout: 1000 })
    .catch(() => null);
  const noiseHeld = await page
    .locator('[data-view="noise"] .noise-status')
    .first()
    .getAttribute('data-held-ms', { timeout: 1000 })
    .catch(() => null);
  const steps = await stepsOfFirstRun(page);
  sampling = false;
  await sampler;
  await context.close();
  const max = (list: { duration: number }[]) => (list.length ? Math.max(...list.map((t) => t.duration)) : 0);
  return {
    scenario: scenario.name,
    url: `?${scenario.query}`,
    badge: badge?.trim() ?? null,
    seconds,
    peakPssMiB: Math.round(peakPss / 1024),
    peakRssMiB: Math.round(peakRss / 1024),
    processes,
    peakJsHeapMiB: Math.round(peakHeap / 2 ** 20),
    longestTaskMs: Math.round(max(tasks)),
    longTasks: tasks.length,
    longestTaskAfterStartMs: Math.round(max(after)),
    longTasksAfterStart: after.length,
    steps,
    noiseStatus: noiseStatus?.trim() ?? null,
    noiseHeldMs: noiseHeld === null ? null : Number(noiseHeld),
    pageErrors,
  };
}

export function formatMemoryFigures(figures: MemoryFigures[]): string {
  const rows = figures.map((f) =>
    [
      f.scenario,
      f.badge ?? '?',
      `${f.peakPssMiB.toLocaleString('en')} MiB`,
      `${f.peakRssMiB.toLocaleString('en')} MiB`,
      `${f.peakJsHeapMiB} MiB`,
      `${f.longestTaskMs} ms (${f.longTasks})`,
      `${f.longestTaskAfterStartMs} ms (${f.longTasksAfterStart})`,
      String(f.steps),
      f.noiseHeldMs === null ? '—' : `${f.noiseHeldMs} ms`,
    ].join(' | '),
  );
  return [
    'scenario | engine badge | peak PSS (sum) | peak RSS (sum) | peak JS heap | longest task (tasks > 50 ms) | after training started | B = 1 steps | noise measurement held the engine',
    ...rows,
  ].join('\n');
}
