// Bundle-size budget of the embed: builds `dist/embed/batch-lab.js` (unless --no-build), prints
// its raw and gzipped size and the app's JavaScript for comparison, and exits with 1 when the
// embed is over budget. Usage: `npm run size` (or `node scripts/size.mjs --no-build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Gzipped JavaScript a course page downloads for `<batch-lab>` (everything included). */
export const EMBED_BUDGET_BYTES = 200 * 1024;

const root = join(import.meta.dirname, '..');
const embedFile = join(root, 'dist', 'embed', 'batch-lab.js');

if (!process.argv.includes('--no-build')) {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.embed.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}
if (!existsSync(embedFile)) {
  console.error(`No ${embedFile}: run \`npm run build\` first (or drop --no-build).`);
  process.exit(1);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const gzipSize = (buffer) => gzipSync(buffer, { level: 9 }).length;

const embed = readFileSync(embedFile);
const embedGzip = gzipSize(embed);
console.log(
  `embed  dist/embed/batch-lab.js   ${kb(embed.length)} raw, ${kb(embedGzip)} gzip (one file, all CSS inside)`,
);

// The real datasets are in that one file; the app's build has them as their own lazy chunk,
// which tells how much of the embed they are.
const assets = join(root, 'dist', 'assets');
if (existsSync(assets)) {
  const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const real = scripts.find((f) => f.startsWith('real-'));
  if (real) {
    const realGzip = gzipSize(readFileSync(join(assets, real)));
    console.log(
      `       of which the real datasets ≈ ${kb(realGzip)} gzip; without them ≈ ${kb(embedGzip - realGzip)}`,
    );
  }
  const appGzip = scripts.reduce((sum, f) => sum + gzipSize(readFileSync(join(assets, f))), 0);
  console.log(
    `app    dist/assets/*.js            ${kb(appGzip)} gzip in ${scripts.length} files (lazy chunks and workers included)`,
  );
}

if (embedGzip > EMBED_BUDGET_BYTES) {
  console.error(`The embed is over its budget: ${kb(embedGzip)} gzip > ${kb(EMBED_BUDGET_BYTES)}.`);
  process.exit(1);
}
console.log(
  `budget ${kb(EMBED_BUDGET_BYTES)} gzip for the embed: ok (${((100 * embedGzip) / EMBED_BUDGET_BYTES).toFixed(0)}% used)`,
);
