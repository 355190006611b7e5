/**
 * Export of any plot: the <svg> serialised with its computed styles written inline (so the file
 * looks the same opened on its own, without the page's CSS), and a PNG drawn from that SVG on a
 * canvas at twice its size. Everything happens in the browser; nothing is fetched.
 */

/** The style properties that decide how an SVG element looks; copied from the page. */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
  'visibility',
  'display',
] as const;

export interface SvgExportOptions {
  /** A canvas drawn under the SVG (the data view's points), embedded as an image. */
  underlay?: HTMLCanvasElement | null;
  /** Background colour (default white: slides are rarely transparent). */
  background?: string;
}

/** A standalone SVG document of `svg` as it looks now, without the hover read-out. */
export function serializeSvg(svg: SVGSVGElement, options: SvgExportOptions = {}): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const view = svg.ownerDocument.defaultView;
  if (view) {
    const originals = [svg, ...Array.from(svg.querySelectorAll('*'))];
    const copies = [clone, ...Array.from(clone.querySelectorAll('*'))];
    originals.forEach((original, i) => {
      const copy = copies[i];
      if (!copy) return;
      const computed = view.getComputedStyle(original);
      const declarations = STYLE_PROPERTIES.map((p) => {
        const value = computed.getPropertyValue(p);
        return value ? `${p}:${value}` : '';
      }).filter((d) => d !== '');
      copy.setAttribute('style', declarations.join(';'));
    });
  }
  for (const node of Array.from(clone.querySelectorAll('.chart-readout'))) node.remove();
  clone.removeAttribute('tabindex');
  clone.removeAttribute('class');
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const width = svg.width.baseVal.value || Number(svg.getAttribute('width')) || 600;
  const height = svg.height.baseVal.value || Number(svg.getAttribute('height')) || 400;
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const ns = 'http://www.w3.org/2000/svg';
  const doc = svg.ownerDocument;
  const first = clone.querySelector(':scope > title')?.nextSibling ?? clone.firstChild;
  const background = doc.createElementNS(ns, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', options.background ?? 'white');
  clone.insertBefore(background, first);
  if (options.underlay) {
    const image = doc.createElementNS(ns, 'image');
    image.setAttribute('width', String(width));
    image.setAttribute('height', String(height));
    image.setAttribute('href', options.underlay.toDataURL('image/png'));
    clone.insertBefore(image, background.nextSibling);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** Draws SVG text on a canvas `scale` times its size and resolves with a PNG. */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  // A data: URL rather than a blob: URL, so an image of our own SVG is never "tainted" and the
  // canvas can be read back.
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  const image = new Image();
  image.decoding = 'sync';
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the browser could not draw the plot as an image'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this browser');
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.drawImage(image, 0, 0, width, height);
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be made'))),
      'image/png',
    ),
  );
}

/** Offers `blob` to the user as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string, near?: Element | null): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  // Inside a shadow root the link must be in the document to be clicked; it leaves at once.
  (near?.ownerDocument ?? document).body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportPlot(
  svg: SVGSVGElement,
  kind: 'png' | 'svg',
  filename: string,
  options: SvgExportOptions = {},
): Promise<void> {
  const text = serializeSvg(svg, options);
  if (kind === 'svg') {
    downloadBlob(new Blob([text], { type: 'image/svg+xml' }), filename, svg);
    return;
  }
  const width = svg.width.baseVal.value || Number(svg.getAttribute('width'));
  const height = svg.height.baseVal.value || Number(svg.getAttribute('height'));
  downloadBlob(await svgToPng(text, width, height, 2), filename, svg);
}

/** A file-name-safe slug: `B = N (full batch)` → `b-n-full-batch`. */
export function fileSlug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'plot'
  );
}
