import { describe, expect, it } from 'vitest';
import { applyUpdate } from './update';

describe('applyUpdate', () => {
  it('plain SGD: w ← w − lr·g, velocity untouched', () => {
    const w = Float64Array.from([1, -2, 0.5]);
    const v = new Float64Array(3);
    applyUpdate(w, v, [0.5, -1, 0], { learningRate: 0.1, momentum: 0 });
    expect(Array.from(w)).toEqual([1 - 0.1 * 0.5, -2 + 0.1, 0.5]);
    expect(Array.from(v)).toEqual([0, 0, 0]);
  });

  it('heavy-ball momentum: v ← μv + g; w ← w − lr·v, over two steps', () => {
    const w = Float64Array.from([1]);
    const v = new Float64Array(1);
    const config = { learningRate: 0.5, momentum: 0.9 };
    applyUpdate(w, v, [2], config); // v = 2, w = 1 − 1 = 0
    expect(v[0]).toBe(2);
    expect(w[0]).toBe(0);
    applyUpdate(w, v, [1], config); // v = 1.8 + 1 = 2.8, w = 0 − 1.4 = −1.4
    expect(v[0]).toBeCloseTo(2.8, 15);
    expect(w[0]).toBeCloseTo(-1.4, 15);
  });

  it('updates float32 weights (as read back from the GPU) in place', () => {
    const w = Float32Array.from([1, 2]);
    const v = new Float32Array(2);
    applyUpdate(w, v, [1, 1], { learningRate: 0.25, momentum: 0.5 });
    expect(Array.from(w)).toEqual([0.75, 1.75]);
  });
});
