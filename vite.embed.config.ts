/**
 * Library build of the `<batch-lab>` custom element: ONE ES module file, `dist/embed/batch-lab.js`,
 * with React, the engines, the views and all CSS inside (`npm run build` runs it after the site
 * build). CSS cannot be a separate file for an element that a course page loads with one script
 * tag, and must not be an inline <style> (a strict CSP blocks those): every CSS import becomes
 * a string handed to `src/embed/shadow-styles.ts`, which the element adopts as a constructed
 * style sheet in its shadow root.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const STYLE_REGISTRY = fileURLToPath(new URL('./src/embed/shadow-styles.ts', import.meta.url));
const CSS_PREFIX = '\0batchlab-shadow-css:';
const CSS_SUFFIX = '.shadow.js';

function cssIntoShadowRoot(): Plugin {
  return {
    name: 'batchlab-css-into-shadow-root',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (!importer || importer.startsWith(CSS_PREFIX)) return null;
      if (!/\.css$/.test(source) || /\.css$/.test(importer)) return null;
      const resolved = await this.resolve(source, importer, { skipSelf: true });
      // The id must not end in .css, or Vite's own CSS plugins would take this module.
      return resolved ? `${CSS_PREFIX}${resolved.id}${CSS_SUFFIX}` : null;
    },
    load(id) {
      if (!id.startsWith(CSS_PREFIX)) return null;
      const file = id.slice(CSS_PREFIX.length, -CSS_SUFFIX.length);
      return [
        `import css from ${JSON.stringify(`${file}?inline`)};`,
        `import { addEmbedCss } from ${JSON.stringify(STYLE_REGISTRY)};`,
        'addEmbedCss(css);',
      ].join('\n');
    },
  };
}

/** `new Worker(new URL('./x.ts', import.meta.url), { ... })`, as the app starts its workers. */
const WORKER_START = /new\s+Worker\(\s*new\s+URL\([^)]*\)\s*,\s*\{[^}]*\}\s*\)/g;

/**
 * The element is one file: a worker would be a second one, and could not start from another
 * origin or under a strict CSP anyway. Each place that starts a worker throws instead, which the
 * app already handles by doing the work on the main thread (the CPU engine in small per-frame
 * chunks, the noise report in one go); the build fails if anything else would emit a second file.
 */
function oneFileWithoutWorkers(): Plugin {
  return {
    name: 'batchlab-one-file-without-workers',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('node_modules') || !/\.tsx?$/.test(id) || !code.includes('new Worker')) return null;
      const replaced = code.replace(
        WORKER_START,
        "(() => { throw new Error('the embedded element does its work on the main thread'); })()",
      );
      return replaced === code ? null : { code: replaced, map: null };
    },
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle);
      if (files.length !== 1)
        this.error(`the embed must be one file, but the build made: ${files.join(', ')}`);
      for (const output of Object.values(bundle)) {
        if (output.type === 'chunk' && /new Worker\b/.test(output.code))
          this.error('the embed bundle still starts a Web Worker');
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), cssIntoShadowRoot(), oneFileWithoutWorkers()],
  publicDir: false,
  // Library mode leaves `process.env.NODE_ENV` alone; a browser has no `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist/embed',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/embed/batch-lab.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'batch-lab.js',
    },
    rolldownOptions: {
      // One file: the lazily loaded parts (WebGPU engine, real datasets) go inside it.
      // Library ES builds keep whitespace by default; a course page wants the smallest file.
      output: { codeSplitting: false, minify: true },
    },
  },
});
