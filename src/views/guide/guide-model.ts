/**
 * What choosing a step of the guided path does to the page, as plain functions the guide's
 * components call: the settings it sets (the step's own, read by the URL codec, while the
 * learner's display choices stay), and a request the panels can follow (the anatomy opens the
 * step's stage, even when the same step is chosen twice).
 */
import { DATASETS } from '../../data/catalog';
import { GUIDE_STEPS, type GuideStep } from '../../settings/guide';
import type { PanelName, Settings } from '../../settings/settings';
import { parseUrlState } from '../../settings/url-codec';
import { Store } from '../../state/store';

export { GUIDE_STEPS, type GuideStep };

/** The settings after choosing step `k` (1-based): the step's, with the learner's display choices. */
export function settingsForStep(current: Settings, k: number): Settings {
  const step = GUIDE_STEPS[k - 1];
  if (!step) return { ...current, guideStep: 0 };
  const { settings } = parseUrlState(step.query, DATASETS);
  return {
    ...settings,
    // How the page looks and which engine trains are the learner's, not the lesson's.
    engine: current.engine,
    speed: current.speed,
    panels: current.panels,
    yScale: current.yScale,
    playing: true,
    guideStep: k,
  };
}

/** The step a panel should explain now, if any: the chosen step, when it points at that panel. */
export function stepForPanel(guideStep: number, panel: PanelName): GuideStep | null {
  const step = GUIDE_STEPS[guideStep - 1];
  return step && step.panel === panel ? step : null;
}

export interface GuideRequest {
  /** The step chosen last (1-based; 0: none yet). */
  step: number;
  /** Counts the choices, so choosing the same step again is a new request. */
  count: number;
}

/** Choices of a step made on this page, for panels that keep state of their own (the anatomy). */
export const guideRequests = new Store<GuideRequest>({ step: 0, count: 0 });

export function requestStep(k: number): void {
  guideRequests.set((r) => ({ step: k, count: r.count + 1 }));
}
