import { type RefObject, useEffect, useState } from 'react';

export interface ElementWidth {
  /** Content width in CSS pixels (`fallback` until measured). */
  width: number;
  /** False on the first render only: plots skip drawing at a width they would redraw at once. */
  measured: boolean;
}

/**
 * The content width of `ref`'s element in CSS pixels, following resizes, so plots redraw to fit
 * their panel. `fallback` serves until the first measurement and where the element has no
 * layout. A plot that drew at `fallback` and again at its real width paid for two drawings at
 * page load (100 ms for 20,000 dots), hence `measured`. Measured after the paint, not in a layout
 * effect: that would pull the plot's re-render and drawing into the task that mounted it.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback: number): ElementWidth {
  const [state, setState] = useState<ElementWidth>({ width: fallback, measured: false });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (typeof ResizeObserver === 'undefined') {
      setState({ width: element.clientWidth || fallback, measured: true });
      return;
    }
    // The observer reports the first size after the next layout: reading clientWidth here would
    // force a layout of the whole page inside this task.
    const observer = new ResizeObserver(([entry]) => {
      const width = entry ? Math.round(entry.contentRect.width) : 0;
      setState((last) => {
        if (width > 0) return last.measured && last.width === width ? last : { width, measured: true };
        // A hidden panel reports 0: keep the last width rather than squash the drawing.
        return last.measured ? last : { ...last, measured: true };
      });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, fallback]);
  return state;
}
