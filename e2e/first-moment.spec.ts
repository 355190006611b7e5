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
    test.skip(!hasGpu, 'this browser has no WebGPU adapter');
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
