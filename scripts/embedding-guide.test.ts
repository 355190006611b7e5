import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GUIDE_SOURCE, guidePage, renderMarkdown, slug } from './embedding-guide';

const markdown = readFileSync(GUIDE_SOURCE, 'utf8');
const html = guidePage(markdown);

describe('the embedding guide as a page of the site', () => {
  it('makes GitHub’s heading anchors', () => {
    expect(slug('The postMessage API (iframes)')).toBe('the-postmessage-api-iframes');
    expect(slug('Several elements, GPU and CPU')).toBe('several-elements-gpu-and-cpu');
  });

  it('renders headings, lists, code, tables, bold and links', () => {
    expect(
      renderMarkdown(
        '# A `b`\n\nSome **bold** and [x](#a-b), `<tag>`.\n\n- one\n  more\n- two\n\n```html\n<p>&</p>\n```\n\n| a | b |\n| - | - |\n| `c` | d |\n',
      ),
    ).toBe(
      [
        '<h1 id="a-b">A <code>b</code></h1>',
        '<p>Some <strong>bold</strong> and <a href="#a-b">x</a>, <code>&lt;tag&gt;</code>.</p>',
        '<ul><li>one more</li><li>two</li></ul>',
        '<pre><code class="language-html">&lt;p&gt;&amp;&lt;/p&gt;</code></pre>',
        '<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>c</code></td><td>d</td></tr></tbody></table>',
      ].join('\n'),
    );
  });

  it('keeps every in-page link pointing at a heading of the page', () => {
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const anchors = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(anchors.length).toBeGreaterThan(5);
    for (const anchor of anchors) expect(ids, anchor).toContain(anchor);
  });

  it('links only to what the site has: the example page, not repository files', () => {
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);
    expect(hrefs).toContain('../examples/course.html');
    for (const href of hrefs)
      expect(href, href).toMatch(/^(#|https?:|\.\.\/examples\/|\.\.\/index\.html|guide\.css)/);
    expect(html).not.toContain('](');
  });

  it('keeps every table row and the title, and needs no inline script or style', () => {
    const markdownRows = markdown.split('\n').filter((l) => l.startsWith('|')).length;
    const tables = (html.match(/<table>/g) ?? []).length;
    // Each table's separator row is not a row of the page.
    expect((html.match(/<tr>/g) ?? []).length).toBe(markdownRows - tables);
    expect(html).toContain('<title>Embedding batchlab in a course page · batchlab</title>');
    expect(html).not.toMatch(/<script|style=|<style/);
  });
});
