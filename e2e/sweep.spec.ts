import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { snapshot, watchPage } from './helpers';

// A small sweep: N = 128 (B = 1 … 128, 8 sizes) × 6 learning rates half a decade apart, on the
// CPU engine (in a worker), with the race paused so the sweep has the machine to itself.
const LEARNING_RATES = [0.03, 0.1, 0.3, 1, 3, 10];
const URL =
  './?dataset=circles&n=128&engine=cpu&play=0&panels=sweep&sweep=1&target=0.3&epochs=60' +
  `&lrs=${LEARNING_RATES.join(',')}`;
/** One step of the learning-rate grid. */
const GRID_STEP = 10 ** 0.5;

test('a sweep started from a URL reaches a verdict whose numbers have the expected order, and exports CSV', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const watched = watchPage(page);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(URL);
  const verdict = page.getByTestId('sweep-verdict');
  await expect(verdict).toBeVisible({ timeout: 90_000 });
  await expect(verdict).toContainText('Fastest to the target on this device: B =');
  await expect(page.locator('.sweep-progress')).toContainText('48 runs');

  const bCrit = Number(await page.getByTestId('sweep-bcrit').textContent());
  expect(bCrit).toBeGreaterThan(0);

  const rows = await page.locator('[data-testid="sweep-table"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return {
        b: Number(d.batchSize),
        lr: Number(d.bestLr),
        steps: Number(d.steps),
        low: Number(d.stepsLow),
        high: Number(d.stepsHigh),
      };
    }),
  );
  expect(rows.map((r) => r.b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
  for (const row of rows) {
    expect(LEARNING_RATES).toContain(row.lr); // every B reached the target at some rate of the grid
    expect(row.low).toBeLessThanOrEqual(row.steps);
    expect(row.steps).toBeLessThanOrEqual(row.high);
  }
  for (let k = 1; k < rows.length; k++) {
    const smaller = rows[k - 1] as (typeof rows)[number];
    const larger = rows[k] as (typeof rows)[number];
    // Steps to target do not increase with B at the best learning rate, within the sweep's own
    // error: the crossing's bracket, and 25 % for a grid half a decade apart (the best rate on
    // the grid can miss a B's true best rate by up to √10 ≈ 3.2×, which costs a few steps).
    expect(larger.low, `steps at B = ${larger.b} against B = ${smaller.b}`).toBeLessThanOrEqual(
      smaller.high * 1.25,
    );
    // The best learning rate grows with B (linear scaling, then saturation): never down by more
    // than one grid step.
    expect(larger.lr, `best lr at B = ${larger.b}`).toBeGreaterThanOrEqual(smaller.lr / GRID_STEP / 1.0001);
  }
  // Big batches need far fewer steps than B = 1 here (the whole point of batching).
  expect((rows[rows.length - 1] as (typeof rows)[number]).steps).toBeLessThan(
    (rows[0] as (typeof rows)[number]).steps / 4,
  );

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('batchlab-sweep.csv');
  const csv = readFileSync((await download.path()) as string, 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]?.startsWith('batch_size,learning_rate,status,steps_to_target')).toBe(true);
  expect(csv).toHaveLength(1 + 8 * LEARNING_RATES.length);
  expect(csv.filter((line) => line.includes(',true,'))).toHaveLength(8); // one best run per B

  await snapshot(page, testInfo, 'sweep', true);
  expect(watched.errors).toEqual([]);
  expect(watched.foreignRequests).toEqual([]);
});

test('a sweep can be cancelled, and the page says so', async ({ page }) => {
  await page.goto(URL.replace('target=0.3', 'target=0.05').replace('epochs=60', 'epochs=2000'));
  await expect(page.locator('.sweep-progress')).toContainText('runs done', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.sweep-progress')).toContainText('Cancelled after');
  await expect(page.getByTestId('sweep-verdict')).toHaveCount(0);
});
