/**
 * The guided path at the top of the page: a few "Try this" steps, each a learner's question
 * answered by one click. A step is data: the settings it sets (a link query, read by the same
 * URL codec as any link), the panel to look at and one sentence saying what to look for. The
 * step is itself part of the URL (`step=3`), so a teacher can link to it.
 */
import type { PanelName } from './settings';

export interface GuideStep {
  /** The learner's question, in their words: the button's label. */
  question: string;
  /** One sentence: what to look for once the page shows the step. */
  lookFor: string;
  /** The settings the step sets, as a link query (other settings keep their defaults). */
  query: string;
  /** The panel the step brings into view. */
  panel: PanelName;
  /** For steps in the anatomy panel: the stage it opens (an id of the panel's stages). */
  anatomyStage?: string;
}

export const GUIDE_STEPS: readonly GuideStep[] = [
  {
    question: 'Does the first sample of a batch still count?',
    lookFor:
      'Backpropagation runs once for each of the 8 samples (8 thin arrows, one gradient each); press “Next stage” and the one update uses their average, so the first sample counts exactly as much as the last.',
    query: 'dataset=circles&b=8',
    panel: 'anatomy',
    anatomyStage: 'gradients',
  },
  {
    question: 'Apply each sample’s change in turn, or average them?',
    lookFor:
      'In turn, each gradient is taken where the previous samples left the weights, so 8 small steps wander off (dots) while the averaged update is one step from the start (red arrow): they end in different places.',
    query: 'dataset=circles&b=8',
    panel: 'anatomy',
    anatomyStage: 'sequential',
  },
  {
    question: 'Sum the gradients or take their mean?',
    lookFor:
      'The sum with learning rate lr/B follows the mean with lr exactly (the lines lie on top of each other); the sum with the same lr takes B times larger steps.',
    query: 'dataset=circles&b=8',
    panel: 'anatomy',
    anatomyStage: 'sum-mean',
  },
  {
    question: 'Why is B = 1 so noisy?',
    lookFor:
      'On the loss plot B = 1 zigzags while B = 64 falls smoothly; here, a batch’s gradient misses the full-dataset gradient by an error that shrinks like 1/B, so one sample’s gradient is about 64 times noisier than 64 samples’ average.',
    query: 'dataset=circles&b=64&runs=1,64',
    panel: 'noise',
  },
  {
    question: 'Why not use the whole dataset for every step?',
    lookFor:
      'Per epoch (one pass over the data) B = N takes a single exact step while B = 8 takes 64 noisy ones and is far ahead: the exact gradient costs a whole pass over the data for each update.',
    query: 'dataset=circles&b=512&runs=8,N&x=epochs',
    panel: 'loss',
  },
];

/** The URL keys a step sets: written into every link while that step is chosen. */
export function guideStepKeys(step: number): string[] {
  const guide = GUIDE_STEPS[step - 1];
  return guide ? [...new Set(new URLSearchParams(guide.query).keys())] : [];
}
