/**
 * On a phone the batch-size slider and the loss plot never fit on one screen. A compact copy of
 * the slider therefore follows the learner down the page: it shows while the page is narrow, the
 * slider itself has scrolled away and the loss plot is on screen, so dragging it moves curves
 * the learner can see.
 */

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
