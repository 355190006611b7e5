// `npm run bench`: the WebGPU engine against the CPU reference engine and TensorFlow.js, in
// headless Chromium and in Node on Dawn, in one run. Prints tables with ratios and the targets
// of issue 8, and writes JSON to bench-results/bench-<date>.json. Not part of `npm test`.
//
//   npm run bench                 both environments, full measurement (a few minutes)
//   npm run bench -- --quick      short smoke run (every part, few repetitions)
//   npm run bench -- --browser    headless Chromium only
//   npm run bench -- --node       Node on Dawn only
//   npm run bench -- --profile    also time the WebGPU engine with fixed steps per dispatch
//   npm run bench -- --longtasks  only the page's main-thread long tasks during a race (built app)
//   npm run bench -- --memory     only the page at its largest settings: peak browser memory and
//                                 longest main-thread task, CPU engine and WebGPU (bench/memory.ts)
//   npm run bench -- --load       only page loads: main-thread tasks over 50 ms while the page
//                                 loads, ten fresh loads per scenario (bench/page-load.ts)
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const known = new Set([
  '--quick',
  '--profile',
  '--browser',
  '--node',
  '--longtasks',
  '--memory',
  '--load',
  '--help',
  '-h',
  '--node-child',
]);
const unknown = args.filter((a) => !known.has(a) && !a.startsWith('--out='));

if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown option(s): ${unknown.join(' ')}`);
  console.log(
    'usage: npm run bench [-- --quick] [--profile] [--browser | --node | --longtasks | --memory | --load]',
  );
  process.exit(unknown.length > 0 ? 2 : 0);
}

const quick = args.includes('--quick');
const profile = args.includes('--profile');
const viteQuiet = { configFile: false, root, logLevel: 'warn' };

async function loadTs(path) {
  const { runnerImport } = await import('vite');
  return (await runnerImport(join(root, path), viteQuiet)).module;
}

/** Which code was measured: the commit, and the engine files that differ from it. */
function gitState() {
  try {
    const quiet = { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const commit = execSync('git rev-parse --short HEAD', quiet).trim();
    const dirty = execSync('git status --porcelain -- src shaders bench', quiet)
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => line.slice(3));
    return { commit, uncommittedChanges: dirty };
  } catch {
    return null;
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Node on Dawn, in a child process (Dawn owns native threads; a crash there must not take the
// whole bench down, and the numbers are not disturbed by the browser half's leftovers).
// ---------------------------------------------------------------------------------------------

if (args.includes('--node-child')) {
  const out = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
  const { runNodeBench } = await loadTs('bench/node.ts');
  const runtime = `Node ${process.version} + Dawn (npm webgpu ${packageVersion('webgpu')})`;
  const result = await runNodeBench({ quick, profile, runtime, log: (line) => console.log(line) });
  if (out) writeFileSync(out, JSON.stringify(result));
  // Dawn's threads can keep the process alive; the result is written, so leave now.
  process.exit(0);
}

async function runNode() {
  const out = join(tmpdir(), `batchlab-bench-node-${process.pid}.json`);
  const childArgs = [
    fileURLToPath(import.meta.url),
    '--node-child',
    `--out=${out}`,
    ...(quick ? ['--quick'] : []),
    ...(profile ? ['--profile'] : []),
  ];
  const code = await new Promise((done) => {
    const child = spawn(process.execPath, childArgs, { cwd: root, stdio: 'inherit' });
    child.on('exit', (c, signal) => done(signal ? `signal ${signal}` : c));
  });
  try {
    const result = JSON.parse(readFileSync(out, 'utf8'));
    rmSync(out, { force: true });
    return result;
  } catch {
    throw new Error(`the Node bench ended without a result (exit ${code})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium: build bench/index.html with Vite, serve it on localhost (navigator.gpu needs a
// secure context), run it, collect the result the page hands over.
// --load: page loads, each in a fresh context, every main-thread task over 50 ms (bench/page-load.ts).
// ---------------------------------------------------------------------------------------------

async function measureLoads(url) {
  const load = await loadTs('bench/page-load.ts');
  const { chromiumLaunchOptions } = await loadTs('e2e/browser-launch.ts');
  const { chromium } = await import('@playwright/test');
  const loads = quick ? 3 : 10;
  const windowMs = 6000;
  const summaries = [];
  let version = '';
  for (const scenario of load.LOAD_SCENARIOS) {
    const records = [];
    for (let i = 0; i < loads; i++) {
      // A fresh browser per load, as on a first visit. Loads in one browser share its GPU
      // process: a page's first WebGPU call waits (on the main thread, where Chromium opens its
      // channel to the GPU process) until that process has finished compiling the previous
      // page's shaders, up to 0.9 s on a software adapter.
      const browser = await chromium.launch(chromiumLaunchOptions());
      version = browser.version();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
        await load.observeLoad(page);
        // Only the task events (no JS sampling): cheap enough not to change what it measures.
        await browser.startTracing(page, {
          categories: ['toplevel', 'disabled-by-default-devtools.timeline'],
        });
        await page.goto(`${url}?${scenario.query}`);
        await page.waitForTimeout(windowMs);
        const trace = JSON.parse((await browser.stopTracing()).toString());
        records.push(await load.collectLoad(page, load.longTracedTasks(trace)));
      } finally {
        await browser.close();
      }
    }
    const summary = load.summariseLoads(scenario.name, records);
    console.log(
      `${scenario.name}: ${summary.loadsWithLongTasks} of ${loads} loads with a task over 50 ms, longest ${summary.longestMs ?? '—'} ms`,
    );
    summaries.push(summary);
  }
  return { loads, windowMs, browser: `Chromium ${version} (headless)`, summaries, load };
}

if (args.includes('--load')) {
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  const outcome = await withBuiltApp('load', measureLoads);
  const result = {
    date: startedAt.toISOString(),
    kind: 'page-load',
    what: `main-thread tasks over 50 ms in the first ${outcome.windowMs / 1000} s after navigation, each load in a fresh browser context (the built app)`,
    host: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage1min: { before: loadBefore, after: loadavg()[0] },
    },
    browser: outcome.browser,
    git: gitState(),
    summaries: outcome.summaries,
  };
  console.log(
    `\n=== page loads (${outcome.browser}, ${outcome.loads} loads per scenario, ${outcome.windowMs / 1000} s each)`,
  );
  console.log(outcome.load.formatLoads(outcome.summaries));
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `load-${result.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${file}`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------

// The page is NOT cross-origin isolated, as an ordinary page is not: TF.js then runs its wasm
// backend as SIMD on one thread. (Isolated, it would pick SIMD + threads; on this 2-core machine
// that was not faster for these tiny matrices, and slower at B = 4,096 in a trial run.)

async function runBrowser() {
  const { build, preview } = await import('vite');
  const outDir = join(root, 'node_modules', '.cache', 'batchlab-bench-page');
  const started = Date.now();
  await build({
    ...viteQuiet,
    base: './',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
      // Unminified: TF.js's threaded wasm worker breaks when minified (its README says so), should
      // anyone isolate the page; the speed of what is measured does not depend on it.
      minify: false,
      chunkSizeWarningLimit: 10_000,
      rollupOptions: { input: join(root, 'bench', 'index.html') },
    },
  });
  console.log(`bench page built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const server = await preview({
    ...viteQuiet,
    base: './',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 4180, strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the bench server has no local address');

  const { chromiumLaunchOptions } = await loadTs('e2e/browser-launch.ts');
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    const finished = new Promise((done, fail) => {
      page.exposeFunction('__batchlabBenchReport', (report) => done(report));
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      page.on('crash', () => fail(new Error('the bench page crashed')));
    });
    page.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('[bench] ')) console.log(text.slice('[bench] '.length));
      else if (msg.type() === 'error' || msg.type() === 'warning')
        console.log(`[browser ${msg.type()}] ${text}`);
    });
    const query = [quick ? 'quick' : '', profile ? 'profile' : ''].filter(Boolean).join('&');
    await page.goto(`${url}bench/index.html${query ? `?${query}` : ''}`);
    const timeout = new Promise((_, fail) =>
      setTimeout(
        () => fail(new Error('the browser bench did not finish in 15 minutes')),
        15 * 60_000,
      ).unref(),
    );
    const report = await Promise.race([finished, timeout]);
    if (report.error) throw new Error(`the browser bench failed: ${report.error}`);
    // The user agent string hides the minor version; the browser itself does not.
    const browserVersion = browser.version();
    return { result: { ...report.result, runtime: `Chromium ${browserVersion} (headless)` }, browserVersion };
  } finally {
    await browser.close();
    await new Promise((done) => server.httpServer.close(done));
  }
}

// ---------------------------------------------------------------------------------------------
// The built app, served: what --longtasks, --memory and --load measure (a production build, as
// users get it, not the dev server).
// ---------------------------------------------------------------------------------------------

/** Builds the app into a fresh folder, serves it, runs `measure(url)`, then cleans up. */
async function withBuiltApp(name, measure) {
  const { build, preview } = await import('vite');
  // A fresh folder per run: several checkouts may share one node_modules.
  const outDir = join(tmpdir(), `batchlab-bench-${name}-${process.pid}`);
  await build({
    ...viteQuiet,
    configFile: join(root, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
  });
  const server = await preview({
    ...viteQuiet,
    configFile: join(root, 'vite.config.ts'),
    build: { outDir },
    preview: { host: '127.0.0.1', port: 4181, strictPort: false },
  });
  try {
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the app server has no local address');
    return await measure(url);
  } finally {
    await new Promise((done) => server.httpServer.close(done));
    rmSync(outDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// --longtasks: the built app in headless Chromium, racing B = 1, 8, 64 and N; every main-thread
// task over 50 ms in a fixed window, per engine. Figures for the README, not a test.
// ---------------------------------------------------------------------------------------------

async function runLongTasks() {
  return withBuiltApp('app', measureLongTasks);
}

async function measureLongTasks(url) {
  const longtasks = await loadTs('bench/longtasks.ts');
  const { chromiumLaunchOptions } = await loadTs('e2e/browser-launch.ts');
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch(chromiumLaunchOptions());
  const windowMs = quick ? 3000 : 8000;
  const results = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    await page.addInitScript(() => {
      const durations = [];
      window.__longTasks = durations;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) durations.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const runSteps = () =>
      page
        .locator('tr[data-run-row]')
        .evaluateAll((rows) =>
          Object.fromEntries(rows.map((row) => [`B=${row.dataset.batchSize}`, Number(row.dataset.steps)])),
        );
    for (const setup of longtasks.LONG_TASK_SETUPS) {
      console.log(`${setup.name}: ?${setup.query}`);
      await page.goto(`${url}?${setup.query}`);
      await page.waitForFunction(
        () => [...document.querySelectorAll('tr[data-run-row]')].some((r) => Number(r.dataset.steps) > 0),
        null,
        { timeout: 120_000 },
      );
      await page.getByRole('button', { name: /^Race/ }).click();
      await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 4, null, {
        timeout: 60_000,
      });
      // Counted from here: page load and engine start-up are not "while it trains".
      const before = await runSteps();
      await page.evaluate(() => {
        window.__longTasks.length = 0;
      });
      await page.waitForTimeout(windowMs);
      const durations = await page.evaluate(() => window.__longTasks.slice());
      const after = await runSteps();
      results.push({
        setup: setup.name,
        badge: ((await page.locator('.engine-badge').textContent()) ?? '').trim(),
        windowMs,
        summary: longtasks.summariseLongTasks(durations, windowMs),
        stepsPerRun: Object.fromEntries(
          Object.entries(after).map(([run, steps]) => [run, steps - (before[run] ?? 0)]),
        ),
      });
    }
  } finally {
    await browser.close();
  }
  const result = {
    date: new Date().toISOString(),
    quick,
    what: 'main-thread tasks over 50 ms while racing B = 1, 8, 64, N on two spirals (the built app)',
    host: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    browser: `Chromium ${browser.version()} (headless)`,
    loadAverage1min: loadavg()[0],
    git: gitState(),
    results,
  };
  console.log(`\n=== long tasks (${result.browser}, ${windowMs / 1000} s per setup)`);
  for (const r of results) console.log(`${r.setup}: ${r.badge}`);
  console.log(`\n${longtasks.formatLongTasks(results)}`);
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `longtasks-${result.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}

if (args.includes('--longtasks')) {
  try {
    await runLongTasks();
    process.exit(0);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// --memory: the page itself at its largest settings (bench/memory.ts), figures only.
// ---------------------------------------------------------------------------------------------

async function runMemory() {
  return withBuiltApp('memory', measureMemory);
}

async function measureMemory(url) {
  const memory = await loadTs('bench/memory.ts');
  const { chromiumLaunchOptions } = await loadTs('e2e/browser-launch.ts');
  const { chromium } = await import('@playwright/test');
  const seconds = quick ? 15 : 40;
  const figures = [];
  // One fresh browser per scenario: each peak is that scenario's alone.
  for (const scenario of memory.MEMORY_SCENARIOS) {
    const browser = await chromium.launch(chromiumLaunchOptions());
    try {
      // Playwright does not expose the browser's pid; its process is the launcher's newest chromium child.
      const pid = browserPid();
      console.log(`${scenario.name}: ${seconds} s at ${url}?${scenario.query} (browser pid ${pid})`);
      figures.push(await memory.measureScenario(browser, pid, url, scenario, seconds, (l) => console.log(l)));
    } finally {
      await browser.close();
    }
  }
  return { seconds, figures, text: memory.formatMemoryFigures(figures) };
}

/** The pid of the newest Chromium that is a direct child of this process (the one just launched). */
function browserPid() {
  const ours = String(process.pid);
  let best = null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (fields[1] === ours && /chrom/i.test(comm)) {
        const startTime = Number(fields[19]);
        if (!best || startTime > best.startTime) best = { pid: Number(entry), startTime };
      }
    } catch {
      // gone
    }
  }
  if (!best) throw new Error('could not find the launched Chromium among this process’s children');
  return best.pid;
}

if (args.includes('--memory')) {
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  const outcome = await runMemory();
  const result = {
    date: startedAt.toISOString(),
    kind: 'memory',
    host: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage1min: { before: loadBefore, after: loadavg()[0] },
    },
    git: gitState(),
    seconds: outcome.seconds,
    figures: outcome.figures,
  };
  console.log(`\n=== batchlab memory bench (${outcome.seconds} s per scenario; figures, not assertions)`);
  console.log(outcome.text);
  for (const f of outcome.figures) {
    console.log(
      `${f.scenario}: noise panel says "${f.noiseStatus ?? '—'}"${f.pageErrors.length ? `; page errors: ${f.pageErrors.join(' / ')}` : ''}`,
    );
  }
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `memory-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${file}`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
// Other work on the machine distorts every figure: recorded so a reader can tell.
const loadBefore = loadavg()[0];
const report = await loadTs('bench/report.ts');
const { description } = await loadTs('bench/workload.ts').then((w) => w.loadWorkload());
const environments = [];
let browserVersion = null;
let failed = false;

if (!args.includes('--node')) {
  console.log(`\n--- headless Chromium${quick ? ' (quick)' : ''} ---`);
  try {
    const browser = await runBrowser();
    browserVersion = browser.browserVersion;
    environments.push(browser.result);
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? error.message : error);
  }
}
if (!args.includes('--browser')) {
  console.log(`\n--- Node on Dawn${quick ? ' (quick)' : ''} ---`);
  try {
    environments.push(await runNode());
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? error.message : error);
  }
}

const targets = environments.flatMap((env) => report.checkTargets(env));
const cpuList = cpus();
const result = {
  date: new Date().toISOString(),
  quick,
  workload: description,
  host: {
    node: process.version,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
    browser: browserVersion ? `Chromium ${browserVersion} (headless)` : null,
    loadAverage1min: { before: loadBefore, after: loadavg()[0] },
  },
  git: gitState(),
  environments,
  targets,
};

console.log(`\n=== batchlab bench${quick ? ' (quick: figures are rough)' : ''}: ${description}`);
console.log(
  `host: ${result.host.cpus} × ${result.host.cpuModel}, ${result.host.platform}, Node ${process.version}; ` +
    `load average ${loadBefore.toFixed(2)} before, ${result.host.loadAverage1min.after.toFixed(2)} after`,
);
if (result.host.loadAverage1min.before > result.host.cpus * 0.5) {
  console.log('warning: the machine was busy when the bench started; the figures may be low and noisy');
}
for (const env of environments) console.log(`\n${report.formatEnvironment(env)}`);
if (targets.length > 0)
  console.log(`\ntargets (issue 8), ratios measured in this run:\n${report.formatTargets(targets)}`);

const dir = join(root, 'bench-results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${result.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten: ${file} (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.exit(failed ? 1 : 0);
