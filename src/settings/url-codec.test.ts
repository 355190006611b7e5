import { describe, expect, it } from 'vitest';
import { batchSizeStops, type DatasetBounds, defaultSettings, snapBatchSize } from './settings';
import { parseUrlState, serializeUrlState } from './url-codec';

const datasets: DatasetBounds[] = [
  {
    id: 'circles',
    name: 'Circles',
    defaultN: 512,
    minN: 8,
    maxN: 10000,
    defaultNoise: 0.1,
    noiseRange: [0, 0.5],
  },
  {
    id: 'spirals',
    name: 'Two spirals',
    defaultN: 1024,
    minN: 8,
    maxN: 10000,
    defaultNoise: 0.2,
    noiseRange: [0, 1],
    defaultHidden: [],
    defaultActivation: 'linear',
    defaultLearningRate: 0.05,
  },
];

describe('batch-size stops', () => {
  it('are 1, the powers of two below N, and N', () => {
    expect(batchSizeStops(8)).toEqual([1, 2, 4, 8]);
    expect(batchSizeStops(100)).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(batchSizeStops(1)).toEqual([1]);
  });
  it('snap on a log scale', () => {
    expect(snapBatchSize(3, 100)).toBe(4); // |log 3 − log 4| < |log 3 − log 2|
    expect(snapBatchSize(90, 100)).toBe(100);
    expect(snapBatchSize(70, 100)).toBe(64);
  });
});

describe('parseUrlState', () => {
  it('reads the x scale: auto by default and left out of links, linear and log written', () => {
    expect(parseUrlState('', datasets).settings.xScale).toBe('auto');
    expect(serializeUrlState(defaultSettings(datasets), datasets)).not.toContain('xscale');
    for (const scale of ['linear', 'log'] as const) {
      const s = { ...defaultSettings(datasets), xScale: scale };
      const query = serializeUrlState(s, datasets);
      expect(query).toContain(`xscale=${scale}`);
      expect(parseUrlState(query, datasets).settings.xScale).toBe(scale);
    }
    const { settings, notices } = parseUrlState('?xscale=LOG', datasets);
    expect(settings.xScale).toBe('log');
    expect(notices).toEqual([]);
    const bad = parseUrlState('?xscale=cubic', datasets);
    expect(bad.settings.xScale).toBe('auto');
    expect(bad.notices.map((n) => n.message)).toEqual([
      'Ignored the x scale “cubic”: expected one of auto, linear, log.',
    ]);
  });

  it('reads the learning rate per batch size: same by default and left out of links', () => {
    expect(parseUrlState('', datasets).settings.learningRateMode).toBe('same');
    expect(serializeUrlState(defaultSettings(datasets), datasets)).not.toContain('lrmode');
    for (const mode of ['scaled', 'sweep'] as const) {
      const query = serializeUrlState({ ...defaultSettings(datasets), learningRateMode: mode }, datasets);
      expect(query).toContain(`lrmode=${mode}`);
      expect(parseUrlState(query, datasets).settings.learningRateMode).toBe(mode);
    }
    const bad = parseUrlState('?lrmode=fastest', datasets);
    expect(bad.settings.learningRateMode).toBe('same');
    expect(bad.notices.map((n) => n.message)).toEqual([
      'Ignored the learning rate per batch size “fastest”: expected one of same, scaled, sweep.',
    ]);
  });

  it('gives the defaults and no notice for an empty query', () => {
    const { settings, notices } = parseUrlState('', datasets);
    expect(settings).toEqual(defaultSettings(datasets));
    expect(notices).toEqual([]);
  });

  it('round-trips every setting through the URL', () => {
    const s = defaultSettings(datasets, 'spirals');
    Object.assign(s, {
      n: 300,
      noise: 0.5,
      seed: 7,
      hidden: [8, 4, 2],
      activation: 'relu',
      learningRate: 0.02,
      learningRateMode: 'sweep',
      reduction: 'sum',
      optimizer: 'momentum',
      lastBatch: 'drop',
      batchSize: 256,
      runs: [1, 256, 300],
      xAxis: 'time',
      xScale: 'log',
      yScale: 'linear',
      speed: 5,
      engine: 'cpu',
      panels: ['controls', 'loss'],
      playing: false,
    });
    const query = serializeUrlState(s, datasets);
    expect(query).toContain('runs=1,256,N');
    const parsed = parseUrlState(query, datasets);
    expect(parsed.notices).toEqual([]);
    expect(parsed.settings).toEqual(s);
  });

  it('clamps out-of-range values and says so', () => {
    const { settings, notices } = parseUrlState(
      '?n=99999999&noise=-3&b=5000&hidden=500,2&lr=1e9&speed=42',
      datasets,
    );
    expect(settings.n).toBe(10000);
    expect(settings.noise).toBe(0);
    expect(settings.batchSize).toBe(4096);
    expect(settings.hidden).toEqual([64, 2]);
    expect(settings.learningRate).toBe(10);
    expect(settings.speed).toBe(5);
    expect(notices.length).toBeGreaterThanOrEqual(6);
  });

  it('ignores garbage with a notice and never throws', () => {
    const garbage =
      '?dataset=%3Cscript%3E&n=abc&b=-4&act=swish&x=banana&panels=foo,loss&runs=1,zz,N&zzz=1&seed=1.5&play=maybe';
    const { settings, notices } = parseUrlState(garbage, datasets);
    expect(settings.dataset).toBe('circles');
    expect(settings.n).toBe(512);
    expect(settings.activation).toBe('tanh');
    expect(settings.xAxis).toBe('epochs');
    expect(settings.panels).toEqual(['loss']);
    expect(settings.runs).toEqual([1, 512]);
    expect(settings.batchSize).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(settings.seed)).toBe(true);
    const text = notices.map((n) => n.message).join('\n');
    for (const word of [
      'dataset',
      'dataset size',
      'batch size',
      'activation',
      'x axis',
      'panel',
      'zzz',
      'seed',
      'play',
    ]) {
      expect(text).toContain(word);
    }
  });

  it('does not report keys another layer handles', () => {
    expect(parseUrlState('embed=1', datasets, { extraKeys: ['embed'] }).notices).toEqual([]);
    expect(parseUrlState('embed=1', datasets).notices).toHaveLength(1);
  });

  it('starts each dataset with its own network and learning rate', () => {
    const { settings } = parseUrlState('dataset=spirals', datasets);
    expect(settings.hidden).toEqual([]);
    expect(settings.activation).toBe('linear');
    expect(settings.learningRate).toBe(0.05);
    expect(serializeUrlState(settings, datasets)).toBe('dataset=spirals&b=32');
  });

  it('keeps B within the chosen N', () => {
    const { settings } = parseUrlState('n=8&b=64', datasets);
    expect(settings.batchSize).toBe(8);
  });

  it('accepts b=N (any case), as runs does: the full batch of the chosen N', () => {
    for (const query of ['b=N', 'b=n', 'b=%20N%20']) {
      const { settings, notices } = parseUrlState(`n=64&${query}`, datasets);
      expect(settings.batchSize, query).toBe(64);
      expect(notices, query).toEqual([]);
    }
    expect(parseUrlState('dataset=spirals&b=N', datasets).settings.batchSize).toBe(1024);
    // Anything else that is not a number is still refused, with a notice.
    const { settings, notices } = parseUrlState('b=NN', datasets);
    expect(settings.batchSize).toBe(32);
    expect(notices.map((n) => n.message).join()).toContain('not a number');
  });
});

describe('the runs parameter', () => {
  it('may be empty (all runs cleared) without a notice', () => {
    const { settings, notices } = parseUrlState('runs=', datasets);
    expect(settings.runs).toEqual([]);
    expect(notices).toEqual([]);
  });
  it('falls back to one run when nothing in it is usable', () => {
    const { settings, notices } = parseUrlState('runs=0,zz', datasets);
    expect(settings.runs).toEqual([settings.batchSize]);
    expect(notices.map((n) => n.key)).toContain('runs-empty');
  });
});

describe('the sweep parameters', () => {
  it('round-trip the target, the learning-rate grid, the budget and the start flag', () => {
    const { settings, notices } = parseUrlState('sweep=1&target=0.2&lrs=3,0.03,0.3&epochs=60', datasets);
    expect(notices).toEqual([]);
    expect(settings.sweepRun).toBe(true);
    expect(settings.sweepTarget).toBe(0.2);
    expect(settings.sweepLearningRates).toEqual([0.03, 0.3, 3]);
    expect(settings.sweepEpochs).toBe(60);
    const again = parseUrlState(serializeUrlState(settings, datasets), datasets);
    expect(again.settings).toEqual(settings);
    expect(again.notices).toEqual([]);
  });

  it('default to an automatic target and grid, written as nothing', () => {
    const { settings } = parseUrlState('target=auto&lrs=auto', datasets);
    expect(settings.sweepTarget).toBeNull();
    expect(settings.sweepLearningRates).toBeNull();
    expect(serializeUrlState(settings, datasets)).not.toMatch(/target|lrs|sweep|epochs/);
  });

  it('ignores or clamps bad values with a notice', () => {
    const { settings, notices } = parseUrlState('sweep=maybe&target=-1&lrs=0.1,zero&epochs=1e9', datasets);
    expect(settings.sweepRun).toBe(false);
    expect(settings.sweepTarget).toBeNull();
    expect(settings.sweepLearningRates).toBeNull();
    expect(settings.sweepEpochs).toBe(2000);
    expect(notices.map((n) => n.key).sort()).toEqual(['epochs', 'lrs', 'sweep', 'target']);
  });
});

describe('the guided step', () => {
  it('is read from step=k and sets that step’s settings', () => {
    const { settings, notices } = parseUrlState('step=5', datasets);
    expect(notices).toEqual([]);
    expect(settings.guideStep).toBe(5);
    expect(settings.dataset).toBe('circles');
    expect(settings.runs).toEqual([8, 512]);
    expect(settings.batchSize).toBe(512);
    expect(settings.xAxis).toBe('epochs');
  });

  it('lets what else the link sets override the step', () => {
    const { settings, notices } = parseUrlState('step=4&runs=2,64&lr=0.5', datasets);
    expect(notices).toEqual([]);
    expect(settings.guideStep).toBe(4);
    expect(settings.runs).toEqual([2, 64]);
    expect(settings.batchSize).toBe(64);
    expect(settings.learningRate).toBe(0.5);
  });

  it('refuses a step that does not exist, with a notice, and keeps the defaults', () => {
    for (const bad of ['step=0.5', 'step=99', 'step=-1', 'step=two']) {
      const { settings, notices } = parseUrlState(bad, datasets);
      expect(settings.guideStep, bad).toBe(0);
      expect(notices.map((n) => n.key)).toEqual(['step']);
      expect({ ...settings }).toEqual(defaultSettings(datasets));
    }
    expect(parseUrlState('step=0', datasets).notices).toEqual([]);
    expect(Object.is(parseUrlState('step=-0', datasets).settings.guideStep, 0)).toBe(true);
  });

  it('round-trips, even when a setting of the step went back to its default', () => {
    const chosen = parseUrlState('step=5', datasets).settings;
    // The learner then put runs and B back to the defaults (32): the link must not revive 8,N.
    const changed = { ...chosen, runs: [32], batchSize: 32, xAxis: 'epochs' as const };
    const query = serializeUrlState(changed, datasets);
    expect(query.startsWith('step=5&')).toBe(true);
    expect(query).toContain('x=epochs');
    expect(query).toContain('runs=32');
    const parsed = parseUrlState(query, datasets);
    expect(parsed.notices).toEqual([]);
    expect(parsed.settings).toEqual(changed);
  });

  it('is left out of links when no step is chosen', () => {
    expect(serializeUrlState(defaultSettings(datasets), datasets)).not.toContain('step');
  });
});
