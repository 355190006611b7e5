import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../data/catalog';
import { LEARNING_RATES, MAX_HIDDEN_LAYERS, MAX_SEED } from '../../settings/settings';
import { parseUrlState } from '../../settings/url-codec';
import {
  learningRateAt,
  MAX_UPLOAD_BYTES,
  noiseAt,
  seedFromText,
  settingsView,
  uploadSizeProblem,
  withLayerCount,
  withWidth,
} from './settings-model';

const settingsOf = (query: string) => parseUrlState(query, DATASETS).settings;

describe('the settings controls model', () => {
  it('offers the dataset sizes within its range, and the size it has even when off the list', () => {
    const view = settingsView(settingsOf('dataset=circles&n=300'), null);
    expect(view.nChoices).toContain(300);
    expect(view.nChoices).toContain(512); // the default
    expect(view.nChoices).toContain(20000); // the largest
    expect(view.nChoices.every((v) => v >= 8 && v <= 20000)).toBe(true);
    expect([...view.nChoices].sort((a, b) => a - b)).toEqual(view.nChoices);
    expect(new Set(view.nChoices).size).toBe(view.nChoices.length);
    expect(view.nDisabled).toBe(false);
    // A real dataset has its own rows: nothing to choose.
    const cars = settingsView(settingsOf('dataset=cars'), null);
    expect(cars.nChoices.every((v) => v <= 392)).toBe(true);
    expect(cars.noise.disabled).toBe(true);
  });

  it('while an uploaded file trains, shows it and locks what belongs to the built-in data', () => {
    const view = settingsView(settingsOf('dataset=circles'), 'mine.csv');
    expect(view.datasetValue).toBe('');
    expect(view.datasetHelp).toBe('Training on your file mine.csv.');
    expect(view.nDisabled).toBe(true);
    expect(view.noise.disabled).toBe(true);
    const builtIn = settingsView(settingsOf('dataset=circles'), null);
    expect(builtIn.datasetValue).toBe('circles');
    expect(builtIn.noise).toMatchObject({ min: 0, max: 0.5, disabled: false, label: 'Noise 0.10' });
  });

  it('shows equal widths as one choice, mixed widths as they are, and a linear model without either', () => {
    expect(settingsView(settingsOf('hidden=32,32'), null)).toMatchObject({
      uniformWidth: 32,
      mixedWidths: null,
      linear: false,
    });
    expect(settingsView(settingsOf('hidden=5,3'), null)).toMatchObject({
      uniformWidth: null,
      mixedWidths: '5, 3',
    });
    expect(settingsView(settingsOf('hidden=none'), null).linear).toBe(true);
  });

  it('changes the number of layers keeping the width, within the limit', () => {
    expect(withLayerCount(settingsOf('hidden=8,8'), 3)).toEqual({ hidden: [8, 8, 8] });
    expect(withLayerCount(settingsOf('hidden=none'), 2)).toEqual({ hidden: [16, 16] });
    expect(withLayerCount(settingsOf('hidden=8'), 0)).toEqual({ hidden: [] });
    expect(withLayerCount(settingsOf('hidden=8'), 99).hidden).toHaveLength(MAX_HIDDEN_LAYERS);
    expect(withWidth(settingsOf('hidden=5,3'), 64)).toEqual({ hidden: [64, 64] });
  });

  it('maps the learning-rate slider onto the 1-2-5 steps and back', () => {
    const s = settingsOf('lr=0.05');
    const view = settingsView(s, null);
    expect(LEARNING_RATES[view.learningRate.index]).toBe(0.05);
    expect(view.learningRate.max).toBe(LEARNING_RATES.length - 1);
    expect(view.learningRate.label).toBe('Learning rate 0.05');
    expect(learningRateAt(s, view.learningRate.index + 1)).toEqual({ learningRate: 0.1 });
    expect(learningRateAt(s, 999)).toEqual({ learningRate: 0.05 });
  });

  it('explains the reduction chosen', () => {
    expect(settingsView(settingsOf('reduction=mean'), null).reductionHelp).toMatch(/^Mean/);
    expect(settingsView(settingsOf('reduction=sum'), null).reductionHelp).toMatch(/^Sum: B times the mean/);
  });

  it('takes a typed seed only when it is a new whole number in range', () => {
    const s = settingsOf('seed=7');
    expect(seedFromText(s, '42')).toEqual({ seed: 42 });
    expect(seedFromText(s, '41.6')).toEqual({ seed: 42 });
    expect(seedFromText(s, '7')).toBeNull();
    expect(seedFromText(s, '-1')).toBeNull();
    expect(seedFromText(s, String(MAX_SEED + 1))).toBeNull();
    expect(seedFromText(s, 'abc')).toBeNull();
  });

  it('rounds the noise to the slider steps and refuses files over the size limit', () => {
    expect(noiseAt(0.15000000000000002)).toEqual({ noise: 0.15 });
    expect(uploadSizeProblem(MAX_UPLOAD_BYTES)).toBeNull();
    expect(uploadSizeProblem(25_000_000)).toBe('the file is 25 MB; at most 10 MB can be used.');
  });
});
