import { interpolateRgbBasis } from 'd3';
/**
 * The one palette of batchlab: Okabe–Ito's eight colours, which stay distinguishable with the
 * common forms of colour blindness, and the roles they play on the page. Every view takes its
 * colours from here, so a batch size, a class or a sample looks the same in every plot.
 */

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Okabe–Ito's yellow darkened until a line of it reads on white (the original has too little contrast). */
export const DARK_YELLOW = '#9E8A00';

/** Neutral ink for theory curves, markers and arrows that belong to no batch size. */
export const NEUTRAL = '#4d4d4d';

/**
 * Colours of the batch sizes below N, by log₂ B (B = 1, 2, 4, … 64, then again from 128).
 * Neighbouring stops of the slider get contrasting colours, and Race's 1, 8, 64 and N get
 * blue, orange, vermillion and black.
 */
const BATCH_CYCLE: readonly string[] = [
  OKABE_ITO.blue, // 1
  DARK_YELLOW, // 2
  OKABE_ITO.reddishPurple, // 4
  OKABE_ITO.orange, // 8
  OKABE_ITO.skyBlue, // 16
  OKABE_ITO.bluishGreen, // 32
  OKABE_ITO.vermillion, // 64
];

/** Full-batch gradient descent (B = N) is always black: the exact gradient, whatever N is. */
export const FULL_BATCH_COLOUR = OKABE_ITO.black;

/**
 * The colour of batch size `b` on a dataset of `n` samples: a function of (B, N) alone, so a run
 * gets the same colour whether it came from the slider, Race or a link. B off the powers of two
 * takes the colour of the nearest power below it.
 */
export function batchSizeColour(b: number, n: number): string {
  if (b >= n) return FULL_BATCH_COLOUR;
  const position = Math.max(0, Math.floor(Math.log2(Math.max(1, b)) + 1e-9));
  return BATCH_CYCLE[position % BATCH_CYCLE.length] as string;
}

/** How many batch sizes below N get distinct colours before they repeat. */
export const DISTINCT_BATCH_COLOURS = BATCH_CYCLE.length;

/** Class colours (points, decision regions): Okabe–Ito blue, orange, green, then the rest. */
export const CLASS_COLOURS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.vermillion,
  OKABE_ITO.black,
];

export function classColour(index: number): string {
  return CLASS_COLOURS[index % CLASS_COLOURS.length] as string;
}

/**
 * Colours of the samples of one batch (the anatomy's markers): none of the first three class
 * colours, which the same points wear underneath, and not vermillion, the mean gradient's colour.
 * Samples are numbered too, so the cycle may repeat in a large batch.
 */
export const SAMPLE_COLOURS: readonly string[] = [
  OKABE_ITO.reddishPurple,
  OKABE_ITO.black,
  OKABE_ITO.skyBlue,
  DARK_YELLOW,
];

export function sampleColour(index: number): string {
  return SAMPLE_COLOURS[index % SAMPLE_COLOURS.length] as string;
}

/**
 * ColorBrewer's sequential greys and blues (9 classes, as d3-scale-chromatic's interpolateGreys
 * and interpolateBlues build them: an RGB B-spline through the nine colours), written out
 * because importing the two from d3 brought every scheme of d3-scale-chromatic into the bundles
 * (about 16 KB of the embed's budget).
 */
export const interpolateGreys = interpolateRgbBasis([
  '#ffffff',
  '#f0f0f0',
  '#d9d9d9',
  '#bdbdbd',
  '#969696',
  '#737373',
  '#525252',
  '#252525',
  '#000000',
]);
export const interpolateBlues = interpolateRgbBasis([
  '#f7fbff',
  '#deebf7',
  '#c6dbef',
  '#9ecae1',
  '#6baed6',
  '#4292c6',
  '#2171b5',
  '#08519c',
  '#08306b',
]);
