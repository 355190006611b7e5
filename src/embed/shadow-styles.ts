/**
 * Styles of `<batch-lab>` live in its shadow root, so a course page's CSS cannot break the
 * explainer and the explainer's CSS cannot leak into the course page. The library build turns
 * every CSS import into a call to `addEmbedCss` (see vite.embed.config.ts); the element then
 * adopts one constructed style sheet, shared by all elements on the page. Constructed sheets are
 * not inline styles, so a strict Content-Security-Policy (`style-src 'self'`) allows them.
 */

const chunks: string[] = [];
let sheet: CSSStyleSheet | null = null;

/**
 * The app's CSS, made for a shadow root: page-level selectors (`:root`) mean the element's own
 * box, and `rem` units, which inside a shadow root would follow the course page's root font size
 * (often 62.5% or 10px), follow the app's own root size instead.
 */
export function toShadowCss(css: string): string {
  const rootFontSize = /:root\s*\{[^}]*?font-size:\s*([^;}]+)/.exec(css)?.[1]?.trim() ?? '16px';
  const body = css
    .replace(/:root\b/g, ':host')
    .replace(/(^|[^\w.-])(-?(?:\d+\.?\d*|\.\d+))rem\b/g, '$1calc($2 * var(--batchlab-rem))');
  return `:host{--batchlab-rem:${rootFontSize}}\n${body}`;
}

export function addEmbedCss(css: string): void {
  chunks.push(css);
  // A module evaluated later (a lazily loaded view) still gets its styles into every element.
  sheet?.replaceSync(toShadowCss(chunks.join('\n')));
}

export function embedStyleSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(toShadowCss(chunks.join('\n')));
  }
  return sheet;
}

/**
 * Gives a shadow root the embed's styles: the shared constructed sheet where the browser has
 * them (all current ones), else a <style> element (which a strict CSP would block, but such
 * old browsers are rare).
 */
export function adoptEmbedStyles(shadow: ShadowRoot): HTMLElement | null {
  try {
    if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
      shadow.adoptedStyleSheets = [embedStyleSheet()];
      return null;
    }
  } catch {
    // fall through to a <style> element
  }
  const style = document.createElement('style');
  style.textContent = toShadowCss(chunks.join('\n'));
  return style;
}
