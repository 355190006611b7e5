/**
 * The batch-size sweep in the bench (issue 15): the default sweep (circles, N = 512, 2→8→8→1,
 * 10 batch sizes × 7 learning rates, target loss 0.1) on the CPU engine and on the WebGPU engine,
 * timed from start to verdict (race + step-cost measurement + analysis), and that time divided
 * by the time of the slowest winning run trained alone on the same engine: the sweep's price
 * over the one run it could not do without. Target: the verdict within 10 s.
 */
import { datasetInfo, loadDataset } from '../src/data/catalog';
import { CpuEngine } from '../src/engine/cpu/engine';
import type { Dataset, ModelSpec, TrainingEngine } from '../src/engine/types';
import { analyzeSweep } from '../src/metrics/sweep/analysis';
import { measureStepCosts } from '../src/metrics/sweep/costs';
import {
  DEFAULT_MAX_EPOCHS,
  DEFAULT_MAX_STEPS,
  defaultBatchSizes,
  defaultLearningRates,
} from '../src/metrics/sweep/defaults';
import { runSweep, type SweepSettings } from '../src/metrics/sweep/runner';
import type { GpuBackend } from './suite';
import type { SweepBenchResult, SweepEngineResult } from './sweep-report';

const SWEEP_WORKLOAD = { dataset: 'circles', n: 512, noise: 0.1, seed: 1, target: 0.1 } as const;

const now = () => performance.now() / 1000;

async function sweepOn(
  engine: TrainingEngine,
  kind: 'cpu' | 'webgpu',
  settings: SweepSettings,
): Promise<SweepEngineResult> {
  const started = now();
  const race = await runSweep(engine, settings, { maxConcurrentRuns: kind === 'cpu' ? 1000 : 64 });
  const raceDone = now();
  const costs = await measureStepCosts(engine, settings.batchSizes, {
    initSeed: settings.initSeed,
    shuffleSeed: settings.shuffleSeed,
    learningRate: Math.min(...settings.learningRates),
  });
  const analysis = analyzeSweep(race.runs, {
    n: engine.dataset.n,
    target: race.target,
    batchSizes: settings.batchSizes,
    costs,
  });
  const verdictSeconds = now() - started;
  // Each B's winner alone (same schedule of evaluations, so the same crossing), slowest kept.
  let slowest = 0;
  let slowestWinner: SweepEngineResult['slowestWinner'] = null;
  for (const row of analysis.rows) {
    if (row.bestLearningRate === null) continue;
    const t0 = now();
    await runSweep(engine, {
      ...settings,
      batchSizes: [row.batchSize],
      learningRates: [row.bestLearningRate],
    });
    const seconds = now() - t0;
    if (seconds > slowest) {
      slowest = seconds;
      slowestWinner = { batchSize: row.batchSize, learningRate: row.bestLearningRate };
    }
  }
  return {
    engine: kind,
    verdictSeconds,
    raceSeconds: raceDone - started,
    costSeconds: verdictSeconds - (raceDone - started),
    firstResultSeconds: race.firstResultMs === null ? null : race.firstResultMs / 1000,
    slowestWinnerAloneSeconds: slowestWinner ? slowest : null,
    slowestWinner,
    advances: race.advances,
    bCrit: analysis.fit?.bCrit ?? null,
    fastestBatchSize: analysis.fastestBatchSize,
    best: analysis.rows.map((r) => ({
      batchSize: r.batchSize,
      learningRate: r.bestLearningRate,
      steps: r.steps,
    })),
    verdict: analysis.verdict,
  };
}

function failed(kind: 'cpu' | 'webgpu', note: string): SweepEngineResult {
  return {
    engine: kind,
    verdictSeconds: null,
    raceSeconds: null,
    costSeconds: null,
    firstResultSeconds: null,
    slowestWinnerAloneSeconds: null,
    slowestWinner: null,
    advances: null,
    bCrit: null,
    fastestBatchSize: null,
    best: [],
    verdict: null,
    note,
  };
}

export async function benchSweep(
  gpu: GpuBackend | string,
  log: (line: string) => void,
): Promise<SweepBenchResult> {
  const info = datasetInfo(SWEEP_WORKLOAD.dataset);
  const dataset: Dataset = await loadDataset(SWEEP_WORKLOAD.dataset, SWEEP_WORKLOAD);
  const model: ModelSpec = info.defaultModel(dataset);
  const settings: SweepSettings = {
    batchSizes: defaultBatchSizes(dataset.n),
    learningRates: defaultLearningRates(info.defaultLearningRate),
    target: SWEEP_WORKLOAD.target,
    maxEpochs: DEFAULT_MAX_EPOCHS,
    maxSteps: DEFAULT_MAX_STEPS,
    initSeed: SWEEP_WORKLOAD.seed,
    shuffleSeed: SWEEP_WORKLOAD.seed,
  };
  const engines: SweepEngineResult[] = [];
  const cpu = new CpuEngine(dataset, model);
  try {
    engines.push(await sweepOn(cpu, 'cpu', settings));
  } catch (error) {
    engines.push(failed('cpu', error instanceof Error ? error.message : String(error)));
  } finally {
    cpu.dispose();
  }
  log(
    `  sweep on the CPU engine: ${engines[0]?.verdictSeconds?.toFixed(2) ?? engines[0]?.note} s to the verdict`,
  );
  if (typeof gpu === 'string') {
    engines.push(failed('webgpu', gpu));
  } else {
    let engine: TrainingEngine | null = null;
    try {
      engine = (await gpu.createEngine(dataset, model)).engine;
      engines.push(await sweepOn(engine, 'webgpu', settings));
    } catch (error) {
      engines.push(failed('webgpu', error instanceof Error ? error.message : String(error)));
    } finally {
      engine?.dispose();
    }
    log(
      `  sweep on the WebGPU engine: ${engines[1]?.verdictSeconds?.toFixed(2) ?? engines[1]?.note} s to the verdict`,
    );
  }
  return {
    workload:
      `circles, N = ${dataset.n} (noise ${SWEEP_WORKLOAD.noise}, seed ${SWEEP_WORKLOAD.seed}), 2→8→8→1 tanh + BCE, ` +
      `${settings.batchSizes.length} batch sizes × ${settings.learningRates.length} learning rates ` +
      `(${settings.learningRates.join(', ')}), target loss ${SWEEP_WORKLOAD.target}`,
    engines,
  };
}
