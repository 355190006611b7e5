import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/random';
import { fitScaling, modelSamples, modelSteps, type ScalingPoint } from './fit';

const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

function synthetic(sMin: number, bCrit: number, noise: number, seed: number): ScalingPoint[] {
  const rng = new Rng(seed);
  return SIZES.map((batchSize) => ({
    batchSize,
    steps: modelSteps({ sMin, bCrit }, batchSize) * Math.exp(noise * rng.normal()),
  }));
}

describe('fitScaling (McCandlish et al. 2018)', () => {
  it('satisfies (S/S_min − 1)(E/E_min − 1) = 1 on its own curve', () => {
    const fit = { sMin: 40, bCrit: 24 };
    for (const b of SIZES) {
      const s = modelSteps(fit, b);
      const e = modelSamples(fit, b);
      expect((s / 40 - 1) * (e / (40 * 24) - 1)).toBeCloseTo(1, 12);
    }
  });

  it('recovers S_min, B_crit and E_min exactly from noise-free points', () => {
    const fit = fitScaling(synthetic(37, 23, 0, 1));
    expect(fit?.sMin).toBeCloseTo(37, 5);
    expect(fit?.bCrit).toBeCloseTo(23, 4);
    expect(fit?.eMin).toBeCloseTo(37 * 23, 2);
    expect(fit?.bound).toBeNull();
    expect(fit?.rmsLogResidual).toBeLessThan(1e-8);
  });

  it('recovers them from points with 10 % noise, for many noise draws', () => {
    // With 10 points and 10 % log-normal noise the fit's own scatter (200 draws) is σ ≈ 0.06 in
    // log S_min and σ ≈ 0.09 in log B_crit (it rests on the few points near the knee); the bounds
    // below are over 3 σ, and the mean over 20 seeds (σ ≈ 0.02) must be within 0.1: a fit biased
    // by 10 % fails, a fair one passes.
    const bCritErrors: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const fit = fitScaling(synthetic(50, 32, 0.1, seed));
      expect(fit).not.toBeNull();
      if (!fit) continue;
      expect(Math.abs(Math.log(fit.sMin / 50))).toBeLessThan(0.2);
      expect(Math.abs(Math.log(fit.bCrit / 32))).toBeLessThan(0.35);
      expect(Math.abs(Math.log(fit.eMin / (50 * 32)))).toBeLessThan(0.35);
      bCritErrors.push(Math.log(fit.bCrit / 32));
    }
    // No systematic bias: the mean log error is within ±10 %.
    const meanError = bCritErrors.reduce((a, b) => a + b, 0) / bCritErrors.length;
    expect(Math.abs(meanError)).toBeLessThan(0.1);
  });

  it('is not dragged by one wild point', () => {
    const points = synthetic(50, 32, 0, 1);
    (points[6] as ScalingPoint).steps *= 4; // B = 64: four times too many steps
    const fit = fitScaling(points);
    expect(Math.abs(Math.log((fit?.bCrit ?? 0) / 32))).toBeLessThan(0.1);
    expect(Math.abs(Math.log((fit?.sMin ?? 0) / 50))).toBeLessThan(0.05);
  });

  it('says when B_crit lies beyond what the batch sizes can tell', () => {
    // Perfect scaling throughout (S ∝ 1/B): B_crit is far above the largest B.
    const perfect = SIZES.map((b) => ({ batchSize: b, steps: 10_000 / b }));
    expect(fitScaling(perfect)?.bound).toBe('above');
    // No scaling at all (S constant): B_crit is far below the smallest B.
    const flat = SIZES.map((b) => ({ batchSize: b, steps: 100 }));
    expect(fitScaling(flat)?.bound).toBe('below');
  });

  it('needs two distinct batch sizes and ignores unusable points', () => {
    expect(fitScaling([{ batchSize: 4, steps: 10 }])).toBeNull();
    expect(
      fitScaling([
        { batchSize: 4, steps: 10 },
        { batchSize: 4, steps: 12 },
      ]),
    ).toBeNull();
    const fit = fitScaling([
      ...synthetic(20, 8, 0, 1),
      { batchSize: 3, steps: Number.NaN },
      { batchSize: 5, steps: 0 },
    ]);
    expect(fit?.points).toBe(SIZES.length);
    expect(fit?.bCrit).toBeCloseTo(8, 4);
  });
});
