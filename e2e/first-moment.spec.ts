/**
 * A new user's first moments: nothing is disabled while an engine warms up, a drag made then
 * takes effect; a diverged run is said to be diverged everywhere and never feeds a plot a
 * non-finite number; b = N is accepted; a status line never hides an error.
 */
import { expect, type Page, test } from '@playwright/test';
import { dragRangeTo, runRows, snapshot, watchPage } from './helpers';

const SLIDER = '.batch-range';

async function stepsOf(page: Page, b: number): Promise<number> {
  return (await runRows(page)).find((r) => r.batchSize === b)?.steps ?? -1;
}

test.describe('usable from the first moment', () => {
  test('a drag to B = 1 half a second after load starts a run that trains, while WebGPU still starts', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?dataset=circles&n=512');
    await page.waitForTimeout(500);
    const badge = await page.locator('.engine-badge').textContent();
    await snapshot(page, testInfo, 'warm-up-0.5s');
    // Every control a user can touch is enabled, whatever the engine is doing.
    for (const name of [/Train|Pause/, 'Step (1 batch)', '1 epoch', 'Race B = 1, 8, 64, N', 'Reset']) {
      await expect(page.getByRole('button', { name }), String(name)).toBeEnabled({ timeout: 1 });
    }
    await expect(page.locator(SLIDER)).toBeEnabled();
    await dragRangeTo(page, SLIDER, 0);
    await expect(page.locator('.batch-name')).toHaveText('B = 1: stochastic gradient descent');
    await expect(page.locator('.legend-item[data-batch-size="1"]')).toContainText('B = 1 (SGD)');
    await expect.poll(() => stepsOf(page, 1)).toBeGreaterThan(0);
    testInfo.annotations.push({ type: 'badge at 0.5 s', description: badge ?? '' });
    expect(page.url()).toContain('runs=32,1');
    expect(watched.errors).toEqual([]);
  });

  test('the runs train on the CPU while WebGPU compiles, then move to WebGPU without losing a step', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?dataset=circles&n=512&speed=3');
    const badge = page.locator('.engine-badge');
    const hasGpu = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return !!gpu && (await gpu.requestAdapter()) !== null;
    });
    // The test browsers are launched with WebGPU on (SwiftShader without a GPU): a missing adapter is a failure.
    expect(hasGpu, 'the test browser has a WebGPU adapter').toBe(true);
    // Training starts before the shaders are compiled.
    await expect.poll(() => stepsOf(page, 32), { timeout: 10_000 }).toBeGreaterThan(0);
    const early = (await badge.textContent()) ?? '';
    // Record the step count as often as possible across the hand-over.
    const steps: number[] = [];
    const badges: string[] = [];
    for (let i = 0; i < 200 && !badges.at(-1)?.startsWith('WebGPU'); i++) {
      steps.push(await stepsOf(page, 32));
      badges.push((await badge.textContent())?.replace(/^Engine: /, '') ?? '');
      await page.waitForTimeout(50);
    }
    testInfo.annotations.push({ type: 'badge before the hand-over', description: early });
    expect(badges).toContain('CPU while WebGPU starts (compiling shaders)');
    await expect(badge).toContainText('WebGPU: ');
    await expect(badge).toHaveAttribute('data-engine', 'webgpu');
    const after = await stepsOf(page, 32);
    await expect.poll(() => stepsOf(page, 32)).toBeGreaterThan(after);
    // The run never went back (no restart) and kept one curve.
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1] as number);
    await expect(page.locator('.loss-plot g.run')).toHaveCount(1);
    expect(watched.errors).toEqual([]);
  });

  test('a drag half a second after a dataset change takes effect', async ({ page }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?dataset=circles&n=512');
    await expect.poll(() => stepsOf(page, 32)).toBeGreaterThan(0);
    await page.getByLabel('Dataset', { exact: true }).selectOption('spirals');
    await page.waitForTimeout(500);
    await snapshot(page, testInfo, 'warm-up-after-dataset-change');
    await expect(page.locator(SLIDER)).toBeEnabled();
    await dragRangeTo(page, SLIDER, 0);
    await expect(page.locator('.batch-name')).toHaveText('B = 1: stochastic gradient descent');
    await expect(page.locator('.legend-item[data-batch-size="1"]')).toBeVisible();
    await expect.poll(() => stepsOf(page, 1)).toBeGreaterThan(0);
    expect(page.url()).toContain('dataset=spirals');
    expect(page.url()).toMatch(/runs=\d+,1/);
    expect(watched.errors).toEqual([]);
  });
});

test.describe('never a false explanation: divergence', () => {
  test('the only run diverging is listed as diverged at once, and every panel says so', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?dataset=plane&lr=10&reduction=sum&runs=N&engine=cpu');
    const row = page.locator('tr[data-run-row]');
    await expect(row).toHaveAttribute('data-status', 'diverged');
    await expect(page.locator('.legend-item')).toContainText('diverged');
    // Nothing trains, and the page does not pretend it does.
    await expect(page.getByRole('button', { name: '▶ Train' })).toBeVisible();
    const notes = page.locator('.diverged-note');
    await expect(page.locator('.panel-data .diverged-note')).toContainText('diverged');
    await expect(
      page.locator('[data-view="noise"], .panel-noise').locator('.diverged-note').first(),
    ).toContainText('diverged');
    await expect(notes.first()).toContainText('Every run on the plot diverged');
    await expect(page.getByText(/stationary point/)).toHaveCount(0);
    // Train cannot train a diverged run: it says so instead of seeming to start.
    await page.getByRole('button', { name: '▶ Train' }).click();
    await expect(page.locator('.notice[data-notice="all-diverged"]')).toContainText(
      'Every run on the plot diverged',
    );
    await expect(page.getByRole('button', { name: '▶ Train' })).toBeVisible();
    await snapshot(page, testInfo, 'diverged-only-run', true);
    expect(watched.errors).toEqual([]);
  });

  test('lr = 10, B = 1 thrashing far above its start is marked diverged by the stated rule', async ({
    page,
  }) => {
    await page.goto('./?dataset=circles&lr=10&runs=1&engine=cpu&speed=5');
    const row = page.locator('tr[data-run-row][data-batch-size="1"]');
    await expect(row).toHaveAttribute('data-status', 'diverged', { timeout: 30_000 });
    const [run] = await runRows(page);
    expect(run?.latestLoss).toBeGreaterThan(10 * (run?.firstLoss ?? 0));
    await expect(page.locator('.panel-data .diverged-note')).toContainText('10 × its starting value');
    await expect(page.getByText(/stays above 10 times its starting value for a whole epoch/)).toBeVisible();
  });

  test('a diverging B = N beside a healthy B = 1: no console error, a readable loss axis, another run offered', async ({
    page,
  }, testInfo) => {
    const watched = watchPage(page);
    await page.goto('./?dataset=plane&lr=0.01&reduction=sum&runs=1,N&engine=cpu&speed=5');
    await expect(page.locator('tr[data-run-row][data-batch-size="256"]')).toHaveAttribute(
      'data-status',
      'diverged',
      {
        timeout: 30_000,
      },
    );
    await expect.poll(() => stepsOf(page, 1)).toBeGreaterThan(300);
    // The loss axis follows the healthy run: its top tick stays near the losses of B = 1.
    for (const scale of ['Log', 'Linear']) {
      await page.locator('.panel-loss .segmented label', { hasText: scale }).click();
      const ticks = await page
        .locator('.loss-plot .y-axis .tick text')
        .evaluateAll((nodes) => nodes.map((n) => Number(n.textContent?.replace('−', '-'))));
      expect(Math.max(...ticks), scale).toBeLessThan(10);
    }
    // The focused run is the diverged B = N: the panels say so and offer B = 1.
    await page.locator('.legend-item[data-batch-size="256"] .legend-focus').click();
    const note = page.locator('.panel-data .diverged-note');
    await expect(note).toContainText('The run B = N = 256 (full batch) diverged');
    await page.locator('.panel-loss').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await snapshot(page, testInfo, 'diverged-beside-healthy');
    await note.getByRole('button', { name: /B = 1/ }).click();
    await expect(page.locator('.panel-data .diverged-note')).toHaveCount(0);
    await expect(page.locator('.panel-data svg').first()).toBeVisible();
    expect(watched.errors).toEqual([]);
  });
});

test.describe('b = N, and errors that stay visible', () => {
  test('b=N in the URL is the full batch, with no notice', async ({ page }) => {
    await page.goto('./?dataset=circles&n=512&b=N&engine=cpu');
    await expect(page.locator('.batch-name')).toHaveText('B = N = 512: full-batch gradient descent');
    await expect(page.locator('.notice')).toHaveCount(0);
    await expect.poll(() => stepsOf(page, 512)).toBeGreaterThan(0);
  });

  test("the course page's Show B = N works, and an error stays on screen past the status updates", async ({
    page,
  }) => {
    await page.goto('./examples/course.html');
    const frame = page.frameLocator('#lab-frame');
    await expect(page.locator('#frame-status')).toContainText('B = 32: loss');
    await page.getByRole('button', { name: 'Show B = N' }).click();
    await expect(frame.locator('.batch-name')).toContainText('full-batch gradient descent');
    await expect(page.locator('#frame-error')).toBeHidden();
    // A message the iframe refuses: its error must outlive the status line's updates.
    await page.evaluate(() => {
      const lab = document.getElementById('lab-frame') as HTMLIFrameElement;
      lab.contentWindow?.postMessage({ type: 'batchlab:set', params: { nope: 1 } }, '*');
    });
    const error = page.locator('#frame-error');
    await expect(error).toContainText('The iframe said:');
    const statusBefore = await page.locator('#frame-status').textContent();
    await expect.poll(() => page.locator('#frame-status').textContent()).not.toBe(statusBefore);
    await page.waitForTimeout(500);
    await expect(error).toBeVisible();
    await expect(error).toContainText('unknown parameter nope');
  });
});
