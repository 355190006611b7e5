import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelFor, loadDataset } from '../../data/catalog';
import { initParams, paramLayout } from '../../engine/model';
import type { Dataset, ModelSpec } from '../../engine/types';
import { computeModelPicture, dataExtent } from './model-picture';

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

/** A linear model's parameters: output = w · x + b (one output). */
function linearWeights(model: ModelSpec, w: readonly number[], b: number): Float64Array {
  const params = new Float64Array(model.inputSize + 1);
  const [layer] = paramLayout(model);
  if (!layer || model.hidden.length > 0) throw new Error('expected a linear model');
  w.forEach((v, i) => {
    params[layer.weightOffset + i] = v;
  });
  params[layer.biasOffset] = b;
  return params;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The centre of a grid cell in data coordinates (row 0 at the top, as the picture is drawn). */
function cellCentre(extent: ReturnType<typeof dataExtent>, resolution: number, cell: number) {
  const row = Math.floor(cell / resolution);
  const col = cell % resolution;
  return {
    x: extent.x0 + ((col + 0.5) / resolution) * (extent.x1 - extent.x0),
    y: extent.y1 - ((row + 0.5) / resolution) * (extent.y1 - extent.y0),
  };
}

describe('the picture shows what the model computes', () => {
  let circles: Dataset;
  let linear: ModelSpec;
  const boundary = (weights: Float64Array) => {
    const picture = computeModelPicture(circles, linear, weights);
    if (picture.kind !== 'boundary') throw new Error(`expected a boundary, got ${picture.kind}`);
    return picture;
  };

  beforeAll(async () => {
    circles = await loadDataset('circles', { n: 64, noise: 0.1, seed: 3 });
    linear = defaultModelFor(circles, [], 'linear');
  });

  it('a model that separates the classes at x = 0.3 gives class 1 to the right of it, class 0 to the left', () => {
    // p(class 1) = sigmoid(4 (x − 0.3)): the boundary is the vertical line x = 0.3.
    const picture = boundary(linearWeights(linear, [4, 0], -1.2));
    const { extent, resolution, probabilities } = picture;
    expect(extent).toEqual(dataExtent(circles));
    let left = 0;
    let right = 0;
    for (let cell = 0; cell < resolution ** 2; cell++) {
      const { x } = cellCentre(extent, resolution, cell);
      const p1 = probabilities[2 * cell + 1] as number;
      expect(p1).toBeCloseTo(sigmoid(4 * x - 1.2), 12);
      if (x > 0.3) right++;
      else left++;
      expect(p1 > 0.5).toBe(x > 0.3);
    }
    // The line crosses the picture: both colours are there.
    expect(left).toBeGreaterThan(0);
    expect(right).toBeGreaterThan(0);
  });

  it('is drawn from the top row down: a model that rises with y gives class 1 at the top', () => {
    const { resolution, probabilities } = boundary(linearWeights(linear, [0, 3], 0));
    const topLeft = probabilities[1] as number;
    const bottomLeft = probabilities[2 * (resolution - 1) * resolution + 1] as number;
    expect(topLeft).toBeGreaterThan(0.5);
    expect(bottomLeft).toBeLessThan(0.5);
    // Constant along a row.
    for (let col = 1; col < resolution; col++) expect(probabilities[2 * col + 1]).toBeCloseTo(topLeft, 12);
  });

  it('changes with the weights: flipping their sign swaps the classes in every cell', () => {
    const a = boundary(linearWeights(linear, [1.5, -2], 0.25));
    const b = boundary(linearWeights(linear, [-1.5, 2], -0.25));
    for (let cell = 0; cell < a.resolution ** 2; cell++)
      expect(b.probabilities[2 * cell + 1]).toBeCloseTo(a.probabilities[2 * cell] as number, 12);
    // And trained weights differ from the starting ones somewhere.
    const start = boundary(initParams(linear, 1));
    expect(start.probabilities.some((p, i) => Math.abs(p - (a.probabilities[i] as number)) > 0.1)).toBe(true);
  });

  it('for three or more classes, each cell gives the class whose output is largest the most probability', async () => {
    const blobs = await loadDataset('blobs', { n: 90, noise: 0.5, seed: 2 });
    const model = defaultModelFor(blobs, [], 'linear');
    expect(model.loss).toBe('softmax-ce');
    const [layer] = paramLayout(model);
    if (!layer) throw new Error('no layer');
    const weights = new Float64Array(layer.biasOffset + layer.outputs);
    // Class 0 wins on the left (−x), class 1 on the right (+x), class 2 only by its bias near x = 0.
    weights[layer.weightOffset + 0] = -2; // W[0][x]
    weights[layer.weightOffset + 2] = 2; // W[1][x]
    weights[layer.biasOffset + 2] = 0.5;
    const picture = computeModelPicture(blobs, model, weights);
    if (picture.kind !== 'boundary') throw new Error(`expected a boundary, got ${picture.kind}`);
    const seen = new Set<number>();
    for (let cell = 0; cell < picture.resolution ** 2; cell++) {
      const { x } = cellCentre(picture.extent, picture.resolution, cell);
      const logits = [-2 * x, 2 * x, 0.5];
      const best = logits.indexOf(Math.max(...logits));
      const probs = [0, 1, 2].map((c) => picture.probabilities[3 * cell + c] as number);
      expect(probs.indexOf(Math.max(...probs))).toBe(best);
      seen.add(best);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it("draws the fitted curve of a 1-D regression through the model's outputs across the data", async () => {
    const sine = await loadDataset('sine', { n: 32, noise: 0.1, seed: 1 });
    const model = defaultModelFor(sine, [], 'linear');
    const picture = computeModelPicture(sine, model, linearWeights(model, [2], 0.5));
    if (picture.kind !== 'curve') throw new Error(`expected a curve, got ${picture.kind}`);
    const { x0, x1 } = dataExtent(sine);
    expect(picture.xs[0]).toBeCloseTo(x0, 12);
    expect(picture.xs.at(-1)).toBeCloseTo(x1, 12);
    picture.xs.forEach((x, i) => {
      expect(picture.ys[i]).toBeCloseTo(2 * x + 0.5, 12);
    });
  });

  it("compares each shown sample's prediction with its target in 2-D regression", async () => {
    const plane = await loadDataset('plane', { n: 32, noise: 0.1, seed: 1 });
    const model = defaultModelFor(plane, [], 'linear');
    const picture = computeModelPicture(plane, model, linearWeights(model, [1, -3], 2));
    if (picture.kind !== 'predicted-vs-actual')
      throw new Error(`expected predicted-vs-actual, got ${picture.kind}`);
    for (let i = 0; i < picture.shown; i++) {
      const x = plane.x[2 * i] as number;
      const y = plane.x[2 * i + 1] as number;
      expect(picture.predicted[i]).toBeCloseTo(x - 3 * y + 2, 12);
      expect(picture.actual[i]).toBe(plane.y[i]);
    }
  });
});
