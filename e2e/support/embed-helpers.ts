import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { runRows } from '../helpers';

/** Where an embed lives: a `<batch-lab>` element (its shadow root) or an iframe's document. */
export type EmbedScope = Locator | FrameLocator;

/** Waits until the run with batch size `b` in this embed has trained and its loss has fallen. */
export async function expectEmbedLearns(scope: EmbedScope, b: number, factor = 0.95): Promise<void> {
  await expect
    .poll(
      async () => {
        const run = (await runRows(scope)).find((r) => r.batchSize === b);
        return Boolean(run && run.steps > 0 && run.latestLoss < factor * run.firstLoss);
      },
      { message: `the run B = ${b} should train and its loss fall`, timeout: 60_000 },
    )
    .toBe(true);
}

export interface Watched {
  errors: string[];
  requests: string[];
}

/** Console errors and uncaught exceptions of the page and all its frames, and every request made. */
export function watchEverything(page: Page): Watched {
  const watched: Watched = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => watched.requests.push(request.url()));
  return watched;
}

/** The requests that went anywhere but the given origins (data: and blob: URLs stay in the page). */
export function requestsOutside(requests: readonly string[], origins: readonly string[]): string[] {
  return requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return !origins.includes(parsed.origin);
  });
}
