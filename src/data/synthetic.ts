/**
 * Built-in synthetic datasets, generated from a seed (same seed → same numbers, bit for bit).
 * Inputs stay roughly within [−3, 3], a scale the default learning rates train well on.
 * Binary classification targets are 0/1, multi-class targets are class indices 0..k−1.
 */

import { Rng } from '../engine/random';
import type { Dataset } from '../engine/types';

export interface SyntheticOptions {
  /** Number of samples. */
  n: number;
  /** Standard deviation of the Gaussian noise (input jitter for classification, target noise for regression). */
  noise: number;
  seed: number;
}

/** Buffers and metadata for a dataset with `inputSize` inputs and one target per sample. */
function allocate(
  meta: Omit<Dataset, 'x' | 'y' | 'n' | 'targetSize'>,
  n: number,
): Dataset & { x: Float64Array; y: Float64Array } {
  return { ...meta, n, targetSize: 1, x: new Float64Array(n * meta.inputSize), y: new Float64Array(n) };
}

/** Whole number of samples ≥ 1 (guards against fractional or silly requests). */
function sampleCount(n: number): number {
  return Number.isFinite(n) ? Math.max(1, Math.round(n)) : 1;
}

function noiseLevel(noise: number): number {
  return Number.isFinite(noise) ? Math.max(0, noise) : 0;
}

/**
 * Two interleaved spirals (tensorflow/playground's classic), one per class, 1.5 turns each,
 * radius growing to 2.5. Classes alternate sample by sample, so they are balanced to within one.
 * (With these sizes the default 16-16 tanh network shows a plateau, then solves it in ~100 epochs.)
 */
export function spirals({ n, noise, seed }: SyntheticOptions): Dataset {
  const count = sampleCount(n);
  const jitter = noiseLevel(noise);
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'spirals',
      name: 'Two spirals',
      task: 'classification',
      inputSize: 2,
      classes: 2,
      featureNames: ['x₁', 'x₂'],
      targetName: 'class',
    },
    count,
  );
  const perClass = Math.ceil(count / 2);
  for (let s = 0; s < count; s++) {
    const label = s % 2;
    const position = Math.floor(s / 2) / perClass; // 0 at the centre, → 1 at the outer end
    const radius = 2.5 * position;
    const angle = 1.5 * 2 * Math.PI * position + label * Math.PI;
    data.x[2 * s] = radius * Math.sin(angle) + jitter * rng.normal();
    data.x[2 * s + 1] = radius * Math.cos(angle) + jitter * rng.normal();
    data.y[s] = label;
  }
  return data;
}

/** A disc (class 1, radius < 1) inside a ring (class 0, radius 1.4–2). Half the samples each. */
export function circles({ n, noise, seed }: SyntheticOptions): Dataset {
  const count = sampleCount(n);
  const jitter = noiseLevel(noise);
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'circles',
      name: 'Circles',
      task: 'classification',
      inputSize: 2,
      classes: 2,
      featureNames: ['x₁', 'x₂'],
      targetName: 'class',
    },
    count,
  );
  for (let s = 0; s < count; s++) {
    const inner = s % 2 === 1;
    const radius = inner ? rng.uniform(0, 1) : rng.uniform(1.4, 2);
    const angle = rng.uniform(0, 2 * Math.PI);
    data.x[2 * s] = radius * Math.sin(angle) + jitter * rng.normal();
    data.x[2 * s + 1] = radius * Math.cos(angle) + jitter * rng.normal();
    data.y[s] = inner ? 1 : 0;
  }
  return data;
}

/**
 * XOR: points in the four quadrants of [−2, 2]², class 1 where x₁·x₂ > 0. Points keep a small
 * margin from the axes, and the label is fixed before the jitter, so noise blurs the boundary.
 */
export function xor({ n, noise, seed }: SyntheticOptions): Dataset {
  const count = sampleCount(n);
  const jitter = noiseLevel(noise);
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'xor',
      name: 'XOR',
      task: 'classification',
      inputSize: 2,
      classes: 2,
      featureNames: ['x₁', 'x₂'],
      targetName: 'class',
    },
    count,
  );
  const margin = 0.1;
  for (let s = 0; s < count; s++) {
    let a = rng.uniform(-2, 2);
    let b = rng.uniform(-2, 2);
    a += a > 0 ? margin : -margin;
    b += b > 0 ? margin : -margin;
    data.x[2 * s] = a + jitter * rng.normal();
    data.x[2 * s + 1] = b + jitter * rng.normal();
    data.y[s] = a * b > 0 ? 1 : 0;
  }
  return data;
}

export interface BlobsOptions extends SyntheticOptions {
  /** Number of classes (3 by default, at least 2). */
  classes?: number;
}

/** Gaussian blobs: one per class, centres evenly spaced on a circle of radius 1.5. */
export function blobs({ n, noise, seed, classes = 3 }: BlobsOptions): Dataset {
  const count = sampleCount(n);
  const spread = noiseLevel(noise);
  const k = Math.max(2, Math.round(classes));
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'blobs',
      name: 'Gaussian blobs',
      task: 'classification',
      inputSize: 2,
      classes: k,
      featureNames: ['x₁', 'x₂'],
      targetName: 'class',
    },
    count,
  );
  for (let s = 0; s < count; s++) {
    const label = s % k;
    const angle = (2 * Math.PI * label) / k + Math.PI / 2;
    data.x[2 * s] = 1.5 * Math.cos(angle) + spread * rng.normal();
    data.x[2 * s + 1] = 1.5 * Math.sin(angle) + spread * rng.normal();
    data.y[s] = label;
  }
  return data;
}

/** Noisy sine, 1-D regression: x uniform in [−3, 3], y = sin(1.5·x) + noise. */
export function sine({ n, noise, seed }: SyntheticOptions): Dataset {
  const count = sampleCount(n);
  const sigma = noiseLevel(noise);
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'sine',
      name: 'Noisy sine',
      task: 'regression',
      inputSize: 1,
      classes: 0,
      featureNames: ['x'],
      targetName: 'y',
    },
    count,
  );
  for (let s = 0; s < count; s++) {
    const x = rng.uniform(-3, 3);
    data.x[s] = x;
    data.y[s] = Math.sin(1.5 * x) + sigma * rng.normal();
  }
  return data;
}

/** Noisy plane, 2-D regression: x uniform in [−2, 2]², y = 0.6·x₁ − 0.4·x₂ + 0.2 + noise. */
export function plane({ n, noise, seed }: SyntheticOptions): Dataset {
  const count = sampleCount(n);
  const sigma = noiseLevel(noise);
  const rng = new Rng(seed);
  const data = allocate(
    {
      id: 'plane',
      name: 'Noisy plane',
      task: 'regression',
      inputSize: 2,
      classes: 0,
      featureNames: ['x₁', 'x₂'],
      targetName: 'y',
    },
    count,
  );
  for (let s = 0; s < count; s++) {
    const a = rng.uniform(-2, 2);
    const b = rng.uniform(-2, 2);
    data.x[2 * s] = a;
    data.x[2 * s + 1] = b;
    data.y[s] = 0.6 * a - 0.4 * b + 0.2 + sigma * rng.normal();
  }
  return data;
}
