import { describe, expect, it } from 'vitest';
import type { Dataset } from '../engine/types';
import { blobs, circles, plane, type SyntheticOptions, sine, spirals, xor } from './synthetic';

const GENERATORS: Record<string, (options: SyntheticOptions) => Dataset> = {
  spirals,
  circles,
  xor,
  blobs,
  sine,
  plane,
};

function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.classes).fill(0);
  for (const label of dataset.y) counts[label] = (counts[label] as number) + 1;
  return counts;
}

describe('synthetic datasets', () => {
  for (const [id, generate] of Object.entries(GENERATORS)) {
    describe(id, () => {
      it('is deterministic from the seed; another seed gives other data', () => {
        const a = generate({ n: 300, noise: 0.2, seed: 7 });
        const b = generate({ n: 300, noise: 0.2, seed: 7 });
        const c = generate({ n: 300, noise: 0.2, seed: 8 });
        expect(Array.from(a.x)).toEqual(Array.from(b.x));
        expect(Array.from(a.y)).toEqual(Array.from(b.y));
        expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
      });

      it('has exactly the requested N, from 8 to 20,000, with consistent shapes', () => {
        for (const n of [8, 9, 1001, 20_000]) {
          const d = generate({ n, noise: 0.1, seed: 1 });
          expect(d.id).toBe(id);
          expect(d.n).toBe(n);
          expect(d.x.length).toBe(n * d.inputSize);
          expect(d.y.length).toBe(n * d.targetSize);
          expect(d.featureNames?.length).toBe(d.inputSize);
        }
      });

      it('has finite values on the expected scale (|x| ≤ 4 at the largest noise)', () => {
        const d = generate({ n: 5000, noise: 0.5, seed: 3 });
        expect(d.x.every(Number.isFinite)).toBe(true);
        expect(d.y.every(Number.isFinite)).toBe(true);
        // The noiseless signal lies within ±2.5; jitter of σ = 0.5 goes 4σ beyond that with
        // probability ~6e-5 per value. The seed is fixed, so the check is deterministic.
        expect(d.x.every((v) => Math.abs(v) <= 4.5)).toBe(true);
      });

      it('has sensible targets', () => {
        const d = generate({ n: 999, noise: 0.1, seed: 4 });
        if (d.task === 'classification') {
          expect(d.y.every((label) => Number.isInteger(label) && label >= 0 && label < d.classes)).toBe(true);
          // Every class gets a fair share: at least 40% of the uniform share (xor is random).
          for (const count of classCounts(d)) expect(count).toBeGreaterThan((0.4 * d.n) / d.classes);
        } else {
          expect(d.classes).toBe(0);
          expect(d.y.every((v) => Math.abs(v) < 3)).toBe(true);
        }
      });

      it('never crashes on silly options', () => {
        for (const options of [
          { n: 0, noise: 0.1, seed: 1 },
          { n: 10.6, noise: -1, seed: 1 },
          { n: Number.NaN, noise: Number.NaN, seed: 1 },
        ]) {
          const d = generate(options);
          expect(d.n).toBeGreaterThanOrEqual(1);
          expect(d.x.every(Number.isFinite)).toBe(true);
        }
      });
    });
  }

  it('binary datasets are balanced; spirals classes differ only by the sign of the position', () => {
    for (const generate of [spirals, circles]) {
      const counts = classCounts(generate({ n: 101, noise: 0, seed: 1 }));
      expect(Math.abs((counts[0] as number) - (counts[1] as number))).toBeLessThanOrEqual(1);
    }
    const noiseless = spirals({ n: 200, noise: 0, seed: 1 });
    // Samples 2k and 2k+1 are the same point of the two spirals, rotated by π: x ↦ −x.
    expect(noiseless.x[2 * 10]).toBeCloseTo(-(noiseless.x[2 * 11] as number), 12);
    expect(noiseless.x[2 * 10 + 1]).toBeCloseTo(-(noiseless.x[2 * 11 + 1] as number), 12);
  });

  it('xor labels follow the sign of x₁·x₂ without noise; circles separate by radius', () => {
    const x = xor({ n: 500, noise: 0, seed: 2 });
    for (let s = 0; s < x.n; s++) {
      expect(x.y[s]).toBe((x.x[2 * s] as number) * (x.x[2 * s + 1] as number) > 0 ? 1 : 0);
    }
    const c = circles({ n: 500, noise: 0, seed: 2 });
    for (let s = 0; s < c.n; s++) {
      const r = Math.hypot(c.x[2 * s] as number, c.x[2 * s + 1] as number);
      expect(c.y[s]).toBe(r < 1.2 ? 1 : 0);
    }
  });

  it('blobs: as many classes as asked, 3 by default', () => {
    expect(blobs({ n: 90, noise: 0.3, seed: 1 }).classes).toBe(3);
    const five = blobs({ n: 100, noise: 0.3, seed: 1, classes: 5 });
    expect(five.classes).toBe(5);
    expect(classCounts(five)).toEqual([20, 20, 20, 20, 20]);
  });

  it('regression noise is the requested standard deviation', () => {
    const noisy = sine({ n: 20_000, noise: 0.3, seed: 6 });
    let squares = 0;
    for (let s = 0; s < noisy.n; s++)
      squares += ((noisy.y[s] as number) - Math.sin(1.5 * (noisy.x[s] as number))) ** 2;
    // Sample std of 20,000 normals: relative standard error 1/√(2·20000) ≈ 0.5%; allow 3%.
    expect(Math.sqrt(squares / noisy.n)).toBeCloseTo(0.3, 1);
    expect(Math.abs(Math.sqrt(squares / noisy.n) / 0.3 - 1)).toBeLessThan(0.03);
  });
});
