import { expect, type FrameLocator, type Locator, type Page } from '@playwright/test';

/** Where an embed lives: a `<batch-lab>` element (its shadow root) or an iframe's document. */
export type EmbedScope = Locator | FrameLocator;

export interface EmbedRun {
  batchSize: number;
  status: string;
  steps: number;
  firstLoss: number;
  latestLoss: number;
}

/** The numbers the loss panel of one embed exposes for each run. */
export async function embedRuns(scope: EmbedScope): Promise<EmbedRun[]> {
  return scope.locator('tr[data-run-row]').evaluateAll((rows) =>
    rows.map((row) => {
      const d = (row as HTMLElement).dataset;
      return {
        batchSize: Number(d.batchSize),
        status: d.status ?? '',
        steps: Number(d.steps),
        firstLoss: Number(d.firstLoss),
        latestLoss: Number(d.latestLoss),
      };
    }),
  );
}

/** Waits until the run with batch size `b` in this embed has trained and its loss has fallen. */
export async function expectEmbedLearns(scope: EmbedScope, b: number, factor = 0.95): Promise<void> {
  await expect
    .poll(
      async () => {
        const run = (await embedRuns(scope)).find((r) => r.batchSize === b);
        return Boolean(run && run.steps > 0 && run.latestLoss < factor * run.firstLoss);
      },
      { message: `the run B = ${b} should train and its loss fall`, timeout: 60_000 },
    )
    .toBe(true);
}

/**
 * Drags a range input's thumb with the mouse to the stop `targetIndex`, as a person would
 * (works for inputs in shadow roots and in iframes: Playwright gives page coordinates).
 */
export async function dragSlider(page: Page, input: Locator, targetIndex: number): Promise<void> {
  // Not scrollIntoViewIfNeeded: it waits for the page to stop moving, and a page that trains
  // three networks may re-lay out below the slider on every frame.
  await input.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = await input.boundingBox();
  if (!box) throw new Error('the slider is not visible');
  const { min, max, value } = await input.evaluate((el) => {
    const range = el as HTMLInputElement;
    return { min: Number(range.min), max: Number(range.max), value: Number(range.value) };
  });
  // Chromium's thumb is about 16 px wide; its centre travels from 8 px to width − 8 px.
  const half = 8;
  const at = (v: number) => box.x + half + ((box.width - 2 * half) * (v - min)) / Math.max(1, max - min);
  const y = box.y + box.height / 2;
  await page.mouse.move(at(value), y);
  await page.mouse.down();
  const steps = 6;
  for (let i = 1; i <= steps; i++)
    await page.mouse.move(at(value) + ((at(targetIndex) - at(value)) * i) / steps, y);
  await page.mouse.up();
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
