/**
 * Dots painted straight into pixels. A canvas path of 20,000 small arcs took about 100 ms to
 * fill on a software-rendered canvas (one long task at page load, and one per redraw of the
 * predicted-against-actual view); writing the few pixels under each dot takes a few ms anywhere.
 *
 * Each dot is an anti-aliased disc (a pixel's coverage falls from 1 to 0 across the disc's
 * edge, over one pixel), blended over what is there (source-over, straight alpha as in
 * ImageData). An outlined dot is a white ring under a smaller disc, as a canvas fill then a
 * 0.8 px stroke would draw it.
 */

/** What `putImageData` takes: straight RGBA bytes, row by row from the top left. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** A colour as 0–255 channels and an opacity from 0 to 1. */
export type Rgba = readonly [number, number, number, number];

export interface DotStyle {
  /** Radius in device pixels. */
  radius: number;
  /** A white ring round each dot (for dots large enough to show one). */
  outlined: boolean;
  /** Width of the ring in device pixels. */
  outlineWidth: number;
}

const RING: Rgba = [255, 255, 255, 0.9];

function blend(data: Uint8ClampedArray, at: number, [r, g, b, a]: Rgba, coverage: number): void {
  const sa = a * coverage;
  if (sa <= 0) return;
  const da = (data[at + 3] as number) / 255;
  const keep = da * (1 - sa);
  const oa = sa + keep;
  data[at] = (r * sa + (data[at] as number) * keep) / oa;
  data[at + 1] = (g * sa + (data[at + 1] as number) * keep) / oa;
  data[at + 2] = (b * sa + (data[at + 2] as number) * keep) / oa;
  data[at + 3] = oa * 255;
}

/** One disc of radius `radius` centred at (cx, cy) in pixel coordinates (pixel centres at +0.5). */
export function paintDisc(pixels: Pixels, cx: number, cy: number, radius: number, colour: Rgba): void {
  if (!(Number.isFinite(cx) && Number.isFinite(cy)) || radius <= 0) return;
  const { data, width, height } = pixels;
  const reach = radius + 0.5;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  for (let py = y0; py <= y1; py++) {
    const dy = py + 0.5 - cy;
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - cx;
      const coverage = Math.min(1, reach - Math.sqrt(dx * dx + dy * dy));
      if (coverage > 0) blend(data, 4 * (py * width + px), colour, coverage);
    }
  }
}

/**
 * Dots `from` to `to` − 1, dot i at `at(i)` (pixel coordinates) in the colour `colourOf(i)`,
 * painted in order, so later dots lie over earlier ones.
 */
export function paintDots(
  pixels: Pixels,
  from: number,
  to: number,
  at: (i: number) => readonly [number, number],
  colourOf: (i: number) => Rgba,
  style: DotStyle,
): void {
  const inner = style.outlined ? Math.max(0, style.radius - style.outlineWidth / 2) : style.radius;
  const outer = style.radius + style.outlineWidth / 2;
  for (let i = from; i < to; i++) {
    const [x, y] = at(i);
    if (style.outlined) paintDisc(pixels, x, y, outer, RING);
    paintDisc(pixels, x, y, inner, colourOf(i));
  }
}
