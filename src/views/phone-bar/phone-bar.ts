/**
 * On a phone the batch-size slider and the loss plot never fit on one screen. A compact copy of
 * the slider therefore follows the learner down the page: it shows while the page is narrow, the
 * slider itself has scrolled away and the loss plot is on screen, so dragging it moves curves
 * the learner can see.
 */
import { batchSizeStops } from '../../settings/settings';

/** Narrower than this, the page is one column (see app.css). */
export const PHONE_QUERY = '(max-width: 759px)';

export interface Visibility {
  narrow: boolean;
  sliderOnScreen: boolean;
  lossOnScreen: boolean;
}

export function showPhoneBar({ narrow, sliderOnScreen, lossOnScreen }: Visibility): boolean {
  return narrow && !sliderOnScreen && lossOnScreen;
}

/** The slider position of `b`: its stop, or the next one up (N when past the last). */
export function stopIndex(n: number, b: number): { index: number; stops: number[] } {
  const stops = batchSizeStops(n);
  let index = stops.indexOf(b);
  if (index < 0) index = stops.findIndex((s) => s >= b);
  if (index < 0) index = stops.length - 1;
  return { index, stops };
}
