import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import {
  dragRangeTo,
  expectLossFalls,
  expectRunsDrawn,
  expectTidyLayout,
  runRows,
  snapshot,
  waitForSteps,
  waitForTraining,
  watchPage,
} from './helpers';

const SLIDER = '.batch-range';

test('the built page loads, trains, and logs no console error nor any request off localhost', async ({
  page,
}, testInfo) => {
  const watched = watchPage(page);
  await page.goto('./');
  await expect(page.getByRole('heading', { name: 'batchlab' })).toBeVisible();
  await expect(page.locator('.engine-badge')).toContainText(/WebGPU: |CPU/);
  await waitForTraining(page);
  await expectLossFalls(page, 32);
  await expect(page.locator('.batch-name')).toHaveText('B = 32: mini-batch gradient descent');
  await snapshot(page, testInfo, 'desktop-start');
  testInfo.annotations.push({
    type: 'engine',
    description: (await page.locator('.engine-badge').textContent()) ?? '',
  });
  expect(watched.errors).toEqual([]);
  expect(watched.foreignRequests).toEqual([]);
});

test('dragging the slider with the mouse to B = 1 and to B = N starts both runs, and their losses fall', async ({
  page,
}, testInfo) => {
  const watched = watchPage(page);
  await page.goto('./?dataset=circles&n=512');
  await waitForTraining(page);
  const stops = await page.locator(SLIDER).evaluate((el) => Number((el as HTMLInputElement).max));

  await dragRangeTo(page, SLIDER, 0);
  await expect(page.locator('.batch-name')).toHaveText('B = 1: stochastic gradient descent');
  await expect(page.locator('.legend-item[data-batch-size="1"]')).toContainText('B = 1 (SGD)');

  await dragRangeTo(page, SLIDER, stops);
  await expect(page.locator('.batch-name')).toHaveText('B = N = 512: full-batch gradient descent');
  await expect(page.locator('.legend-item[data-batch-size="512"]')).toContainText('B = N = 512 (full batch)');

  // The run that was there, and the two new ones, side by side, each with its own curve.
  await expect(page.locator('.legend-item')).toHaveCount(3);
  await expect(page.locator('.loss-plot g.run')).toHaveCount(3);
  await expectLossFalls(page, 1);
  await expectLossFalls(page, 512, 0.97);
  // Both started from the same initial weights, so from the same dataset loss.
  const rows = await runRows(page);
  const first = rows.map((r) => r.firstLoss);
  expect(Math.max(...first) - Math.min(...first)).toBeLessThan(1e-6);
  expect(page.url()).toContain('runs=32,1,N');
  await snapshot(page, testInfo, 'desktop-b1-and-bN');
  expect(watched.errors).toEqual([]);
});

test('without WebGPU the page trains on the CPU engine and says why', async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    // As in a browser that has no WebGPU at all.
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  const watched = watchPage(page);
  await page.goto('./');
  const badge = page.locator('.engine-badge');
  await expect(badge).toContainText(
    'CPU (WebGPU is not available in this browser: this browser has no WebGPU',
  );
  await expect(badge).toHaveAttribute('data-engine', 'cpu');
  await waitForTraining(page);
  await expectLossFalls(page, 32);
  await snapshot(page, testInfo, 'desktop-cpu-fallback');
  expect(watched.errors).toEqual([]);
});

test('engine=cpu in the URL forces the CPU engine', async ({ page }) => {
  await page.goto('./?engine=cpu');
  await expect(page.locator('.engine-badge')).toContainText('CPU (chosen with engine=cpu)');
  await waitForTraining(page);
});

test('a URL full of garbage loads, shows a dismissible notice, and trains', async ({ page }, testInfo) => {
  const watched = watchPage(page);
  await page.goto(
    './?dataset=%3Cscript%3Ealert(1)%3C/script%3E&n=lots&b=-3&lr=banana&x=sideways&hidden=999,999,999,999,999,999&speed=1e9&panels=nope&runs=0,zz&utm_source=x',
  );
  const notices = page.locator('.notice');
  await expect(notices.first()).toBeVisible();
  expect(await notices.count()).toBeGreaterThanOrEqual(5);
  await expect(page.locator('.notices')).toContainText('no dataset');
  await expect(page.locator('.notices')).toContainText('utm_source');
  await waitForTraining(page);
  await expectLossFalls(page, 32, 0.97);
  await snapshot(page, testInfo, 'desktop-garbage-url');
  const before = await notices.count();
  await notices.first().getByRole('button', { name: 'Dismiss this notice' }).click();
  await expect(notices).toHaveCount(before - 1);
  await page.getByRole('button', { name: /^Dismiss all/ }).click();
  await expect(notices).toHaveCount(0);
  // Nothing of the garbage is echoed as markup.
  expect(await page.locator('script:not([type="module"]):not([src])').count()).toBe(0);
  expect(watched.errors).toEqual([]);
});

test('a diverging run is marked and stopped while the others go on', async ({ page }, testInfo) => {
  // Summed gradients with this learning rate: a step 256 times too large for B = N, fine for B = 1.
  await page.goto('./?dataset=plane&reduction=sum&lr=0.05&runs=1,N&engine=cpu&speed=5');
  await expect(page.locator('tr[data-run-row][data-batch-size="256"]')).toHaveAttribute(
    'data-status',
    'diverged',
    {
      timeout: 30_000,
    },
  );
  await expect(page.locator('.legend-item[data-batch-size="256"]')).toContainText('diverged');
  await expect(page.locator('.loss-plot g.diverged')).toHaveCount(1);
  const stepsAt = async (b: number) => (await runRows(page)).find((r) => r.batchSize === b)?.steps ?? 0;
  const divergedSteps = await stepsAt(256);
  const sgdSteps = await stepsAt(1);
  await expect.poll(() => stepsAt(1), { timeout: 20_000 }).toBeGreaterThan(sgdSteps);
  expect(await stepsAt(256)).toBe(divergedSteps);
  await snapshot(page, testInfo, 'desktop-diverged');
});

test('no serious or critical accessibility violations (axe)', async ({ page }, testInfo) => {
  await page.goto('./?engine=cpu&runs=1,32,N');
  await waitForTraining(page);
  await page.locator('.loss-table-box summary').click();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  await testInfo.attach('axe-violations.json', {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  });
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
});

test('an uploaded CSV trains, and a broken one gets a clear message', async ({ page }) => {
  const watched = watchPage(page);
  await page.goto('./?engine=cpu');
  await waitForTraining(page);
  const upload = page.getByLabel('Your own data (CSV)');
  await upload.setInputFiles({
    name: 'broken.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('height,label\ntall,yes\n'),
  });
  await expect(page.getByRole('alert')).toContainText('That file could not be used');
  // A small two-class table: the label is 1 above the line x + y = 0.
  const rows = ['x,y,label'];
  for (let i = 0; i < 60; i++) {
    const x = Math.cos(i * 1.7) * 2;
    const y = Math.sin(i * 2.3) * 2;
    rows.push(`${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? 1 : 0}`);
  }
  await upload.setInputFiles({
    name: 'line.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(rows.join('\n')),
  });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('.notices')).toContainText('Uploaded data stays in this browser');
  await expect(page.locator('.batch-ticks')).toContainText('N=60');
  await expectLossFalls(page, 32);
  expect(watched.errors).toEqual([]);
});

test('an upload says how it was read, and its target can be switched between a number and classes', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('./?engine=cpu');
  await waitForTraining(page);
  // Semicolons and decimal commas, as a spreadsheet in many locales writes them; 50 whole-number targets.
  const rows = ['a;b;count'];
  for (let i = 0; i < 100; i++)
    rows.push(
      `${(Math.sin(i) * 3).toFixed(2).replace('.', ',')};${(i / 10).toFixed(1).replace('.', ',')};${i % 50}`,
    );
  await page.getByLabel('Your own data (CSV)').setInputFiles({
    name: 'counts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(rows.join('\n')),
  });
  const reading = page.locator('[data-upload-reading]');
  await expect(reading).toContainText('Columns separated by semicolons, numbers with decimal commas.');
  await expect(reading).toContainText('read as a number to predict');
  await page.getByRole('button', { name: 'Read the target as classes instead' }).click();
  await expect(reading).toContainText('read as classes, as chosen');
  await expect(
    page.getByRole('button', { name: 'Read the target as a number to predict instead' }),
  ).toBeEnabled();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(watched.errors).toEqual([]);
});

test('step and epoch buttons move every run by one batch and by one epoch', async ({ page }) => {
  await page.goto('./?engine=cpu&n=512&runs=1,32,N&play=0');
  await expect(page.locator('tr[data-run-row]')).toHaveCount(3);
  const steps = async () => Object.fromEntries((await runRows(page)).map((r) => [r.batchSize, r.steps]));
  expect(await steps()).toEqual({ 1: 0, 32: 0, 512: 0 });
  await page.getByRole('button', { name: 'Step (1 batch)' }).click();
  await expect.poll(steps).toEqual({ 1: 1, 32: 1, 512: 1 });
  await page.getByRole('button', { name: '1 epoch' }).click();
  // One epoch is N / B updates: 512, 16 and 1.
  await expect.poll(steps).toEqual({ 1: 513, 32: 17, 512: 2 });
});

test('the batch-size slider works from the keyboard', async ({ page }) => {
  await page.goto('./?engine=cpu&n=512');
  await waitForTraining(page);
  await page.locator(SLIDER).focus();
  await page.keyboard.press('Home');
  await expect(page.locator('.batch-name')).toHaveText('B = 1: stochastic gradient descent');
  await expect(page.locator('.legend-item[data-batch-size="1"]')).toBeVisible();
  await page.keyboard.press('End');
  await expect(page.locator('.legend-item[data-batch-size="512"]')).toBeVisible();
});

test.describe('on a 360 px phone', () => {
  test.use({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });

  test('fits the width, trains, and can race', async ({ page }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./');
    await waitForTraining(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snapshot(page, testInfo, 'phone-top');
    await page.getByRole('button', { name: /^Race/ }).click();
    await expect(page.locator('.legend-item')).toHaveCount(4);
    await waitForSteps(page, 2);
    await page.locator('.panel-loss').scrollIntoViewIfNeeded();
    await snapshot(page, testInfo, 'phone-race-loss');
    await page.locator('.panel-data').scrollIntoViewIfNeeded();
    await snapshot(page, testInfo, 'phone-data');
    expect(watched.errors).toEqual([]);
  });
});

test('the main states draw every run in its colour, nothing overlapping or sticking out (screenshots kept)', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1440, height: 960 });
  const check = async (name: string, fullPage = false) => {
    // The plot redraws a few times a second: retried until a drawing satisfies both checks.
    await expect(async () => {
      await expectRunsDrawn(page);
      await expectTidyLayout(page);
    }).toPass({ timeout: 20_000 });
    await snapshot(page, testInfo, name, fullPage);
  };
  await page.goto('./');
  await waitForTraining(page);
  await page.getByRole('button', { name: /^Race/ }).click();
  await expect(page.locator('.legend-item')).toHaveCount(4);
  // After Race the panels follow B = 8, whose boundary forms first, not the barely moving B = N.
  await expect(page.locator('.legend-item.focused')).toHaveAttribute('data-batch-size', '8');
  // Long enough for every curve to have several points and the B = 8 boundary to form.
  await waitForSteps(page, 4);
  await expectLossFalls(page, 8, 0.8);
  await check('desktop-race-epochs');
  if (process.env.UPDATE_README_SCREENSHOT) await page.screenshot({ path: 'docs/screenshot.png' });
  for (const [axis, name] of [
    ['Updates', 'desktop-race-updates'],
    ['Samples seen', 'desktop-race-samples'],
    ['Time', 'desktop-race-time'],
  ] as const) {
    await page.locator('.segmented label', { hasText: axis }).click();
    await check(name);
  }
  await page.locator('.segmented label', { hasText: 'Epochs' }).click();
  await check('desktop-full-page', true);
  for (const [query, name] of [
    ['dataset=spirals&runs=8,N&speed=5&engine=cpu', 'desktop-spirals'],
    ['dataset=sine&runs=1,N&speed=5&engine=cpu', 'desktop-sine'],
    ['dataset=cars&runs=4,N&speed=5&engine=cpu', 'desktop-cars'],
  ] as const) {
    await page.goto(`./?${query}`);
    await waitForSteps(page, 5);
    await check(name);
  }
});

test.describe('with reduced motion', () => {
  test.use({ reducedMotion: 'reduce' });

  test('still trains and shows the curves, with no console error', async ({ page }) => {
    const watched = watchPage(page);
    await page.goto('./?engine=cpu');
    await waitForTraining(page);
    await expectLossFalls(page, 32);
    await expect(page.locator('.loss-plot g.run')).toHaveCount(1);
    expect(watched.errors).toEqual([]);
  });
});
