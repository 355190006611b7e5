import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../types';
import { adapterKind, chooseLayout, type LayoutLimits } from './choose-layout';

const MODEL: ModelSpec = { inputSize: 2, hidden: [16, 16], outputSize: 1, activation: 'tanh', loss: 'bce' };
const DATA = { n: 4096, inputSize: 2, targetSize: 1 };
/** WebGPU's default limits (what every adapter offers at least). */
const LIMITS: LayoutLimits = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxStorageBufferBindingSize: 134217728,
  maxBufferSize: 268435456,
  maxComputeWorkgroupStorageSize: 16384,
};

describe('adapterKind: what the engine runs on, from the device’s adapter information', () => {
  it('recognises a software adapter', () => {
    // Dawn in Node and Chromium on SwiftShader.
    const swiftShader = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: 'swiftshader-device-subzero-',
      description: 'SwiftShader driver 5.0.0',
      isFallbackAdapter: true,
    };
    expect(adapterKind(swiftShader)).toBe('software');
    // Runtimes without isFallbackAdapter in the info still name SwiftShader.
    expect(adapterKind({ ...swiftShader, isFallbackAdapter: undefined })).toBe('software');
    expect(adapterKind({ vendor: '', architecture: '', description: 'SwiftShader Device (Subzero)' })).toBe(
      'software',
    );
    expect(
      adapterKind({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }),
    ).toBe('software');
    expect(adapterKind({ vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: true })).toBe(
      'software',
    );
  });

  it('takes anything else for a GPU', () => {
    expect(adapterKind({ vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false })).toBe('gpu');
    expect(adapterKind({ vendor: 'apple', architecture: 'metal-3', description: '' })).toBe('gpu');
    expect(
      adapterKind({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770' }),
    ).toBe('gpu');
    expect(adapterKind(undefined)).toBe('gpu');
  });
});

describe('chooseLayout', () => {
  it('lays a software adapter out as SIMD-4 workgroups, a GPU as wide ones', () => {
    const software = chooseLayout(MODEL, DATA, LIMITS, 'software');
    expect(software).toMatchObject({
      kind: 'software',
      workgroupSize: 4,
      chunk: 32,
      weightsInWorkgroup: true,
      reduceInWorkgroup: true,
      parts: 2,
      splitBatchSize: 256,
      capacity: 64,
    });
    expect(software.description).toMatch(/^4 invocations per run-workgroup \(software adapter/);
    const gpu = chooseLayout(MODEL, DATA, LIMITS, 'gpu');
    // 16 KB of workgroup memory hold 36 samples of this model beside its weights and sums.
    expect(gpu).toMatchObject({ kind: 'gpu', workgroupSize: 64, chunk: 36, parts: 16, splitBatchSize: 288 });
    expect(chooseLayout(MODEL, DATA, { ...LIMITS, maxComputeWorkgroupStorageSize: 32768 }, 'gpu').chunk).toBe(
      48,
    );
  });

  it('keeps what the caller chose', () => {
    const layout = chooseLayout(MODEL, DATA, LIMITS, 'gpu', {
      workgroupSize: 13,
      parts: 3,
      splitBatchSize: 4,
    });
    expect(layout).toMatchObject({ workgroupSize: 13, parts: 3, splitBatchSize: 4 });
    expect(layout.description).toContain('chosen by the caller');
  });

  it('moves weights, then the gradient sum, to storage when workgroup memory is short', () => {
    const wide: ModelSpec = { ...MODEL, hidden: [64, 64] };
    // 64-64: 18 KB of weights, over the 8 KB kept in workgroup memory.
    const layout = chooseLayout(wide, DATA, { ...LIMITS, maxComputeWorkgroupStorageSize: 32768 }, 'software');
    expect(layout.weightsInWorkgroup).toBe(false);
    expect(layout.reduceInWorkgroup).toBe(false);
    const small = chooseLayout(MODEL, DATA, { ...LIMITS, maxComputeWorkgroupStorageSize: 4096 }, 'software');
    expect(small.weightsInWorkgroup).toBe(true);
    expect(small.reduceInWorkgroup).toBe(false);
    expect(small.chunk).toBe(4);
  });

  it('holds as many runs as one buffer binding allows', () => {
    // Per run the largest buffer is the epoch order: 4 bytes per sample.
    const limits = { ...LIMITS, maxStorageBufferBindingSize: 10 * 4 * DATA.n };
    expect(chooseLayout(MODEL, DATA, limits, 'software').capacity).toBe(10);
    expect(chooseLayout(MODEL, DATA, LIMITS, 'software', { maxRuns: 3 }).capacity).toBe(3);
  });

  it('refuses what the adapter cannot hold, with the reason', () => {
    expect(() => chooseLayout({ ...MODEL, hidden: [3000] }, DATA, LIMITS, 'gpu')).toThrow(
      /too large for the WebGPU engine.*3003 units/,
    );
    expect(() => chooseLayout(MODEL, { ...DATA, n: 2e7 }, LIMITS, 'gpu')).toThrow(/dataset is too large/);
    expect(() => chooseLayout(MODEL, DATA, LIMITS, 'gpu', { workgroupSize: 300 })).toThrow(
      /from 1 to 256, got 300/,
    );
    expect(() => chooseLayout(MODEL, DATA, LIMITS, 'gpu', { parts: 0 })).toThrow(/from 1 to 64, got 0/);
    expect(() =>
      chooseLayout(MODEL, DATA, { ...LIMITS, maxComputeWorkgroupStorageSize: 1024 }, 'gpu'),
    ).toThrow(/needs 1600 bytes of workgroup memory, the adapter allows 1024/);
    // 16 samples fit in 256 bytes, one run's weights and velocities (3,360 bytes) do not.
    expect(() =>
      chooseLayout(MODEL, { ...DATA, n: 16 }, { ...LIMITS, maxStorageBufferBindingSize: 256 }, 'gpu'),
    ).toThrow(/337 parameters need 0\.0 MiB per run, the adapter allows 0\.0 MiB per buffer/);
  });
});
