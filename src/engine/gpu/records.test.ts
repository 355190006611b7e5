import { describe, expect, it } from 'vitest';
import mlpSource from '../../../shaders/mlp.wgsl?raw';
import type { ModelSpec } from '../types';
import {
  GLOBALS,
  JOB,
  JOB_FLAG,
  RECORDS,
  type RecordLayout,
  RUN_STATE,
  wgslRecordConstants,
} from './records';
import { KERNEL_BINDINGS, SHARED_BINDINGS, specialiseMlpShader } from './shader';

const MODEL: ModelSpec = { inputSize: 2, hidden: [16, 16], outputSize: 1, activation: 'tanh', loss: 'bce' };
const SHADER = specialiseMlpShader(MODEL, {
  workgroupSize: 4,
  weightsInWorkgroup: true,
  reduceInWorkgroup: false,
  chunk: 32,
  parts: 2,
});

/** The fields of `struct NAME { … }` in WGSL source, as `name: type`. */
function structFields(source: string, name: string): string[] {
  const match = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(source);
  if (!match) throw new Error(`no struct ${name}`);
  return (match[1] as string)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('//'))
    .map((line) => line.replace(/,$/, ''));
}

/** Field names read as `<variable>.field` in the shader. */
function fieldsUsed(pattern: RegExp): Set<string> {
  return new Set([...SHADER.matchAll(pattern)].map((m) => m[1] as string));
}

const anyRecord = (record: unknown) => record as RecordLayout<string>;

describe('binary records: one table gives the host encoder and the WGSL struct', () => {
  it.each(RECORDS.map((record) => [record.structName, anyRecord(record)] as const))(
    '%s: the shader declares exactly the table’s fields, in order, padded to 16 bytes',
    (name, record) => {
      const padding = Array.from({ length: record.words - record.fields.length }, (_, i) => `pad${i}: u32`);
      const expected = [...record.fields.map((f) => `${f.name}: ${f.type}`), ...padding];
      expect(structFields(SHADER, name)).toEqual(expected);
      expect(record.bytes % 16).toBe(0);
      expect(record.bytes).toBe(4 * expected.length);
      // The .wgsl file itself does not declare the struct: it is only substituted.
      expect(mlpSource).not.toMatch(new RegExp(`struct ${name} \\{`));
    },
  );

  it('the encoder puts field k of record i at word i·words + k, floats as float32 bits', () => {
    const { words, floats } = JOB.allocate(3);
    JOB.write(words, floats, 2, { slot: 5, part: 0xffffffff, learningRate: 0.1, seed: 7, momentum: -2.5 });
    const base = 2 * JOB.words;
    expect(words[base + JOB.wordOf('slot')]).toBe(5);
    expect(words[base + JOB.wordOf('part')]).toBe(0xffffffff);
    expect(words[base + JOB.wordOf('seed')]).toBe(7);
    expect(floats[base + JOB.wordOf('learningRate')]).toBe(Math.fround(0.1));
    expect(floats[base + JOB.wordOf('momentum')]).toBe(-2.5);
    // Fields left out, and the other records, stay zero.
    expect(words[base + JOB.wordOf('steps')]).toBe(0);
    expect([...words.subarray(0, base)].every((w) => w === 0)).toBe(true);
    // Field order is the struct's: the word index is the field's position in the table.
    JOB.fields.forEach((field, index) => {
      expect(JOB.wordOf(field.name)).toBe(index);
    });
  });

  it('allocate rounds the records up to the alignment, for dynamic offsets', () => {
    expect(JOB.allocate(1, 256).words.byteLength).toBe(256);
    expect(JOB.allocate(6, 256).words.byteLength).toBe(512);
    expect(JOB.allocate(0, 4).words.byteLength).toBe(JOB.bytes);
  });

  it('every field the shader reads is in its table, and every table field is read', () => {
    const job = fieldsUsed(/\bjob\.(\w+)/g);
    const globals = fieldsUsed(/\bglobals\.(\w+)/g);
    const state = fieldsUsed(/\bstate\[[^\]]+\]\.(\w+)/g);
    expect([...job].sort()).toEqual(JOB.fields.map((f) => f.name).sort());
    expect([...globals].sort()).toEqual(GLOBALS.fields.map((f) => f.name).sort());
    expect([...state].sort()).toEqual(RUN_STATE.fields.map((f) => f.name).sort());
  });

  it('codes and flags come from the table, not from the .wgsl file', () => {
    expect(SHADER).toContain(wgslRecordConstants());
    expect(SHADER).toContain(`const FLAG_PREPARE_ONLY: u32 = ${JOB_FLAG.PREPARE_ONLY}u;`);
    expect(SHADER).toContain('const LOSS_SOFTMAX_CE: u32 = 2u;');
    expect(mlpSource).not.toMatch(/const (ACT_|LOSS_|FLAG_)\w+: u32 =/);
    expect(SHADER).not.toMatch(/\{\{/);
  });
});

describe('bindings: one meaning each, as the host lays them out', () => {
  const declared = [
    ...SHADER.matchAll(
      /@group\((\d)\) @binding\((\d+)\) var<(uniform|storage, read|storage, read_write)> (\w+)/g,
    ),
  ].map((m) => ({
    group: Number(m[1]),
    binding: Number(m[2]),
    access: m[3] as string,
    name: m[4] as string,
  }));
  const accessOf: Record<'uniform' | 'read-only-storage' | 'storage', string> = {
    uniform: 'uniform',
    'read-only-storage': 'storage, read',
    storage: 'storage, read_write',
  };
  const table: { name: string; group: number; binding: number; type: keyof typeof accessOf }[] = [
    ...Object.entries(SHARED_BINDINGS).map(([name, b]) => ({ name, group: 0, ...b })),
    ...Object.values(KERNEL_BINDINGS).flatMap((kernel) =>
      Object.entries(kernel).map(([name, b]) => ({ name, group: 1, ...b })),
    ),
  ];

  it('the shader declares exactly the host’s bindings, with the same numbers and access', () => {
    expect(declared.map((d) => d.name).sort()).toEqual(table.map((t) => t.name).sort());
    for (const entry of table) {
      const d = declared.find((x) => x.name === entry.name);
      expect(d, entry.name).toEqual({
        name: entry.name,
        group: entry.group,
        binding: entry.binding,
        access: accessOf[entry.type],
      });
    }
  });

  it('no binding number is used twice in a group', () => {
    const keys = declared.map((d) => `${d.group}/${d.binding}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every kernel stays within the 8 storage buffers per stage every adapter offers', () => {
    const shared = Object.values(SHARED_BINDINGS).filter((b) => b.type !== 'uniform').length;
    for (const [kernel, bindings] of Object.entries(KERNEL_BINDINGS)) {
      expect(shared + Object.keys(bindings).length, kernel).toBeLessThanOrEqual(8);
    }
  });
});
