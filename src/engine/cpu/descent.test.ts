import { describe, expect, it } from 'vitest';
import { DATASETS, loadDataset } from '../../data/catalog';
import { initParams } from '../model';
import { CpuTrainer } from './trainer';

/**
 * Full-batch gradient descent with a small step decreases the loss at every step. The descent
 * lemma guarantees it when lr < 2/L, L being the largest curvature (Hessian eigenvalue) met on
 * the path. With standardised inputs (|x| ≲ 3), Glorot-initialised tanh layers of width ≤ 16 and
 * losses whose output curvature is ≤ 1 (mse) or ≤ ¼ (bce, softmax), L stays of order 10 here, so
 * lr = 0.02 is several times below 2/L. The property can fail: with lr = 5 the cars loss goes up
 * at some step (the last test checks this, so the monotonic check is not vacuous).
 */
const SMALL_LR = 0.02;
const STEPS = 60;

describe('full-batch gradient descent with a small learning rate decreases the loss monotonically', () => {
  for (const info of DATASETS) {
    it(`${info.id} (${info.isReal ? 'real' : 'synthetic'}, default network)`, async () => {
      // Spirals at a smaller N keep the suite fast; the property does not depend on N.
      const n = Math.min(info.defaultN, 512);
      const dataset = await loadDataset(info.id, { n, noise: info.defaultNoise, seed: 5 });
      const model = info.defaultModel(dataset);
      const trainer = new CpuTrainer(
        dataset,
        model,
        {
          batchSize: dataset.n,
          learningRate: SMALL_LR,
          reduction: 'mean',
          momentum: 0,
          lastBatch: 'keep',
          shuffleSeed: 1,
        },
        initParams(model, 3),
      );
      // With B = N each batch loss is the dataset loss before that step's update.
      const losses = trainer.stepSync(STEPS);
      const final = trainer.datasetLossSync();
      for (let s = 1; s < STEPS; s++) expect(losses[s], `step ${s}`).toBeLessThan(losses[s - 1] as number);
      expect(final).toBeLessThan(losses[STEPS - 1] as number);
      expect(final).toBeLessThan(losses[0] as number);
    });
  }

  it('the property is not vacuous: a huge learning rate breaks it', async () => {
    const dataset = await loadDataset('cars', { n: 392, noise: 0, seed: 5 });
    const info = DATASETS.find((d) => d.id === 'cars');
    const model = info?.defaultModel(dataset);
    if (!model) throw new Error('cars missing');
    const trainer = new CpuTrainer(
      dataset,
      model,
      {
        batchSize: dataset.n,
        learningRate: 5,
        reduction: 'mean',
        momentum: 0,
        lastBatch: 'keep',
        shuffleSeed: 1,
      },
      initParams(model, 3),
    );
    const losses = trainer.stepSync(STEPS);
    const increases = losses.some((loss, s) => s > 0 && !(loss < (losses[s - 1] as number)));
    expect(increases).toBe(true);
  });
});
