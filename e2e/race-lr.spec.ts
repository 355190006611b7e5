import { expect, type Page, test } from '@playwright/test';
import { snapshot, waitForTraining, watchPage } from './helpers';

/** Each race run's learning rate, by batch size, read from the Latest numbers table. */
async function runRates(page: Page): Promise<Map<number, number>> {
  const rows = await page.locator('tr[data-run-row]').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return [Number(d.batchSize), Number(d.learningRate)] as const;
    }),
  );
  return new Map(rows);
}

test('scaled ∝ B gives each run its own learning rate, shown in the table and the legend', async ({
  page,
}, testInfo) => {
  const watched = watchPage(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('./?lrmode=scaled&runs=1,8,64,N&engine=cpu');
  await waitForTraining(page);
  await page.locator('.loss-table-box summary').click();
  const rates = await runRates(page);
  // Circles starts at 0.1, meant for B = 32: B = 1 gets 0.1 / 32, B = 64 gets 0.2.
  expect(rates.get(1)).toBeCloseTo(0.1 / 32, 12);
  expect(rates.get(64)).toBeCloseTo(0.2, 12);
  await expect(page.locator('tr[data-run-row][data-batch-size="1"] td').first()).toHaveText('0.00313');
  await expect(page.locator('.legend-item[data-batch-size="64"]')).toContainText('lr 0.2');
  await expect(page.getByRole('radio', { name: 'scaled ∝ B' })).toBeChecked();
  // The table's seventh column (the learning rate) still fits its panel at 1280 px.
  const { table, scroller } = await page.locator('.table-scroll').evaluate((el) => ({
    table: (el.querySelector('table') as HTMLElement).scrollWidth,
    scroller: el.clientWidth,
  }));
  expect(table).toBeLessThanOrEqual(scroller);
  await snapshot(page, testInfo, 'race-lr-scaled', true);
  expect(watched.errors).toEqual([]);
});

test('best from the sweep, before any sweep has finished: the same learning rate for all, and a notice saying why', async ({
  page,
}) => {
  await page.goto('./?lrmode=sweep&runs=1,64&engine=cpu');
  await waitForTraining(page);
  await expect(
    page.getByText('No sweep has finished yet, so every run uses the learning rate 0.1'),
  ).toBeVisible();
  const rates = await runRates(page);
  expect([rates.get(1), rates.get(64)]).toEqual([0.1, 0.1]);
});

test('best from the sweep: once a sweep finishes, each run takes its B’s best learning rate', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const watched = watchPage(page);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(
    './?dataset=circles&n=32&engine=cpu&lrmode=sweep&runs=1,32&panels=controls,loss,sweep' +
      '&sweep=1&target=0.3&epochs=60&lrs=0.1,1,10',
  );
  const verdict = page.getByTestId('sweep-verdict');
  await expect(verdict).toBeVisible({ timeout: 90_000 });
  const best = new Map(
    await page.locator('[data-testid="sweep-table"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const d = (tr as HTMLElement).dataset;
        return [Number(d.batchSize), Number(d.bestLr)] as const;
      }),
    ),
  );
  for (const b of [1, 32]) expect(best.get(b)).toBeGreaterThan(0);
  await page.locator('.loss-table-box summary').click();
  await expect
    .poll(async () => [...(await runRates(page)).entries()].sort((a, c) => a[0] - c[0]))
    .toEqual([
      [1, best.get(1)],
      [32, best.get(32)],
    ]);
  await expect(page.getByText('No sweep has finished')).toHaveCount(0);
  expect(watched.errors).toEqual([]);
});
