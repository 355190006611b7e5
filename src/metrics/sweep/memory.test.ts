import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../engine/types';
import { formatBytes, stepMemory } from './memory';

const MODEL: ModelSpec = { inputSize: 2, hidden: [8, 8], outputSize: 1, activation: 'tanh', loss: 'bce' };

describe('stepMemory', () => {
  it('counts activations and per-sample gradients of the 2-8-8-1 network by hand', () => {
    // Per sample: 2 inputs + (8 + 8 + 1) units × (z, a, δ) = 53 numbers; P = 2·8+8 + 8·8+8 + 8+1 = 105.
    const m = stepMemory(MODEL, 64, 4);
    expect(m.activationBytes).toBe(64 * 53 * 4);
    expect(m.perSampleGradientBytes).toBe(64 * 105 * 4);
    expect(m.parameterBytes).toBe(3 * 105 * 4);
    expect(m.totalBytes).toBe(m.activationBytes + m.perSampleGradientBytes + m.parameterBytes);
  });

  it('grows linearly in B, twice as much per sample in float64', () => {
    const grow = (bytes: number) =>
      stepMemory(MODEL, 200, bytes).totalBytes - stepMemory(MODEL, 100, bytes).totalBytes;
    expect(grow(4)).toBe(100 * (53 + 105) * 4);
    expect(grow(8)).toBe(2 * grow(4));
  });

  it('formats bytes in decimal units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12_345)).toBe('12.3 KB');
    expect(formatBytes(4_000_000)).toBe('4.00 MB');
  });
});
