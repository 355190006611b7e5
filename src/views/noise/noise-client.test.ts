import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import { gradientNoiseStats } from '../../metrics/noise';
import { type GradientSource, measureNoise } from './noise-client';
import { buildNoiseReport } from './noise-report';

/** A source over a fixed matrix that records how the measurement asked for it. */
function matrixSource(g: Float64Array, n: number, p: number) {
  const log = { holds: 0, calls: 0, largestChunk: 0, seen: new Set<number>(), fetchedOutsideHold: 0 };
  let holding = false;
  const source: GradientSource = {
    n,
    p,
    hold: async (task) => {
      log.holds++;
      holding = true;
      try {
        return await task(async (indices) => {
          if (!holding) log.fetchedOutsideHold++;
          log.calls++;
          log.largestChunk = Math.max(log.largestChunk, indices.length);
          const rows = new Float64Array(indices.length * p);
          indices.forEach((i, r) => {
            log.seen.add(i);
            rows.set(g.subarray(i * p, (i + 1) * p), r * p);
          });
          return rows;
        });
      } finally {
        holding = false;
      }
    },
  };
  return { source, log };
}

describe('measureNoise (on the main thread, as without workers)', () => {
  it('gives the all-at-once report of a small problem, from chunks fetched within one hold', {
    timeout: 30_000,
  }, async () => {
    const n = 3000;
    const p = 400; // 1 310 rows per chunk: three chunks
    const rng = new Rng(4);
    const g = Float64Array.from({ length: n * p }, (_, k) => 0.05 * (k % p) + rng.normal());
    const { source, log } = matrixSource(g, n, p);
    const measured = await measureNoise(source, { seed: 1, batchesPerSize: 30, inline: true });
    expect(measured).not.toBeNull();
    const report = measured!.report;
    const whole = buildNoiseReport({ gradients: g, n, batchesPerSize: 30, seed: 1 });
    expect(log.holds).toBe(1);
    expect(log.fetchedOutsideHold).toBe(0);
    expect(log.calls).toBe(3);
    expect(log.largestChunk * p).toBeLessThanOrEqual(2 ** 19);
    expect(log.seen.size).toBe(n);
    expect(report.subset).toBeUndefined();
    expect(report.n).toBe(n);
    expect(Math.abs(report.traceCovariance / whole.traceCovariance - 1)).toBeLessThan(1e-12);
    expect(Math.abs(report.simpleNoiseScale / whole.simpleNoiseScale - 1)).toBeLessThan(1e-12);
    report.measurements.forEach((m, k) => {
      const w = whole.measurements[k]!;
      expect(m.batchSize).toBe(w.batchSize);
      if (m.batchSize < n) expect(Math.abs(m.meanSquaredError / w.meanSquaredError - 1)).toBeLessThan(1e-10);
    });
    expect(report.sentence).toBe(whole.sentence);
  });

  it('measures a random subset, with standard errors, when N × P is large', { timeout: 30_000 }, async () => {
    const n = 20_000;
    const p = 450; // 9e6 numbers: over the main thread's 2^23
    const rng = new Rng(5);
    const g = Float64Array.from({ length: n * p }, (_, k) => 0.02 * (k % p) + rng.normal());
    const { source, log } = matrixSource(g, n, p);
    const report = (await measureNoise(source, { seed: 1, batchesPerSize: 4, inline: true }))!.report;
    expect(report.subset?.datasetN).toBe(n);
    expect(report.n).toBe(Math.floor(2 ** 23 / p));
    expect(log.seen.size).toBe(report.n);
    expect(report.subset!.traceCovarianceError).toBeGreaterThan(0);
    const whole = gradientNoiseStats(g, n, p);
    // Within 6 standard errors (see the calibration test of estimateFromSubset).
    expect(Math.abs(report.traceCovariance - whole.traceCovariance)).toBeLessThan(
      6 * report.subset!.traceCovarianceError,
    );
    expect(Math.abs(report.simpleNoiseScale - whole.simpleNoiseScale)).toBeLessThan(
      6 * report.subset!.simpleNoiseScaleError,
    );
  });

  it('resolves with null when the source has no engine', async () => {
    const source: GradientSource = { n: 10, p: 2, hold: async () => null };
    expect(await measureNoise(source, { seed: 1, inline: true })).toBeNull();
  });

  it('fails clearly when the engine returns rows of the wrong size', async () => {
    const source: GradientSource = { n: 10, p: 2, hold: (task) => task(async () => new Float64Array(3)) };
    await expect(measureNoise(source, { seed: 1, inline: true })).rejects.toThrow(
      /3 gradient numbers for 10 samples/,
    );
  });
});
