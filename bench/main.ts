/**
 * The bench page: runs the suite in this browser and leaves the result on `window.__batchlabBench`
 * for `scripts/bench.mjs` (which drives headless Chromium); also shows progress on the page.
 */
import './tfjs-browser';
import { gpuBackend } from './gpu';
import { type EnvironmentResult, formatEnvironment } from './report';
import { runSuite } from './suite';

interface BenchOutcome {
  done: boolean;
  result?: EnvironmentResult;
  error?: string;
}

declare global {
  interface Window {
    __batchlabBench?: BenchOutcome;
    /** Exposed by `scripts/bench.mjs` (Playwright) to receive the outcome without polling. */
    __batchlabBenchReport?: (outcome: BenchOutcome) => Promise<void>;
  }
}

const logElement = document.getElementById('log');
function show(text: string): void {
  if (logElement) logElement.textContent += `${text}\n`;
}
/** Progress: on the page, and on the console where `scripts/bench.mjs` picks it up. */
function log(line: string): void {
  console.log(`[bench] ${line}`);
  show(line);
}

async function main(): Promise<void> {
  window.__batchlabBench = { done: false };
  const params = new URLSearchParams(location.search);
  const quick = params.has('quick');
  const profile = params.has('profile');
  try {
    const gpu = await gpuBackend(navigator.gpu);
    const result = await runSuite({
      environment: 'browser',
      runtime: navigator.userAgent,
      gpu,
      quick,
      profile,
      log,
    });
    show(`\n${formatEnvironment(result)}`);
    window.__batchlabBench = { done: true, result };
    await window.__batchlabBenchReport?.(window.__batchlabBench);
  } catch (error) {
    const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    log(`bench failed: ${text}`);
    window.__batchlabBench = { done: true, error: text };
    await window.__batchlabBenchReport?.(window.__batchlabBench);
  }
}

void main();
