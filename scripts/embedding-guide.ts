/**
 * Ships the teachers' guide (docs/embedding.md) with the built site as `docs/embedding.html`, so
 * the Share dialog can link to a page that exists wherever dist/ is copied. The Markdown is
 * rendered at build time by the small renderer below, which knows exactly what that file uses
 * (headings, paragraphs, lists, fenced code, tables, inline code, bold, links); the page needs no
 * script, no inline style and nothing from another origin, so it passes `default-src 'self'`.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

export const GUIDE_SOURCE = new URL('../docs/embedding.md', import.meta.url);
/** Where the page lands in dist/ (and where the dev server answers it). */
export const GUIDE_PAGE = 'docs/embedding.html';
const GUIDE_STYLES = 'docs/guide.css';

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/**
 * Links as they must read from dist/docs/: the repository's `../public/x` is the site's `../x`;
 * other repository files are not in the site, so they point at nothing rather than at a 404.
 */
function siteHref(href: string): string | null {
  if (/^(#|https?:)/.test(href)) return href;
  if (href.startsWith('../public/')) return `../${href.slice('../public/'.length)}`;
  return null;
}

function inline(text: string): string {
  // Code spans first: nothing inside them is Markdown.
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((part) => {
      if (part.startsWith('`') && part.endsWith('`') && part.length >= 2)
        return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      let html = escapeHtml(part);
      html = html.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      return html;
    })
    .join('')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => {
      const target = siteHref(href.replaceAll('&amp;', '&'));
      return target === null ? label : `<a href="${escapeHtml(target)}">${label}</a>`;
    });
}

function tableRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** Renders the Markdown this project's guide uses to HTML. */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).startsWith('```')) code.push(lines[i++] as string);
      i++;
      const lang = fence[1] ? ` class="language-${fence[1]}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      const text = heading[2] as string;
      out.push(`<h${level} id="${slug(text.replace(/`/g, ''))}">${inline(text)}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && (lines[i] as string).startsWith('|'))
        rows.push(tableRow(lines[i++] as string));
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${(head ?? []).map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    if (/^- /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^(- |\s+\S)/.test(lines[i] as string)) {
        const item = lines[i++] as string;
        if (item.startsWith('- ')) items.push(item.slice(2));
        else items[items.length - 1] += ` ${item.trim()}`;
      }
      out.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
      continue;
    }
    const paragraph: string[] = [];
    while (
      i < lines.length &&
      (lines[i] as string).trim() !== '' &&
      !/^(#|```|\||- )/.test(lines[i] as string)
    )
      paragraph.push((lines[i++] as string).trim());
    out.push(`<p>${inline(paragraph.join(' '))}</p>`);
  }
  return out.join('\n');
}

export function guidePage(markdown: string): string {
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'Embedding batchlab';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · batchlab</title>
<link rel="stylesheet" href="guide.css">
</head>
<body>
<nav><a href="../index.html">← batchlab</a></nav>
<main>
${renderMarkdown(markdown)}
</main>
</body>
</html>
`;
}

const STYLES = `body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2230;background:#f6f7f9}
nav,main{max-width:60rem;margin:0 auto;padding:0.8rem 1.2rem}
main{background:#fff;border:1px solid #dde1e8;border-radius:10px;margin-bottom:2rem}
h1,h2,h3{line-height:1.25}
a{color:#0b5cad}
code{font:0.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:0 0.2em;border-radius:3px}
pre{background:#f0f2f5;padding:0.8rem;border-radius:6px;overflow-x:auto}
pre code{padding:0;background:none}
table{border-collapse:collapse;display:block;overflow-x:auto;margin:0.8rem 0;font-size:0.92rem}
th,td{border:1px solid #dde1e8;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}
th{background:#f6f7f9}
`;

/** Vite plugin: emits the guide into the build and serves it from the dev server. */
export function embeddingGuide(): Plugin {
  return {
    name: 'batchlab-embedding-guide',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        if (path.endsWith(`/${GUIDE_PAGE}`)) {
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.end(guidePage(readFileSync(GUIDE_SOURCE, 'utf8')));
        } else if (path.endsWith(`/${GUIDE_STYLES}`)) {
          res.setHeader('Content-Type', 'text/css; charset=utf-8');
          res.end(STYLES);
        } else next();
      });
    },
    generateBundle() {
      this.addWatchFile(GUIDE_SOURCE.pathname);
      this.emitFile({
        type: 'asset',
        fileName: GUIDE_PAGE,
        source: guidePage(readFileSync(GUIDE_SOURCE, 'utf8')),
      });
      this.emitFile({ type: 'asset', fileName: GUIDE_STYLES, source: STYLES });
    },
  };
}
