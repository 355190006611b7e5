// Fails early, with the exact install command, when the browser tests cannot run here.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const problems = [];

const debianChromium = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
let playwrightChromium;
try {
  const { chromium } = await import('@playwright/test');
  const path = chromium.executablePath();
  if (path && existsSync(path)) playwrightChromium = path;
} catch {
  // Playwright not installed yet: `npm install` first.
}
const fromEnv = process.env.CHROMIUM_PATH;
if (fromEnv && !existsSync(fromEnv))
  problems.push(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist.`);
if (!fromEnv && !debianChromium && !playwrightChromium) {
  problems.push(
    'No Chromium for the browser tests. On Debian/Ubuntu: `sudo apt-get install chromium libvulkan1`;' +
      ' elsewhere: `npx playwright install chromium` (or set CHROMIUM_PATH).',
  );
}

if (process.platform === 'linux') {
  let hasVulkan = false;
  try {
    hasVulkan = execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    hasVulkan = [
      '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
      '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    ].some((p) => existsSync(p));
  }
  if (!hasVulkan) {
    problems.push('The WebGPU tests in Node need the Vulkan loader: `sudo apt-get install libvulkan1`.');
  }
}

if (problems.length > 0) {
  console.error(`\nbatchlab: cannot run the browser/GPU tests:\n- ${problems.join('\n- ')}\n`);
  process.exit(1);
}
