/**
 * The page is made of named panels, shown or hidden by the `panels` URL parameter (the embed
 * mode shows a chosen few). The extra panels under the loss and data views are named here with
 * their titles; each shell binds them to their views: the page loads a panel's code when the
 * panel mounts (`app/App.tsx`), the one-file embed bundles it (`embed/EmbedApp.tsx`).
 */
import type { ComponentType } from 'react';
import type { PanelName } from '../settings/settings';

export interface PanelView {
  title: string;
  Component: ComponentType;
  /** Spans the whole width of the page. */
  wide?: boolean;
}

/** Extra panels placed under the loss and data views, in this order, with their titles. */
export const EXTRA_PANEL_TITLES = {
  noise: 'Gradient noise against batch size',
  anatomy: 'The anatomy of one batch',
  landscape: 'The loss landscape of a two-parameter model',
} as const satisfies Partial<Record<PanelName, string>>;

export function isShown(panels: readonly PanelName[], name: PanelName): boolean {
  return panels.includes(name);
}
