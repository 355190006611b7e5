import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../data/catalog';
import { defaultSettings } from '../../settings/settings';
import { parseUrlState } from '../../settings/url-codec';
import { stageIndex } from '../anatomy/anatomy-model';
import { GUIDE_STEPS, guideRequests, requestStep, settingsForStep, stepForPanel } from './guide-model';

describe('choosing a step of the guided path', () => {
  const learner = {
    ...parseUrlState(
      'dataset=spirals&lr=1&b=2&engine=cpu&speed=2&y=linear&panels=loss,noise,anatomy&play=0',
      DATASETS,
    ).settings,
  };

  it('sets the step’s settings and keeps the learner’s display choices', () => {
    GUIDE_STEPS.forEach((step, i) => {
      const next = settingsForStep(learner, i + 1);
      const own = parseUrlState(step.query, DATASETS).settings;
      expect(next.guideStep).toBe(i + 1);
      expect(next.dataset).toBe(own.dataset);
      expect(next.learningRate).toBe(own.learningRate);
      expect(next.batchSize).toBe(own.batchSize);
      expect(next.runs).toEqual(own.runs);
      expect(next.hidden).toEqual(own.hidden);
      expect(next.engine).toBe('cpu');
      expect(next.speed).toBe(2);
      expect(next.yScale).toBe('linear');
      expect(next.panels).toEqual(['loss', 'noise', 'anatomy']);
      expect(next.playing).toBe(true);
    });
  });

  it('race B = 1 against 64 for the noise question, and B = N against a small B for the whole-dataset one', () => {
    const noisy = GUIDE_STEPS.findIndex((s) => s.question.includes('B = 1')) + 1;
    expect(settingsForStep(learner, noisy).runs).toEqual([1, 64]);
    const whole = GUIDE_STEPS.findIndex((s) => s.question.includes('whole dataset')) + 1;
    const runs = settingsForStep(learner, whole).runs;
    expect(runs).toContain(defaultSettings(DATASETS, 'circles').n);
    expect(Math.min(...runs)).toBeLessThan(64);
  });

  it('leaves the guide for a step that does not exist', () => {
    expect(settingsForStep({ ...learner, guideStep: 2 }, 99).guideStep).toBe(0);
  });

  it('tells each panel which step explains it', () => {
    GUIDE_STEPS.forEach((step, i) => {
      expect(stepForPanel(i + 1, step.panel)).toBe(step);
      expect(stepForPanel(i + 1, step.panel === 'loss' ? 'data' : 'loss')).toBeNull();
    });
    expect(stepForPanel(0, 'loss')).toBeNull();
  });

  it('counts every choice, the same step twice included', () => {
    const before = guideRequests.get().count;
    requestStep(2);
    requestStep(2);
    expect(guideRequests.get()).toEqual({ step: 2, count: before + 2 });
  });
});

describe('steps in the anatomy panel', () => {
  it('open a stage the panel has', () => {
    const anatomySteps = GUIDE_STEPS.filter((s) => s.panel === 'anatomy');
    expect(anatomySteps.length).toBeGreaterThan(0);
    for (const step of anatomySteps) expect(stageIndex(step.anatomyStage ?? '')).toBeGreaterThanOrEqual(0);
    for (const step of GUIDE_STEPS.filter((s) => s.panel !== 'anatomy'))
      expect(step.anatomyStage).toBeUndefined();
  });
});
