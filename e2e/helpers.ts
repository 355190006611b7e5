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

/** Waits until every run on the page has made at least `steps` updates. */
export async function waitForSteps(scope: RunScope, steps: number, timeout = 90_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const rows = await runRows(scope);
        return rows.length > 0 && rows.every((r) => r.steps >= steps);
      },
      { message: `every run should make ${steps} updates`, timeout },
    )
    .toBe(true);
}

/**
 * How many pixels of the element's screenshot are (nearly) each of the given CSS colours: the
 * PNG is decoded by the browser itself, so no image library is needed. A pixel counts when its
 * R, G and B differ from the colour by at most `tolerance` in total (anti-aliased edges do not).
 */
export async function colourPixels(
  page: Page,
  target: Locator,
  colours: readonly string[],
  tolerance = 40,
): Promise<number[]> {
  const png = await target.screenshot();
  return page.evaluate(
    async ([base64, wanted, tol]) => {
      const toRgb = (css: string) => {
        const probe = document.createElement('span');
        probe.style.color = css;
        document.body.append(probe);
        const parts = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g) ?? [];
        probe.remove();
        return parts.slice(0, 3).map(Number);
      };
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2-D canvas');
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      const rgbs = wanted.map(toRgb);
      const counts = rgbs.map(() => 0);
      for (let p = 0; p < data.length; p += 4) {
        rgbs.forEach(([r = 0, g = 0, b = 0], k) => {
          const d =
            Math.abs((data[p] as number) - r) +
            Math.abs((data[p + 1] as number) - g) +
            Math.abs((data[p + 2] as number) - b);
          if (d <= tol) counts[k] = (counts[k] as number) + 1;
        });
      }
      return counts;
    },
    [png.toString('base64'), colours, tolerance] as const,
  );
}

/**
 * Every run in the legend has its curve on the loss plot, in its own colour: a path stroked with
 * the legend swatch's colour with finite coordinates, and pixels of that colour in the picture.
 * Only a few pixels are required: curves may lie almost wholly under others (on the updates
 * axis a full-batch run's few updates sit at x ≈ 0), but a curve not drawn at all has none.
 */
export async function expectRunsDrawn(page: Page, minPixels = 3): Promise<void> {
  const plot = page.locator('.panel-loss .loss-plot svg').first();
  await plot.scrollIntoViewIfNeeded();
  const legend = await page.locator('.panel-loss .legend-item').evaluateAll((items) =>
    items.map((item) => ({
      b: (item as HTMLElement).dataset.batchSize ?? '',
      colour: getComputedStyle(item.querySelector('.swatch') as Element).backgroundColor,
    })),
  );
  expect(legend.length, 'runs in the legend').toBeGreaterThan(0);
  const strokes = await plot.locator('path[stroke]').evaluateAll((paths) =>
    paths.map((path) => ({
      colour: getComputedStyle(path).stroke,
      d: path.getAttribute('d') ?? '',
    })),
  );
  for (const { b, colour } of legend) {
    const drawn = strokes.filter((s) => s.colour === colour && /^M[^a-zA-Z]*[\d.]+/.test(s.d));
    expect(drawn.length, `a curve of B = ${b} (${colour})`).toBeGreaterThan(0);
    for (const { d } of drawn) expect(d, `the curve of B = ${b}`).not.toMatch(/NaN|Infinity/);
  }
  const counts = await colourPixels(
    page,
    plot,
    legend.map((l) => l.colour),
  );
  legend.forEach(({ b, colour }, k) => {
    expect(counts[k], `pixels of B = ${b} (${colour}) on the loss plot`).toBeGreaterThanOrEqual(minPixels);
  });
}

/**
 * Nothing sticks out or lies on something else: no horizontal scrolling, the panels do not
 * overlap, the legend entries do not overlap, and every plot stays inside its panel.
 */
export async function expectTidyLayout(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 0) found.push(`the page is ${overflow} px wider than the window`);
    const boxes = (selector: string) =>
      [...document.querySelectorAll(selector)]
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 0 && r.height > 0);
    const overlap = (a: DOMRect, b: DOMRect) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}${(el as HTMLElement).dataset.batchSize ? `[B=${(el as HTMLElement).dataset.batchSize}]` : ''}`;
    for (const selector of ['.panel', '.legend-item']) {
      const list = boxes(selector);
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i];
          const b = list[j];
          if (a && b && overlap(a.r, b.r)) found.push(`${name(a.el)} overlaps ${name(b.el)}`);
        }
    }
    for (const { el, r } of boxes('.panel svg')) {
      const panel = el.closest('.panel')?.getBoundingClientRect();
      if (panel && (r.left < panel.left - 1 || r.right > panel.right + 1))
        found.push(`a plot in ${name(el.closest('.panel') as Element)} sticks out of it`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}
