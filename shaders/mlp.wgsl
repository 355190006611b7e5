// batchlab's training kernels: forward pass, back-propagation, batch reduction and update of a
// multilayer perceptron, in float32. The maths is the CPU reference engine's
// (src/engine/cpu/mlp.ts): same losses, activations, parameter values and epoch shuffles.
//
// The host specialises this file per model SHAPE only: every double-braced NAME below becomes a
// number or a list of numbers before compilation; the records the host writes and reads (Globals,
// Job, RunState) and their codes come from the one table of their fields in
// src/engine/gpu/records.ts. Activation, loss, batch size, learning rate,
// momentum, reduction and seeds are runtime values (uniforms and job records), so changing them
// never recompiles. Loops stay loops: SwiftShader compiles unrolled kernels very slowly.
//
// Layout on the GPU: everything is vec4. Weight matrices are padded with zeros to a multiple of
// 4 rows and of 4 columns, bias vectors and layers of units to a multiple of 4 ("padded
// layout", see src/engine/gpu/layout.ts; the host converts to and from the flat layout of
// src/engine/model.ts).
//
// Speed (the `train` kernel): a batch is processed in chunks of CHUNK samples whose activations
// and deltas sit in workgroup memory, one layer at a time, as small matrix products cut into
// 4 × 4 tiles (4 units × 4 samples; 4 rows × 4 inputs of the gradient). The invocations share
// out the tiles, so even a batch of one keeps every invocation busy. What this is tuned for,
// measured on SwiftShader (a workgroup runs on one CPU thread as SIMD-4): a dynamically indexed
// load or store of one float costs ~7 ns, a multiply-add a fraction of that, so a tile's 64
// multiply-adds for 32 loads beat one sample per invocation (about a load per multiply-add);
// a step of a small batch runs through the kernel's machine code once, so its size matters
// (every costly function has one call site); and both sides of a branch appear to run,
// masked, while a loop that no invocation enters is skipped (so uniform choices sit outside
// loops). A large batch's step can be shared by PARTS workgroups (`apply_parts`) to use more
// than one thread.
//
// Determinism: every sum runs in a fixed order. A unit's input sum goes over its inputs in
// order; a gradient adds its batch's samples in batch order (chunk partial sums are added in
// chunk order, and the parts of a split step in part order); the batch loss likewise. No float
// atomics, nothing depends on scheduling, on the workgroup size, on other runs in the dispatch
// or on where the host cuts the steps into dispatches (whether a run's steps are split depends
// on its batch size only).

const NUM_LAYERS: u32 = {{NUM_LAYERS}}u;
// Per weight layer l: inputs, outputs, vec4s per weight row, vec4 offsets of W_l and b_l.
const LAYER_IN = array<u32, {{NUM_LAYERS}}>({{LAYER_IN}});
const LAYER_OUT = array<u32, {{NUM_LAYERS}}>({{LAYER_OUT}});
const ROW_V = array<u32, {{NUM_LAYERS}}>({{ROW_V}});
const W_V = array<u32, {{NUM_LAYERS}}>({{W_V}});
const B_V = array<u32, {{NUM_LAYERS}}>({{B_V}});
// vec4 offset of layer l's units (l = 0 is the input) among a sample's units (see chunkActs).
const UNIT_V = array<u32, {{NUM_LAYERS_PLUS_1}}>({{UNIT_V}});
const UNITS_V: u32 = {{UNITS_V}}u;
const INPUTS: u32 = {{INPUTS}}u;
const OUTPUTS: u32 = {{OUTPUTS}}u;
// Parameters in vec4s (padded layout).
const PV: u32 = {{PARAMS_V}}u;
const WG: u32 = {{WORKGROUP_SIZE}}u;
// Workgroups that share one step of a large batch (see `apply_parts`).
const PARTS: u32 = {{PARTS}}u;
// Weights live in workgroup memory when they fit (the host decides), else in `params`.
const WEIGHTS_IN_WORKGROUP: bool = {{WEIGHTS_IN_WORKGROUP}};
const WORKGROUP_WEIGHTS_V: u32 = {{WORKGROUP_WEIGHTS_V}}u;
// A batch larger than one chunk adds its chunks' gradients in workgroup memory when they fit,
// else in the run slot's area of `gradientSums`.
const REDUCE_IN_WORKGROUP: bool = {{REDUCE_IN_WORKGROUP}};
const WORKGROUP_REDUCE_V: u32 = {{WORKGROUP_REDUCE_V}}u;
// Samples per chunk of the training kernel (a multiple of 4).
const CHUNK: u32 = {{CHUNK}}u;
// vec4s of output units.
const OUT_V: u32 = UNITS_V - UNIT_V[NUM_LAYERS];

// Activation and loss codes, Job flags (FLAG_PREPARE_ONLY: apply_parts only makes sure
// `epochOrder` holds the permutation for job.firstStep's epoch), NOT_A_PART, NO_EPOCH.
{{RECORD_CONSTANTS}}
const LANE = vec4<u32>(0u, 1u, 2u, 3u);

// The uniform values of one engine.
{{GLOBALS_STRUCT}}

// One run's work in one dispatch of train, apply_parts or dataset_loss.
{{JOB_STRUCT}}

// What the training kernel keeps per run slot between dispatches.
{{RUN_STATE_STRUCT}}

// Bindings: group 0 is shared by every kernel; group 1 holds each kernel's own inputs and outputs
// (one meaning per binding; the host's table of them is KERNEL_BINDINGS in
// src/engine/gpu/shader.ts).
@group(0) @binding(0) var<uniform> globals: Globals;
// Inputs (N × INPUTS) then targets (N × targetSize), float32.
@group(0) @binding(1) var<storage, read> data: array<f32>;
@group(0) @binding(2) var<storage, read> jobs: array<Job>;
// Weights of every run slot (slot × PV, padded layout), then their velocities.
@group(0) @binding(3) var<storage, read_write> params: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> state: array<RunState>;
// train and apply_parts: gradient sums kept in storage. Per run slot, the sum of a batch's
// chunks when it does not fit in workgroup memory (from slot · PV); from globals.partsBaseV, the
// sum of each part of a split step and its loss sum: (slot · PARTS + part) · (PV + 1).
@group(1) @binding(0) var<storage, read_write> gradientSums: array<vec4<f32>>;
// train and apply_parts: the current epoch's sample order of each run slot (slot × N).
@group(1) @binding(1) var<storage, read_write> epochOrder: array<u32>;
// train and apply_parts: the loss of each step taken, at job.lossBase onwards.
@group(1) @binding(2) var<storage, read_write> batchLosses: array<f32>;
// dataset_loss: the loss sum of each (chunk of samples, job), at job.lossBase onwards.
@group(1) @binding(3) var<storage, read_write> lossSums: array<f32>;
// per_sample: the samples whose gradients are wanted (its length is their number).
@group(1) @binding(4) var<storage, read> sampleList: array<u32>;
// per_sample: the gradient of list entry k at [k · PV, (k + 1) · PV) (padded layout).
@group(1) @binding(5) var<storage, read_write> sampleGradients: array<vec4<f32>>;
// per_sample: the loss of list entry k.
@group(1) @binding(6) var<storage, read_write> sampleLosses: array<f32>;
// activation_probe: x of probe i in probeInputs[i].x (its length is the number of probes).
@group(1) @binding(7) var<storage, read> probeInputs: array<vec4<f32>>;
// activation_probe: 8 values per probe (4 activations, then their 4 slopes).
@group(1) @binding(8) var<storage, read_write> probeOutputs: array<f32>;

var<workgroup> weights: array<vec4<f32>, WORKGROUP_WEIGHTS_V>;
// A chunk of samples (every kernel but the probe): vec4 c of layer l's units for sample s at
// [(UNIT_V[l] + c) * CHUNK + s] (activations a_l, logits at the output; deltas δ_l).
var<workgroup> chunkActs: array<vec4<f32>, UNITS_V * CHUNK>;
var<workgroup> chunkDeltas: array<vec4<f32>, UNITS_V * CHUNK>;
var<workgroup> chunkSamples: array<u32, CHUNK>;
var<workgroup> chunkLosses: array<f32, CHUNK>;
// Sum of the gradients of the current batch's finished chunks (padded layout).
var<workgroup> chunkGradientSum: array<vec4<f32>, WORKGROUP_REDUCE_V>;
// Set by any invocation that sees a weight or loss turn NaN or infinite.
var<workgroup> divergedFlag: atomic<u32>;
// divergedFlag as of the start of a step, for a uniform decision to stop.
var<workgroup> stopFlag: u32;

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

// epochPermutation(seed, epoch, n) into epochOrder[base .. base + n): Fisher–Yates with `%`.
fn writeEpochPermutation(seed: u32, epoch: u32, base: u32) {
  let n = globals.n;
  rngState = mix32(combineSeeds(seed, epoch));
  for (var i = 0u; i < n; i++) {
    epochOrder[base + i] = i;
  }
  for (var i = n - 1u; i > 0u; i--) {
    let j = nextU32() % (i + 1u);
    let t = epochOrder[base + i];
    epochOrder[base + i] = epochOrder[base + j];
    epochOrder[base + j] = t;
  }
}

// ---------------------------------------------------------------------------------------------
// Activations, safe for every finite input (vec4: four units at once)
// ---------------------------------------------------------------------------------------------

// tanh, finite for every x (SwiftShader's built-in tanh returns NaN for x ≥ 89). For |x| ≥ 1/4:
// sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}), whose exponent is never positive. Below 1/4, where
// 1 − e^{−2|x|} would lose digits, the odd Taylor series to x⁹ (next term < 1e-8 relative).
fn stableTanh(x: vec4<f32>) -> vec4<f32> {
  let m = abs(x);
  let e = exp(-2.0 * m);
  let far = (1.0 - e) / (1.0 + e);
  let m2 = m * m;
  let near = m * (1.0 + m2 * (-1.0 / 3.0 + m2 * (2.0 / 15.0 + m2 * (-17.0 / 315.0 + m2 * (62.0 / 2835.0)))));
  let magnitude = select(far, near, m < vec4<f32>(0.25));
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

fn relu(x: vec4<f32>) -> vec4<f32> {
  return select(vec4<f32>(0.0), x, x > vec4<f32>(0.0));
}

// f(z) of one kind (the probe's view; training applies stableTanh, relu, stableSigmoid itself).
fn activate(kind: u32, z: vec4<f32>) -> vec4<f32> {
  switch (kind) {
    case ACT_TANH: { return stableTanh(z); }
    case ACT_RELU: { return relu(z); }
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
// Weights, loss
// ---------------------------------------------------------------------------------------------

fn weightAt(base: u32, v: u32) -> vec4<f32> {
  if (WEIGHTS_IN_WORKGROUP) {
    return weights[v];
  }
  return params[base + v];
}

struct OutputLoss {
  loss: f32,
  // δ_L = ∂loss/∂z_L: prediction − target (zero in the padding units).
  delta: array<vec4<f32>, OUT_V>,
}

// Loss of `sample` from its logits z_L. Cross-entropies come from the logits (log-sum-exp),
// never from log(probability).
fn lossAndDelta(logits: array<vec4<f32>, OUT_V>, sample: u32) -> OutputLoss {
  var z = logits;
  var result: OutputLoss;
  let targetAt = globals.targetBase + sample * globals.targetSize;
  switch (globals.loss) {
    case LOSS_MSE: {
      var sum = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let diff = z[k / 4u][k % 4u] - data[targetAt + k];
        result.delta[k / 4u][k % 4u] = diff;
        sum += diff * diff;
      }
      result.loss = 0.5 * sum;
    }
    case LOSS_BCE: {
      let logit = z[0].x;
      let y = data[targetAt];
      result.delta[0].x = stableSigmoid(vec4<f32>(logit)).x - y;
      result.loss = max(logit, 0.0) - logit * y + log1pSmall(exp(-abs(logit)));
    }
    default: {
      let label = u32(data[targetAt]);
      var largest = z[0].x;
      for (var k = 1u; k < OUTPUTS; k++) {
        largest = max(largest, z[k / 4u][k % 4u]);
      }
      var total = 0.0;
      for (var k = 0u; k < OUTPUTS; k++) {
        let e = exp(z[k / 4u][k % 4u] - largest);
        result.delta[k / 4u][k % 4u] = e;
        total += e;
      }
      for (var k = 0u; k < OUTPUTS; k++) {
        result.delta[k / 4u][k % 4u] = result.delta[k / 4u][k % 4u] / total - select(0.0, 1.0, k == label);
      }
      result.loss = largest + log(total) - z[label / 4u][label % 4u];
    }
  }
  return result;
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
// Training: one workgroup per run, many consecutive SGD steps per dispatch. A step goes through
// its batch in chunks: inputs → forward, layer by layer → loss and δ_L → backward, layer by
// layer → every layer's gradient (and, after the batch's last chunk, the update).
// ---------------------------------------------------------------------------------------------

// The job's run slot and update settings, set once per dispatch.
const NO_PART_AREA: u32 = 0xffffffffu;
var<private> slotBase: u32;
// Where a part of a split step leaves its gradient sum (vec4 offset in `gradientSums`), or
// NO_PART_AREA.
var<private> partBase: u32;
var<private> velocityBase: u32;
var<private> gradientSumBase: u32;
var<private> learningRate: f32;
var<private> momentum: f32;
var<private> useMomentum: bool;

fn chunkAt(unitV: u32, s: u32) -> u32 {
  return unitV * CHUNK + s;
}

// Layer 0 of the chunk: the inputs of the samples in chunkSamples[0 .. count), which each
// invocation has set for its own s (s = lid, lid + WG, …) from its kernel's list of samples.
fn loadChunkInputs(count: u32, lid: u32) {
  for (var s = lid; s < count; s += WG) {
    let sample = chunkSamples[s];
    for (var c = 0u; c < UNIT_V[1]; c++) {
      var x = vec4<f32>(0.0);
      for (var k = 0u; k < 4u && 4u * c + k < INPUTS; k++) {
        x[k] = data[sample * INPUTS + 4u * c + k];
      }
      chunkActs[chunkAt(c, s)] = x;
    }
  }
}

// a_{l+1} = f(W_l a_l + b_l) for the chunk's samples (the logits z_L at the output layer).
// Work item: 4 units × 4 samples. Samples past the chunk's end compute harmless garbage that
// nothing reads.
fn forwardChunk(l: u32, count: u32, lid: u32) {
  let outputs = LAYER_OUT[l];
  let rowV = ROW_V[l];
  let blocks = (outputs + 3u) / 4u;
  let inV = UNIT_V[l];
  let outV = UNIT_V[l + 1u];
  let hidden = l + 1u < NUM_LAYERS;
  let activation = globals.activation;
  let tiles = (count + 3u) / 4u;
  for (var item = lid; item < blocks * tiles; item += WG) {
    let jb = item % blocks;
    let s = 4u * (item / blocks);
    let r0 = W_V[l] + 4u * jb * rowV;
    let r1 = r0 + rowV;
    let r2 = r1 + rowV;
    let r3 = r2 + rowV;
    // z[q]: the 4 units' input sums for sample s + q.
    var z0 = vec4<f32>(0.0);
    var z1 = vec4<f32>(0.0);
    var z2 = vec4<f32>(0.0);
    var z3 = vec4<f32>(0.0);
    for (var c = 0u; c < rowV; c++) {
      let w0 = weightAt(slotBase, r0 + c);
      let w1 = weightAt(slotBase, r1 + c);
      let w2 = weightAt(slotBase, r2 + c);
      let w3 = weightAt(slotBase, r3 + c);
      let at = chunkAt(inV + c, s);
      let a0 = chunkActs[at];
      let a1 = chunkActs[at + 1u];
      let a2 = chunkActs[at + 2u];
      let a3 = chunkActs[at + 3u];
      z0 += vec4<f32>(dot(w0, a0), dot(w1, a0), dot(w2, a0), dot(w3, a0));
      z1 += vec4<f32>(dot(w0, a1), dot(w1, a1), dot(w2, a1), dot(w3, a1));
      z2 += vec4<f32>(dot(w0, a2), dot(w1, a2), dot(w2, a2), dot(w3, a2));
      z3 += vec4<f32>(dot(w0, a3), dot(w1, a3), dot(w2, a3), dot(w3, a3));
    }
    let bias = weightAt(slotBase, B_V[l] + jb);
    let z = array<vec4<f32>, 4>(z0 + bias, z1 + bias, z2 + bias, z3 + bias);
    // Padding units stay exactly 0 (sigmoid(0) would be 0.5 and leak into gradients).
    let real = vec4<u32>(4u * jb) + LANE < vec4<u32>(outputs);
    // The output layer keeps its logits. One loop per activation: only the active one runs.
    let at = chunkAt(outV + jb, s);
    switch (select(ACT_LINEAR, activation, hidden)) {
      case ACT_TANH: {
        for (var q = 0u; q < 4u; q++) {
          chunkActs[at + q] = select(vec4<f32>(0.0), stableTanh(z[q]), real);
        }
      }
      case ACT_RELU: {
        for (var q = 0u; q < 4u; q++) {
          chunkActs[at + q] = select(vec4<f32>(0.0), relu(z[q]), real);
        }
      }
      case ACT_SIGMOID: {
        for (var q = 0u; q < 4u; q++) {
          chunkActs[at + q] = select(vec4<f32>(0.0), stableSigmoid(z[q]), real);
        }
      }
      default: {
        for (var q = 0u; q < 4u; q++) {
          chunkActs[at + q] = select(vec4<f32>(0.0), z[q], real);
        }
      }
    }
  }
}

// The loss and δ_L of each of the chunk's samples.
fn outputChunk(count: u32, lid: u32) {
  let outV = UNIT_V[NUM_LAYERS];
  for (var s = lid; s < count; s += WG) {
    var logits: array<vec4<f32>, OUT_V>;
    for (var c = 0u; c < OUT_V; c++) {
      logits[c] = chunkActs[chunkAt(outV + c, s)];
    }
    let result = lossAndDelta(logits, chunkSamples[s]);
    chunkLosses[s] = result.loss;
    for (var c = 0u; c < OUT_V; c++) {
      chunkDeltas[chunkAt(outV + c, s)] = result.delta[c];
    }
  }
}

// δ_l = f'(z_l) ⊙ W_lᵀ δ_{l+1} for the chunk's samples (l ≥ 1: the inputs need no delta).
// Work item: 4 units of layer l × 4 samples.
fn backwardChunk(l: u32, count: u32, lid: u32) {
  let rowV = ROW_V[l];
  let blocks = (LAYER_OUT[l] + 3u) / 4u;
  let inV = UNIT_V[l];
  let outV = UNIT_V[l + 1u];
  let activation = globals.activation;
  let tiles = (count + 3u) / 4u;
  for (var item = lid; item < rowV * tiles; item += WG) {
    let c = item % rowV;
    let s = 4u * (item / rowV);
    var e0 = vec4<f32>(0.0);
    var e1 = vec4<f32>(0.0);
    var e2 = vec4<f32>(0.0);
    var e3 = vec4<f32>(0.0);
    for (var jb = 0u; jb < blocks; jb++) {
      let r0 = W_V[l] + 4u * jb * rowV + c;
      let w0 = weightAt(slotBase, r0);
      let w1 = weightAt(slotBase, r0 + rowV);
      let w2 = weightAt(slotBase, r0 + 2u * rowV);
      let w3 = weightAt(slotBase, r0 + 3u * rowV);
      let at = chunkAt(outV + jb, s);
      let d0 = chunkDeltas[at];
      let d1 = chunkDeltas[at + 1u];
      let d2 = chunkDeltas[at + 2u];
      let d3 = chunkDeltas[at + 3u];
      e0 += (w0 * d0.x + w1 * d0.y) + (w2 * d0.z + w3 * d0.w);
      e1 += (w0 * d1.x + w1 * d1.y) + (w2 * d1.z + w3 * d1.w);
      e2 += (w0 * d2.x + w1 * d2.y) + (w2 * d2.z + w3 * d2.w);
      e3 += (w0 * d3.x + w1 * d3.y) + (w2 * d3.z + w3 * d3.w);
    }
    let e = array<vec4<f32>, 4>(e0, e1, e2, e3);
    let at = chunkAt(inV + c, s);
    for (var q = 0u; q < 4u; q++) {
      chunkDeltas[at + q] = e[q] * activationSlope(activation, chunkActs[at + q]);
    }
  }
}

// Inputs, forward pass and loss of a chunk (see loadChunkInputs): leaves a_l for every layer,
// each sample's loss in chunkLosses and δ_L in chunkDeltas, visible to every invocation.
fn forwardAndLoss(count: u32, lid: u32) {
  loadChunkInputs(count, lid);
  workgroupBarrier();
  for (var l = 0u; l < NUM_LAYERS; l++) {
    forwardChunk(l, count, lid);
    workgroupBarrier();
  }
  outputChunk(count, lid);
  workgroupBarrier();
}

fn gradientSumAt(v: u32) -> vec4<f32> {
  if (REDUCE_IN_WORKGROUP) {
    return chunkGradientSum[v];
  }
  return gradientSums[gradientSumBase + v];
}

fn setGradientSum(v: u32, value: vec4<f32>) {
  if (REDUCE_IN_WORKGROUP) {
    chunkGradientSum[v] = value;
  } else {
    gradientSums[gradientSumBase + v] = value;
  }
}

// SwiftShader appears to run both sides of a branch (masked), but skips a loop whose condition
// fails for all invocations: so uniform choices (momentum or not, part or not) sit outside the
// loops over parameters, and each side is a loop of its own (~15% at B = 1).

// The step's update from the batch's gradient sum (w ← w − lr·g, or with momentum
// v ← μ·v + g, w ← w − lr·v; g = sum / B for mean reduction). Returns whether a new weight is
// not finite.
fn updateWeights(scale: f32, lid: u32) -> bool {
  var bad = false;
  if (useMomentum) {
    for (var v = lid; v < PV; v += WG) {
      let velocity = momentum * params[velocityBase + v] + gradientSumAt(v) / scale;
      params[velocityBase + v] = velocity;
      bad = bad | setWeight(v, weightAt(slotBase, v) - learningRate * velocity);
    }
  } else {
    for (var v = lid; v < PV; v += WG) {
      bad = bad | setWeight(v, weightAt(slotBase, v) - learningRate * (gradientSumAt(v) / scale));
    }
  }
  return bad;
}

fn setWeight(v: u32, w: vec4<f32>) -> bool {
  if (WEIGHTS_IN_WORKGROUP) {
    weights[v] = w;
  } else {
    params[slotBase + v] = w;
  }
  return !isFiniteVec(w);
}

// The gradient of weight layer l over the chunk's samples, added in batch order:
//   ∂loss/∂W_l[j][i] = Σ_s δ_{l+1}[s][j]·a_l[s][i],  ∂loss/∂b_l[j] = Σ_s δ_{l+1}[s][j].
// Work item: 4 rows × 4 inputs of W_l, or (as input block c = rowV, an input of constant 1)
// 4 biases. The sum over the batch's earlier chunks is added in chunk order.
fn gradientChunk(l: u32, count: u32, firstChunk: bool, lid: u32) {
  let rowV = ROW_V[l];
  let blocks = (LAYER_OUT[l] + 3u) / 4u;
  let deltaV = UNIT_V[l + 1u];
  let inputV = UNIT_V[l];
  for (var item = lid; item < blocks * (rowV + 1u); item += WG) {
    let jb = item / (rowV + 1u);
    let c = item % (rowV + 1u);
    let isBias = c == rowV;
    let deltaAt = chunkAt(deltaV + jb, 0u);
    let inputAt = chunkAt(inputV + min(c, rowV - 1u), 0u);
    var g0 = vec4<f32>(0.0);
    var g1 = vec4<f32>(0.0);
    var g2 = vec4<f32>(0.0);
    var g3 = vec4<f32>(0.0);
    for (var s = 0u; s < count; s++) {
      let d = chunkDeltas[deltaAt + s];
      let a = select(chunkActs[inputAt + s], vec4<f32>(1.0), isBias);
      g0 += d.x * a;
      g1 += d.y * a;
      g2 += d.z * a;
      g3 += d.w * a;
    }
    // A bias block's 4 gradients are the first components of g0..g3.
    let g = array<vec4<f32>, 4>(
      select(g0, vec4<f32>(g0.x, g1.x, g2.x, g3.x), isBias), g1, g2, g3);
    let rows = select(4u, 1u, isBias);
    let first = select(W_V[l] + 4u * jb * rowV + c, B_V[l] + jb, isBias);
    for (var k = 0u; k < rows; k++) {
      let v = first + k * rowV;
      setGradientSum(v, select(gradientSumAt(v), vec4<f32>(0.0), firstChunk) + g[k]);
    }
  }
}

@compute @workgroup_size(WG)
fn train(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[wid.x];
  let slot = job.slot;
  // A part of a split step trains one step's share of chunks and leaves the rest to apply_parts.
  let isPart = job.part != NOT_A_PART;
  slotBase = slot * PV;
  velocityBase = globals.velocityBaseV + slotBase;
  partBase = select(NO_PART_AREA, globals.partsBaseV + (slot * PARTS + job.part) * (PV + 1u), isPart);
  // A part keeps its running sum in its own area (the parts of a slot run side by side).
  gradientSumBase = select(slot * PV, partBase, isPart);
  learningRate = job.learningRate;
  momentum = job.momentum;
  useMomentum = (job.flags & FLAG_MOMENTUM) != 0u;
  let n = globals.n;
  let orderBase = slot * n;
  let sumReduction = (job.flags & FLAG_SUM) != 0u;

  loadWeights(slotBase, lid);
  if (lid == 0u) {
    atomicStore(&divergedFlag, state[slot].diverged);
  }
  var taken = 0u;

  for (var s = 0u; s < job.steps; s++) {
    let step = job.firstStep + s;
    let epoch = step / job.stepsPerEpoch;
    let start = (step - epoch * job.stepsPerEpoch) * job.batchSize;
    let size = min(job.batchSize, n - start);
    // Start of an epoch (or of this dispatch): make sure `epochOrder` holds this epoch's permutation
    // (apply_parts has prepared it for a part).
    if (!isPart && (start == 0u || s == 0u)) {
      if (lid == 0u && state[slot].orderEpoch != epoch) {
        writeEpochPermutation(job.seed, epoch, orderBase);
        state[slot].orderEpoch = epoch;
      }
      storageBarrier();
    }
    // The previous step is finished; a run that diverged takes no more steps.
    workgroupBarrier();
    if (lid == 0u) {
      stopFlag = atomicLoad(&divergedFlag);
    }
    if (workgroupUniformLoad(&stopFlag) != 0u) {
      break;
    }

    let scale = select(f32(size), 1.0, sumReduction);
    let chunks = (size + CHUNK - 1u) / CHUNK;
    // A part takes a contiguous share of the chunks (possibly none: then its sum is zero).
    let chunkFirst = select(0u, job.part * chunks / PARTS, isPart);
    let chunkEnd = select(chunks, (job.part + 1u) * chunks / PARTS, isPart);
    var batchLoss = 0.0;
    var bad = false;
    for (var chunk = chunkFirst; chunk < chunkEnd; chunk++) {
      let first = chunk * CHUNK;
      let count = min(CHUNK, size - first);
      for (var k = lid; k < count; k += WG) {
        chunkSamples[k] = epochOrder[orderBase + start + first + k];
      }
      forwardAndLoss(count, lid);
      for (var l = NUM_LAYERS - 1u; l >= 1u; l--) {
        backwardChunk(l, count, lid);
        workgroupBarrier();
      }
      for (var l = 0u; l < NUM_LAYERS; l++) {
        gradientChunk(l, count, chunk == chunkFirst, lid);
      }
      if (lid == 0u) {
        for (var k = 0u; k < count; k++) {
          batchLoss += chunkLosses[k];
        }
      }
      // The chunk's memory may be reused, and the gradient sum is complete.
      if (!REDUCE_IN_WORKGROUP) {
        storageBarrier();
      }
      workgroupBarrier();
    }
    if (isPart) {
      // The part's sum (zero if it had no chunk) waits in `gradientSums` for apply_parts.
      let empty = chunkFirst == chunkEnd;
      for (var v = lid; v < PV; v += WG) {
        gradientSums[partBase + v] = select(gradientSumAt(v), vec4<f32>(0.0), empty);
      }
    } else {
      bad = updateWeights(scale, lid);
      // Updated weights are visible to every invocation before the next step.
      if (!WEIGHTS_IN_WORKGROUP) {
        storageBarrier();
      }
    }
    if (lid == 0u && isPart) {
      gradientSums[partBase + PV] = vec4<f32>(batchLoss, 0.0, 0.0, 0.0);
    }
    if (lid == 0u && !isPart) {
      let loss = batchLoss / f32(size);
      batchLosses[job.lossBase + s] = loss;
      bad = bad | !isFiniteVec(vec4<f32>(loss));
      taken += 1u;
    }
    if (bad) {
      atomicStore(&divergedFlag, 1u);
    }
  }

  // A part changed no weights and leaves the run's state to apply_parts.
  if (isPart) {
    return;
  }
  workgroupBarrier();
  if (WEIGHTS_IN_WORKGROUP) {
    for (var v = lid; v < PV; v += WG) {
      params[slotBase + v] = weights[v];
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
// A step split over PARTS workgroups (a large batch, to use several cores or GPU units): each
// part `train`s a contiguous share of the batch's chunks and leaves its gradient sum and loss sum
// in `gradientSums`; apply_parts then adds the parts in part order, updates the weights and makes
// sure `epochOrder` holds the next step's epoch permutation. One workgroup per run. With
// FLAG_PREPARE_ONLY it only prepares the order of job.firstStep (before a run's first split step).
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn apply_parts(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[wid.x];
  let slot = job.slot;
  slotBase = slot * PV;
  velocityBase = globals.velocityBaseV + slotBase;
  gradientSumBase = slot * PV;
  learningRate = job.learningRate;
  momentum = job.momentum;
  useMomentum = (job.flags & FLAG_MOMENTUM) != 0u;
  let n = globals.n;
  if (lid == 0u) {
    stopFlag = state[slot].diverged;
  }
  let stopped = workgroupUniformLoad(&stopFlag) != 0u;
  if (stopped) {
    return;
  }
  var nextStep = job.firstStep;
  if ((job.flags & FLAG_PREPARE_ONLY) == 0u) {
    let step = job.firstStep;
    let epoch = step / job.stepsPerEpoch;
    let start = (step - epoch * job.stepsPerEpoch) * job.batchSize;
    let size = min(job.batchSize, n - start);
    let scale = select(f32(size), 1.0, (job.flags & FLAG_SUM) != 0u);
    let areas = globals.partsBaseV + slot * PARTS * (PV + 1u);
    loadWeights(slotBase, lid);
    // The batch's gradient sum: the parts' sums added in part order.
    for (var v = lid; v < PV; v += WG) {
      var g = gradientSums[areas + v];
      for (var p = 1u; p < PARTS; p++) {
        g += gradientSums[areas + p * (PV + 1u) + v];
      }
      setGradientSum(v, g);
    }
    if (!REDUCE_IN_WORKGROUP) {
      storageBarrier();
    }
    workgroupBarrier();
    var bad = updateWeights(scale, lid);
    if (lid == 0u) {
      var total = 0.0;
      for (var p = 0u; p < PARTS; p++) {
        total += gradientSums[areas + p * (PV + 1u) + PV].x;
      }
      let loss = total / f32(size);
      batchLosses[job.lossBase] = loss;
      bad = bad | !isFiniteVec(vec4<f32>(loss));
    }
    if (bad) {
      atomicStore(&divergedFlag, 1u);
    }
    workgroupBarrier();
    if (WEIGHTS_IN_WORKGROUP) {
      for (var v = lid; v < PV; v += WG) {
        params[slotBase + v] = weights[v];
      }
    }
    if (lid == 0u) {
      state[slot].diverged = atomicLoad(&divergedFlag);
      state[slot].stepsDone = step + 1u;
    }
    nextStep = step + 1u;
  }
  let epoch = nextStep / job.stepsPerEpoch;
  if (lid == 0u && state[slot].orderEpoch != epoch) {
    writeEpochPermutation(job.seed, epoch, slot * n);
    state[slot].orderEpoch = epoch;
  }
}

// ---------------------------------------------------------------------------------------------
// Full-dataset loss: workgroup (x, job) adds the losses of samples x·lossChunk onwards (in
// order, CHUNK at a time) with the weights of the job's run slot
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn dataset_loss(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[wid.y];
  slotBase = job.slot * PV;
  loadWeights(slotBase, lid);
  let first = wid.x * globals.lossChunk;
  let end = min(globals.n, first + globals.lossChunk);
  var total = 0.0;
  for (var at = first; at < end; at += CHUNK) {
    let count = min(CHUNK, end - at);
    // The weights are loaded, and the previous chunk's memory is free.
    workgroupBarrier();
    for (var k = lid; k < count; k += WG) {
      chunkSamples[k] = at + k;
    }
    forwardAndLoss(count, lid);
    if (lid == 0u) {
      for (var k = 0u; k < count; k++) {
        total += chunkLosses[k];
      }
    }
  }
  if (lid == 0u) {
    lossSums[job.lossBase + wid.x] = total;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-sample gradients and losses of the samples in `sampleList` with the weights of jobs[0]'s
// run slot, by the same forward, loss and backward code that trains: workgroup g takes list
// entries g·CHUNK onwards.
// ---------------------------------------------------------------------------------------------

// ∂loss/∂θ of weight layer l for each of the chunk's samples (their δ and a are in the chunk).
fn writeSampleGradients(l: u32, first: u32, count: u32, lid: u32) {
  let rowV = ROW_V[l];
  let blocks = (LAYER_OUT[l] + 3u) / 4u;
  let perSample = blocks * (rowV + 1u);
  for (var item = lid; item < count * perSample; item += WG) {
    let s = item / perSample;
    let jb = (item % perSample) / (rowV + 1u);
    let c = (item % perSample) % (rowV + 1u);
    let d = chunkDeltas[chunkAt(UNIT_V[l + 1u] + jb, s)];
    let out = (first + s) * PV;
    if (c < rowV) {
      let a = chunkActs[chunkAt(UNIT_V[l] + c, s)];
      let r0 = out + W_V[l] + 4u * jb * rowV + c;
      sampleGradients[r0] = d.x * a;
      sampleGradients[r0 + rowV] = d.y * a;
      sampleGradients[r0 + 2u * rowV] = d.z * a;
      sampleGradients[r0 + 3u * rowV] = d.w * a;
    } else {
      sampleGradients[out + B_V[l] + jb] = d;
    }
  }
}

@compute @workgroup_size(WG)
fn per_sample(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let job = jobs[0];
  slotBase = job.slot * PV;
  loadWeights(slotBase, lid);
  let listed = arrayLength(&sampleList);
  let first = (wid.y * 65535u + wid.x) * CHUNK;
  if (first >= listed) {
    return;
  }
  let count = min(CHUNK, listed - first);
  for (var k = lid; k < count; k += WG) {
    chunkSamples[k] = sampleList[first + k];
  }
  workgroupBarrier();
  forwardAndLoss(count, lid);
  for (var l = NUM_LAYERS - 1u; l >= 1u; l--) {
    backwardChunk(l, count, lid);
    workgroupBarrier();
  }
  for (var l = 0u; l < NUM_LAYERS; l++) {
    writeSampleGradients(l, first, count, lid);
  }
  for (var s = lid; s < count; s += WG) {
    sampleLosses[first + s] = chunkLosses[s];
  }
}

// ---------------------------------------------------------------------------------------------
// Activation probe (tests): f(x) and f'(x) of every activation for the probeInputs; writes 8
// values per input to probeOutputs.
// ---------------------------------------------------------------------------------------------

@compute @workgroup_size(WG)
fn activation_probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i < arrayLength(&probeInputs)) {
    let x = vec4<f32>(probeInputs[i].x);
    for (var kind = 0u; kind < 4u; kind++) {
      let a = activate(kind, x);
      probeOutputs[i * 8u + kind] = a.x;
      probeOutputs[i * 8u + 4u + kind] = activationSlope(kind, a).x;
    }
  }
}
