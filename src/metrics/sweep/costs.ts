/**
 * What one step costs at each batch size on the engine in use, measured by training one run
 * alone. Each `advance` also evaluates the dataset loss and (on a GPU) waits for a round trip,
 * so the time of k steps is t(k) = overhead + k·step; timing k and 3k steps and taking the
 * difference cancels the overhead.
 */

import { initParams } from '../../engine/model';
import type { TrainingEngine } from '../../engine/types';
import type { StepCost } from './analysis';
import { sweepConfig } from './runner';

export interface StepCostOptions {
  initSeed: number;
  shuffleSeed: number;
  /** A learning rate that does not diverge (the grid's smallest). */
  learningRate: number;
  /** The k steps should take at least this long (default 15 ms), so timer resolution does not matter. */
  minSeconds?: number;
  signal?: AbortSignal;
}

export async function measureStepCosts(
  engine: TrainingEngine,
  batchSizes: readonly number[],
  options: StepCostOptions,
): Promise<StepCost[]> {
  const init = initParams(engine.model, options.initSeed);
  const minMs = 1000 * (options.minSeconds ?? 0.015);
  const costs: StepCost[] = [];
  // The first measurement also warms up the engine (code paths, JIT, buffers), which would make
  // the first batch size look slow: measure it once more at the end and keep the faster figure.
  const order = batchSizes.length > 0 ? [...batchSizes, batchSizes[0] as number] : [];
  for (const batchSize of order) {
    if (options.signal?.aborted) break;
    const runId = await engine.addRun(
      sweepConfig(batchSize, options.learningRate, options.shuffleSeed),
      init,
    );
    try {
      const time = async (steps: number): Promise<number> => {
        const start = performance.now();
        await engine.advance({ samplesPerRun: steps * batchSize, maxStepsPerRun: steps });
        return performance.now() - start;
      };
      await time(1); // warm-up (first use of buffers and code paths)
      let steps = 1;
      let once = await time(steps);
      while (once < minMs && steps < 1 << 20) {
        steps *= 2;
        once = await time(steps);
      }
      const thrice = await time(3 * steps);
      const difference = (thrice - once) / (2 * steps);
      const secondsPerStep = (difference > 0 ? difference : thrice / (3 * steps)) / 1000;
      const earlier = costs.find((c) => c.batchSize === batchSize);
      if (earlier) earlier.secondsPerStep = Math.min(earlier.secondsPerStep, secondsPerStep);
      else costs.push({ batchSize, secondsPerStep });
    } finally {
      engine.removeRun(runId);
    }
  }
  return costs;
}
