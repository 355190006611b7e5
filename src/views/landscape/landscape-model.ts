/**
 * What the landscape panel shows, gathered from `src/metrics/landscape.ts`: real CPU training runs
 * of a two-parameter model, the loss surface around them and the arrows at the current point.
 */
import { type ContourMultiPolygon, contours } from 'd3';
import type { Dataset } from '../../engine/types';
import {
  type Extent,
  extentAround,
  type GradientArrows,
  gradientArrows,
  LINE_MODEL,
  type LossGrid,
  leastSquaresLine,
  lineDataset,
  lossGridSteps,
  type Trajectory,
  trainTrajectory,
} from '../../metrics/landscape';

export interface LandscapeSettings {
  learningRate: number;
  /** The batch size between 1 and N. */
  midBatchSize: number;
  steps: number;
  /** The point shown: step index along the runs (0 = start). */
  currentStep: number;
  /** Which run's batch the arrows show: index into `runs`. */
  arrowRun: number;
  shuffleSeed: number;
}

/** The runs and the plane they move in: cheap, computed as the settings change. */
export interface LandscapeRuns {
  dataset: Dataset;
  start: [number, number];
  optimum: [number, number];
  /** Square (equal spans of w and b), around every visited point and the minimum. */
  extent: Extent;
  runs: Trajectory[];
}

/** The loss surface over the runs' extent: 72 × 72 full-dataset losses and their contours. */
export interface LandscapeSurface {
  grid: LossGrid;
  /** Loss levels of the contour lines. */
  thresholds: number[];
  /** One filled contour per threshold, in grid-cell units (as d3.contours gives them). */
  contours: ContourMultiPolygon[];
}

export const LANDSCAPE_START: [number, number] = [-1, 2.5];

export function landscapeDataset(): Dataset {
  return lineDataset({ n: 32, seed: 3 });
}

/** B = 1, the middle B and B = N from one start, and the square extent around them. */
export function landscapeRuns(
  dataset: Dataset,
  settings: Pick<LandscapeSettings, 'learningRate' | 'midBatchSize' | 'steps' | 'shuffleSeed'>,
): LandscapeRuns {
  const sizes = [1, Math.min(Math.max(2, settings.midBatchSize), dataset.n - 1), dataset.n];
  const runs = sizes.map((batchSize) =>
    trainTrajectory(LINE_MODEL, dataset, LANDSCAPE_START, {
      batchSize,
      learningRate: settings.learningRate,
      shuffleSeed: settings.shuffleSeed,
      steps: settings.steps,
    }),
  );
  const { w, b } = leastSquaresLine(dataset);
  const around = extentAround([...runs.map((r) => r.points), Float64Array.from([w, b])], 0.1);
  // A square extent (equal spans of w and b) drawn in a square plot keeps one scale on both axes,
  // so the steepest-descent direction looks perpendicular to the contours, as it is.
  const span = Math.max(around.w[1] - around.w[0], around.b[1] - around.b[0]);
  const cw = (around.w[0] + around.w[1]) / 2;
  const cb = (around.b[0] + around.b[1]) / 2;
  const extent: Extent = { w: [cw - span / 2, cw + span / 2], b: [cb - span / 2, cb + span / 2] };
  return { dataset, start: LANDSCAPE_START, optimum: [w, b], extent, runs };
}

/** Contour levels of the surface. */
const LEVELS = 14;

/**
 * The loss surface over `extent`, as a generator that yields after each grid row and each
 * contour: the page computes it a slice at a time (`runInSlices`), where grid and contours
 * together took 50–100 ms in one task at page load.
 */
export function* landscapeSurfaceSteps(dataset: Dataset, extent: Extent): Generator<void, LandscapeSurface> {
  const grid = yield* lossGridSteps(LINE_MODEL, dataset, extent, 72, 72);
  // Levels packed more densely near the minimum, where the bowl is flat.
  const thresholds = Array.from(
    { length: LEVELS },
    (_, i) => grid.min + (grid.max - grid.min) * ((i + 1) / (LEVELS + 1)) ** 2,
  );
  const shapes = contours().size([grid.nw, grid.nb]);
  const values = Array.from(grid.values);
  const filled: ContourMultiPolygon[] = [];
  for (const threshold of thresholds) {
    yield;
    filled.push(shapes.contour(values, threshold));
  }
  return { grid, thresholds, contours: filled };
}

export function landscapeArrows(
  base: LandscapeRuns,
  settings: Pick<LandscapeSettings, 'currentStep' | 'arrowRun' | 'learningRate'>,
): GradientArrows | null {
  const run = base.runs[settings.arrowRun];
  if (!run) return null;
  const step = Math.min(Math.max(0, Math.round(settings.currentStep)), run.batches.length);
  const batch = run.batches[step];
  if (!batch) return null;
  const at: [number, number] = [run.points[2 * step] as number, run.points[2 * step + 1] as number];
  return gradientArrows(LINE_MODEL, base.dataset, at, batch, settings.learningRate);
}
