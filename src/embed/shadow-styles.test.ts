import { describe, expect, it } from 'vitest';
import { toShadowCss } from './shadow-styles';

describe('CSS for the shadow root', () => {
  it('turns :root into :host', () => {
    expect(toShadowCss(':root{--bg:#fff}body{margin:0}')).toContain(':host{--bg:#fff}');
  });

  it('measures rem from the app’s root font size, not the course page’s', () => {
    const css = toShadowCss(
      ':root{color:red;font-size:clamp(15px,.55vw + 12px,19px)}.a{padding:.5rem 1.25rem;margin:-2rem;width:10px}',
    );
    expect(css.startsWith(':host{--batchlab-rem:clamp(15px,.55vw + 12px,19px)}')).toBe(true);
    expect(css).toContain(
      '.a{padding:calc(.5 * var(--batchlab-rem)) calc(1.25 * var(--batchlab-rem));margin:calc(-2 * var(--batchlab-rem));width:10px}',
    );
    expect(css).not.toMatch(/\drem\b/);
  });

  it('leaves names that merely contain “rem” alone and falls back to 16px', () => {
    const css = toShadowCss('.remove-2rem{content:"x"}.b{font-size:1rem}');
    expect(css).toContain('.remove-2rem{');
    expect(css).toContain('.b{font-size:calc(1 * var(--batchlab-rem))}');
    expect(css.startsWith(':host{--batchlab-rem:16px}')).toBe(true);
  });
});
