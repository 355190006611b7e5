/**
 * What a reader of the plots sees: hover and keyboard read-outs with each run's value, the log x
 * axis, one colour per batch size, downloads of every plot, and the "Latest numbers" table
 * inside its panel.
 */
import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { dragRangeTo, runRows, waitForTraining, watchPage } from './helpers';

const LOSS_SVG = '.loss-plot .plot-box svg';

/** Hovers the point at fractions (fx, fy) of an element's box. */
async function hover(page: Page, target: Locator, fx: number, fy: number): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error('the plot is not visible');
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
}

/** The read-out box's lines (title first), as the user reads them. */
async function readoutLines(svg: Locator): Promise<string[]> {
  return svg.locator('.readout-box tspan').allTextContents();
}

/** `rgb(r, g, b)` → `#rrggbb`, so CSS colours compare with SVG attributes. */
function hex(rgb: string): string {
  const parts = rgb.match(/\d+/g)?.slice(0, 3).map(Number) ?? [];
  return `#${parts.map((v) => v.toString(16).padStart(2, '0')).join('')}`.toLowerCase();
}

test('hovering the loss plot shows every run’s latest loss, and the keyboard moves the read-out', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('./?engine=cpu&n=256&runs=1,8,N&play=0');
  await expect(page.locator('tr[data-run-row]')).toHaveCount(3);
  await page.getByRole('button', { name: '1 epoch' }).click();
  await expect.poll(async () => (await runRows(page)).map((r) => r.steps)).toEqual([256, 32, 1]);
  const svg = page.locator(LOSS_SVG);
  // At the right end of the epochs axis every run has its latest point.
  // (Inside the right margin of 16 px, the plot area's last pixels.)
  await hover(page, svg, 0.95, 0.5);
  await expect.poll(async () => (await readoutLines(svg))[0]).toMatch(/^At epoch 0\.9/);
  const lines = await readoutLines(svg);
  for (const row of await runRows(page)) {
    const label =
      row.batchSize === 256 ? 'B = N = 256 (full batch)' : row.batchSize === 1 ? 'B = 1 (SGD)' : 'B = 8';
    const line = lines.find((l) => l.includes(`${label}:`));
    expect(line, label).toBeDefined();
    const shown = Number(line?.match(/loss ([0-9.e-]+)/)?.[1]);
    expect(shown, label).toBeCloseTo(row.latestLoss, 4);
  }
  // The nearest point of each run is highlighted.
  await expect(svg.locator('circle.readout-dot')).toHaveCount(3);

  // Keyboard: Tab-focusable; Home goes to the start, the arrows step along the points.
  await page.mouse.move(0, 0);
  await svg.focus();
  await expect(svg.locator('.readout-box')).toHaveCount(1);
  await page.keyboard.press('Home');
  await expect.poll(async () => (await readoutLines(svg))[0]).toMatch(/^At epoch 0:/);
  const atStart = await readoutLines(svg);
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await readoutLines(svg))[0]).not.toBe(atStart[0]);
  await page.keyboard.press('End');
  await expect.poll(async () => (await readoutLines(svg))[0]).toMatch(/^At epoch 1/);
  // What the read-out says reaches screen readers too.
  await expect(page.locator('.chart-readout-live')).toContainText('B = 8: loss');
  await page.keyboard.press('Escape');
  await expect(svg.locator('.readout-box')).toHaveCount(0);
  expect(watched.errors).toEqual([]);
});

test('every plot has a read-out: data, landscape and noise', async ({ page }) => {
  await page.goto('./?engine=cpu&n=256');
  await waitForTraining(page);
  const data = page.locator('.data-box svg');
  await hover(page, data, 0.5, 0.45);
  await expect(data.locator('.readout-box')).toContainText('nearest sample: class');
  await expect(data.locator('.readout-box')).toContainText('model of B = 32');
  const landscape = page.locator('[data-view="landscape"] svg').first();
  await hover(page, landscape, 0.5, 0.5);
  const lines = await readoutLines(landscape);
  expect(lines[0]).toMatch(/^w = .+, b = .+: loss /);
  for (const b of ['B = 1', 'B = 4', 'B = N = 32']) expect(lines.join('\n')).toContain(`${b}: step`);
  const noise = page.locator('svg.noise-error-plot');
  await expect(noise.locator('.measured-point').first()).toBeVisible({ timeout: 60_000 });
  await hover(page, noise, 0.3, 0.5);
  await expect(noise.locator('.readout-box')).toContainText(/B = \d+/);
  await expect(noise.locator('.readout-box')).toContainText('measured:');
  await expect(noise.locator('.readout-box')).toContainText('exact:');
});

test('log x: chosen for updates when runs span more than 30×, and the reader can turn it off', async ({
  page,
}) => {
  await page.goto('./?engine=cpu&n=256&runs=1,N&play=0&x=updates');
  await expect(page.locator('tr[data-run-row]')).toHaveCount(2);
  const svg = page.locator(LOSS_SVG);
  const logX = page.getByLabel(/Log x/);
  await page.getByRole('button', { name: '1 epoch' }).click();
  // 256 updates against 1: log, chosen automatically.
  await expect(svg).toHaveAttribute('data-x-scale', 'log');
  await expect(logX).toBeChecked();
  await expect(page.locator('.loss-plot .checkbox', { hasText: 'Log x' })).toContainText('(auto)');
  await expect(svg.locator('.x-label')).toContainText('log scale');
  await logX.uncheck();
  await expect(svg).toHaveAttribute('data-x-scale', 'linear');
  await expect(svg.locator('.x-label')).not.toContainText('log scale');
  await expect.poll(() => page.url()).toContain('xscale=linear');
  await logX.check();
  await expect(svg).toHaveAttribute('data-x-scale', 'log');
  await expect.poll(() => page.url()).toContain('xscale=log');
  // The link reproduces the choice; epochs are shared by every run, so auto keeps them linear.
  await page.goto('./?engine=cpu&n=256&runs=1,N&play=0&x=epochs');
  await page.getByRole('button', { name: '1 epoch' }).click();
  await expect(svg).toHaveAttribute('data-x-scale', 'linear');
});

/** The colour of batch size b in the legend chip, its curve and its read-out bullet. */
async function coloursOf(page: Page, b: number): Promise<{ chip: string; curve: string }> {
  const chip = await page
    .locator(`.legend-item[data-batch-size="${b}"] .swatch`)
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  const curve = await page
    .locator(`${LOSS_SVG} g.run[data-batch-size="${b}"] path.dataset-line`)
    .evaluate((el) => getComputedStyle(el).stroke);
  return { chip: hex(chip), curve: hex(curve) };
}

test('one colour per batch size: the same after Race and after the slider, in chips, curves and the landscape', async ({
  page,
}) => {
  await page.goto('./?engine=cpu&n=512');
  await waitForTraining(page);
  await page.getByRole('button', { name: /^Race/ }).click();
  await expect(page.locator('.legend-item')).toHaveCount(4);
  const raced: Record<number, string> = {};
  for (const b of [1, 8, 64, 512]) {
    const { chip, curve } = await coloursOf(page, b);
    expect(curve, `B = ${b}`).toBe(chip);
    raced[b] = chip;
  }
  expect(new Set(Object.values(raced)).size).toBe(4);

  await page.getByRole('button', { name: 'Clear runs' }).click();
  await expect(page.locator('.legend-item')).toHaveCount(0);
  // The slider, in the opposite order: N first, then 8 (stop 3), then 1.
  const stops = await page.locator('.batch-range').evaluate((el) => Number((el as HTMLInputElement).max));
  for (const [index, b] of [
    [stops, 512],
    [3, 8],
    [0, 1],
  ] as const) {
    await dragRangeTo(page, '.batch-range', index);
    await expect(page.locator(`.legend-item[data-batch-size="${b}"]`)).toBeVisible();
    const { chip, curve } = await coloursOf(page, b);
    expect(chip, `B = ${b} from the slider`).toBe(raced[b]);
    expect(curve, `B = ${b} from the slider`).toBe(raced[b]);
  }
  // The landscape's B = 1 run wears B = 1's colour too.
  const landscapeB1 = await page
    .locator('[data-view="landscape"] .trajectory[data-batch-size="1"]')
    .evaluate((el) => getComputedStyle(el).stroke);
  expect(hex(landscapeB1)).toBe(raced[1]);
});

test('downloads: each plot as PNG and SVG, the runs as CSV with a header row and data rows', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('./?engine=cpu&n=256&runs=1,N');
  await waitForTraining(page);
  const save = async (name: RegExp) => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name }).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: readFileSync(path) };
  };
  const png = await save(/Download the loss plot as PNG/);
  expect(png.name).toBe('batchlab-loss-circles.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  // Drawn at twice the size: the PNG's width (bytes 16–19) is twice the SVG's.
  const svgWidth = Number(await page.locator(LOSS_SVG).getAttribute('width'));
  expect(png.bytes.readUInt32BE(16)).toBe(2 * svgWidth);

  const svg = await save(/Download the loss plot as SVG/);
  expect(svg.name).toBe('batchlab-loss-circles.svg');
  const text = svg.bytes.toString('utf8');
  expect(text).toMatch(/^<\?xml/);
  expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
  // Styles are inline, so the file looks right without the page's CSS.
  expect(text).toMatch(/class="dataset-line"[^>]*style="[^"]*stroke-width:\s*2\.6px/);
  expect(text).not.toContain('readout-box');

  const csv = await save(/Download the numbers of the loss plot as CSV/);
  expect(csv.name).toBe('batchlab-loss-circles.csv');
  const rows = csv.bytes.toString('utf8').trimEnd().split('\r\n');
  expect(rows[0]?.split(',').slice(0, 3)).toEqual(['dataset', 'n', 'hidden_layers']);
  expect(rows[0]).toContain('batch_size,series,step');
  const data = rows.slice(1).map((r) => r.split(','));
  expect(data.length).toBeGreaterThan(4);
  for (const row of data) expect(row).toHaveLength(rows[0]?.split(',').length ?? 0);
  expect(new Set(data.map((r) => r[10]))).toEqual(new Set(['1', '256']));

  const dataPng = await save(/Download the data view as PNG/);
  expect(dataPng.name).toBe('batchlab-data-circles.png');
  const landscape = await save(/Download the loss landscape as SVG/);
  expect(landscape.name).toBe('batchlab-landscape.svg');
  await expect(page.locator('[data-view="noise"] .measured-point').first()).toBeVisible({ timeout: 60_000 });
  const noise = await save(/Download the gradient noise plot as PNG/);
  expect(noise.name).toBe('batchlab-noise-error.png');
  expect(noise.bytes.subarray(1, 4).toString()).toBe('PNG');
  expect(watched.errors).toEqual([]);
  expect(watched.foreignRequests).toEqual([]);
});

test.describe('at 1280 px', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the Latest numbers table fits its panel', async ({ page }) => {
    await page.goto('./?engine=cpu&runs=1,8,64,N');
    await waitForTraining(page);
    await page.locator('.loss-table-box summary').click();
    const { table, scroller } = await page.locator('.table-scroll').evaluate((el) => ({
      table: (el.querySelector('table') as HTMLElement).scrollWidth,
      scroller: el.clientWidth,
    }));
    expect(table).toBeLessThanOrEqual(scroller);
    await expect(page.locator('.loss-table-note')).toContainText('Every run starts from the same weights');
  });
});
