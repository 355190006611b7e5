/**
 * A quick speed check of the WebGPU engine against the CPU engine (not a test, not the formal
 * benchmark): `npx vitest run --config bench/speed-check/config.ts`
 * (in headless Chromium: `--config bench/speed-check/browser.config.ts`).
 * Workload of the issue: spirals N = 4096, 2→16→16→1 tanh/BCE, SGD lr 0.1, mean.
 * Environment: SPEED_QUICK=1 (B = 1 and 4,096 only), SPEED_WIDE=1 (2→64→64→1), SPEED_RACE=1
 * (only the race), SPEED_WALL=1 (wall time), SPEED_SPLIT=B (split batches of B or more).
 */
import { test } from 'vitest';
import { spirals } from '../../src/data/synthetic';
import { CpuTrainer } from '../../src/engine/cpu/trainer';
import { GpuEngine } from '../../src/engine/gpu/engine';
import { testGpu } from '../../src/engine/gpu/testing/fixtures';
import { initParams } from '../../src/engine/model';
import type { ModelSpec, TrainConfig } from '../../src/engine/types';

const ENV: Record<string, string | undefined> =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const WIDE = ENV.SPEED_WIDE;
const QUICK = ENV.SPEED_QUICK;
const RACE_ONLY = ENV.SPEED_RACE;

/** Process CPU time in ms (Node: SwiftShader runs in-process, so this counts the GPU's work and
 * is far less sensitive to other load on the machine than wall time); wall time elsewhere, or
 * with SPEED_WALL=1 (CPU time also counts Dawn's busy polling on the other core). */
function cpuMs(): number {
  if (ENV.SPEED_WALL) return performance.now();
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  const usage = proc?.cpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : performance.now();
}

test('speed', async () => {
  const gpu = await testGpu();
  const dataset = spirals({ n: 4096, noise: 0.05, seed: 1 });
  const hidden = WIDE ? [64, 64] : [16, 16];
  const model: ModelSpec = { inputSize: 2, hidden, outputSize: 1, activation: 'tanh', loss: 'bce' };
  const w0 = initParams(model, 1);
  const config = (batchSize: number): TrainConfig => ({
    batchSize,
    learningRate: 0.1,
    reduction: 'mean',
    momentum: 0,
    lastBatch: 'keep',
    shuffleSeed: 1,
  });
  const options = {
    adapterName: gpu.adapterName,
    ...(ENV.SPEED_SPLIT ? { splitBatchSize: Number(ENV.SPEED_SPLIT) } : {}),
  };
  const lines: string[] = [];
  for (const b of RACE_ONLY ? [] : WIDE ? [32, 4096] : QUICK ? [1, 4096] : [1, 32, 256, 4096]) {
    const engine = await GpuEngine.create(gpu.device, dataset, model, options);
    if (engine.compileMs > 0)
      lines.push(`compile ${engine.compileMs.toFixed(0)} ms; layout: ${engine.layout}`);
    const id = await engine.addRun(config(b), w0);
    await engine.stepRun(id, 10); // warm-up
    let steps = Math.max(20, Math.round(20000 / b));
    let rate = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const t = cpuMs();
      await engine.stepRun(id, steps);
      const ms = cpuMs() - t;
      rate = Math.max(rate, (steps / ms) * 1000);
      if (ms < 300) steps *= 4;
    }
    if (QUICK) {
      lines.push(`B=${b}: gpu ${rate.toFixed(0)} steps/s`);
      engine.dispose();
      continue;
    }
    const cpu = new CpuTrainer(dataset, model, config(b), w0);
    let cpuSteps = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < 500) {
      cpu.stepSync(Math.max(1, Math.round(2000 / b)));
      cpuSteps += Math.max(1, Math.round(2000 / b));
    }
    const cpuRate = (cpuSteps / (cpuMs() - t0)) * 1000;
    lines.push(
      `B=${b}: gpu ${rate.toFixed(0)} steps/s, cpu ${cpuRate.toFixed(0)} steps/s, ratio ${(rate / cpuRate).toFixed(2)}`,
    );
    engine.dispose();
  }
  if (!WIDE && !QUICK) {
    // The race: 13 runs B = 1..4096, 10 epochs each, in one engine vs one after another.
    const sizes = Array.from({ length: 13 }, (_, i) => 2 ** i);
    const race = await GpuEngine.create(gpu.device, dataset, model, options);
    for (const b of sizes) await race.addRun(config(b), w0);
    let t = performance.now();
    await race.advance({ samplesPerRun: 10 * 4096, maxStepsPerRun: 1e9 });
    const together = performance.now() - t;
    t = performance.now();
    for (const b of sizes) {
      const one = await GpuEngine.create(gpu.device, dataset, model, options);
      const id = await one.addRun(config(b), w0);
      await one.stepRun(id, Math.ceil((10 * 4096) / b));
      one.dispose();
    }
    const apart = performance.now() - t;
    lines.push(
      `race 13 runs: together ${together.toFixed(0)} ms, one after another ${apart.toFixed(0)} ms, ${(apart / together).toFixed(2)}x`,
    );
    lines.push(`suggested samples per run for 8 ms: ${race.suggestedSamplesPerRun()}`);
  }
  console.log(lines.join('\n'));
}, 600_000);
