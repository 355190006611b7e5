// batchlab's training kernels: forward pass, back-propagation, batch reduction and update of a
// multilayer perceptron, in float32. The maths is the CPU reference engine's
// (src/engine/cpu/mlp.ts): same parameter layout, losses, activations and epoch shuffles.
//
// The host specialises this file per model SHAPE only: every double-braced NAME below becomes a
// number or a list of numbers before compilation. Activation, loss, batch size, learning rate,
// momentum, reduction and seeds are runtime values (uniforms and job records), so changing them
// never recompiles. Loops stay loops: SwiftShader compiles unrolled kernels very slowly.
//
// Determinism: every sum runs in a fixed order (sample i of a batch goes to invocation i mod WG,
// each invocation adds its samples in batch order, then invocation slots are added in slot
// order). No float atomics, nothing depends on scheduling, on other runs in the dispatch or on
// where the host cuts the steps into dispatches.

const NUM_LAYERS: u32 = {{NUM_LAYERS}}u;
// Per weight layer l: inputs, outputs, offset of W_l (out × in, row-major) and of b_l.
const LAYER_IN = array<u32, {{NUM_LAYERS}}>({{LAYER_IN}});
const LAYER_OUT = array<u32, {{NUM_LAYERS}}>({{LAYER_OUT}});
const W_OFFSET = array<u32, {{NUM_LAYERS}}>({{W_OFFSET}});
const B_OFFSET = array<u32, {{NUM_LAYERS}}>({{B_OFFSET}});
// Offset of layer l's units (l = 0 is the input) in the per-invocation activation array.
const UNIT_OFFSET = array<u32, {{NUM_LAYERS_PLUS_1}}>({{UNIT_OFFSET}});
const TOTAL_UNITS: u32 = {{TOTAL_UNITS}}u;
const INPUTS: u32 = {{INPUTS}}u;
const OUTPUTS: u32 = {{OUTPUTS}}u;
const P: u32 = {{PARAMS}}u;
const WG: u32 = {{WORKGROUP_SIZE}}u;
// Weights live in workgroup memory when they fit (the host decides), else in `params`.
const WEIGHTS_IN_WORKGROUP: bool = {{WEIGHTS_IN_WORKGROUP}};
const WORKGROUP_WEIGHTS: u32 = {{WORKGROUP_WEIGHTS}}u;

const ACT_TANH: u32 = 0u;
const ACT_RELU: u32 = 1u;
const ACT_SIGMOID: u32 = 2u;
const ACT_LINEAR: u32 = 3u;
const LOSS_MSE: u32 = 0u;
const LOSS_BCE: u32 = 1u;
const LOSS_SOFTMAX_CE: u32 = 2u;

const FLAG_SUM: u32 = 1u;
const FLAG_MOMENTUM: u32 = 2u;
const NO_EPOCH: u32 = 0xffffffffu;

struct Globals {
  n: u32,
  activation: u32,
  loss: u32,
  targetSize: u32,
  // Offset of the targets in `data` (the inputs come first).
  targetBase: u32,
  // Offset of the velocities in `params` (the weights of every run slot come first).
  velocityBase: u32,
  // Samples per workgroup of the dataset-loss kernel.
  lossChunk: u32,
  pad: u32,
}

// One run's work in one dispatch (training), or the parameters of a helper kernel.
struct Job {
  slot: u32,
  // Global step of the first step (training); number of samples (per-sample kernel).
  firstStep: u32,
  steps: u32,
  batchSize: u32,
  stepsPerEpoch: u32,
  seed: u32,
  // Where this job writes its losses in `losses`.
  lossBase: u32,
  flags: u32,
  learningRate: f32,
  momentum: f32,
  pad0: u32,
  pad1: u32,
}

// What the training kernel keeps per run slot between dispatches.
struct RunState {
  // The epoch whose permutation `order` holds for this slot (NO_EPOCH: none yet).
  orderEpoch: u32,
  // Nonzero once a loss or weight turned NaN or infinite; the run then takes no more steps.
  diverged: u32,
  // Global step count after the last dispatch.
  stepsDone: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> globals: Globals;
// Inputs (N × INPUTS) then targets (N × targetSize), float32.
@group(0) @binding(1) var<storage, read> data: array<f32>;
@group(0) @binding(2) var<storage, read> jobs: array<Job>;
// Weights of every run slot (slot × P), then their velocities.
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
// Gradient accumulators: one P-slot per invocation of each run (training) or per sample
// (per-sample gradients); the activation probe uses it for its inputs.
@group(0) @binding(4) var<storage, read_write> acc: array<f32>;
// The current epoch's sample order of each run slot (slot × N).
@group(0) @binding(5) var<storage, read_write> order: array<u32>;
@group(0) @binding(6) var<storage, read_write> state: array<RunState>;
// Batch losses, dataset-loss partial sums, per-sample losses, probe outputs.
@group(0) @binding(7) var<storage, read_write> losses: array<f32>;

var<private> acts: array<f32, TOTAL_UNITS>;
var<private> deltas: array<f32, TOTAL_UNITS>;

var<workgroup> weights: array<f32, WORKGROUP_WEIGHTS>;
var<workgroup> lossPartial: array<f32, WG>;
var<workgroup> divergedFlag: atomic<u32>;

// ---------------------------------------------------------------------------------------------
// Epoch shuffles: src/engine/random.ts ported to u32 arithmetic (Math.imul ≡ wrapping multiply).
// ---------------------------------------------------------------------------------------------

fn mix32(value: u32) -> u32 {
  var h = value;
  h = (h ^ (h >> 16u)) * 0x85ebca6bu;
  h = (h ^ (h >> 13u)) * 0xc2b2ae35u;
  return h ^ (h >> 16u);
}

fn combineSeeds(a: u32, b: u32) -> u32 {
  return mix32(mix32(a) ^ ((b + 0x9e3779b9u) * 0x85ebca6bu));
}

var<private> rngState: u32;

fn nextU32() -> u32 {
  rngState = rngState + 0x6d2b79f5u;
  var t = rngState;
  t = (t ^ (t >> 15u)) * (t | 1u);
  t = t ^ (t + (t ^ (t >> 7u)) * (t | 61u));
  return t ^ (t >> 14u);
}

// epochPermutation(seed, epoch, n) into order[base .. base + n): Fisher–Yates with `%`.
fn writeEpochPermutation(seed: u32, epoch: u32, base: u32) {
  let n = globals.n;
  rngState = mix32(combineSeeds(seed, epoch));
  for (var i = 0u; i < n; i++) {
    order[base + i] = i;
  }
  for (var i = n - 1u; i > 0u; i--) {
    let j = nextU32() % (i + 1u);
    let t = order[base + i];
    order[base + i] = order[base + j];
    order[base + j] = t;
  }
}

// ---------------------------------------------------------------------------------------------
// Activations, safe for every finite input
// ---------------------------------------------------------------------------------------------

// e^y − 1 for y ≤ 0 without the cancellation of exp(y) − 1 near 0 (a Taylor series there).
fn expm1Negative(y: f32) -> f32 {
  if (y > -0.5) {
    var term = 1.0;
    for (var k = 11.0; k >= 2.0; k -= 1.0) {
      term = 1.0 + term * y / k;
    }
    return y * term;
  }
  return exp(y) - 1.0;
}

// sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}): the exponent is never positive, so it is finite
// for every x (SwiftShader's built-in tanh returns NaN for x ≥ 89).
fn stableTanh(x: f32) -> f32 {
  let t = -expm1Negative(-2.0 * abs(x));
  let magnitude = t / (2.0 - t);
  return select(magnitude, -magnitude, x < 0.0);
}

fn stableSigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

// log(1 + x) for x in [0, 1], accurate for tiny x (a series there).
fn log1pSmall(x: f32) -> f32 {
  if (x < 0.0625) {
    var term = 0.0;
    for (var k = 9.0; k >= 1.0; k -= 1.0) {
      term = 1.0 / k - x * term;
    }
    return x * term;
  }
  return log(1.0 + x);
}

fn activate(kind: u32, z: f32) -> f32 {
  switch (kind) {
    case ACT_TANH: { return stableTanh(z); }
    case ACT_RELU: { return select(0.0, z, z > 0.0); }
    case ACT_SIGMOID: { return stableSigmoid(z); }
    default: { return z; }
  }
}

// f'(z) from a = f(z) (for ReLU a > 0 exactly when z > 0; the derivative at 0 is 0).
fn activationSlope(kind: u32, a: f32) -> f32 {
  switch (kind) {
    case ACT_TANH: { return 1.0 - a * a; }
    case ACT_RELU: { return select(0.0, 1.0, a > 0.0); }
    case ACT_SIGMOID: { return a * (1.0 - a); }
    default: { return 1.0; }
  }
}

// ---------------------------------------------------------------------------------------------
// One sample: forward pass, loss, back-propagation
// ---------------------------------------------------------------------------------------------

fn weightAt(base: u32, p: u32) -> f32 {
  if (WEIGHTS_IN_WORKGROUP) {
    return weights[p];
  }
  return params[base + p];
}

// Forward pass of `sample` with the weights of the slot starting at `base`: leaves a_l in
// `acts` for every layer, and the logits z_L in the output layer's place. Returns the loss.
fn forwardLoss(sample: u32, base: u32) -> f32 {
  for (var i = 0u; i < INPUTS; i++) {
    acts[i] = data[sample * INPUTS + i];
  }
  let activation = globals.activation;
  for (var l = 0u; l < NUM_LAYERS; l++) {
    let inputs = LAYER_IN[l];
    let outputs = LAYER_OUT[l];
    let wOffset = W_OFFSET[l];
    let bOffset = B_OFFSET[l];
    let inOffset = UNIT_OFFSET[l];
    let outOffset = UNIT_OFFSET[l + 1u];
    let hidden = l + 1u < NUM_LAYERS;
    for (var j = 0u; j < outputs; j++) {
      var z = weightAt(base, bOffset + j);
      let row = wOffset + j * inputs;
      for (var i = 0u; i < inputs; i++) {
        z += weightAt(base, row + i) * acts[inOffset + i];
      }
      acts[outOffset + j] = select(z, activate(activation, z), hidden);
    }
  }
  return outputLossAndDelta(sample);
}

// Loss of the sample from the logits, and δ_L = prediction − target into `deltas`.
// Cross-entropies come from the logits (log-sum-exp), never from log(probability).
fn outputLossAndDelta(sample: u32) -> f32 {
  let out = UNIT_OFFSET[NUM_LAYERS];
  let targetAt = globals.targetBase + sample * globals.targetSize;
  switch (globals.loss) {
    case LOSS_MSE: {
      var sum = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let diff = acts[out + k] - data[targetAt + k];
        deltas[out + k] = diff;
        sum += diff * diff;
      }
      return 0.5 * sum;
    }
    case LOSS_BCE: {
      let z = acts[out];
      let y = data[targetAt];
      deltas[out] = stableSigmoid(z) - y;
      return max(z, 0.0) - z * y + log1pSmall(exp(-abs(z)));
    }
    default: {
      let label = u32(data[targetAt]);
      var largest = acts[out];
      for (var k = 1u; k < OUTPUTS; k++) {
        largest = max(largest, acts[out + k]);
      }
      var total = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let e = exp(acts[out + k] - largest);
        deltas[out + k] = e;
        total += e;
      }
      for (var k = 0u; k < OUTPUTS; k++) {
        deltas[out + k] = deltas[out + k] / total - select(0.0, 1.0, k == label);
      }
      return largest + log(total) - acts[out + label];
    }
  }
}

// Forward and backward pass of `sample`: adds ∂loss/∂θ to acc[accBase .. accBase + P).
// Returns the sample's loss.
fn accumulateSample(sample: u32, base: u32, accBase: u32) -> f32 {
  let loss = forwardLoss(sample, base);
  let activation = globals.activation;
  for (var l = NUM_LAYERS; l >= 1u; l--) {
    let inputs = LAYER_IN[l - 1u];
    let outputs = LAYER_OUT[l - 1u];
    let wOffset = W_OFFSET[l - 1u];
    let bOffset = B_OFFSET[l - 1u];
    let inOffset = UNIT_OFFSET[l - 1u];
    let outOffset = UNIT_OFFSET[l];
    // ∂loss/∂W_l[j][i] = δ_l[j]·a_{l−1}[i], ∂loss/∂b_l[j] = δ_l[j]
    for (var j = 0u; j < outputs; j++) {
      let d = deltas[outOffset + j];
      let row = accBase + wOffset + j * inputs;
      for (var i = 0u; i < inputs; i++) {
        acc[row + i] += d * acts[inOffset + i];
      }
      acc[accBase + bOffset + j] += d;
    }
    // δ_{l−1}[i] = f'(z_{l−1}[i])·Σ_j W_l[j][i]·δ_l[j] (not needed below the first hidden layer)
    if (l > 1u) {
      for (var i = 0u; i < inputs; i++) {
        var sum = 0.0;
        for (var j = 0u; j < outputs; j++) {
          sum += weightAt(base, wOffset + j * inputs + i) * deltas[outOffset + j];
        }
        deltas[inOffset + i] = sum * activationSlope(activation, acts[inOffset + i]);
      }
    }
  }
  return loss;
}

fn isFiniteF32(x: f32) -> bool {
  // Bit test: compilers may assume NaN never occurs and fold comparisons such as x != x.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn loadWeights(base: u32, lid: u32) {
  if (WEIGHTS_IN_WORKGROUP) {
    for (var p = lid; p < P; p += WG) {
      weights[p] = params[base + p];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Training: one workgroup per run, many consecutive SGD steps per dispatch
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn train(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[wid.x];
  let slot = job.slot;
  let base = slot * P;
  let velocityBase = globals.velocityBase + base;
  let accSlot = (slot * WG + lid) * P;
  let n = globals.n;
  let orderBase = slot * n;
  let sumReduction = (job.flags & FLAG_SUM) != 0u;
  let useMomentum = (job.flags & FLAG_MOMENTUM) != 0u;

  loadWeights(base, lid);
  if (lid == 0u) {
    atomicStore(&divergedFlag, state[slot].diverged);
  }
  var taken = 0u;

  for (var s = 0u; s < job.steps; s++) {
    let step = job.firstStep + s;
    let epoch = step / job.stepsPerEpoch;
    let start = (step - epoch * job.stepsPerEpoch) * job.batchSize;
    let size = min(job.batchSize, n - start);
    // Start of an epoch (or of this dispatch): make sure `order` holds this epoch's permutation.
    if (start == 0u || s == 0u) {
      if (lid == 0u && state[slot].orderEpoch != epoch) {
        writeEpochPermutation(job.seed, epoch, orderBase);
        state[slot].orderEpoch = epoch;
      }
    }
    // Previous update finished, order written, accumulators cleared, flag visible.
    storageBarrier();
    workgroupBarrier();
    let stopped = atomicLoad(&divergedFlag) != 0u;

    // Each invocation accumulates the gradients of samples lid, lid + WG, ... of the batch.
    var lossSum = 0.0;
    if (!stopped) {
      for (var i = lid; i < size; i += WG) {
        lossSum += accumulateSample(order[orderBase + start + i], base, accSlot);
      }
    }
    lossPartial[lid] = lossSum;
    storageBarrier();
    workgroupBarrier();

    if (!stopped) {
      // Batch gradient of each parameter: invocation slots added in slot order, then the update.
      let used = min(size, WG);
      let scale = select(f32(size), 1.0, sumReduction);
      var bad = false;
      for (var p = lid; p < P; p += WG) {
        var g = 0.0;
        for (var k = 0u; k < used; k++) {
          let at = (slot * WG + k) * P + p;
          g += acc[at];
          acc[at] = 0.0;
        }
        g = g / scale;
        var w = weightAt(base, p);
        if (useMomentum) {
          let v = job.momentum * params[velocityBase + p] + g;
          params[velocityBase + p] = v;
          w = w - job.learningRate * v;
        } else {
          w = w - job.learningRate * g;
        }
        if (WEIGHTS_IN_WORKGROUP) {
          weights[p] = w;
        } else {
          params[base + p] = w;
        }
        bad = bad || !isFiniteF32(w);
      }
      if (lid == 0u) {
        var total = 0.0;
        for (var k = 0u; k < WG; k++) {
          total += lossPartial[k];
        }
        let loss = total / f32(size);
        losses[job.lossBase + s] = loss;
        bad = bad || !isFiniteF32(loss);
        taken += 1u;
      }
      if (bad) {
        atomicStore(&divergedFlag, 1u);
      }
    }
  }

  workgroupBarrier();
  if (WEIGHTS_IN_WORKGROUP) {
    for (var p = lid; p < P; p += WG) {
      params[base + p] = weights[p];
    }
  }
  if (lid == 0u) {
    state[slot].diverged = atomicLoad(&divergedFlag);
    state[slot].stepsDone = job.firstStep + taken;
  }
}

// ---------------------------------------------------------------------------------------------
// Full-dataset loss: workgroup (chunk, job) adds the losses of one chunk of samples
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn dataset_loss(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[wid.y];
  let base = job.slot * P;
  loadWeights(base, lid);
  workgroupBarrier();
  let first = wid.x * globals.lossChunk;
  let end = min(globals.n, first + globals.lossChunk);
  var sum = 0.0;
  for (var i = first + lid; i < end; i += WG) {
    sum += forwardLoss(i, base);
  }
  lossPartial[lid] = sum;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var k = 0u; k < WG; k++) {
      total += lossPartial[k];
    }
    losses[job.lossBase + wid.x] = total;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-sample gradients and losses: sample k of the list goes to acc slot k.
// The host binds the per-sample output buffer as `acc` and the sample list as `order`.
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn per_sample(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[0];
  let base = job.slot * P;
  loadWeights(base, lid);
  workgroupBarrier();
  let k = (wid.y * 65535u + wid.x) * WG + lid;
  if (k < job.firstStep) {
    let accBase = k * P;
    for (var p = 0u; p < P; p++) {
      acc[accBase + p] = 0.0;
    }
    losses[k] = accumulateSample(order[k], base, accBase);
  }
}

// ---------------------------------------------------------------------------------------------
// Activation probe (tests): f(x) and f'(x) of every activation for the inputs in `acc`.
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn activation_probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i < globals.n) {
    let x = acc[i];
    for (var kind = 0u; kind < 4u; kind++) {
      let a = activate(kind, x);
      losses[i * 8u + kind] = a;
      losses[i * 8u + 4u + kind] = activationSlope(kind, a);
    }
  }
}
