import { describe, expect, it } from 'vitest';
import { createWorkspace, datasetLoss, perSampleGradients } from '../engine/cpu/mlp';
import type { ModelSpec } from '../engine/types';
import {
  extentAround,
  gradientArrows,
  LINE_MODEL,
  leastSquaresLine,
  lineDataset,
  lossGrid,
  pathLength,
  trainTrajectory,
} from './landscape';

const dataset = lineDataset({ n: 32, seed: 3 });
const start: [number, number] = [-1.5, 2];

function fullGradient(at: readonly [number, number]): [number, number] {
  const all = Uint32Array.from({ length: dataset.n }, (_, i) => i);
  const g = perSampleGradients(LINE_MODEL, at, dataset, all);
  let gw = 0;
  let gb = 0;
  for (let i = 0; i < dataset.n; i++) {
    gw += g[2 * i]! / dataset.n;
    gb += g[2 * i + 1]! / dataset.n;
  }
  return [gw, gb];
}

describe('lineDataset and leastSquaresLine', () => {
  it('is reproducible and has its gradient zero at the least-squares line', () => {
    expect(Array.from(lineDataset({ n: 32, seed: 3 }).y)).toEqual(Array.from(dataset.y));
    const { w, b } = leastSquaresLine(dataset);
    const [gw, gb] = fullGradient([w, b]);
    expect(Math.abs(gw)).toBeLessThan(1e-12);
    expect(Math.abs(gb)).toBeLessThan(1e-12);
    // Near the generating line (slope 1.5, intercept −1) given 32 noisy points.
    expect(w).toBeGreaterThan(1);
    expect(w).toBeLessThan(2);
  });
});

describe('lossGrid', () => {
  const extent = { w: [-2, 3] as [number, number], b: [-3, 2] as [number, number] };
  const grid = lossGrid(LINE_MODEL, dataset, extent, 21, 11);

  it('holds the full-dataset loss at each grid point, w varying fastest', () => {
    const ws = createWorkspace(LINE_MODEL);
    expect(grid.values).toHaveLength(21 * 11);
    for (const [iw, ib] of [
      [0, 0],
      [20, 0],
      [0, 10],
      [7, 4],
      [20, 10],
    ] as const) {
      const w = -2 + (5 * iw) / 20;
      const b = -3 + (5 * ib) / 10;
      expect(grid.values[ib * 21 + iw]).toBe(datasetLoss(LINE_MODEL, [w, b], dataset, ws));
    }
    expect(grid.min).toBe(Math.min(...grid.values));
    expect(grid.max).toBe(Math.max(...grid.values));
  });

  it('refuses a model that does not have exactly two parameters', () => {
    const bigger: ModelSpec = { ...LINE_MODEL, hidden: [2] };
    expect(() => lossGrid(bigger, dataset, extent)).toThrow(/exactly 2 parameters, this one has 7/);
  });
});

describe('trajectories', () => {
  const lr = 0.15;
  const steps = 80;
  const full = trainTrajectory(LINE_MODEL, dataset, start, {
    batchSize: dataset.n,
    learningRate: lr,
    shuffleSeed: 1,
    steps,
  });
  const single = trainTrajectory(LINE_MODEL, dataset, start, {
    batchSize: 1,
    learningRate: lr,
    shuffleSeed: 1,
    steps,
  });

  it('B = N follows steepest descent: every step is exactly −lr·G at the point it starts from', () => {
    for (let s = 0; s < steps; s++) {
      const at: [number, number] = [full.points[2 * s]!, full.points[2 * s + 1]!];
      const [gw, gb] = fullGradient(at);
      expect(full.points[2 * s + 2]! - at[0]).toBeCloseTo(-lr * gw, 12);
      expect(full.points[2 * s + 3]! - at[1]).toBeCloseTo(-lr * gb, 12);
    }
    const { w, b } = leastSquaresLine(dataset);
    expect(Math.hypot(full.points[2 * steps]! - w, full.points[2 * steps + 1]! - b)).toBeLessThan(0.1);
    // Steepest descent on a convex quadratic with a stable lr never increases the loss.
    for (let s = 1; s <= steps; s++) expect(full.losses[s]!).toBeLessThanOrEqual(full.losses[s - 1]!);
  });

  it('B = 1 zig-zags: its path is much longer than the B = N path to a similar place', () => {
    const displacement = (p: Float64Array) => Math.hypot(p[2 * steps]! - p[0]!, p[2 * steps + 1]! - p[1]!);
    const wiggleSingle = pathLength(single.points) / displacement(single.points);
    const wiggleFull = pathLength(full.points) / displacement(full.points);
    expect(wiggleFull).toBeLessThan(1.2);
    expect(wiggleSingle).toBeGreaterThan(2 * wiggleFull);
    expect(single.batches).toHaveLength(steps);
    expect(single.batches[0]).toHaveLength(1);
  });

  it("each step is the mean of that batch's per-sample arrows", () => {
    const mid = trainTrajectory(LINE_MODEL, dataset, start, {
      batchSize: 8,
      learningRate: lr,
      shuffleSeed: 2,
      steps: 5,
    });
    for (let s = 0; s < 5; s++) {
      const at: [number, number] = [mid.points[2 * s]!, mid.points[2 * s + 1]!];
      const arrows = gradientArrows(LINE_MODEL, dataset, at, mid.batches[s]!, lr);
      expect(arrows.sampleSteps).toHaveLength(16);
      let mw = 0;
      let mb = 0;
      for (let k = 0; k < 8; k++) {
        mw += arrows.sampleSteps[2 * k]! / 8;
        mb += arrows.sampleSteps[2 * k + 1]! / 8;
      }
      expect(arrows.meanStep[0]).toBeCloseTo(mw, 13);
      expect(arrows.meanStep[1]).toBeCloseTo(mb, 13);
      expect(mid.points[2 * s + 2]! - at[0]).toBeCloseTo(arrows.meanStep[0], 13);
      expect(mid.points[2 * s + 3]! - at[1]).toBeCloseTo(arrows.meanStep[1], 13);
      const [gw, gb] = fullGradient(at);
      expect(arrows.fullStep[0]).toBeCloseTo(-lr * gw, 13);
      expect(arrows.fullStep[1]).toBeCloseTo(-lr * gb, 13);
    }
  });
});

describe('extentAround', () => {
  it('covers every finite point with a margin and ignores non-finite ones', () => {
    const e = extentAround([Float64Array.from([0, 0, 2, 1]), Float64Array.from([Number.NaN, 5])], 0.5);
    expect(e.w).toEqual([-1, 3]);
    expect(e.b).toEqual([-0.5, 1.5]);
    expect(extentAround([])).toEqual({ w: [-1, 1], b: [-1, 1] });
  });
});
