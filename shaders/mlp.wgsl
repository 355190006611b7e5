// batchlab's training kernels: forward pass, back-propagation, batch reduction and update of a
// multilayer perceptron, in float32. The maths is the CPU reference engine's
// (src/engine/cpu/mlp.ts): same losses, activations, parameter values and epoch shuffles.
//
// The host specialises this file per model SHAPE only: every double-braced NAME below becomes a
// number or a list of numbers before compilation. Activation, loss, batch size, learning rate,
// momentum, reduction and seeds are runtime values (uniforms and job records), so changing them
// never recompiles. Loops stay loops: SwiftShader compiles unrolled kernels very slowly.
//
// Layout on the GPU: everything is vec4. Weight matrices are padded with zeros to a multiple of
// 4 rows and of 4 columns, bias vectors and layers of units to a multiple of 4 ("padded
// layout", see src/engine/gpu/layout.ts; the host converts to and from the flat layout of
// src/engine/model.ts). On SwiftShader every loop iteration and every dynamically indexed
// access costs far more than arithmetic, so the inner loops do 16 multiply-adds per iteration.
//
// Determinism: every sum runs in a fixed order (sample i of a batch goes to invocation i mod WG,
// each invocation adds its samples in batch order, then invocation slots are added in slot
// order). No float atomics, nothing depends on scheduling, on other runs in the dispatch or on
// where the host cuts the steps into dispatches.

const NUM_LAYERS: u32 = {{NUM_LAYERS}}u;
// Per weight layer l: inputs, outputs, vec4s per weight row, vec4 offsets of W_l and b_l.
const LAYER_IN = array<u32, {{NUM_LAYERS}}>({{LAYER_IN}});
const LAYER_OUT = array<u32, {{NUM_LAYERS}}>({{LAYER_OUT}});
const ROW_V = array<u32, {{NUM_LAYERS}}>({{ROW_V}});
const W_V = array<u32, {{NUM_LAYERS}}>({{W_V}});
const B_V = array<u32, {{NUM_LAYERS}}>({{B_V}});
// vec4 offset of layer l's units (l = 0 is the input) in the per-invocation unit arrays.
const UNIT_V = array<u32, {{NUM_LAYERS_PLUS_1}}>({{UNIT_V}});
const UNITS_V: u32 = {{UNITS_V}}u;
const INPUTS: u32 = {{INPUTS}}u;
const OUTPUTS: u32 = {{OUTPUTS}}u;
// Parameters in vec4s (padded layout).
const PV: u32 = {{PARAMS_V}}u;
const WG: u32 = {{WORKGROUP_SIZE}}u;
// Weights live in workgroup memory when they fit (the host decides), else in `params`.
const WEIGHTS_IN_WORKGROUP: bool = {{WEIGHTS_IN_WORKGROUP}};
const WORKGROUP_WEIGHTS_V: u32 = {{WORKGROUP_WEIGHTS_V}}u;
// The invocations' gradient sums meet in workgroup memory when it fits, else in `acc`.
const REDUCE_IN_WORKGROUP: bool = {{REDUCE_IN_WORKGROUP}};
const WORKGROUP_REDUCE_V: u32 = {{WORKGROUP_REDUCE_V}}u;

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
const LANE = vec4<u32>(0u, 1u, 2u, 3u);

struct Globals {
  n: u32,
  activation: u32,
  loss: u32,
  targetSize: u32,
  // Offset of the targets in `data` (the inputs come first).
  targetBase: u32,
  // vec4 offset of the velocities in `params` (the weights of every run slot come first).
  velocityBaseV: u32,
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
// Weights of every run slot (slot × PV, padded layout), then their velocities.
@group(0) @binding(3) var<storage, read_write> params: array<vec4<f32>>;
// Training: the invocations' gradient sums when they do not fit in workgroup memory.
// Per-sample kernel: the output, one PV-slot per sample. Activation probe: its inputs.
@group(0) @binding(4) var<storage, read_write> acc: array<vec4<f32>>;
// The current epoch's sample order of each run slot (slot × N); the sample list of the
// per-sample kernel.
@group(0) @binding(5) var<storage, read_write> order: array<u32>;
@group(0) @binding(6) var<storage, read_write> state: array<RunState>;
// Batch losses, dataset-loss partial sums, per-sample losses, probe outputs.
@group(0) @binding(7) var<storage, read_write> losses: array<f32>;

// Per invocation: activations a_l of every layer (logits z_L at the output) and deltas δ_l.
var<private> acts: array<vec4<f32>, UNITS_V>;
var<private> deltas: array<vec4<f32>, UNITS_V>;

var<workgroup> weights: array<vec4<f32>, WORKGROUP_WEIGHTS_V>;
// Gradient sums of the invocations: slot k of vec4 v at [v * WG + k] (neighbouring invocations
// touch neighbouring addresses); the same layout as the reduction area in `acc`.
var<workgroup> reduceBuffer: array<vec4<f32>, WORKGROUP_REDUCE_V>;
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
// Activations, safe for every finite input (vec4: four units at once)
// ---------------------------------------------------------------------------------------------

// e^y − 1 for y ≤ 0 without the cancellation of exp(y) − 1 near 0 (a Taylor series there).
fn expm1Negative(y: vec4<f32>) -> vec4<f32> {
  var series = vec4<f32>(1.0);
  series = 1.0 + series * y * (1.0 / 11.0);
  series = 1.0 + series * y * (1.0 / 10.0);
  series = 1.0 + series * y * (1.0 / 9.0);
  series = 1.0 + series * y * (1.0 / 8.0);
  series = 1.0 + series * y * (1.0 / 7.0);
  series = 1.0 + series * y * (1.0 / 6.0);
  series = 1.0 + series * y * (1.0 / 5.0);
  series = 1.0 + series * y * (1.0 / 4.0);
  series = 1.0 + series * y * (1.0 / 3.0);
  series = 1.0 + series * y * 0.5;
  return select(exp(y) - 1.0, y * series, y > vec4<f32>(-0.5));
}

// sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}): the exponent is never positive, so it is finite
// for every x (SwiftShader's built-in tanh returns NaN for x ≥ 89).
fn stableTanh(x: vec4<f32>) -> vec4<f32> {
  let t = -expm1Negative(-2.0 * abs(x));
  let magnitude = t / (2.0 - t);
  return select(magnitude, -magnitude, x < vec4<f32>(0.0));
}

// 1 / (1 + e^{−x}) with a never-positive exponent.
fn stableSigmoid(x: vec4<f32>) -> vec4<f32> {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= vec4<f32>(0.0));
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

fn activate(kind: u32, z: vec4<f32>) -> vec4<f32> {
  switch (kind) {
    case ACT_TANH: { return stableTanh(z); }
    case ACT_RELU: { return select(vec4<f32>(0.0), z, z > vec4<f32>(0.0)); }
    case ACT_SIGMOID: { return stableSigmoid(z); }
    default: { return z; }
  }
}

// f'(z) from a = f(z) (for ReLU a > 0 exactly when z > 0; the derivative at 0 is 0).
fn activationSlope(kind: u32, a: vec4<f32>) -> vec4<f32> {
  switch (kind) {
    case ACT_TANH: { return 1.0 - a * a; }
    case ACT_RELU: { return select(vec4<f32>(0.0), vec4<f32>(1.0), a > vec4<f32>(0.0)); }
    case ACT_SIGMOID: { return a * (1.0 - a); }
    default: { return vec4<f32>(1.0); }
  }
}

// ---------------------------------------------------------------------------------------------
// One sample: forward pass, loss, back-propagation
// ---------------------------------------------------------------------------------------------

fn weightAt(base: u32, v: u32) -> vec4<f32> {
  if (WEIGHTS_IN_WORKGROUP) {
    return weights[v];
  }
  return params[base + v];
}

// Where this invocation's gradient sum lives: slot `gradLane` of the reduction area starting
// at `gradBase` (only used when the reduction is in the `acc` buffer).
var<private> gradBase: u32;
var<private> gradLane: u32;

fn gradAdd(v: u32, value: vec4<f32>) {
  if (REDUCE_IN_WORKGROUP) {
    reduceBuffer[v * WG + gradLane] += value;
  } else {
    acc[gradBase + v * WG + gradLane] += value;
  }
}

fn gradSet(v: u32, value: vec4<f32>) {
  if (REDUCE_IN_WORKGROUP) {
    reduceBuffer[v * WG + gradLane] = value;
  } else {
    acc[gradBase + v * WG + gradLane] = value;
  }
}

// Slot k of vec4 v of the reduction area; cleared as it is read, ready for the next batch.
fn gradTake(v: u32, k: u32) -> vec4<f32> {
  if (REDUCE_IN_WORKGROUP) {
    let value = reduceBuffer[v * WG + k];
    reduceBuffer[v * WG + k] = vec4<f32>(0.0);
    return value;
  }
  let value = acc[gradBase + v * WG + k];
  acc[gradBase + v * WG + k] = vec4<f32>(0.0);
  return value;
}

fn hsum(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

// Forward pass of `sample` with the weights of the slot starting at vec4 `base`: leaves a_l in
// `acts` for every layer, the logits z_L in the output layer's place. Returns the loss.
// Weight rows come in groups of four (rows are padded to a multiple of 4), so one loop
// iteration does 16 multiply-adds: on SwiftShader a loop iteration costs far more than math.
fn forwardLoss(sample: u32, base: u32) -> f32 {
  for (var c = 0u; c < UNIT_V[1]; c++) {
    acts[c] = vec4<f32>(0.0);
  }
  for (var i = 0u; i < INPUTS; i++) {
    acts[i / 4u][i % 4u] = data[sample * INPUTS + i];
  }
  let activation = globals.activation;
  for (var l = 0u; l < NUM_LAYERS; l++) {
    let outputs = LAYER_OUT[l];
    let rowV = ROW_V[l];
    let wV = W_V[l];
    let bV = B_V[l];
    let inV = UNIT_V[l];
    let outV = UNIT_V[l + 1u];
    let hidden = l + 1u < NUM_LAYERS;
    for (var jv = 0u; 4u * jv < outputs; jv++) {
      let r0 = wV + 4u * jv * rowV;
      let r1 = r0 + rowV;
      let r2 = r1 + rowV;
      let r3 = r2 + rowV;
      var s0 = vec4<f32>(0.0);
      var s1 = vec4<f32>(0.0);
      var s2 = vec4<f32>(0.0);
      var s3 = vec4<f32>(0.0);
      for (var c = 0u; c < rowV; c++) {
        let a = acts[inV + c];
        s0 += weightAt(base, r0 + c) * a;
        s1 += weightAt(base, r1 + c) * a;
        s2 += weightAt(base, r2 + c) * a;
        s3 += weightAt(base, r3 + c) * a;
      }
      let z = weightAt(base, bV + jv) + vec4<f32>(hsum(s0), hsum(s1), hsum(s2), hsum(s3));
      // Padding units stay exactly 0 (sigmoid(0) would be 0.5 and leak into gradients).
      let real = vec4<u32>(4u * jv) + LANE < vec4<u32>(outputs);
      let a = select(z, activate(activation, z), hidden);
      acts[outV + jv] = select(vec4<f32>(0.0), a, real);
    }
  }
  return outputLossAndDelta(sample);
}

fn outputAt(k: u32) -> f32 {
  return acts[UNIT_V[NUM_LAYERS] + k / 4u][k % 4u];
}

fn setOutputDelta(k: u32, value: f32) {
  deltas[UNIT_V[NUM_LAYERS] + k / 4u][k % 4u] = value;
}

// Loss of the sample from the logits, and δ_L = prediction − target into `deltas`.
// Cross-entropies come from the logits (log-sum-exp), never from log(probability).
fn outputLossAndDelta(sample: u32) -> f32 {
  let outV = UNIT_V[NUM_LAYERS];
  for (var c = outV; c < UNITS_V; c++) {
    deltas[c] = vec4<f32>(0.0);
  }
  let targetAt = globals.targetBase + sample * globals.targetSize;
  switch (globals.loss) {
    case LOSS_MSE: {
      var sum = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let diff = outputAt(k) - data[targetAt + k];
        setOutputDelta(k, diff);
        sum += diff * diff;
      }
      return 0.5 * sum;
    }
    case LOSS_BCE: {
      let z = outputAt(0u);
      let y = data[targetAt];
      setOutputDelta(0u, stableSigmoid(vec4<f32>(z)).x - y);
      return max(z, 0.0) - z * y + log1pSmall(exp(-abs(z)));
    }
    default: {
      let label = u32(data[targetAt]);
      var largest = outputAt(0u);
      for (var k = 1u; k < OUTPUTS; k++) {
        largest = max(largest, outputAt(k));
      }
      var total = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let e = exp(outputAt(k) - largest);
        setOutputDelta(k, e);
        total += e;
      }
      for (var k = 0u; k < OUTPUTS; k++) {
        let index = UNIT_V[NUM_LAYERS] + k / 4u;
        deltas[index][k % 4u] = deltas[index][k % 4u] / total - select(0.0, 1.0, k == label);
      }
      return largest + log(total) - outputAt(label);
    }
  }
}

// Forward and backward pass of `sample`; adds ∂loss/∂θ to this invocation's gradient slot.
// Returns the sample's loss.
//   ∂loss/∂W_l[j][i] = δ_l[j]·a_{l−1}[i],  ∂loss/∂b_l[j] = δ_l[j],
//   δ_{l−1}[i] = f'(z_{l−1}[i])·Σ_j W_l[j][i]·δ_l[j]
fn accumulateSample(sample: u32, base: u32) -> f32 {
  let loss = forwardLoss(sample, base);
  let activation = globals.activation;
  for (var l = NUM_LAYERS; l >= 1u; l--) {
    let outputs = LAYER_OUT[l - 1u];
    let rowV = ROW_V[l - 1u];
    let wV = W_V[l - 1u];
    let bV = B_V[l - 1u];
    let inV = UNIT_V[l - 1u];
    let outV = UNIT_V[l];
    if (l > 1u) {
      for (var c = 0u; c < rowV; c++) {
        deltas[inV + c] = vec4<f32>(0.0);
      }
      for (var jv = 0u; 4u * jv < outputs; jv++) {
        let d = deltas[outV + jv];
        gradAdd(bV + jv, d);
        let r0 = wV + 4u * jv * rowV;
        let r1 = r0 + rowV;
        let r2 = r1 + rowV;
        let r3 = r2 + rowV;
        for (var c = 0u; c < rowV; c++) {
          let a = acts[inV + c];
          gradAdd(r0 + c, d.x * a);
          gradAdd(r1 + c, d.y * a);
          gradAdd(r2 + c, d.z * a);
          gradAdd(r3 + c, d.w * a);
          deltas[inV + c] += (weightAt(base, r0 + c) * d.x + weightAt(base, r1 + c) * d.y) +
            (weightAt(base, r2 + c) * d.z + weightAt(base, r3 + c) * d.w);
        }
      }
      for (var c = 0u; c < rowV; c++) {
        deltas[inV + c] *= activationSlope(activation, acts[inV + c]);
      }
    } else {
      // The first layer: no delta to carry below the inputs.
      for (var jv = 0u; 4u * jv < outputs; jv++) {
        let d = deltas[outV + jv];
        gradAdd(bV + jv, d);
        let r0 = wV + 4u * jv * rowV;
        let r1 = r0 + rowV;
        let r2 = r1 + rowV;
        let r3 = r2 + rowV;
        for (var c = 0u; c < rowV; c++) {
          let a = acts[inV + c];
          gradAdd(r0 + c, d.x * a);
          gradAdd(r1 + c, d.y * a);
          gradAdd(r2 + c, d.z * a);
          gradAdd(r3 + c, d.w * a);
        }
      }
    }
  }
  return loss;
}

fn isFiniteVec(x: vec4<f32>) -> bool {
  // Bit test: compilers may assume NaN never occurs and fold comparisons such as x != x.
  return all((bitcast<vec4<u32>>(x) & vec4<u32>(0x7f800000u)) != vec4<u32>(0x7f800000u));
}

fn loadWeights(base: u32, lid: u32) {
  if (WEIGHTS_IN_WORKGROUP) {
    for (var v = lid; v < PV; v += WG) {
      weights[v] = params[base + v];
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
  let base = slot * PV;
  let velocityBase = globals.velocityBaseV + base;
  let n = globals.n;
  let orderBase = slot * n;
  let sumReduction = (job.flags & FLAG_SUM) != 0u;
  let useMomentum = (job.flags & FLAG_MOMENTUM) != 0u;
  // The reduction area is all zeros between steps: workgroup memory starts zeroed, the `acc`
  // slots start zeroed, and each update clears what it read.
  gradBase = slot * PV * WG;
  gradLane = lid;

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
      storageBarrier();
    }
    // The previous update is finished and the divergence flag visible.
    workgroupBarrier();
    let stopped = atomicLoad(&divergedFlag) != 0u;

    // Each invocation adds up the gradients of samples lid, lid + WG, ... of the batch.
    var lossSum = 0.0;
    if (!stopped) {
      for (var i = lid; i < size; i += WG) {
        lossSum += accumulateSample(order[orderBase + start + i], base);
      }
    }
    lossPartial[lid] = lossSum;
    if (!REDUCE_IN_WORKGROUP) {
      storageBarrier();
    }
    workgroupBarrier();

    if (!stopped) {
      // Batch gradient: invocation slots added in slot order; then the update.
      let used = min(size, WG);
      let scale = select(f32(size), 1.0, sumReduction);
      var bad = false;
      for (var c = lid; c < PV; c += WG) {
        var g = gradTake(c, 0u);
        for (var k = 1u; k < used; k++) {
          g += gradTake(c, k);
        }
        g = g / scale;
        var w = weightAt(base, c);
        if (useMomentum) {
          let v = job.momentum * params[velocityBase + c] + g;
          params[velocityBase + c] = v;
          w = w - job.learningRate * v;
        } else {
          w = w - job.learningRate * g;
        }
        if (WEIGHTS_IN_WORKGROUP) {
          weights[c] = w;
        } else {
          params[base + c] = w;
        }
        bad = bad || !isFiniteVec(w);
      }
      if (lid == 0u) {
        var total = 0.0;
        for (var k = 0u; k < WG; k++) {
          total += lossPartial[k];
        }
        let loss = total / f32(size);
        losses[job.lossBase + s] = loss;
        bad = bad || !isFiniteVec(vec4<f32>(loss));
        taken += 1u;
      }
      if (bad) {
        atomicStore(&divergedFlag, 1u);
      }
    }
    if (!WEIGHTS_IN_WORKGROUP || !REDUCE_IN_WORKGROUP) {
      storageBarrier();
    }
  }

  workgroupBarrier();
  if (WEIGHTS_IN_WORKGROUP) {
    for (var v = lid; v < PV; v += WG) {
      params[base + v] = weights[v];
    }
  }
  // A run that was already stopped keeps its step count (later dispatches of the same advance
  // were planned as if it went on).
  if (lid == 0u && state[slot].diverged == 0u) {
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
  let base = job.slot * PV;
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
// Per-sample gradients and losses. Sample k of the list (in `order`) is handled by invocation
// k mod WG of workgroup g = k / WG; its gradient goes to `acc` (the output here) at
// (g·PV + v)·WG + k mod WG for vec4 v: the reduction area's own interleaved layout.
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn per_sample(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[0];
  let base = job.slot * PV;
  let group = wid.y * 65535u + wid.x;
  gradBase = group * PV * WG;
  gradLane = lid;
  loadWeights(base, lid);
  workgroupBarrier();
  let k = group * WG + lid;
  if (k < job.firstStep) {
    for (var v = 0u; v < PV; v++) {
      gradSet(v, vec4<f32>(0.0));
    }
    losses[k] = accumulateSample(order[k], base);
    if (REDUCE_IN_WORKGROUP) {
      for (var v = 0u; v < PV; v++) {
        acc[gradBase + v * WG + lid] = reduceBuffer[v * WG + lid];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Activation probe (tests): f(x) and f'(x) of every activation for the inputs in `acc`
// (x of probe i in acc[i].x); writes 8 values per input.
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn activation_probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i < globals.n) {
    let x = vec4<f32>(acc[i].x);
    for (var kind = 0u; kind < 4u; kind++) {
      let a = activate(kind, x);
      losses[i * 8u + kind] = a.x;
      losses[i * 8u + 4u + kind] = activationSlope(kind, a).x;
    }
  }
}
