import { describe, expect, it } from 'vitest';
import { DATASETS } from '../data/catalog';
import { GUIDE_STEPS, guideStepKeys } from './guide';
import { PANEL_NAMES } from './settings';
import { parseUrlState, URL_KEYS } from './url-codec';

describe('the guided path', () => {
  it('has four to six steps', () => {
    expect(GUIDE_STEPS.length).toBeGreaterThanOrEqual(4);
    expect(GUIDE_STEPS.length).toBeLessThanOrEqual(6);
  });

  it.each(GUIDE_STEPS.map((step, i) => [i + 1, step] as const))(
    'step %i parses cleanly, names a panel and says what to look for',
    (k, step) => {
      const own = parseUrlState(step.query, DATASETS);
      expect(own.notices).toEqual([]);
      // Only URL keys, and not the step key itself (a step cannot point at another step).
      for (const key of guideStepKeys(k)) expect(URL_KEYS).toContain(key);
      expect(guideStepKeys(k)).not.toContain('step');
      expect(guideStepKeys(k)).toContain('dataset');
      const linked = parseUrlState(`step=${k}`, DATASETS);
      expect(linked.notices).toEqual([]);
      expect(linked.settings).toEqual({ ...own.settings, guideStep: k });
      expect(PANEL_NAMES).toContain(step.panel);
      expect(step.question.endsWith('?')).toBe(true);
      // One sentence.
      expect(step.lookFor.replace(/\.$/, '')).not.toMatch(/\. [A-Z]/);
    },
  );

  it('gives every step a different state (a step that changes nothing demonstrates nothing)', () => {
    const states = GUIDE_STEPS.map((s) => `${s.query}|${s.panel}|${s.anatomyStage ?? ''}`);
    expect(new Set(states).size).toBe(states.length);
  });
});
