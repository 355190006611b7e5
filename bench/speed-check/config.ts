// Vitest config of the manual GPU speed check (Node on Dawn); see manual.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['bench/speed-check/manual.ts'],
    setupFiles: ['src/engine/gpu/testing/node-setup.ts'],
    testTimeout: 600_000,
  },
});
