/**
 * A second origin for the embedding tests: a tiny static server on 127.0.0.1 (the app itself is
 * served by `vite preview` on localhost:4173, a different origin). It serves
 *  - `/hosts/<name>.html`: course pages from e2e/support/hosts, with `{{APP_ORIGIN}}` replaced
 *    by the app's origin, so they embed batchlab across origins;
 *  - `/batchlab/...`: a copy of the built dist/ (made when the server starts) under a sub-path,
 *    every response with a strict Content-Security-Policy header (`default-src 'self'`), to prove
 *    the static site and its embeds need nothing a strict policy forbids.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';

// Not 4180: `npm run bench` previews there.
export const HOST_PORT = Number(process.env.BATCHLAB_HOST_PORT ?? 4190);
export const HOST_ORIGIN = `http://127.0.0.1:${HOST_PORT}`;
/** Where `vite preview` serves the app (playwright.config.ts); another origin than HOST_ORIGIN. */
export const APP_ORIGIN = process.env.BATCHLAB_APP_ORIGIN ?? 'http://localhost:4173';
/** The policy of every page under /batchlab/: nothing but this origin, no inline code, no eval. */
export const STRICT_CSP = "default-src 'self'";

const root = resolve(import.meta.dirname, '..', '..');
const HOSTS = join(root, 'e2e', 'support', 'hosts');
const DIST = join(root, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.wgsl': 'text/plain; charset=utf-8',
};

/** A path inside `base`, or null when the request tries to climb out of it. */
function inside(base: string, relative: string): string | null {
  const path = normalize(join(base, decodeURIComponent(relative)));
  return path === base || path.startsWith(base + sep) ? path : null;
}

async function fileAt(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fileAt(join(path, 'index.html'));
    return path;
  } catch {
    return null;
  }
}

export interface HostServer {
  server: Server;
  close: () => Promise<void>;
}

/** Copies dist/ (which must hold the embed too) and serves it, with the host pages. */
export async function startHostServer(): Promise<HostServer> {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(join(DIST, 'embed', 'batch-lab.js')))
    throw new Error('dist/ or dist/embed/batch-lab.js is missing: run `npm run build` first.');
  const site = await mkdtemp(join(tmpdir(), 'batchlab-site-'));
  await cp(DIST, site, { recursive: true });
  const server = await listen(site);
  return {
    server,
    close: async () => {
      await new Promise((done) => server.close(done));
      await rm(site, { recursive: true, force: true });
    },
  };
}

function listen(site: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', HOST_ORIGIN);
    const send = (
      status: number,
      body: string | Buffer,
      type: string,
      headers: Record<string, string> = {},
    ) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      response.end(body);
    };
    try {
      if (url.pathname.startsWith('/batchlab/') || url.pathname === '/batchlab') {
        const csp = { 'Content-Security-Policy': STRICT_CSP };
        const path = inside(site, url.pathname.slice('/batchlab'.length) || '/');
        const file = path ? await fileAt(path) : null;
        if (!file) return send(404, 'not found', 'text/plain', csp);
        return send(200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream', csp);
      }
      if (url.pathname.startsWith('/hosts/')) {
        const path = inside(HOSTS, url.pathname.slice('/hosts'.length));
        const file = path ? await fileAt(path) : null;
        if (!file) return send(404, 'not found', 'text/plain');
        const type = TYPES[extname(file)] ?? 'application/octet-stream';
        if (type.startsWith('text/html')) {
          const html = (await readFile(file, 'utf8')).replaceAll('{{APP_ORIGIN}}', APP_ORIGIN);
          return send(200, html, type);
        }
        return send(200, await readFile(file), type);
      }
      if (url.pathname === '/favicon.ico') return send(204, '', 'text/plain');
      return send(404, 'not found', 'text/plain');
    } catch (error) {
      send(500, String(error), 'text/plain');
    }
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(HOST_PORT, '127.0.0.1', () => resolveServer(server));
  });
}
