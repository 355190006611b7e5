/**
 * Vitest setup for the `gpu-node` project: gives Node a `navigator.gpu` from Dawn (npm
 * `webgpu`). Without a GPU it uses SwiftShader's Vulkan driver, which Debian's `chromium`
 * package (and Playwright's Chromium download) ships.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

function swiftShaderIcd(): string | undefined {
  const candidates = ['/usr/lib/chromium/vk_swiftshader_icd.json'];
  const playwrightCache = join(homedir(), '.cache', 'ms-playwright');
  if (existsSync(playwrightCache)) {
    for (const dir of readdirSync(playwrightCache)) {
      if (dir.startsWith('chromium')) {
        candidates.push(join(playwrightCache, dir, 'chrome-linux', 'vk_swiftshader_icd.json'));
        candidates.push(join(playwrightCache, dir, 'chrome-linux64', 'vk_swiftshader_icd.json'));
      }
    }
  }
  return candidates.find((p) => existsSync(p));
}

// A real GPU's driver wins when the caller chose one; otherwise SwiftShader, for repeatable CI.
if (!process.env.VK_ICD_FILENAMES && !process.env.BATCHLAB_SYSTEM_VULKAN) {
  const icd = swiftShaderIcd();
  if (icd) process.env.VK_ICD_FILENAMES = icd;
}
process.env.VK_LOADER_LAYERS_DISABLE ??= '~implicit~';

const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
// Kept reachable for the life of the process: if Dawn's instance is collected while a device
// is in use, the process aborts.
const gpu = create([]);
(globalThis as { __batchlabDawn?: GPU }).__batchlabDawn = gpu;
Object.defineProperty(globalThis, 'navigator', {
  value: { ...(globalThis.navigator ?? {}), gpu },
  configurable: true,
  writable: true,
});
