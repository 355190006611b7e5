/**
 * The Okabe–Ito palette: eight colours that stay distinguishable with the common forms of colour
 * blindness. Yellow is left out of lines and points on white (too little contrast).
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

/** Colours for a sequence of items (samples of a batch), in an order that separates neighbours well. */
export const OKABE_ITO_CYCLE: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.vermillion,
  OKABE_ITO.black,
];

export function sampleColour(index: number): string {
  return OKABE_ITO_CYCLE[index % OKABE_ITO_CYCLE.length] as string;
}
