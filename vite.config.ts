import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumLaunchOptions } from './e2e/browser-launch.ts';
import { embeddingGuide } from './scripts/embedding-guide.ts';

export default defineConfig({
  // Relative base: the built dist/ works when copied under any path of a course website.
  base: './',
  // The teachers' embedding guide ships with the site (the Share dialog links to it).
  plugins: [react(), embeddingGuide()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // Browsers without <link rel="modulepreload"> load the chunks all the same, a little later;
    // the polyfill cost every browser a few ms of the first script's evaluation.
    modulePreload: { polyfill: false },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['src/**/*.gpu.test.ts'],
        },
      },
      {
        // The WGSL engine in Node, on Dawn (npm `webgpu`) over SwiftShader's Vulkan driver.
        extends: true,
        test: {
          name: 'gpu-node',
          environment: 'node',
          include: ['src/**/*.gpu.test.ts'],
          setupFiles: ['src/engine/gpu/testing/node-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Dawn instance at a time: the software adapter already uses both cores.
          fileParallelism: false,
        },
      },
      {
        // The same GPU tests in real headless Chromium (Chromium's own Dawn on SwiftShader).
        extends: true,
        test: {
          name: 'gpu-browser',
          include: ['src/**/*.gpu.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
