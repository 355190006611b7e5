import { contours } from 'd3';
import { describe, expect, it } from 'vitest';
import { LINE_MODEL, lossGrid } from '../../metrics/landscape';
import { runToEnd } from '../../metrics/steps';
import {
  LANDSCAPE_START,
  landscapeArrows,
  landscapeDataset,
  landscapeRuns,
  landscapeSurfaceSteps,
} from './landscape-model';

describe('landscape panel data', () => {
  const dataset = landscapeDataset();
  const base = landscapeRuns(dataset, {
    learningRate: 0.15,
    midBatchSize: 4,
    steps: 30,
    shuffleSeed: 5,
  });

  it('runs B = 1, the middle B and B = N from one start', () => {
    expect(base.runs.map((r) => r.batchSize)).toEqual([1, 4, dataset.n]);
    for (const run of base.runs) {
      expect([run.points[0], run.points[1]]).toEqual(LANDSCAPE_START);
      expect(run.points).toHaveLength(2 * 31);
    }
  });

  it('covers every visited point and the minimum with a square extent (one scale on both axes)', () => {
    const { w, b } = base.extent;
    expect(w[1] - w[0]).toBeCloseTo(b[1] - b[0], 12);
    for (const run of base.runs) {
      for (let s = 0; s < run.points.length; s += 2) {
        expect(run.points[s]!).toBeGreaterThanOrEqual(w[0]);
        expect(run.points[s]!).toBeLessThanOrEqual(w[1]);
        expect(run.points[s + 1]!).toBeGreaterThanOrEqual(b[0]);
        expect(run.points[s + 1]!).toBeLessThanOrEqual(b[1]);
      }
    }
  });

  it('computes the surface a row and a contour at a time, equal to the grid and contours at once', () => {
    const steps = landscapeSurfaceSteps(dataset, base.extent);
    let yields = 0;
    let step = steps.next();
    while (!step.done) {
      yields++;
      step = steps.next();
    }
    const surface = step.value;
    // 71 yields between the 72 rows, then one before each of the 14 contours.
    expect(yields).toBe(71 + 14);
    expect(surface.grid).toEqual(lossGrid(LINE_MODEL, dataset, base.extent, 72, 72));
    expect(surface.thresholds).toHaveLength(14);
    expect(surface.thresholds[0]!).toBeGreaterThan(surface.grid.min);
    expect(surface.thresholds.at(-1)!).toBeLessThan(surface.grid.max);
    const atOnce = contours().size([72, 72]).thresholds(surface.thresholds)(Array.from(surface.grid.values));
    expect(surface.contours).toEqual(atOnce);
    expect(runToEnd(landscapeSurfaceSteps(dataset, base.extent))).toEqual(surface);
  });

  it("shows the arrows of the chosen run's next batch, and none after the last step", () => {
    const arrows = landscapeArrows(base, { currentStep: 3, arrowRun: 1, learningRate: 0.15 });
    expect(arrows?.sampleSteps).toHaveLength(8);
    const run = base.runs[1]!;
    expect(arrows!.at[0] + arrows!.meanStep[0]).toBeCloseTo(run.points[8]!, 12);
    expect(arrows!.at[1] + arrows!.meanStep[1]).toBeCloseTo(run.points[9]!, 12);
    expect(landscapeArrows(base, { currentStep: 30, arrowRun: 1, learningRate: 0.15 })).toBeNull();
  });
});
