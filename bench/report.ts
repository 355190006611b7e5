/**
 * Pure helpers of `npm run bench`: statistics, the result schema shared by the bench page, the
 * Node runner and `scripts/bench.mjs`, and the ratio/target table. No DOM, no GPU, no timing.
 */
import { formatSweep, type SweepBenchResult } from './sweep-report';

/** The implementations the bench compares on one workload. */
export type ImplId = 'gpu' | 'cpu' | 'tfjs-webgpu' | 'tfjs-wasm';

export const IMPL_LABELS: Record<ImplId, string> = {
  gpu: 'WebGPU engine',
  cpu: 'CPU engine',
  'tfjs-webgpu': 'TF.js webgpu',
  'tfjs-wasm': 'TF.js wasm',
};

/** One timed throughput measurement: `stepsPerRep` steps, repeated; seconds of each repetition. */
export interface Throughput {
  impl: ImplId;
  batchSize: number;
  /** Median steps per second over the repetitions; null when the implementation could not run. */
  stepsPerSecond: number | null;
  samplesPerSecond: number | null;
  stepsPerRep: number;
  repSeconds: number[];
  /** Mean loss over the whole dataset after 20 steps from the shared initial weights. */
  lossAfter20: number | null;
  /** Why the figure is missing ("n/a"), or a remark on how it was measured. */
  note?: string;
}

export interface RaceResult {
  /** Batch sizes of the racing runs (1, 2, 4, …, N). */
  batchSizes: number[];
  epochs: number;
  /** Median seconds until every run has finished, all runs in one engine. */
  togetherSeconds: number | null;
  /** Median seconds of the same runs trained one after another, each alone, summed. */
  oneByOneSeconds: number | null;
  /** The CPU engine, one after another, for reference. */
  cpuOneByOneSeconds: number | null;
  /** Whether racing and one-by-one runs ended with bit-identical weights (null: not checked). */
  identicalWeights: boolean | null;
  repetitions: number;
  note?: string;
}

export interface CompileResult {
  model: string;
  /** Pipeline compile time the engine reports, in milliseconds (first engine of that shape). */
  milliseconds: number | null;
  note?: string;
}

export interface EnvironmentResult {
  environment: 'browser' | 'node';
  /** e.g. "HeadlessChrome/156.0.8078.108" or "Node v20.20.2 + Dawn (npm webgpu 0.6.2)". */
  runtime: string;
  adapter: AdapterDescription | null;
  /** The WebGPU engine's layout for this adapter, as it describes it. */
  gpuLayout: string | null;
  /** `--profile` only: the WebGPU engine's steps/s with fixed steps per dispatch. */
  dispatchSweep?: DispatchProbe[];
  tfjs: { version: string; wasmVariant: string | null; webgpuNote?: string };
  throughput: Throughput[];
  race: RaceResult;
  /** The batch-size sweep (absent from results written before it existed). */
  sweep?: SweepBenchResult;
  compile: CompileResult[];
  wide: Throughput[];
  errors: string[];
  elapsedSeconds: number;
}

export interface DispatchProbe {
  batchSize: number;
  stepsPerDispatch: number;
  stepsPerSecond: number | null;
}

export interface AdapterDescription {
  name: string;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  workload: string;
  host: {
    node: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    browser: string | null;
    loadAverage1min: { before: number; after: number };
  };
  /** The commit measured and any uncommitted files under src/, shaders/ and bench/. */
  git: { commit: string; uncommittedChanges: string[] } | null;
  environments: EnvironmentResult[];
  targets: TargetCheck[];
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

/** Median of finite values; NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const count = sorted.length;
  if (count === 0) return Number.NaN;
  const mid = Math.floor(count / 2);
  return count % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** a / b, or null when either is missing, not finite or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/**
 * How many steps one repetition should run so it lasts about `targetSeconds`, from a probe of
 * `probeSteps` steps that took `probeSeconds`; within [1, maxSteps].
 */
export function stepsForDuration(
  probeSteps: number,
  probeSeconds: number,
  targetSeconds: number,
  maxSteps: number,
): number {
  if (!(probeSeconds > 0)) return Math.max(1, Math.min(maxSteps, probeSteps * 16));
  const perStep = probeSeconds / probeSteps;
  return Math.max(1, Math.min(maxSteps, Math.ceil(targetSeconds / perStep)));
}

// ---------------------------------------------------------------------------------------------
// Targets (issue 8), as ratios measured in one run on one adapter
// ---------------------------------------------------------------------------------------------

export interface TargetCheck {
  environment: EnvironmentResult['environment'];
  what: string;
  target: number;
  measured: number | null;
  /** null when a figure is missing. */
  met: boolean | null;
}

interface TargetSpec {
  batchSize: number;
  against: ImplId;
  target: number;
}

export const THROUGHPUT_TARGETS: readonly TargetSpec[] = [
  { batchSize: 1, against: 'cpu', target: 0.5 },
  { batchSize: 1, against: 'tfjs-webgpu', target: 5000 },
  { batchSize: 32, against: 'cpu', target: 1.5 },
  { batchSize: 256, against: 'cpu', target: 2.5 },
  { batchSize: 4096, against: 'cpu', target: 3 },
  { batchSize: 4096, against: 'tfjs-wasm', target: 3 },
];

export const RACE_TARGET = 1.5;

export function findThroughput(
  rows: readonly Throughput[],
  impl: ImplId,
  batchSize: number,
): Throughput | undefined {
  return rows.find((r) => r.impl === impl && r.batchSize === batchSize);
}

/** GPU steps/s divided by `against`'s steps/s at one B. */
export function gpuRatio(rows: readonly Throughput[], against: ImplId, batchSize: number): number | null {
  return ratio(
    findThroughput(rows, 'gpu', batchSize)?.stepsPerSecond,
    findThroughput(rows, against, batchSize)?.stepsPerSecond,
  );
}

export function raceSpeedup(race: RaceResult): number | null {
  return ratio(race.oneByOneSeconds, race.togetherSeconds);
}

export function checkTargets(env: EnvironmentResult): TargetCheck[] {
  const checks: TargetCheck[] = THROUGHPUT_TARGETS.map((spec) => {
    const measured = gpuRatio(env.throughput, spec.against, spec.batchSize);
    return {
      environment: env.environment,
      what: `B = ${spec.batchSize}: WebGPU / ${IMPL_LABELS[spec.against]}`,
      target: spec.target,
      measured,
      met: measured == null ? null : measured >= spec.target,
    };
  });
  const speedup = raceSpeedup(env.race);
  checks.push({
    environment: env.environment,
    what: 'race: one after another / in one engine',
    target: RACE_TARGET,
    measured: speedup,
    met: speedup == null ? null : speedup >= RACE_TARGET,
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

/** A rate with thousands separators and about 3 significant digits for small values. */
export function formatRate(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return 'n/a';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

export function formatRatio(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${Math.round(value).toLocaleString('en-US')}×`;
  if (value >= 10) return `${value.toFixed(1)}×`;
  return `${value.toFixed(2)}×`;
}

export function formatSeconds(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return 'n/a';
  return value >= 10 ? `${value.toFixed(1)} s` : `${(value * 1000).toFixed(0)} ms`;
}

export function formatLoss(value: number | null | undefined): string {
  if (value == null || Number.isNaN(value)) return 'n/a';
  return value.toFixed(6);
}

/** ✓ / ✗ beside a target; "?" when the figure is missing. */
export function verdict(check: Pick<TargetCheck, 'met'>): string {
  if (check.met == null) return '?';
  return check.met ? '✓' : '✗';
}

/** A plain-text table with a header row, columns padded; the first column left-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => [...(row[c] ?? '')].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] as number) - [...cell].length);
        return c === 0 ? cell + pad : pad + cell;
      })
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table; every column but the first right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (row: readonly string[]) => `| ${row.join(' | ')} |`;
  const align = header.map((_, c) => (c === 0 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

const TABLE_IMPLS: readonly ImplId[] = ['gpu', 'cpu', 'tfjs-webgpu', 'tfjs-wasm'];

function targetCell(measured: number | null, target: number | undefined): string {
  const value = formatRatio(measured);
  if (target === undefined) return value;
  const met = measured == null ? null : measured >= target;
  return `${value} (≥${target.toLocaleString('en-US')} ${verdict({ met })})`;
}

function targetFor(batchSize: number, against: ImplId): number | undefined {
  return THROUGHPUT_TARGETS.find((t) => t.batchSize === batchSize && t.against === against)?.target;
}

function batchSizesOf(rows: readonly Throughput[]): number[] {
  return [...new Set(rows.map((r) => r.batchSize))].sort((a, b) => a - b);
}

/** Steps/s per implementation and B, with the GPU's ratios and targets. */
export function throughputRows(rows: readonly Throughput[]): { header: string[]; rows: string[][] } {
  const header = [
    'B',
    ...TABLE_IMPLS.map((impl) => `${IMPL_LABELS[impl]} steps/s`),
    'GPU/CPU',
    'GPU/TF.js-webgpu',
    'GPU/TF.js-wasm',
  ];
  const body = batchSizesOf(rows).map((b) => [
    b.toLocaleString('en-US'),
    ...TABLE_IMPLS.map((impl) => formatRate(findThroughput(rows, impl, b)?.stepsPerSecond)),
    ...(['cpu', 'tfjs-webgpu', 'tfjs-wasm'] as const).map((against) =>
      targetCell(gpuRatio(rows, against, b), targetFor(b, against)),
    ),
  ]);
  return { header, rows: body };
}

/** Samples/s and the loss after 20 steps per implementation and B. */
export function samplesAndLossRows(rows: readonly Throughput[]): { header: string[]; rows: string[][] } {
  const header = [
    'B',
    ...TABLE_IMPLS.map((impl) => `${IMPL_LABELS[impl]} samples/s`),
    ...TABLE_IMPLS.map((impl) => `${IMPL_LABELS[impl]} loss@20`),
  ];
  const body = batchSizesOf(rows).map((b) => [
    b.toLocaleString('en-US'),
    ...TABLE_IMPLS.map((impl) => formatRate(findThroughput(rows, impl, b)?.samplesPerSecond)),
    ...TABLE_IMPLS.map((impl) => formatLoss(findThroughput(rows, impl, b)?.lossAfter20)),
  ]);
  return { header, rows: body };
}

export function wideRows(rows: readonly Throughput[]): { header: string[]; rows: string[][] } {
  const header = ['B', 'WebGPU steps/s', 'CPU steps/s', 'GPU/CPU', 'WebGPU loss@20', 'CPU loss@20'];
  const body = batchSizesOf(rows).map((b) => [
    b.toLocaleString('en-US'),
    formatRate(findThroughput(rows, 'gpu', b)?.stepsPerSecond),
    formatRate(findThroughput(rows, 'cpu', b)?.stepsPerSecond),
    formatRatio(gpuRatio(rows, 'cpu', b)),
    formatLoss(findThroughput(rows, 'gpu', b)?.lossAfter20),
    formatLoss(findThroughput(rows, 'cpu', b)?.lossAfter20),
  ]);
  return { header, rows: body };
}

export function describeAdapter(adapter: AdapterDescription | null): string {
  if (!adapter) return 'no WebGPU adapter';
  const parts = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(
    (p) => p.length > 0,
  );
  const detail = parts.length > 0 ? ` (${[...new Set(parts)].join(', ')})` : '';
  return `${adapter.name}${detail}${adapter.isFallbackAdapter ? ', fallback adapter' : ''}`;
}

/** The whole printed report of one environment, plain text. */
export function formatEnvironment(env: EnvironmentResult): string {
  const out: string[] = [];
  const title = env.environment === 'browser' ? 'Headless Chromium' : 'Node on Dawn';
  out.push(`=== ${title}: ${env.runtime}`);
  out.push(`adapter: ${describeAdapter(env.adapter)}`);
  out.push(
    `TF.js ${env.tfjs.version}; wasm variant: ${env.tfjs.wasmVariant ?? 'n/a'}${
      env.tfjs.webgpuNote ? `; webgpu: ${env.tfjs.webgpuNote}` : ''
    }`,
  );
  if (env.gpuLayout) out.push(`WebGPU engine layout: ${env.gpuLayout}`);
  out.push('');
  const t = throughputRows(env.throughput);
  out.push(textTable(t.header, t.rows));
  out.push('');
  const s = samplesAndLossRows(env.throughput);
  out.push(textTable(s.header, s.rows));
  const notes = [...env.throughput, ...env.wide].filter((r) => r.note);
  if (notes.length > 0) {
    out.push('');
    for (const r of notes) out.push(`note: ${IMPL_LABELS[r.impl]} B=${r.batchSize}: ${r.note}`);
  }
  out.push('');
  const race = env.race;
  const speedup = raceSpeedup(race);
  out.push(
    `race: ${race.batchSizes.length} runs (B = ${race.batchSizes[0] ?? '?'} … ${
      race.batchSizes[race.batchSizes.length - 1] ?? '?'
    }), ${race.epochs} epochs each, median of ${race.repetitions}: ` +
      `in one WebGPU engine ${formatSeconds(race.togetherSeconds)}, one after another ${formatSeconds(
        race.oneByOneSeconds,
      )}, speedup ${targetCell(speedup, RACE_TARGET)}; CPU engine one after another ${formatSeconds(
        race.cpuOneByOneSeconds,
      )}; identical weights: ${race.identicalWeights == null ? 'n/a' : race.identicalWeights ? 'yes' : 'NO'}${
        race.note ? ` (${race.note})` : ''
      }`,
  );
  out.push(
    `compile: ${env.compile
      .map(
        (c) =>
          `${c.model} ${c.milliseconds == null ? `n/a${c.note ? ` (${c.note})` : ''}` : `${c.milliseconds.toFixed(0)} ms`}`,
      )
      .join('; ')}`,
  );
  if (env.sweep) {
    out.push('');
    out.push(formatSweep(env.sweep));
  }
  if (env.wide.length > 0) {
    out.push('');
    out.push('wider model 2→64→64→1:');
    const w = wideRows(env.wide);
    out.push(textTable(w.header, w.rows));
  }
  if (env.dispatchSweep && env.dispatchSweep.length > 0) {
    out.push('');
    out.push('WebGPU engine with fixed steps per dispatch (steps/s; µs per step in brackets):');
    const perDispatch = [...new Set(env.dispatchSweep.map((p) => p.stepsPerDispatch))].sort((a, b) => a - b);
    const sizes = [...new Set(env.dispatchSweep.map((p) => p.batchSize))].sort((a, b) => a - b);
    const rows = sizes.map((b) => [
      b.toLocaleString('en-US'),
      ...perDispatch.map((k) => {
        const rate = env.dispatchSweep?.find(
          (p) => p.batchSize === b && p.stepsPerDispatch === k,
        )?.stepsPerSecond;
        return rate ? `${formatRate(rate)} (${(1e6 / rate).toFixed(1)})` : 'n/a';
      }),
    ]);
    out.push(textTable(['B', ...perDispatch.map((k) => `${k}/dispatch`)], rows));
  }
  if (env.errors.length > 0) {
    out.push('');
    for (const e of env.errors) out.push(`error: ${e}`);
  }
  out.push(`(${env.environment} bench took ${env.elapsedSeconds.toFixed(1)} s)`);
  return out.join('\n');
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  const rows = checks.map((c) => [
    c.environment,
    c.what,
    `≥ ${c.target.toLocaleString('en-US')}×`,
    formatRatio(c.measured),
    verdict(c),
  ]);
  return textTable(['where', 'target', 'wanted', 'measured', ''], rows);
}

/** Markdown tables of one environment, for the README's performance section. */
export function markdownEnvironment(env: EnvironmentResult): string {
  const t = throughputRows(env.throughput);
  const s = samplesAndLossRows(env.throughput);
  const w = wideRows(env.wide);
  return [
    markdownTable(t.header, t.rows),
    '',
    markdownTable(s.header, s.rows),
    '',
    markdownTable(w.header, w.rows),
  ].join('\n');
}
