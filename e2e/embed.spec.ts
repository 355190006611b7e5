/**
 * Embedding batchlab in course pages: an iframe and `<batch-lab>` elements on a page of another
 * origin, the built site copied under a sub-path and served with a strict CSP, the postMessage
 * API, and the "Share / embed" dialog. Every test fails on a console error of any frame and on
 * any request to an origin that is not the course page's or batchlab's.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, type TestInfo, test } from '@playwright/test';
import { dragSlider, runRows } from './helpers';
import {
  type EmbedScope,
  expectEmbedLearns,
  requestsOutside,
  type Watched,
  watchEverything,
} from './support/embed-helpers';
import { APP_ORIGIN, HOST_ORIGIN, type HostServer, STRICT_CSP, startHostServer } from './support/host-server';

let host: HostServer;
test.beforeAll(async () => {
  host = await startHostServer();
});
test.afterAll(async () => {
  await host.close();
});

/** A screenshot of one element (or the viewport), attached to the report. */
async function shot(target: Page | Locator, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

function expectClean(watched: Watched, origins: readonly string[]): void {
  expect(watched.errors, 'console errors').toEqual([]);
  expect(requestsOutside(watched.requests, origins), 'requests to other origins').toEqual([]);
}

const batchName = (scope: EmbedScope) => scope.locator('.batch-name');

test.describe('a course page on another origin', () => {
  const PAGE = `${HOST_ORIGIN}/hosts/cross-origin.html`;

  test('one iframe and two elements render, train, and each slider drags to B = 1 independently', async ({
    page,
  }, testInfo) => {
    const watched = watchEverything(page);
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(PAGE);
    const embeds: { name: string; scope: EmbedScope; box: Locator; b: number }[] = [
      { name: 'iframe', scope: page.frameLocator('#lab-frame'), box: page.locator('#lab-frame'), b: 32 },
      { name: 'element A', scope: page.locator('#lab-a'), box: page.locator('#lab-a'), b: 16 },
      { name: 'element B', scope: page.locator('#lab-b'), box: page.locator('#lab-b'), b: 8 },
    ];
    // React renders into each element's shadow root, not into the course page's DOM.
    for (const id of ['#lab-a', '#lab-b']) {
      const inShadow = await page
        .locator(id)
        .evaluate((el) => el.shadowRoot?.querySelector('.embed-root') !== null && el.children.length === 0);
      expect(inShadow, `${id} renders into its shadow root`).toBe(true);
    }
    for (const { name, scope, b } of embeds) {
      await expect(batchName(scope), name).toContainText(`B = ${b}:`);
      await expect(scope.locator('.engine-badge'), name).toContainText(/WebGPU: |CPU/);
      await expectEmbedLearns(scope, b);
    }
    await shot(page.locator('#lab-a'), testInfo, 'element-a-trained');
    const axe = await new AxeBuilder({ page }).include('#lab-b').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    for (const [i, { name, scope, box }] of embeds.entries()) {
      await dragSlider(page, scope.locator('.batch-range'), 0);
      await expect(batchName(scope), name).toHaveText('B = 1: stochastic gradient descent');
      await expect(scope.locator('.legend-item[data-batch-size="1"]'), name).toBeVisible();
      await expectEmbedLearns(scope, 1, 0.99);
      // The embeds not yet dragged have no B = 1 run: each has its own session.
      for (const other of embeds.slice(i + 1)) {
        const sizes = (await runRows(other.scope)).map((r) => r.batchSize);
        expect(sizes, `${other.name} after dragging ${name}`).not.toContain(1);
      }
      await shot(box, testInfo, `${name.replace(' ', '-')}-after-drag`);
    }
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });

  test("the course page's CSS does not reach into an element", async ({ page }) => {
    const watched = watchEverything(page);
    await page.goto(PAGE);
    const lab = page.locator('#lab-a');
    await expect(batchName(lab)).toContainText('B = 16');
    // course.css sets uppercase text, a serif font and hot-pink buttons on the page.
    const background = await lab
      .locator('.transport button')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    const root = await lab.locator('.embed-root').evaluate((el) => {
      const s = getComputedStyle(el);
      return { transform: s.textTransform, font: s.fontFamily };
    });
    const style = { background, ...root };
    // The page's root font size is 10 px; the element's text keeps the app's sizes.
    const nameSize = await lab
      .locator('.batch-name')
      .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(nameSize).toBeGreaterThanOrEqual(15);
    expect(style.background).not.toBe('rgb(255, 105, 180)');
    expect(style.transform).toBe('none');
    expect(style.font).not.toContain('Georgia');
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });

  test('an element follows its attributes: batch size, panels, lock; removed, it stops cleanly', async ({
    page,
  }) => {
    const watched = watchEverything(page);
    await page.goto(PAGE);
    const lab = page.locator('#lab-a');
    await expectEmbedLearns(lab, 16);
    await lab.evaluate((el) => el.setAttribute('batch-size', '64'));
    await expect(batchName(lab)).toHaveText('B = 64: mini-batch gradient descent');
    await expectEmbedLearns(lab, 64, 0.99);
    // As when the slider is let go: the new B joins the run that was there.
    await expect(lab.locator('.legend-item[data-batch-size="16"]')).toBeVisible();
    await expect(lab.locator('[data-panel="data"]')).toHaveCount(0);
    await lab.evaluate((el) => {
      el.setAttribute('panels', 'loss,data');
      el.setAttribute('lock', 'batch');
    });
    await expect(lab.locator('[data-panel="data"]')).toBeVisible();
    await expect(lab.locator('.batch-range')).toBeDisabled();
    // A bad attribute value is explained inside the element, not thrown.
    await lab.evaluate((el) => el.setAttribute('learning-rate', 'fast'));
    await expect(lab.locator('.notice[data-notice="lr"]')).toContainText('Ignored the learning rate');
    // Element B is untouched by all this.
    await expect(batchName(page.locator('#lab-b'))).toHaveText('B = 8: mini-batch gradient descent');
    await expect(page.locator('#lab-b .batch-range')).toBeEnabled();
    // Removed from the page, the element stops; a new one starts from its own attributes.
    await lab.evaluate((el) => el.remove());
    await page.evaluate(() => {
      const fresh = document.createElement('batch-lab');
      fresh.id = 'lab-c';
      fresh.setAttribute('dataset', 'blobs');
      fresh.setAttribute('b', '4');
      document.querySelector('main')?.append(fresh);
    });
    await expectEmbedLearns(page.locator('#lab-c'), 4);
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });

  test('without WebGPU, elements train on the CPU on the main thread, and the noise panel works', async ({
    page,
  }, testInfo) => {
    await page.addInitScript(() => {
      // As in a browser that has no WebGPU at all.
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    const watched = watchEverything(page);
    await page.goto(PAGE);
    for (const scope of [page.locator('#lab-a'), page.frameLocator('#lab-frame')]) {
      await expect(scope.locator('.engine-badge')).toHaveAttribute('data-engine', 'cpu');
      await expect(scope.locator('.engine-badge')).toContainText('WebGPU is not available');
    }
    await expectEmbedLearns(page.locator('#lab-a'), 16);
    await expectEmbedLearns(page.frameLocator('#lab-frame'), 32);
    await page.locator('#lab-b').evaluate((el) => el.setAttribute('panels', 'noise'));
    const noise = page.locator('#lab-b [data-view="noise"]');
    await expect(noise).toBeVisible();
    await expect(noise.getByTestId('noise-sentence')).toBeVisible({ timeout: 60_000 });
    await shot(page.locator('#lab-b'), testInfo, 'element-noise-on-cpu');
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });

  test('the postMessage API: the host sets B, pauses, reads the state; bad messages are refused', async ({
    page,
  }) => {
    const watched = watchEverything(page);
    await page.goto(PAGE);
    const frame = page.frameLocator('#lab-frame');
    await expectEmbedLearns(frame, 32);
    const post = (message: unknown) =>
      page.evaluate(
        ([m, origin]) =>
          (document.getElementById('lab-frame') as HTMLIFrameElement).contentWindow?.postMessage(m, origin),
        [message, APP_ORIGIN] as const,
      );
    const received = () =>
      page.evaluate(
        () =>
          (window as unknown as { batchlabMessages: { origin: string; data: { type: string } }[] })
            .batchlabMessages,
      );
    await expect.poll(async () => (await received()).map((m) => m.data.type)).toContain('batchlab:ready');

    await post({ type: 'batchlab:set', params: { b: 128 } });
    await expect(batchName(frame)).toHaveText('B = 128: mini-batch gradient descent');
    await expectEmbedLearns(frame, 128, 0.99);
    await post({ type: 'batchlab:pause' });
    await expect(frame.getByRole('button', { name: '▶ Train' })).toBeVisible();
    await expect
      .poll(async () => {
        const states = (await received()).filter((m) => m.data.type === 'batchlab:state');
        const last = states.at(-1) as
          | { origin: string; data: { query: string; playing: boolean } }
          | undefined;
        return last
          ? { origin: last.origin, b: last.data.query.includes('b=128'), playing: last.data.playing }
          : null;
      })
      .toEqual({ origin: APP_ORIGIN, b: true, playing: false });

    // Undocumented or malformed messages change nothing; batchlab-typed ones are answered.
    await post({ type: 'batchlab:set', params: { b: 2, embed: '0' } });
    await post({ type: 'batchlab:run', code: 'alert(1)' });
    await post('batchlab:play');
    await post({ type: 'other-widget:play' });
    await expect
      .poll(async () =>
        (await received())
          .filter((m) => m.data.type === 'batchlab:error')
          .map((m) => (m.data as unknown as { message: string }).message),
      )
      .toEqual(['ignored batchlab:set: unknown parameter embed', 'ignored batchlab:run: unknown type']);
    await expect(batchName(frame)).toHaveText('B = 128: mini-batch gradient descent');
    await expect(frame.getByRole('button', { name: '▶ Train' })).toBeVisible();
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });
});

test.describe('the postMessage API under load', () => {
  const PAGE = `${HOST_ORIGIN}/hosts/cross-origin.html`;

  /** Posts every message to the iframe in one task of the course page: back to back. */
  const flood = (page: Page, messages: readonly unknown[]) =>
    page.evaluate(
      ([list, origin]) => {
        const target = (document.getElementById('lab-frame') as HTMLIFrameElement).contentWindow;
        for (const m of list) target?.postMessage(m, origin);
      },
      [messages, APP_ORIGIN] as const,
    );
  const messagesOf = (page: Page, type: string) =>
    page.evaluate(
      (t) =>
        (window as unknown as { batchlabMessages: { data: { type: string } }[] }).batchlabMessages
          .filter((m) => m.data.type === t)
          .map((m) => m.data),
      type,
    );

  test('400 messages back to back: no uncaught error, and the frame still trains and answers', async ({
    page,
  }) => {
    const watched = watchEverything(page);
    await page.goto(PAGE);
    const frame = page.frameLocator('#lab-frame');
    await expectEmbedLearns(frame, 32);
    // Before the messages were merged, this flood threw React's "maximum update depth exceeded"
    // 7 times: each set started or focused a run, hundreds of store updates in one chain.
    const sizes = [1, 2, 4, 8, 16, 32, 64, 128];
    const messages: unknown[] = [];
    for (let i = 0; i < 400; i++)
      messages.push({ type: 'batchlab:set', params: { b: sizes[i % sizes.length] } });
    // The last word: B = 16, training.
    messages.push({ type: 'batchlab:set', params: { b: 16 } }, { type: 'batchlab:play' });
    await flood(page, messages);
    await expect(batchName(frame)).toHaveText('B = 16: mini-batch gradient descent');
    await expectEmbedLearns(frame, 16, 0.99);
    const sizesOnPlot = (await runRows(frame)).map((r) => r.batchSize);
    expect(new Set(sizesOnPlot).size, `batch sizes on the plot: ${sizesOnPlot.join(', ')}`).toBe(
      sizesOnPlot.length,
    );
    // Still answering: a `get` after the flood gets a state report with B = 16.
    const before = (await messagesOf(page, 'batchlab:state')).length;
    await flood(page, [{ type: 'batchlab:get' }]);
    await expect
      .poll(async () => {
        const states = (await messagesOf(page, 'batchlab:state')) as unknown as { query: string }[];
        return states.length > before && (states.at(-1)?.query.includes('b=16') ?? false);
      })
      .toBe(true);
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });

  test('with 8 runs on the plot, setting a B that is there keeps the batch sizes unique', async ({
    page,
  }) => {
    const watched = watchEverything(page);
    await page.goto(PAGE);
    const frame = page.frameLocator('#lab-frame');
    await expectEmbedLearns(frame, 32);
    const eight = [1, 2, 4, 8, 16, 32, 64, 128];
    await flood(page, [
      { type: 'batchlab:set', params: { runs: eight.join(',') } },
      { type: 'batchlab:set', params: { b: 64 } },
    ]);
    const sizes = async () => (await runRows(frame)).map((r) => r.batchSize).sort((a, b) => a - b);
    await expect.poll(sizes).toEqual(eight);
    await expectEmbedLearns(frame, 64, 0.99);
    // Set again once the runs are all there: B = 64 is focused, nothing is removed or added.
    const states = (await messagesOf(page, 'batchlab:state')).length;
    await flood(page, [{ type: 'batchlab:set', params: { b: 64 } }]);
    await expect.poll(async () => (await messagesOf(page, 'batchlab:state')).length).toBeGreaterThan(states);
    await expect(batchName(frame)).toHaveText('B = 64: mini-batch gradient descent');
    await expectEmbedLearns(frame, 128, 0.99);
    expect(await sizes()).toEqual(eight);
    // A value that is not a number is refused with an error, not read as B = 1.
    await flood(page, [{ type: 'batchlab:set', params: { b: true } }]);
    await expect
      .poll(async () =>
        ((await messagesOf(page, 'batchlab:error')) as unknown as { message: string }[]).map(
          (m) => m.message,
        ),
      )
      .toContain('ignored batchlab:set: parameter b has an unsupported value');
    expect(await sizes()).toEqual(eight);
    await expect(batchName(frame)).toHaveText('B = 64: mini-batch gradient descent');
    expectClean(watched, [HOST_ORIGIN, APP_ORIGIN]);
  });
});

test.describe(`the built site under a sub-path with "${STRICT_CSP}"`, () => {
  const BASE = `${HOST_ORIGIN}/batchlab/`;

  test('the example course page: two elements and an iframe train; its buttons drive the iframe', async ({
    page,
  }, testInfo) => {
    const watched = watchEverything(page);
    await page.setViewportSize({ width: 1000, height: 900 });
    const response = await page.goto(`${BASE}examples/course.html`);
    expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
    const first = page.locator('#first-lab');
    const second = page.locator('#second-lab');
    await expectEmbedLearns(first, 32);
    await expectEmbedLearns(second, 8);
    await shot(second, testInfo, 'csp-example-second-element');
    await dragSlider(page, first.locator('.batch-range'), 0);
    await expect(batchName(first)).toHaveText('B = 1: stochastic gradient descent');
    await expectEmbedLearns(first, 1, 0.99);
    await dragSlider(page, second.locator('.batch-range'), 2);
    await expect(batchName(second)).toHaveText('B = 4: mini-batch gradient descent');

    await page.locator('#lab-frame').scrollIntoViewIfNeeded();
    const frame = page.frameLocator('#lab-frame');
    await expectEmbedLearns(frame, 32);
    await expect(page.locator('#frame-status')).toContainText('B = 32: loss');
    await page.getByRole('button', { name: 'Show B = 1' }).click();
    await expect(batchName(frame)).toHaveText('B = 1: stochastic gradient descent');
    await expect(page.locator('#frame-status')).toContainText('B = 1: loss');
    await expect(page.locator('#frame-status')).toContainText('B = 32: loss');
    // The page sizes the iframe to the height it reports: no scrolling inside the frame.
    await expect
      .poll(() => frame.locator('html').evaluate((html) => html.scrollHeight - window.innerHeight))
      .toBeLessThanOrEqual(1);
    await dragSlider(page, frame.locator('.batch-range'), 3);
    await expect(batchName(frame)).toHaveText('B = 8: mini-batch gradient descent');
    await shot(page, testInfo, 'csp-example-iframe');
    expectClean(watched, [HOST_ORIGIN]);
  });

  test('the full app trains, and its Share / embed dialog gives links that work here', async ({
    page,
  }, testInfo) => {
    const watched = watchEverything(page);
    await page.goto(`${BASE}?dataset=xor&b=16`);
    await expect(page.locator('.engine-badge')).toContainText(/WebGPU: |CPU/);
    await expectEmbedLearns(page.locator('.panel-loss'), 16);
    await page.getByRole('button', { name: 'Share / embed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share or embed this view' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Link to this view')).toHaveValue(`${BASE}?dataset=xor&b=16`);
    await dialog.getByLabel('Data and model').check();
    const iframeHtml = await dialog.getByLabel('Iframe', { exact: true }).inputValue();
    expect(iframeHtml).toContain(`src="${BASE}?dataset=xor&amp;b=16&amp;panels=loss,data&amp;embed=1"`);
    const elementHtml = await dialog.getByLabel('Custom element', { exact: true }).inputValue();
    expect(elementHtml).toContain(`<script type="module" src="${BASE}embed/batch-lab.js"></script>`);
    expect(elementHtml).toContain('<batch-lab dataset="xor" batch-size="16" panels="loss,data"></batch-lab>');
    const axe = await new AxeBuilder({ page }).include('.share-dialog').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await shot(page, testInfo, 'share-dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: 'Share / embed' })).toBeFocused();

    // The iframe's address, opened: the compact layout with the two chosen panels.
    const src = /src="([^"]+)"/.exec(iframeHtml)?.[1]?.replaceAll('&amp;', '&') ?? '';
    await page.goto(src);
    await expect(page.locator('.embed-root [data-panel="loss"]')).toBeVisible();
    await expect(page.locator('.embed-root [data-panel="data"]')).toBeVisible();
    await expect(page.locator('.site-header')).toHaveCount(0);
    await expectEmbedLearns(page.locator('.embed-root'), 16);
    const axeEmbed = await new AxeBuilder({ page }).analyze();
    expect(axeEmbed.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    expectClean(watched, [HOST_ORIGIN]);
  });
});

test('the copy buttons put the snippets on the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const watched = watchEverything(page);
  await page.goto(`${APP_ORIGIN}/?dataset=circles&b=8`);
  await page.getByRole('button', { name: 'Share / embed' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share or embed this view' });
  await dialog.getByRole('button', { name: 'Copy iframe' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Copied.' })).toHaveCount(1);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await dialog.getByLabel('Iframe', { exact: true }).inputValue());
  expect(
    copied.startsWith(`<iframe src="${APP_ORIGIN}/?dataset=circles&amp;b=8&amp;panels=loss&amp;embed=1"`),
  ).toBe(true);
  expectClean(watched, [APP_ORIGIN]);
});

test('with an uploaded file, the Share dialog says the link opens the built-in data instead', async ({
  page,
}) => {
  const watched = watchEverything(page);
  await page.goto(`${APP_ORIGIN}/?dataset=circles`);
  const rows = ['x,y,label'];
  for (let i = 0; i < 40; i++) rows.push(`${Math.cos(i).toFixed(3)},${Math.sin(i * 2).toFixed(3)},${i % 2}`);
  await page.getByLabel('Your own data (CSV)').setInputFiles({
    name: 'my-class.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(rows.join('\n')),
  });
  await expect(page.locator('.batch-ticks')).toContainText('N=40');
  await page.getByRole('button', { name: 'Share / embed' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share or embed this view' });
  await expect(dialog.locator('.share-warning')).toContainText(
    'Your file my-class.csv stays in this browser: the link and the snippets open the built-in dataset circles instead.',
  );
  expectClean(watched, [APP_ORIGIN]);
});
