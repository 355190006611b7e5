import { expect, type FrameLocator, type Locator, type Page, type TestInfo } from '@playwright/test';

/** Where the runs' numbers are read: the page, an embedded element's shadow root, or an iframe. */
export type RunScope = Page | Locator | FrameLocator;

export interface RunRow {
  batchSize: number;
  status: string;
  steps: number;
  firstLoss: number;
  latestLoss: number;
}

/** The numbers the page exposes for each run (the "Latest numbers" table's data attributes). */
export async function runRows(scope: RunScope): Promise<RunRow[]> {
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

/** Collects console errors, uncaught exceptions and any request that leaves localhost. */
export function watchPage(page: Page): { errors: string[]; foreignRequests: string[] } {
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    if (!local && !['data:', 'blob:'].includes(url.protocol)) foreignRequests.push(request.url());
  });
  return { errors, foreignRequests };
}

/** Waits until the run with batch size `b` exists and its dataset loss is below its start. */
export async function expectLossFalls(page: Page, b: number, factor = 0.9): Promise<void> {
  await expect
    .poll(
      async () => {
        const row = (await runRows(page)).find((r) => r.batchSize === b);
        return row && row.steps > 0 && row.latestLoss < factor * row.firstLoss;
      },
      { message: `the loss of the run B = ${b} should fall`, timeout: 60_000 },
    )
    .toBe(true);
}

export async function waitForTraining(page: Page): Promise<void> {
  await expect
    .poll(async () => (await runRows(page)).some((r) => r.steps > 0), { timeout: 60_000 })
    .toBe(true);
}

/** Saves a screenshot as a test artefact (attached to the report and kept under test-results). */
export async function snapshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  fullPage = false,
): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/**
 * Drags the thumb of a range input with the mouse (down, move in steps, up) to the stop
 * `targetIndex`, as a person would. Works for inputs in shadow roots and in iframes too:
 * Playwright gives page coordinates.
 */
export async function dragSlider(page: Page, input: Locator, targetIndex: number): Promise<void> {
  // Not scrollIntoViewIfNeeded: it waits for the page to stop moving, and a page that trains
  // several networks may re-lay out below the slider on every frame.
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
  const target = at(targetIndex);
  const steps = 8;
  for (let i = 1; i <= steps; i++) await page.mouse.move(at(value) + ((target - at(value)) * i) / steps, y);
  // Past the end, like a hand overshooting: the slider stays at its last stop.
  await page.mouse.move(target + (targetIndex === max ? 30 : targetIndex === min ? -30 : 0), y);
  await page.mouse.up();
}

/** `dragSlider` for the page's own range input matching `selector`. */
export async function dragRangeTo(page: Page, selector: string, targetIndex: number): Promise<void> {
  await dragSlider(page, page.locator(selector), targetIndex);
}
