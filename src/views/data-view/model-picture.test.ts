import { describe, expect, it } from 'vitest';
import { defaultModelFor, loadDataset } from '../../data/catalog';
import { initParams } from '../../engine/model';
import { computeModelPicture } from './model-picture';

describe('computeModelPicture', () => {
  it('gives a probability map whose cells sum to one for 2-D classification', async () => {
    for (const id of ['circles', 'blobs'] as const) {
      const dataset = await loadDataset(id, { n: 64, noise: 0.1, seed: 3 });
      const model = defaultModelFor(dataset, [4], 'tanh');
      const picture = computeModelPicture(dataset, model, initParams(model, 1));
      if (picture.kind !== 'boundary') throw new Error(`expected a boundary, got ${picture.kind}`);
      expect(picture.probabilities.length).toBe(picture.resolution ** 2 * picture.classes);
      for (let cell = 0; cell < picture.resolution ** 2; cell++) {
        let sum = 0;
        for (let c = 0; c < picture.classes; c++) sum += picture.probabilities[cell * picture.classes + c]!;
        expect(sum).toBeCloseTo(1, 9);
      }
    }
  });

  it('fits a curve for 1-D regression and compares predictions for 2-D regression', async () => {
    const sine = await loadDataset('sine', { n: 32, noise: 0.1, seed: 1 });
    const sineModel = defaultModelFor(sine, [4], 'tanh');
    expect(computeModelPicture(sine, sineModel, initParams(sineModel, 1)).kind).toBe('curve');
    const plane = await loadDataset('plane', { n: 32, noise: 0.1, seed: 1 });
    // A linear model with zero weights predicts 0 everywhere: the comparison must say so.
    const planeModel = defaultModelFor(plane, [], 'linear');
    const picture = computeModelPicture(plane, planeModel, new Float64Array(3));
    if (picture.kind !== 'predicted-vs-actual')
      throw new Error(`expected predicted-vs-actual, got ${picture.kind}`);
    expect(picture.shown).toBe(32);
    expect([...picture.predicted].every((v) => v === 0)).toBe(true);
    expect(picture.actual[5]).toBe(plane.y[5]);
  });
});
