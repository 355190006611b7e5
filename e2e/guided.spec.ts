/**
 * The first hour of a student and a teacher: the guided path at the top of the page, the
 * anatomy saying what it dissects, the noise panel's words, the self-sizing iframe snippet and
 * its guide, and the batch-size slider beside the loss plot on a phone.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { runRows, snapshot, waitForTraining, watchPage } from './helpers';
import { HOST_ORIGIN, type HostServer, startHostServer } from './support/host-server';

async function batchSizes(page: Page): Promise<number[]> {
  return (await runRows(page)).map((r) => r.batchSize).sort((a, b) => a - b);
}

/** How much of the element's box is inside the viewport, as a share of its height. */
async function shareOnScreen(locator: Locator): Promise<number> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const visible = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    return box.height > 0 ? Math.max(0, visible) / box.height : 0;
  });
}

test.describe('at 1280 × 800', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the guided path sits at the top, and each step sets the page up and shows its panel', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?engine=cpu');
    const guide = page.getByRole('region', { name: 'Try this' });
    await expect(guide).toBeVisible();
    const steps = guide.locator('[data-guide-step]');
    await expect(steps).toHaveCount(5);
    // All five questions above the fold.
    for (const step of await steps.all()) expect(await shareOnScreen(step)).toBe(1);
    await waitForTraining(page);
    await snapshot(page, testInfo, 'guided-desktop-top');
    const axe = await new AxeBuilder({ page }).include('.guide').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    // "Why is B = 1 so noisy?": a race of B = 1 and 64, and the noise panel in view with the step's words.
    await guide.getByRole('button', { name: /Why is B = 1 so noisy/ }).click();
    await expect(guide.getByRole('button', { name: /Why is B = 1 so noisy/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await expect.poll(() => batchSizes(page)).toEqual([1, 64]);
    await expect(page).toHaveURL(/[?&]step=4(&|$)/);
    expect(page.url()).toContain('runs=1,64');
    const noise = page.locator('[data-panel="noise"]');
    await expect(noise.getByTestId('guide-note')).toContainText('Step 4 of 5');
    await expect.poll(() => shareOnScreen(noise.locator('.panel-title'))).toBe(1);
    await snapshot(page, testInfo, 'guided-desktop-step-4');

    // "Why not the whole dataset?": B = 8 against B = N, per epoch, on the loss plot.
    await noise
      .getByTestId('guide-note')
      .getByRole('button', { name: /^Next: / })
      .click();
    await expect.poll(() => batchSizes(page)).toEqual([8, 512]);
    await expect(page).toHaveURL(/[?&]step=5(&|$)/);
    await expect(page.locator('[data-panel="loss"]').getByTestId('guide-note')).toContainText('B = N');
    await expect(page.locator('[data-panel="loss"]').getByRole('radio', { name: 'Epochs' })).toBeChecked();

    // "Does the first sample of a batch still count?": the anatomy, at its per-sample gradients.
    await guide.getByRole('button', { name: /first sample of a batch/ }).click();
    const anatomy = page.locator('[data-view="anatomy"]');
    await expect(anatomy.locator('[data-stage]')).toHaveAttribute('data-stage', 'gradients');
    await expect(anatomy.locator('.sample-arrow')).toHaveCount(8);
    await expect.poll(() => shareOnScreen(page.locator('[data-panel="anatomy"] .panel-title'))).toBe(1);
    // Chosen twice (after moving on in the panel), the step opens its stage again.
    await anatomy.getByRole('button', { name: 'Next stage' }).click();
    await expect(anatomy.locator('[data-stage]')).toHaveAttribute('data-stage', 'reduce');
    await guide.getByRole('button', { name: /first sample of a batch/ }).click();
    await expect(anatomy.locator('[data-stage]')).toHaveAttribute('data-stage', 'gradients');
    expect(watched.errors).toEqual([]);
    expect(watched.foreignRequests).toEqual([]);
  });

  test('a link to step 3 opens the page on that step', async ({ page }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?step=3&engine=cpu');
    await expect(page.locator('[data-guide-step="3"]')).toHaveAttribute('aria-pressed', 'true');
    const anatomy = page.locator('[data-view="anatomy"]');
    await expect(anatomy.locator('[data-stage]')).toHaveAttribute('data-stage', 'sum-mean');
    await expect(anatomy.locator('.path-sum-scaled')).toHaveCount(1);
    await expect(page.locator('[data-panel="anatomy"]').getByTestId('guide-note')).toContainText(
      'Sum the gradients or take their mean?',
    );
    await expect.poll(() => shareOnScreen(page.locator('[data-panel="anatomy"] .panel-title'))).toBe(1);
    await expect(page.locator('.notices')).toHaveCount(0);
    await snapshot(page, testInfo, 'guided-desktop-step-3-link');
    await page.locator('[data-panel="anatomy"]').getByRole('button', { name: 'Leave the guide' }).click();
    await expect(page.locator('[data-guide-step="3"]')).toHaveAttribute('aria-pressed', 'false');
    await expect(page).not.toHaveURL(/step=/);
    expect(watched.errors).toEqual([]);
  });

  test('the anatomy says what it dissects, and one click dissects the page’s data and network', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?engine=cpu&panels=controls,anatomy,data');
    const anatomy = page.locator('[data-view="anatomy"]');
    const source = anatomy.getByTestId('anatomy-source');
    await expect(source).toContainText('XOR, 64 points, a 2-3-1 network (13 weights');
    await expect(source).toContainText('not the runs above');
    await expect(anatomy.locator('.batch-member')).toHaveCount(8);

    // The numbered sample markers never wear a class colour (the data panel's legend).
    const classColours = await page
      .locator('[data-panel="data"] .class-key .dot')
      .evaluateAll((els) => els.map((el) => getComputedStyle(el).backgroundColor));
    expect(classColours.length).toBeGreaterThanOrEqual(2);
    const markerColours = await anatomy
      .locator('.batch-member circle:first-child')
      .evaluateAll((els) => els.map((el) => getComputedStyle(el).stroke));
    expect(markerColours).toHaveLength(8);
    for (const colour of markerColours) expect(classColours).not.toContain(colour);

    await anatomy.getByRole('button', { name: 'Use the page’s data and network' }).click();
    await expect(source).toContainText('Circles, 512 points, its 2-8-8-1 network (105 weights)');
    await expect(source).toHaveAttribute('data-source', 'page');
    await expect(anatomy.locator('svg.anatomy-primary circle')).not.toHaveCount(0);
    await anatomy.getByRole('button', { name: /^4\. / }).click();
    await expect(anatomy.locator('.parameter-group')).toHaveCount(16);
    await expect(anatomy.locator('select').nth(1)).toHaveValue('0.1');
    await snapshot(page, testInfo, 'anatomy-page-problem');
    await anatomy.getByRole('button', { name: 'Back to the small example' }).click();
    await expect(source).toContainText('XOR, 64 points');
    await expect(anatomy.locator('.parameter-group')).toHaveCount(13);
    expect(watched.errors).toEqual([]);
  });

  test('the noise panel says what tr(Σ), E‖g_B − G‖² and B_simple are, with the source', async ({ page }) => {
    await page.goto('./?engine=cpu&panels=noise,loss');
    const noise = page.locator('[data-view="noise"]');
    await expect(noise.locator('.noise-intro')).toContainText('E‖g_B − G‖², the squared length of the miss');
    const terms = noise.getByTestId('noise-terms');
    await expect(terms.locator('dt')).toHaveText(['tr(Σ)', '‖G‖²', 'B_simple = tr(Σ)/‖G‖²']);
    await expect(terms).toContainText('how much single samples disagree');
    await expect(terms).toContainText(
      'the batch size at which the miss tr(Σ)/B is as large as the pull ‖G‖²',
    );
    await expect(noise.getByRole('link', { name: 'arXiv:1812.06162' })).toHaveAttribute(
      'href',
      'https://arxiv.org/abs/1812.06162',
    );
    await expect(noise).toContainText('McCandlish');
    await expect(noise).toContainText('An Empirical Model of Large-Batch Training');
  });

  test('the iframe snippet grows to its content on a course page, and the guide it links to ships with the site', async ({
    page,
  }, testInfo) => {
    await page.goto('./?engine=cpu&dataset=xor&b=16');
    await page.getByRole('button', { name: 'Share / embed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share or embed this view' });
    await dialog.getByLabel('Data and model').check();
    await dialog.getByLabel('Gradient noise').check();
    const snippet = await dialog.getByLabel('Iframe', { exact: true }).inputValue();
    const fallback = Number(/height="(\d+)"/.exec(snippet)?.[1]);
    expect(fallback).toBeGreaterThan(0);

    // The guide: linked from the dialog, built into dist/ from docs/embedding.md.
    const guideHref = await dialog.getByTestId('embedding-guide-link').getAttribute('href');
    expect(guideHref).toMatch(/\/docs\/embedding\.html$/);
    const response = await page.request.get(guideHref ?? '');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/html');
    expect(await response.text()).toContain('<h2 id="the-postmessage-api-iframes">');

    // The snippet pasted into a course page on another origin, as an editor would: its script runs.
    const host: HostServer = await startHostServer();
    try {
      await page.goto(`${HOST_ORIGIN}/hosts/blank.html`);
      await page.evaluate((html) => {
        const lab = document.getElementById('lab') as HTMLElement;
        lab.append(document.createRange().createContextualFragment(html));
      }, snippet);
      await expectSizedFrame(page, fallback);
      await snapshot(page, testInfo, 'iframe-snippet-sized', true);
    } finally {
      await host.close();
    }
  });
});

async function expectSizedFrame(page: Page, fallback: number): Promise<void> {
  const iframe = page.locator('iframe');
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('[data-panel="noise"]')).toBeVisible();
  // The frame reports its height; the host script sets the iframe to it: no scroll bar inside.
  await expect
    .poll(async () => {
      const outer = Number(await iframe.getAttribute('height'));
      const inner = await frame.locator('html').evaluate((html) => html.getBoundingClientRect().height);
      return Math.abs(outer - Math.ceil(inner)) <= 1 && outer !== fallback;
    })
    .toBe(true);
  await expect
    .poll(() => frame.locator('html').evaluate((html) => html.scrollHeight - window.innerHeight))
    .toBeLessThanOrEqual(1);
  // When the content grows (the noise table opens), the iframe follows.
  const before = Number(await iframe.getAttribute('height'));
  await frame.locator('.noise-table summary').click();
  await expect.poll(async () => Number(await iframe.getAttribute('height'))).toBeGreaterThan(before);
  await expect
    .poll(() => frame.locator('html').evaluate((html) => html.scrollHeight - window.innerHeight))
    .toBeLessThanOrEqual(1);
}

test.describe('on a 375 × 812 phone', () => {
  test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

  test('the batch size follows the learner to the loss plot: while dragging, the curves are on screen', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?engine=cpu');
    await waitForTraining(page);
    await snapshot(page, testInfo, 'guided-phone-top');
    const bar = page.getByTestId('phone-batch-bar');
    // At the top the page's own slider is on screen: no second one.
    await expect(bar).toHaveCount(0);

    const plot = page.locator('[data-panel="loss"] svg').first();
    await plot.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expect(bar).toBeVisible();
    await expect(bar).toContainText('B = 32');
    await expect(bar.getByRole('slider', { name: /^Batch size, B = 32/ })).toBeVisible();
    const axe = await new AxeBuilder({ page }).include('[data-testid="phone-batch-bar"]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    const range = bar.locator('input[type="range"]');
    const box = await range.boundingBox();
    if (!box) throw new Error('the bar’s slider has no box');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 8 + ((box.width - 16) * 5) / 9, y);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) {
      await page.mouse.move(box.x + 8 + ((box.width - 16) * 5) / 9 - (i * ((box.width - 16) * 5)) / 9 / 6, y);
      // While dragging, the loss plot is on screen, not hidden under the bar.
      const onScreen = await plot.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const barBottom = document
          .querySelector('[data-testid="phone-batch-bar"]')
          ?.getBoundingClientRect().bottom;
        return r.top >= (barBottom ?? 0) - 1 && r.bottom <= window.innerHeight + 1 && r.height > 100;
      });
      expect(onScreen, `drag step ${i}`).toBe(true);
    }
    await expect(bar).toContainText('B = 1: stochastic gradient descent');
    await page.mouse.up();
    await snapshot(page, testInfo, 'guided-phone-dragging');
    // Letting go starts the B = 1 run beside B = 32, on the plot in view.
    await expect.poll(() => batchSizes(page)).toEqual([1, 32]);
    await expect(page.locator('.loss-plot g.run')).toHaveCount(2);
    expect(await shareOnScreen(plot)).toBe(1);
    await snapshot(page, testInfo, 'guided-phone-after-drag');

    // Scrolled back up to the page's own slider, the bar goes.
    await page
      .locator('.panel-training .batch-range')
      .evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expect(bar).toHaveCount(0);
    await expect(page.locator('.batch-name')).toHaveText('B = 1: stochastic gradient descent');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(watched.errors).toEqual([]);
  });
});
