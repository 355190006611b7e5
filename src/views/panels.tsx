/**
 * The page is made of named panels, shown or hidden by the `panels` URL parameter (the embed
 * mode shows a chosen few). The views of the gradient-noise, batch-anatomy and loss-landscape
 * panels register here as they are written; a panel without a view is simply not shown.
 */
import type { ComponentType } from 'react';
import type { PanelName } from '../settings/settings';
import { AnatomySessionPanel } from './anatomy/AnatomySessionPanel';
import { LandscapePanel } from './landscape/LandscapePanel';
import { NoiseSessionPanel } from './noise/NoiseSessionPanel';

export interface PanelView {
  title: string;
  Component: ComponentType;
  /** Spans the whole width of the page. */
  wide?: boolean;
}

/** Extra panels placed under the loss and data views, in this order. */
export const EXTRA_PANELS: Partial<Record<PanelName, PanelView>> = {
  noise: { title: 'Gradient noise against batch size', Component: NoiseSessionPanel },
  anatomy: { title: 'The anatomy of one batch', Component: AnatomySessionPanel },
  landscape: {
    title: 'The loss landscape of a two-parameter model',
    Component: () => <LandscapePanel headless />,
  },
};

export function isShown(panels: readonly PanelName[], name: PanelName): boolean {
  return panels.includes(name);
}
