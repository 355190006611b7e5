import { describe, expect, it } from 'vitest';
import { CpuTrainer } from '../../engine/cpu/trainer';
import type { TrainConfig } from '../../engine/types';
import { type AnatomySettings, buildAnatomyView, defaultAnatomySetup } from './anatomy-model';

const setup = defaultAnatomySetup();
const settings: AnatomySettings = {
  batchSize: 8,
  learningRate: 0.5,
  reduction: 'mean',
  scaleSumByBatch: true,
  shuffleSeed: 7,
  comparisonSteps: 20,
  projection: { kind: 'mean-spread' },
};
const trainerConfig = (overrides: Partial<TrainConfig> = {}): TrainConfig => ({
  batchSize: 8,
  learningRate: 0.5,
  reduction: 'mean',
  momentum: 0,
  lastBatch: 'drop',
  shuffleSeed: 7,
  ...overrides,
});

describe('the anatomy panel shows what the CPU engine computes', () => {
  it('has 13 parameters, few enough for one bar each', () => {
    const view = buildAnatomyView(setup, setup.initialWeights, 0, settings);
    expect(view.anatomy.paramCount).toBe(13);
    expect(view.shownParameters).toHaveLength(13);
  });

  it('its batches and updates are the trainer’s, step after step ("Apply the update, next batch")', () => {
    const trainer = new CpuTrainer(setup.dataset, setup.model, trainerConfig(), setup.initialWeights);
    let weights = setup.initialWeights.slice();
    for (let step = 0; step < 3; step++) {
      const view = buildAnatomyView(setup, weights, step, settings);
      expect(Array.from(view.indices)).toEqual(Array.from(trainer.nextBatch()));
      const [loss] = trainer.stepSync(1);
      expect(view.anatomy.batchLoss).toBe(loss);
      expect(Array.from(view.anatomy.weightsAfter)).toEqual(Array.from(trainer.weights));
      weights = view.anatomy.weightsAfter.slice();
    }
  });

  it('sum with lr/B updates like the trainer with sum and lr/B; sum with lr like sum and lr', () => {
    for (const scaleSumByBatch of [true, false]) {
      const view = buildAnatomyView(setup, setup.initialWeights, 0, {
        ...settings,
        reduction: 'sum',
        scaleSumByBatch,
      });
      const lr = scaleSumByBatch ? 0.5 / 8 : 0.5;
      expect(view.effectiveLearningRate).toBe(lr);
      const trainer = new CpuTrainer(
        setup.dataset,
        setup.model,
        trainerConfig({ reduction: 'sum', learningRate: lr }),
        setup.initialWeights,
      );
      trainer.stepSync(1);
      expect(Array.from(view.anatomy.weightsAfter)).toEqual(Array.from(trainer.weights));
    }
    const mean = buildAnatomyView(setup, setup.initialWeights, 0, settings);
    const sum = buildAnatomyView(setup, setup.initialWeights, 0, {
      ...settings,
      reduction: 'sum',
      scaleSumByBatch: false,
    });
    expect(sum.updateLength / mean.updateLength).toBeCloseTo(8, 10);
    expect(sum.combined[0] / mean.combined[0]).toBeCloseTo(8, 10);
  });

  it('projects onto two chosen weights when asked, and falls back when the choice is invalid', () => {
    const view = buildAnatomyView(setup, setup.initialWeights, 0, {
      ...settings,
      projection: { kind: 'parameters', first: 0, second: 12 },
    });
    expect(view.axisLabels).toEqual(['∂loss/∂W1[0][0]', '∂loss/∂b2[0]']);
    expect(view.projected.samples[0]).toBe(view.anatomy.gradients[0]);
    expect(view.projected.samples[1]).toBe(view.anatomy.gradients[12]);
    const same = buildAnatomyView(setup, setup.initialWeights, 0, {
      ...settings,
      projection: { kind: 'parameters', first: 3, second: 3 },
    });
    expect(same.axisLabels[0]).toBe('along the mean gradient');
  });
});
