/**
 * The same network trained with TensorFlow.js (bench only; the app never imports TF.js): float32
 * weights copied from the shared initial weights, the CPU engine's batches (same epoch shuffles,
 * same cut into batches), the loss written out as numerically stable BCE on logits with mean
 * reduction, and `tf.train.sgd` for plain SGD.
 */
import * as tf from '@tensorflow/tfjs';
import { paramLayout } from '../src/engine/model';
import { epochPermutation } from '../src/engine/random';
import { batchSlot } from '../src/engine/schedule';
import type { Dataset, ModelSpec, TrainConfig } from '../src/engine/types';

export { tf };

export type TfjsBackendName = 'webgpu' | 'wasm';

/** Makes `name` the active TF.js backend; resolves with null, or the reason it cannot run. */
export async function selectTfjsBackend(name: TfjsBackendName): Promise<string | null> {
  try {
    if (tf.getBackend() === name) return null;
    const ok = await tf.setBackend(name);
    if (!ok) return `TF.js could not initialise its ${name} backend here`;
    await tf.ready();
    return tf.getBackend() === name ? null : `TF.js fell back to ${tf.getBackend()}`;
  } catch (error) {
    return `TF.js ${name} backend failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Which build of the wasm backend TF.js chose: plain, SIMD, or SIMD with threads. */
export async function tfjsWasmVariant(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  if (simd && threads) return 'SIMD + threads';
  return simd ? 'SIMD, single thread' : 'plain, single thread';
}

export class TfjsTrainer {
  private readonly variables: tf.Variable[];
  private readonly optimizer: tf.SGDOptimizer;
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor2D;
  /** The dataset in the current epoch's order, so a step is a slice, not a gather. */
  private epochX: tf.Tensor2D | null = null;
  private epochY: tf.Tensor2D | null = null;
  private epoch = -1;
  private stepCount = 0;

  constructor(
    private readonly dataset: Dataset,
    model: ModelSpec,
    private readonly config: TrainConfig,
    initialWeights: ArrayLike<number>,
  ) {
    if (model.loss !== 'bce' || model.activation !== 'tanh') {
      throw new RangeError('the TF.js comparison is written for tanh hidden layers and a sigmoid/BCE output');
    }
    if (config.momentum !== 0 || config.reduction !== 'mean') {
      throw new RangeError('the TF.js comparison uses plain SGD with mean reduction');
    }
    const weights = Float32Array.from(initialWeights);
    this.variables = [];
    for (const layer of paramLayout(model)) {
      const w = weights.slice(layer.weightOffset, layer.weightOffset + layer.inputs * layer.outputs);
      const b = weights.slice(layer.biasOffset, layer.biasOffset + layer.outputs);
      // W is out × in, row-major, as in the shared layout: z = a · Wᵀ + b.
      this.variables.push(tf.variable(tf.tensor2d(w, [layer.outputs, layer.inputs])));
      this.variables.push(tf.variable(tf.tensor1d(b)));
    }
    this.x = tf.tensor2d(Float32Array.from(dataset.x), [dataset.n, dataset.inputSize]);
    this.y = tf.tensor2d(Float32Array.from(dataset.y), [dataset.n, 1]);
    this.optimizer = tf.train.sgd(config.learningRate);
  }

  private logits(input: tf.Tensor2D): tf.Tensor2D {
    let a = input;
    const layers = this.variables.length / 2;
    for (let l = 0; l < layers; l++) {
      const w = this.variables[2 * l] as tf.Variable<tf.Rank.R2>;
      const b = this.variables[2 * l + 1] as tf.Variable<tf.Rank.R1>;
      const z: tf.Tensor2D = tf.add(tf.matMul(a, w, false, true), b);
      a = l < layers - 1 ? tf.tanh(z) : z;
    }
    return a;
  }

  /** Mean BCE on logits: max(z, 0) − z·y + log(1 + e^{−|z|}). */
  private meanLoss(input: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
    const z = this.logits(input);
    const perSample = tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.mean(perSample);
  }

  private prepareEpoch(epoch: number): void {
    if (epoch === this.epoch) return;
    this.epochX?.dispose();
    this.epochY?.dispose();
    const order = tf.tensor1d(
      Int32Array.from(epochPermutation(this.config.shuffleSeed, epoch, this.dataset.n)),
      'int32',
    );
    this.epochX = tf.gather(this.x, order);
    this.epochY = tf.gather(this.y, order);
    order.dispose();
    this.epoch = epoch;
  }

  /** Runs `count` SGD steps and waits until the backend has finished them. */
  async step(count: number): Promise<void> {
    for (let s = 0; s < count; s++) {
      const slot = batchSlot(this.stepCount, this.dataset.n, this.config);
      this.prepareEpoch(slot.epoch);
      const epochX = this.epochX as tf.Tensor2D;
      const epochY = this.epochY as tf.Tensor2D;
      this.optimizer.minimize(
        () =>
          this.meanLoss(
            tf.slice(epochX, [slot.start, 0], [slot.size, this.dataset.inputSize]),
            tf.slice(epochY, [slot.start, 0], [slot.size, 1]),
          ),
        false,
        this.variables,
      );
      this.stepCount++;
    }
    // Reading a parameter back waits for every queued kernel (the webgpu backend runs async).
    await (this.variables[this.variables.length - 1] as tf.Variable).data();
  }

  async datasetLoss(): Promise<number> {
    const loss = tf.tidy(() => this.meanLoss(this.x, this.y));
    const value = (await loss.data())[0] as number;
    loss.dispose();
    return value;
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.x.dispose();
    this.y.dispose();
    this.epochX?.dispose();
    this.epochY?.dispose();
    this.optimizer.dispose();
  }
}
