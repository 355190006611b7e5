import { describe, expect, it } from 'vitest';
import { buildLandscapeRuns, LANDSCAPE_START, landscapeArrows, landscapeDataset } from './landscape-model';

describe('landscape panel data', () => {
  const dataset = landscapeDataset();
  const base = buildLandscapeRuns(dataset, {
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
    expect(base.thresholds).toHaveLength(14);
    expect(base.thresholds[0]!).toBeGreaterThan(base.grid.min);
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
