import { describe, expect, it } from 'vitest';
import { validateModel } from '../engine/model';
import { DATASETS, type DatasetId, datasetInfo, defaultModelFor, isDatasetId, loadDataset } from './catalog';

describe('dataset catalog', () => {
  it('lists every dataset once, with sensible metadata', () => {
    const ids = DATASETS.map((info) => info.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['spirals', 'circles', 'xor', 'blobs', 'sine', 'plane', 'cars', 'penguins']);
    for (const info of DATASETS) {
      expect(info.description.length).toBeGreaterThan(20);
      expect(info.description.trim().endsWith('.')).toBe(true);
      expect(info.minN).toBeLessThanOrEqual(info.defaultN);
      expect(info.defaultN).toBeLessThanOrEqual(info.maxN);
      expect(info.noiseRange[0]).toBeLessThanOrEqual(info.defaultNoise);
      expect(info.defaultNoise).toBeLessThanOrEqual(info.noiseRange[1]);
      expect(info.defaultLearningRate).toBeGreaterThan(0);
      if (!info.isReal) expect(info.maxN).toBeGreaterThanOrEqual(20_000);
    }
  });

  it('loads every dataset at its defaults, with a valid default model', async () => {
    for (const info of DATASETS) {
      const dataset = await loadDataset(info.id, { n: info.defaultN, noise: info.defaultNoise, seed: 1 });
      expect(dataset.id).toBe(info.id);
      expect(dataset.n).toBe(info.defaultN);
      expect(dataset.task).toBe(info.task);
      if (info.isReal) expect(dataset.source).toBeTruthy();
      const model = info.defaultModel(dataset);
      expect(validateModel(model)).toBeNull();
      expect(model.inputSize).toBe(dataset.inputSize);
      expect(model.hidden).toEqual(info.defaultHidden);
    }
  });

  it('the spirals default model is the benchmark network 2→16→16→1 tanh with BCE', async () => {
    const spirals = await loadDataset('spirals', { n: 4096, noise: 0.05, seed: 1 });
    expect(spirals.n).toBe(4096);
    expect(datasetInfo('spirals').defaultModel(spirals)).toEqual({
      inputSize: 2,
      hidden: [16, 16],
      outputSize: 1,
      activation: 'tanh',
      loss: 'bce',
    });
  });

  it('picks the loss from the task: bce for 2 classes, softmax-ce for more, mse for regression', async () => {
    const options = { n: 60, noise: 0.1, seed: 1 };
    expect(defaultModelFor(await loadDataset('xor', options)).loss).toBe('bce');
    const blobs = defaultModelFor(await loadDataset('blobs', options), [4], 'relu');
    expect(blobs).toMatchObject({ loss: 'softmax-ce', outputSize: 3, hidden: [4], activation: 'relu' });
    expect(defaultModelFor(await loadDataset('penguins', options)).loss).toBe('softmax-ce');
    expect(defaultModelFor(await loadDataset('sine', options))).toMatchObject({ loss: 'mse', outputSize: 1 });
  });

  it('clamps out-of-range n and noise instead of failing', async () => {
    expect((await loadDataset('circles', { n: 3, noise: 0.1, seed: 1 })).n).toBe(8);
    expect((await loadDataset('circles', { n: 1e9, noise: 0.1, seed: 1 })).n).toBe(20_000);
    expect((await loadDataset('circles', { n: 100.4, noise: 99, seed: 1 })).n).toBe(100);
    expect((await loadDataset('cars', { n: 5000, noise: 1, seed: 1 })).n).toBe(392);
    const fallback = await loadDataset('sine', { n: Number.NaN, noise: Number.NaN, seed: Number.NaN });
    expect(fallback.n).toBe(datasetInfo('sine').defaultN);
    expect(fallback.y.every(Number.isFinite)).toBe(true);
  });

  it('recognises dataset ids (for URL parameters) and rejects unknown ones', async () => {
    expect(isDatasetId('penguins')).toBe(true);
    expect(isDatasetId('mnist')).toBe(false);
    await expect(loadDataset('mnist' as DatasetId, { n: 10, noise: 0, seed: 1 })).rejects.toThrow(/unknown/);
  });
});
