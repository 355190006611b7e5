import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { snapshot, watchPage } from './helpers';

const STAGES = [
  'batch',
  'forward',
  'loss',
  'gradients',
  'reduce',
  'update',
  'sequential',
  'sum-mean',
] as const;

/** Each stage's own marks: what must be drawn for it to count as shown. */
const STAGE_MARKS: Record<(typeof STAGES)[number], { selector: string; count?: number }[]> = {
  batch: [{ selector: '.batch-member', count: 8 }],
  forward: [{ selector: '.batch-member', count: 8 }],
  loss: [{ selector: '.loss-bar', count: 8 }],
  gradients: [
    { selector: '.sample-arrow', count: 8 },
    { selector: '.parameter-group', count: 13 },
  ],
  reduce: [
    { selector: '.sample-arrow', count: 8 },
    { selector: '.combined-arrow', count: 1 },
  ],
  update: [
    { selector: '.weight-after', count: 13 },
    { selector: '.combined-bar', count: 13 },
  ],
  sequential: [
    { selector: '.sequential-path', count: 1 },
    { selector: '.averaged-step', count: 1 },
  ],
  'sum-mean': [
    { selector: '.path-mean', count: 1 },
    { selector: '.path-sum-scaled', count: 1 },
    { selector: '.path-sum', count: 1 },
  ],
};

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/[^0-9.eE+-].*$/, ''));
}

test('anatomy: stepping through one batch shows every stage, in order, with its drawing and caption', async ({
  page,
}, testInfo) => {
  const watched = watchPage(page);
  await page.goto('./?panels=anatomy&engine=cpu');
  const panel = page.locator('[data-view="anatomy"]');
  await expect(panel).toBeVisible();
  const stage = panel.locator('[data-stage]');
  const next = panel.getByRole('button', { name: 'Next stage' });
  const previous = panel.getByRole('button', { name: 'Previous' });
  await expect(previous).toBeDisabled();

  for (const [index, id] of STAGES.entries()) {
    await expect(stage).toHaveAttribute('data-stage', id);
    await expect(stage.locator('h3')).toContainText(`Stage ${index + 1} of ${STAGES.length}`);
    await expect(stage.locator('.anatomy-caption')).not.toBeEmpty();
    await expect(panel.getByRole('button', { name: new RegExp(`^${index + 1}\\. `) })).toHaveAttribute(
      'aria-current',
      'step',
    );
    for (const mark of STAGE_MARKS[id]) {
      const marks = stage.locator(mark.selector);
      if (mark.count !== undefined) await expect(marks).toHaveCount(mark.count);
    }
    await snapshot(page, testInfo, `anatomy-${index + 1}-${id}`, true);
    if (index < STAGES.length - 1) await next.click();
  }
  await expect(next).toBeDisabled();

  // The weights change once per batch: the update stage's loss line reads "before → after".
  await previous.click(); // sequential
  await expect(stage).toHaveAttribute('data-stage', 'sequential');
  const sequential = await numberIn(page, 'anatomy-sequential-loss');
  const averaged = await numberIn(page, 'anatomy-averaged-loss');
  expect(Number.isFinite(sequential) && Number.isFinite(averaged)).toBe(true);
  expect(sequential).not.toBe(averaged);

  // Keyboard: arrow keys on the stage buttons move between stages.
  await previous.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(stage).toHaveAttribute('data-stage', 'update');
  await page.keyboard.press('ArrowRight');
  await expect(stage).toHaveAttribute('data-stage', 'sequential');
  await page.keyboard.press('ArrowRight');
  await expect(stage).toHaveAttribute('data-stage', 'sum-mean');
  await expect(page.getByTestId('anatomy-sum-mean-difference')).toHaveText(/identical|rounding only/);

  expect(watched.errors).toEqual([]);
});

test('anatomy: the sum toggle makes the combined arrow B times longer, and lr/B gives the same step as the mean', async ({
  page,
}) => {
  await page.goto('./?panels=anatomy&engine=cpu');
  const panel = page.locator('[data-view="anatomy"]');
  await panel.getByRole('button', { name: /^6\. One update/ }).click();
  const meanStep = await numberIn(page, 'anatomy-step-length');
  const meanLoss = await page.getByTestId('anatomy-dataset-loss').textContent();

  await panel.getByLabel('sum', { exact: true }).check();
  const scaled = panel.getByLabel('with lr/B');
  await expect(scaled).toBeEnabled();
  await expect(scaled).toBeChecked();
  // Sum with lr/B: the very same update as the mean with lr.
  expect(await numberIn(page, 'anatomy-step-length')).toBeCloseTo(meanStep, 4);
  await expect(page.getByTestId('anatomy-dataset-loss')).toHaveText(meanLoss ?? '');

  await scaled.uncheck();
  // Sum with unchanged lr: B = 8 times the step.
  expect(await numberIn(page, 'anatomy-step-length')).toBeCloseTo(8 * meanStep, 3);

  await panel.getByRole('button', { name: /^5\. Mean/ }).click();
  await expect(page.getByTestId('anatomy-reduce-note')).toContainText('8 times the mean');
});

test('anatomy: "Apply the update, next batch" moves on to a new batch from the updated weights', async ({
  page,
}) => {
  await page.goto('./?panels=anatomy&engine=cpu');
  const panel = page.locator('[data-view="anatomy"]');
  await panel.getByRole('button', { name: /^6\. One update/ }).click();
  const lossText = (await page.getByTestId('anatomy-dataset-loss').textContent()) ?? '';
  const after = Number(lossText.split('→')[1]);
  await panel.getByRole('button', { name: 'Apply the update, next batch' }).click();
  await expect(panel.locator('[data-stage]')).toHaveAttribute('data-stage', 'batch');
  await expect(panel.locator('.anatomy-step')).toHaveText('batch 2 since the start');
  await panel.getByRole('button', { name: /^6\. One update/ }).click();
  const before = Number(((await page.getByTestId('anatomy-dataset-loss').textContent()) ?? '').split('→')[0]);
  expect(before).toBeCloseTo(after, 4);
});

test('anatomy: the arrows can be drawn in the plane of two chosen weights', async ({ page }) => {
  await page.goto('./?panels=anatomy&engine=cpu');
  const panel = page.locator('[data-view="anatomy"]');
  await panel.getByRole('button', { name: /^4\. Backprop/ }).click();
  await expect(panel.locator('svg.anatomy-primary')).toContainText('along the mean gradient');
  await panel.getByLabel('Arrows in the plane of').selectOption('parameters');
  await panel.getByLabel('weight up').selectOption({ label: 'b2[0]' });
  await expect(panel.locator('svg.anatomy-primary')).toContainText('∂loss/∂W1[0][0]');
  await expect(panel.locator('svg.anatomy-primary')).toContainText('∂loss/∂b2[0]');
  await expect(panel.locator('.sample-arrow')).toHaveCount(8);
});

for (const engine of ['cpu', 'auto'] as const) {
  test(`noise panel (${engine} engine): measured points with error bars lie on the exact curve, B_simple marked`, async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto(`./?panels=noise,loss,controls&engine=${engine}&dataset=circles&n=512`);
    const panel = page.locator('[data-view="noise"]');
    await expect(panel.locator('.noise-error-plot .measured-point')).toHaveCount(9, { timeout: 60_000 });
    await expect(panel.locator('.theory-curve')).toHaveAttribute('d', /^M.+L/);
    await expect(panel.locator('.noise-cosine-plot .cosine-point')).toHaveCount(10);
    // (A vertical line has a zero-width box, which Playwright calls hidden: check its label.)
    await expect(panel.locator('.noise-error-plot .b-simple-marker text')).toContainText('B_simple ≈');
    const bSimple = await numberIn(page, 'noise-b-simple');
    expect(bSimple).toBeGreaterThan(0);
    await expect(panel.getByTestId('noise-sentence')).toContainText('B_simple ≈');

    // The numbers behind the dots: each measured mean within 5 standard errors of the exact value
    // (the batches are independent draws: a miss has probability below 1e-6 per row), plus 1% for
    // the table's rounding to 3 significant digits.
    const rows = await panel
      .locator('.noise-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (cell) => Number(cell.textContent))));
    expect(rows).toHaveLength(10);
    for (const [b, measured, standardError, exact] of rows) {
      if (b === 512) {
        expect(measured).toBe(0);
        expect(exact).toBe(0);
        continue;
      }
      expect(Math.abs(measured! - exact!)).toBeLessThanOrEqual(5 * standardError! + 0.01 * exact!);
    }
    testInfo.annotations.push({
      type: 'engine',
      description: (await page.locator('.engine-badge').textContent()) ?? '',
    });
    await panel.scrollIntoViewIfNeeded();
    await snapshot(page, testInfo, `noise-${engine}`);
    await page.getByRole('button', { name: 'Recompute' }).click();
    await expect(panel.locator('.measured-point')).toHaveCount(9);
    expect(watched.errors).toEqual([]);
  });
}

test('landscape: contours, three trajectories from one start, per-sample and mean arrows', async ({
  page,
}, testInfo) => {
  await page.goto('./?panels=landscape&engine=cpu');
  const panel = page.locator('[data-view="landscape"]');
  // The surface is computed in slices after the panel mounts: its contours arrive a moment later.
  await expect.poll(() => panel.locator('.contours path').count()).toBeGreaterThan(8);
  await expect(panel.locator('.trajectory')).toHaveCount(3);
  await expect(panel.locator('.trajectory[data-batch-size="1"]')).toHaveCount(1);
  await expect(panel.locator('.trajectory[data-batch-size="32"]')).toHaveCount(1);
  await expect(panel.locator('.sample-arrow')).toHaveCount(4);
  await expect(panel.locator('.mean-arrow')).toHaveCount(1);
  await panel.getByLabel('B = 1', { exact: true }).check();
  await expect(panel.locator('.sample-arrow')).toHaveCount(1);
  const slider = panel.getByRole('slider', { name: /Step/ });
  await slider.fill('60');
  await expect(panel.locator('.mean-arrow')).toHaveCount(0);
  await slider.fill('20');
  await expect(panel.locator('.mean-arrow')).toHaveCount(1);
  await snapshot(page, testInfo, 'landscape', true);
});

test('the three panels fit a 360 px wide phone and pass axe', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('./?panels=noise,anatomy,landscape&engine=cpu&dataset=circles&n=256');
  await expect(page.locator('[data-view="noise"] .measured-point').first()).toBeVisible({ timeout: 60_000 });
  for (const view of ['noise', 'anatomy', 'landscape']) {
    const overflow = await page
      .locator(`[data-view="${view}"]`)
      .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow, `${view} overflows horizontally`).toBeLessThanOrEqual(1);
  }
  await snapshot(page, testInfo, 'phone-panels', true);
  const results = await new AxeBuilder({ page })
    .include('[data-view="noise"]')
    .include('[data-view="anatomy"]')
    .include('[data-view="landscape"]')
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
});
