import { describe, expect, it } from 'vitest';
import { circles } from '../../data/synthetic';
import { CpuTrainer } from '../../engine/cpu/trainer';
import { initParams } from '../../engine/model';
import { combineSeeds } from '../../engine/random';
import type { ModelSpec, TrainConfig } from '../../engine/types';
import {
  ANATOMY_STAGES,
  type AnatomySettings,
  anatomyReducer,
  anatomySettings,
  anatomyViewSteps,
  buildAnatomyView,
  defaultAnatomySetup,
  EXAMPLE_LEARNING_RATE,
  initialAnatomyState,
  LOSS_WORK,
  lossDataset,
  lossName,
  nearestAnatomyLearningRate,
  pageAnatomySetup,
} from './anatomy-model';

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

describe('the anatomy panel’s state', () => {
  const start = () => initialAnatomyState(setup.initialWeights);

  it('moves between stages within the first and the last', () => {
    let state = start();
    state = anatomyReducer(state, { type: 'move', by: -1 });
    expect(state.stage).toBe(0);
    for (let i = 0; i < 20; i++) state = anatomyReducer(state, { type: 'move', by: 1 });
    expect(state.stage).toBe(ANATOMY_STAGES.length - 1);
    expect(anatomyReducer(state, { type: 'stage', stage: 3 }).stage).toBe(3);
    expect(anatomyReducer(state, { type: 'stage', stage: 99 }).stage).toBe(ANATOMY_STAGES.length - 1);
  });

  it('applies an update as the next batch from the new weights, and restarts from the start', () => {
    const state = anatomyReducer(start(), { type: 'stage', stage: 5 });
    const view = buildAnatomyView(setup, state.weights, state.step, anatomySettings(state, setup));
    const applied = anatomyReducer(state, { type: 'apply', weightsAfter: view.anatomy.weightsAfter });
    expect(applied.step).toBe(1);
    expect(applied.stage).toBe(0);
    expect(Array.from(applied.weights)).toEqual(Array.from(view.anatomy.weightsAfter));
    expect(Array.from(applied.weights)).not.toEqual(Array.from(setup.initialWeights));
    const restarted = anatomyReducer(applied, { type: 'restart', initialWeights: setup.initialWeights });
    expect(restarted.step).toBe(0);
    expect(restarted.stage).toBe(0);
    expect(Array.from(restarted.weights)).toEqual(Array.from(setup.initialWeights));
    // Another problem: its first batch, at the stage the learner was reading.
    const other = anatomyReducer(
      { ...applied, stage: 6 },
      { type: 'restart', initialWeights: setup.initialWeights, keepStage: true },
    );
    expect(other.stage).toBe(6);
    expect(other.step).toBe(0);
  });

  it('never plots a weight against itself', () => {
    const state = start();
    expect(anatomyReducer(state, { type: 'firstParameter', value: state.secondParameter })).toBe(state);
    expect(anatomyReducer(state, { type: 'secondParameter', value: 2 }).secondParameter).toBe(2);
  });

  it('passes its choices to the view, with the setup’s shuffle', () => {
    let state = start();
    state = anatomyReducer(state, { type: 'reduction', value: 'sum' });
    state = anatomyReducer(state, { type: 'scaleSum', value: false });
    state = anatomyReducer(state, { type: 'plane', value: 'parameters' });
    state = anatomyReducer(state, { type: 'batchSize', value: 4 });
    expect(anatomySettings(state, setup)).toEqual({
      batchSize: 4,
      learningRate: EXAMPLE_LEARNING_RATE,
      reduction: 'sum',
      scaleSumByBatch: false,
      shuffleSeed: setup.shuffleSeed,
      comparisonSteps: 20,
      projection: { kind: 'parameters', first: 0, second: 1 },
    });
  });
});

describe('dissecting the page’s problem', () => {
  const dataset = circles({ n: 128, noise: 0.1, seed: 3 });
  const model: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' };
  const weights = initParams(model, 11);
  const page = pageAnatomySetup(dataset, model, weights, 5);

  it('says what it dissects, and takes the runs’ shuffle: its first batch is the runs’ first batch', () => {
    expect(page.description).toContain('2-8-8-1');
    expect(page.description).toContain('128 points');
    expect(defaultAnatomySetup().description).toMatch(/XOR, 64 points, a 2-3-1 network \(13 weights/);
    const config: TrainConfig = {
      batchSize: 8,
      learningRate: 0.1,
      reduction: 'mean',
      momentum: 0,
      lastBatch: 'keep',
      shuffleSeed: combineSeeds(5, 2),
    };
    const trainer = new CpuTrainer(dataset, model, config, weights);
    const state = initialAnatomyState(weights, { batchSize: 8, learningRate: 0.1 });
    const view = buildAnatomyView(page, weights, 0, anatomySettings(state, page));
    expect(Array.from(view.indices)).toEqual(Array.from(trainer.nextBatch()));
    // 105 weights: the bars show the 16 most active.
    expect(view.anatomy.paramCount).toBe(105);
    expect(view.shownParameters).toHaveLength(16);
  });

  it('switches to the page’s problem from its first batch, at the nearest of the panel’s rates', () => {
    const state = anatomyReducer(
      anatomyReducer(initialAnatomyState(setup.initialWeights), { type: 'stage', stage: 4 }),
      { type: 'source', source: 'page', initialWeights: weights, learningRate: 0.3 },
    );
    expect(state.source).toBe('page');
    expect(state.step).toBe(0);
    expect(state.stage).toBe(4);
    expect(state.weights).toHaveLength(105);
    expect(state.learningRate).toBe(0.2);
    expect(nearestAnatomyLearningRate(0.1)).toBe(0.1);
    expect(nearestAnatomyLearningRate(5)).toBe(2);
  });
});

describe('a view of the page’s data at any size stays affordable', () => {
  const small = pageAnatomySetup(
    circles({ n: 512, noise: 0.1, seed: 2 }),
    { inputSize: 2, hidden: [8], outputSize: 1, activation: 'tanh', loss: 'bce' },
    initParams({ inputSize: 2, hidden: [8], outputSize: 1, activation: 'tanh', loss: 'bce' }, 3),
    1,
  );
  const bigModel: ModelSpec = {
    inputSize: 2,
    hidden: [64, 64, 64, 64],
    outputSize: 1,
    activation: 'tanh',
    loss: 'bce',
  };
  const big = pageAnatomySetup(
    circles({ n: 20000, noise: 0.1, seed: 2 }),
    bigModel,
    initParams(bigModel, 3),
    1,
  );

  it('measures the losses on every sample of a small problem', () => {
    expect(lossDataset(small)).toBe(small.dataset);
    const view = buildAnatomyView(
      small,
      small.initialWeights,
      0,
      anatomySettings(initialAnatomyState(small.initialWeights), small),
    );
    expect(view.lossSamples).toEqual({ measured: 512, of: 512 });
    expect(lossName(view)).toBe('full-dataset loss');
  });

  it('measures them on a fixed random subset of the largest one, within the work budget', () => {
    const subset = lossDataset(big);
    const p = big.initialWeights.length;
    expect(p).toBe(12737);
    // 84 loss points × m samples × P weights ≤ the budget, and m as large as the budget allows.
    expect(84 * subset.n * p).toBeLessThanOrEqual(LOSS_WORK);
    expect(84 * (subset.n + 1) * p).toBeGreaterThan(LOSS_WORK);
    expect(lossDataset(big)).toBe(subset);
    // Its rows are rows of the dataset, each once, in order.
    const rows: number[] = [];
    for (let k = 0; k < subset.n; k++) {
      const x0 = subset.x[2 * k] as number;
      const x1 = subset.x[2 * k + 1] as number;
      let found = -1;
      for (let i = 0; i < big.dataset.n && found < 0; i++)
        if (big.dataset.x[2 * i] === x0 && big.dataset.x[2 * i + 1] === x1) found = i;
      expect(found).toBeGreaterThanOrEqual(0);
      expect(subset.y[k]).toBe(big.dataset.y[found]);
      rows.push(found);
    }
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(new Set(rows).size).toBe(subset.n);
    expect(lossName({ lossSamples: { measured: subset.n, of: 20000 } })).toBe(
      `loss on ${subset.n} of the 20,000 samples`,
    );
  });

  it('computes a view in small steps, the same view as all at once', () => {
    const state = initialAnatomyState(small.initialWeights);
    const steps = anatomyViewSteps(small, small.initialWeights, 0, anatomySettings(state, small));
    let yields = 0;
    let step = steps.next();
    while (!step.done) {
      yields++;
      step = steps.next();
    }
    // One yield per loss measured, give or take the joins: about 84 for B = 8.
    expect(yields).toBeGreaterThan(70);
    expect(step.value).toEqual(
      buildAnatomyView(small, small.initialWeights, 0, anatomySettings(state, small)),
    );
  });
});
