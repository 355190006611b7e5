/**
 * Draws the dataset and what the model makes of it: points and the decision map on a canvas
 * (thousands of points stay fast), axes and curves with D3 in an SVG laid over it.
 */
import { color, line, scaleLinear } from 'd3';
import type { Dataset } from '../../engine/types';
import { chartFrame, drawAxes } from '../chart/frame';
import { CLASS_COLOURS, NEUTRAL } from '../chart/palette';
import { attachReadout, type ReadoutPoint, type ReadoutSeries } from '../chart/readout';
import { formatTick } from '../chart/ticks';
import { curveAt, dataExtent, type Extent, type ModelPicture, probabilitiesAt } from './model-picture';
import { paintDots, type Rgba } from './paint-dots';

export interface DataViewOptions {
  width: number;
  height: number;
  /** Colour of the focused run, for the fitted curve. */
  runColour: string;
  pixelRatio: number;
  /** For the read-out: the focused run and the names of the classes. */
  runLabel?: string | null;
  classNames?: readonly string[] | undefined;
  /** The dots, from `dotsLayerSteps`; null while they are being painted. */
  dots: HTMLCanvasElement | null;
}

const MARGIN = { top: 10, right: 12, bottom: 42, left: 50 };

function rgba(css: string): Rgba {
  const c = color(css);
  const rgb = c?.rgb();
  return rgb ? [rgb.r, rgb.g, rgb.b, c?.opacity ?? 1] : [128, 128, 128, 1];
}

const CLASS_RGBA = CLASS_COLOURS.map(rgba);
const SAMPLE_RGBA = rgba('rgba(60, 60, 70, 0.5)');
const PREDICTION_RGBA = rgba('rgba(60, 60, 70, 0.55)');

type PredictedVsActual = Extract<ModelPicture, { kind: 'predicted-vs-actual' }>;

/** The plot's area and scales: from the data's box, or (predicted against actual) the values'. */
function dataViewScales(dataset: Dataset, pva: PredictedVsActual | null, width: number, height: number) {
  const innerWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
  const innerHeight = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  let extent: Extent;
  if (pva) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const arr of [pva.actual, pva.predicted]) {
      for (const v of arr) {
        if (!Number.isFinite(v)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (!Number.isFinite(lo)) [lo, hi] = [-1, 1];
    const padding = (hi - lo || 1) * 0.06;
    extent = { x0: lo - padding, x1: hi + padding, y0: lo - padding, y1: hi + padding };
  } else extent = dataExtent(dataset);
  const x = scaleLinear().domain([extent.x0, extent.x1]).range([0, innerWidth]);
  const y = scaleLinear().domain([extent.y0, extent.y1]).range([innerHeight, 0]);
  return { innerWidth, innerHeight, extent, x, y };
}

/** Dots painted between two yields of `dotsLayerSteps`. */
const DOTS_PER_STEP = 1000;

/**
 * The dots on a transparent canvas of the data view's size: the samples, or (predicted against
 * actual) the model's predictions; large dots (up to 3,000 samples) get a white ring. A
 * generator for `runInSlices`: 20,000 dots took 40–60 ms in one task on their first painting.
 */
export function* dotsLayerSteps(
  dataset: Dataset,
  pva: PredictedVsActual | null,
  size: { width: number; height: number; pixelRatio: number },
): Generator<void, HTMLCanvasElement> {
  const { width, height, pixelRatio } = size;
  const { x, y } = dataViewScales(dataset, pva, width, height);
  const layer = document.createElement('canvas');
  layer.width = Math.round(width * pixelRatio);
  layer.height = Math.round(height * pixelRatio);
  const ctx = layer.getContext('2d');
  if (!ctx) return layer;
  const count = pva ? pva.shown : dataset.n;
  const radius = dataset.n > 3000 ? 1.6 : dataset.n > 800 ? 2.4 : 3.2;
  const stride = dataset.inputSize;
  const toPixels = (vx: number, vy: number) =>
    [(MARGIN.left + x(vx)) * pixelRatio, (MARGIN.top + y(vy)) * pixelRatio] as const;
  let at: (i: number) => readonly [number, number];
  let colourOf: (i: number) => Rgba;
  if (pva) {
    at = (i) => toPixels(pva.actual[i] as number, pva.predicted[i] as number);
    colourOf = () => PREDICTION_RGBA;
  } else if (stride === 1) {
    at = (i) => toPixels(dataset.x[i] as number, dataset.y[i * dataset.targetSize] as number);
    colourOf = () => SAMPLE_RGBA;
  } else if (stride >= 2) {
    at = (i) => toPixels(dataset.x[i * stride] as number, dataset.x[i * stride + 1] as number);
    colourOf = (i) =>
      CLASS_RGBA[
        (dataset.task === 'classification' ? Math.round(dataset.y[i] as number) : 0) % CLASS_RGBA.length
      ] as Rgba;
  } else return layer;
  const pixels = ctx.createImageData(layer.width, layer.height);
  const style = { radius: radius * pixelRatio, outlined: radius > 2, outlineWidth: 0.8 * pixelRatio };
  for (let from = 0; from < count; from += DOTS_PER_STEP) {
    const to = Math.min(count, from + DOTS_PER_STEP);
    paintDots(pixels, from, to, at, colourOf, style);
    if (to < count) yield;
  }
  ctx.putImageData(pixels, 0, 0);
  return layer;
}

function rgb(hex: string): [number, number, number] {
  const c = color(hex)?.rgb();
  return c ? [c.r, c.g, c.b] : [128, 128, 128];
}

export function drawDataView(
  canvas: HTMLCanvasElement,
  svgElement: SVGSVGElement,
  dataset: Dataset,
  picture: ModelPicture | null,
  options: DataViewOptions,
): void {
  const { width, height, pixelRatio } = options;
  const pva = picture?.kind === 'predicted-vs-actual' ? picture : null;
  const { innerWidth, innerHeight, extent, x, y } = dataViewScales(dataset, pva, width, height);

  // ---- canvas: decision map, then points
  canvas.width = Math.round(width * pixelRatio);
  canvas.height = Math.round(height * pixelRatio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.save();
  ctx.translate(MARGIN.left, MARGIN.top);
  ctx.beginPath();
  ctx.rect(0, 0, innerWidth, innerHeight);
  ctx.clip();

  if (picture?.kind === 'boundary') {
    const { resolution, probabilities, classes } = picture;
    const image = new ImageData(resolution, resolution);
    const palette = CLASS_COLOURS.map(rgb);
    for (let cell = 0; cell < resolution * resolution; cell++) {
      // Blend the class colours by probability, over white; confident regions are stronger.
      let r = 0;
      let g = 0;
      let b = 0;
      let top = 0;
      for (let c = 0; c < classes; c++) {
        const p = probabilities[cell * classes + c] as number;
        const [cr, cg, cb] = palette[c % palette.length] as [number, number, number];
        r += p * cr;
        g += p * cg;
        b += p * cb;
        top = Math.max(top, p);
      }
      const certainty = classes > 1 ? (top - 1 / classes) / (1 - 1 / classes) : 1;
      const alpha = 0.12 + 0.33 * Math.max(0, Math.min(1, certainty));
      image.data[4 * cell] = Math.round(255 + (r - 255) * alpha);
      image.data[4 * cell + 1] = Math.round(255 + (g - 255) * alpha);
      image.data[4 * cell + 2] = Math.round(255 + (b - 255) * alpha);
      image.data[4 * cell + 3] = 255;
    }
    const tile = document.createElement('canvas');
    tile.width = resolution;
    tile.height = resolution;
    tile.getContext('2d')?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, innerWidth, innerHeight);
  }

  // The dots, painted apart (see `dotsLayerSteps`); a layer of another size, from before a
  // resize, is stretched until its successor is ready.
  if (options.dots) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(options.dots, 0, 0, canvas.width, canvas.height);
  }
  ctx.restore();

  // ---- svg: axes, labels, curves, read-out
  const frame = chartFrame(svgElement, { width, height, margin: MARGIN });
  const names = dataset.featureNames ?? [];
  const target = dataset.targetName ?? 'target';
  const xLabel = pva ? `Actual ${target}` : (names[0] ?? 'x₁');
  const yLabel = pva ? `Predicted ${target}` : dataset.inputSize === 1 ? target : (names[1] ?? 'x₂');
  drawAxes(frame, x, y, { xLabel, yLabel });

  const model = frame.layer('model');
  const diagonal = pva
    ? line<number>()
        .x((v) => x(v))
        .y((v) => y(v))([extent.x0, extent.x1])
    : null;
  const fit =
    picture?.kind === 'curve'
      ? line<number>()
          .x((_, i) => x(picture.xs[i] as number))
          .y((v) => y(Math.max(extent.y0 - 10, Math.min(extent.y1 + 10, v))))(Array.from(picture.ys))
      : null;
  model
    .selectAll<SVGPathElement, string>('path.diagonal')
    .data(diagonal ? [diagonal] : [])
    .join('path')
    .attr('class', 'diagonal')
    .attr('d', (d) => d);
  model
    .selectAll<SVGPathElement, string>('path.fit')
    .data(fit ? [fit] : [])
    .join('path')
    .attr('class', 'fit')
    .attr('d', (d) => d)
    .attr('stroke', options.runColour);

  attachReadout(frame, {
    mode: 'xy',
    x: (v) => x(v),
    y: (v) => y(v),
    invertX: (px) => x.invert(px),
    invertY: (py) => y.invert(py),
    series: [readoutSeries(dataset, pva, options)],
    title: (vx, vy) => `${xLabel} = ${formatTick(vx)}, ${yLabel} = ${formatTick(vy)}`,
    extra: (vx, vy) => modelLines(picture, vx, vy, options),
    name: `${dataset.name}: the data and the model`,
  });
}

interface SamplePoint extends ReadoutPoint {
  index: number;
}

const samplePointsOf = new WeakMap<Dataset, SamplePoint[]>();

/** The samples as points of the plot, made once per dataset (not on every redraw). */
function samplePoints(dataset: Dataset): SamplePoint[] {
  let points = samplePointsOf.get(dataset);
  if (points) return points;
  points = [];
  const stride = dataset.inputSize;
  for (let i = 0; i < dataset.n; i++) {
    const px = dataset.x[i * stride] as number;
    const py =
      stride === 1 ? (dataset.y[i * dataset.targetSize] as number) : (dataset.x[i * stride + 1] as number);
    points.push({ x: px, y: py, index: i });
  }
  samplePointsOf.set(dataset, points);
  return points;
}

/** The samples, as the read-out looks them up: the nearest one to the cursor is described. */
function readoutSeries(
  dataset: Dataset,
  pva: Extract<ModelPicture, { kind: 'predicted-vs-actual' }> | null,
  options: DataViewOptions,
): ReadoutSeries<SamplePoint> {
  if (pva) {
    const points: SamplePoint[] = [];
    for (let k = 0; k < pva.shown; k++)
      points.push({ x: pva.actual[k] as number, y: pva.predicted[k] as number, index: k });
    return {
      key: 'sample',
      label: 'nearest sample',
      colour: NEUTRAL,
      points,
      describe: (p) => `actual ${formatTick(p.x)}, predicted ${formatTick(p.y)}`,
    };
  }
  const names = options.classNames;
  return {
    key: 'sample',
    label: 'nearest sample',
    colour: NEUTRAL,
    points: samplePoints(dataset),
    describe: (p) => {
      const at = `(${formatTick(p.x)}, ${formatTick(p.y)})`;
      // The nearest sample, e.g. "class 1 at (0.31, −1.2)".
      if (dataset.task !== 'classification') return at;
      const cls = Math.round(dataset.y[p.index * dataset.targetSize] as number);
      return `${names?.[cls] ?? `class ${cls}`} at ${at}`;
    },
  };
}

/** What the focused run's model says at the cursor. */
function modelLines(picture: ModelPicture | null, x: number, y: number, options: DataViewOptions): string[] {
  const who = options.runLabel ? `model of ${options.runLabel.replace(/\s*\(.*\)$/, '')}` : 'untrained model';
  if (picture?.kind === 'boundary') {
    const probabilities = probabilitiesAt(picture, x, y);
    if (!probabilities) return [];
    const names = options.classNames;
    const text = probabilities
      .map((p, c) => `${names?.[c] ?? `class ${c}`} ${(100 * p).toFixed(0)}%`)
      .join(', ');
    return [`${who}: ${text}`];
  }
  if (picture?.kind === 'curve') {
    const value = curveAt(picture, x);
    return value === null ? [] : [`${who}: ŷ = ${formatTick(value)} here`];
  }
  return [];
}
