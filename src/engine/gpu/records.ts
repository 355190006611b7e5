/**
 * The binary records the host and `shaders/mlp.wgsl` share, each described ONCE here as a table
 * of named fields. The table gives both the host's encoder (field → byte offset) and the WGSL
 * struct, which `specialiseMlpShader` substitutes at the record's placeholder in the .wgsl file;
 * likewise the codes and flags the records carry. `records.test.ts` checks that they agree.
 */

export type FieldType = 'u32' | 'f32';

export interface FieldSpec<Name extends string> {
  name: Name;
  type: FieldType;
  /** What the field means (becomes a comment in the WGSL struct). */
  doc?: string;
}

/** Every field is 4 bytes; a record is padded to a multiple of 16 bytes (array stride). */
export class RecordLayout<Name extends string> {
  readonly bytes: number;
  readonly words: number;
  private readonly offsets: Record<Name, number>;

  constructor(
    readonly structName: string,
    readonly fields: readonly FieldSpec<Name>[],
  ) {
    this.words = Math.ceil(fields.length / 4) * 4;
    this.bytes = 4 * this.words;
    const offsets = {} as Record<Name, number>;
    fields.forEach((field, index) => {
      offsets[field.name] = index;
    });
    this.offsets = offsets;
  }

  /** Index of a field in 32-bit words from the start of its record. */
  wordOf(name: Name): number {
    return this.offsets[name];
  }

  /** The WGSL struct (padding fields named pad0, pad1, …). */
  wgsl(): string {
    const lines = [`struct ${this.structName} {`];
    for (const field of this.fields) {
      if (field.doc) lines.push(`  // ${field.doc}`);
      lines.push(`  ${field.name}: ${field.type},`);
    }
    for (let pad = this.fields.length; pad < this.words; pad++)
      lines.push(`  pad${pad - this.fields.length}: u32,`);
    lines.push('}');
    return lines.join('\n');
  }

  /**
   * Writes record `index` of `words` (a Uint32Array over the records; `floats` views the same
   * memory). Fields left out are 0.
   */
  write(
    words: Uint32Array,
    floats: Float32Array,
    index: number,
    values: Partial<Record<Name, number>>,
  ): void {
    const base = index * this.words;
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f] as FieldSpec<Name>;
      const value = values[field.name] ?? 0;
      if (field.type === 'f32') floats[base + f] = value;
      else words[base + f] = value;
    }
  }

  /** A fresh record array of `count` records (at least one), its size rounded to `alignment`. */
  allocate(count: number, alignment = 4): { words: Uint32Array<ArrayBuffer>; floats: Float32Array } {
    const bytes = Math.ceil((Math.max(1, count) * this.bytes) / alignment) * alignment;
    const words = new Uint32Array(bytes / 4);
    return { words, floats: new Float32Array(words.buffer) };
  }
}

/** Values of `Globals.activation` and `Globals.loss`. */
export const ACTIVATION_CODE = { tanh: 0, relu: 1, sigmoid: 2, linear: 3 } as const;
export const LOSS_CODE = { mse: 0, bce: 1, 'softmax-ce': 2 } as const;

/** Bits of `Job.flags`. */
export const JOB_FLAG = {
  /** Sum reduction (else the gradient is the batch mean). */
  SUM: 1,
  MOMENTUM: 2,
  /** apply_parts only makes sure the epoch order holds the permutation for `firstStep`'s epoch. */
  PREPARE_ONLY: 4,
} as const;

/** `Job.part` of a job that trains its run's whole batch. */
export const NOT_A_PART = 0xffffffff;
/** `RunState.orderEpoch` before any epoch order was written. */
export const NO_EPOCH = 0xffffffff;

/** The uniform values of one engine (one dataset, one model). */
export const GLOBALS = new RecordLayout('Globals', [
  { name: 'n', type: 'u32', doc: 'Samples in the dataset.' },
  { name: 'activation', type: 'u32', doc: 'ACT_* code of the hidden layers.' },
  { name: 'loss', type: 'u32', doc: 'LOSS_* code.' },
  { name: 'targetSize', type: 'u32', doc: 'Target values per sample.' },
  { name: 'targetBase', type: 'u32', doc: 'Offset of the targets in `data` (the inputs come first).' },
  {
    name: 'velocityBaseV',
    type: 'u32',
    doc: 'vec4 offset of the velocities in `params` (the weights of every run slot come first).',
  },
  { name: 'lossChunk', type: 'u32', doc: 'Samples per workgroup of the dataset-loss kernel.' },
  {
    name: 'partsBaseV',
    type: 'u32',
    doc: "vec4 offset in `gradientSums` of the parts' areas: (slot · PARTS + part) · (PV + 1).",
  },
] as const);

/** One run's work in one dispatch of `train`, `apply_parts` or `dataset_loss`. */
export const JOB = new RecordLayout('Job', [
  { name: 'slot', type: 'u32', doc: "The run's slot in every per-run buffer." },
  { name: 'firstStep', type: 'u32', doc: 'Global step count before the first step of this job.' },
  { name: 'steps', type: 'u32', doc: 'Steps to take.' },
  { name: 'batchSize', type: 'u32' },
  { name: 'stepsPerEpoch', type: 'u32' },
  { name: 'seed', type: 'u32', doc: 'Shuffle seed of the epoch orders.' },
  {
    name: 'lossBase',
    type: 'u32',
    doc: "Where the job's losses go: in `batchLosses` (training), in `lossSums` (dataset loss).",
  },
  { name: 'flags', type: 'u32', doc: 'FLAG_* bits.' },
  { name: 'learningRate', type: 'f32' },
  { name: 'momentum', type: 'f32' },
  {
    name: 'part',
    type: 'u32',
    doc: "A step split over PARTS workgroups: this workgroup's part (training), else NOT_A_PART.",
  },
] as const);

/** What the training kernels keep per run slot between dispatches (read back after each). */
export const RUN_STATE = new RecordLayout('RunState', [
  {
    name: 'orderEpoch',
    type: 'u32',
    doc: 'The epoch whose order `epochOrder` holds for this slot (NO_EPOCH: none).',
  },
  {
    name: 'diverged',
    type: 'u32',
    doc: 'Nonzero once a loss or weight turned NaN or infinite; the run then takes no more steps.',
  },
  { name: 'stepsDone', type: 'u32', doc: 'Global step count after the last dispatch.' },
] as const);

export const RECORDS = [GLOBALS, JOB, RUN_STATE] as const;

function u32(value: number): string {
  return value === 0xffffffff ? '0xffffffffu' : `${value}u`;
}

/** The WGSL constants of the codes and flags above. */
export function wgslRecordConstants(): string {
  const lines: string[] = [];
  for (const [name, code] of Object.entries(ACTIVATION_CODE)) {
    lines.push(`const ACT_${name.toUpperCase()}: u32 = ${u32(code)};`);
  }
  for (const [name, code] of Object.entries(LOSS_CODE)) {
    lines.push(`const LOSS_${name.toUpperCase().replace('-', '_')}: u32 = ${u32(code)};`);
  }
  for (const [name, bit] of Object.entries(JOB_FLAG)) lines.push(`const FLAG_${name}: u32 = ${u32(bit)};`);
  lines.push(`const NOT_A_PART: u32 = ${u32(NOT_A_PART)};`);
  lines.push(`const NO_EPOCH: u32 = ${u32(NO_EPOCH)};`);
  return lines.join('\n');
}

/** The placeholders of `shaders/mlp.wgsl` filled from this file. */
export function recordPlaceholders(): Record<string, string> {
  return {
    RECORD_CONSTANTS: wgslRecordConstants(),
    GLOBALS_STRUCT: GLOBALS.wgsl(),
    JOB_STRUCT: JOB.wgsl(),
    RUN_STATE_STRUCT: RUN_STATE.wgsl(),
  };
}
