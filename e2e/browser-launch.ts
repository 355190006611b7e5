import { existsSync } from 'node:fs';

/**
 * Which Chromium the browser tests launch: $CHROMIUM_PATH if set, else Debian's `chromium`
 * package where it is installed, else (undefined) Playwright's own download
 * (`npx playwright install chromium`), as on an ordinary developer machine.
 */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const candidate of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** WebGPU is behind this flag on Linux; with it Chromium runs Dawn on SwiftShader when there is no GPU. */
export const chromiumArgs = ['--enable-unsafe-webgpu'];

export function chromiumLaunchOptions(): { executablePath?: string; args: string[] } {
  const executablePath = chromiumExecutable();
  return executablePath ? { executablePath, args: chromiumArgs } : { args: chromiumArgs };
}
