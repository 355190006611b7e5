/**
 * From the sweep's state to what its figures draw: series, cells, markers, table rows. Plain
 * functions (the component only wires them to the plots).
 */
import { format } from 'd3';
import { modelSamples, modelSteps } from '../../metrics/sweep/fit';
import { formatBytes } from '../../metrics/sweep/memory';
import type { SweepState } from '../../state/sweep-session';
import { OKABE_ITO } from '../chart/palette';
import { formatValue, type LogPlotSpec, type MapCell, type SeriesPoint } from './sweep-plots';

/** Log-spaced B from the smallest to the largest measured, for smooth model curves. */
function curveSizes(sizes: readonly number[]): number[] {
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  return Array.from({ length: 60 }, (_, i) => lo * (hi / lo) ** (i / 59));
}

export function stepsPlot(state: SweepState, kind: 'steps' | 'samples'): LogPlotSpec {
  const analysis = state.analysis;
  const rows = analysis?.rows.filter((r) => r.steps !== null && r.samples !== null) ?? [];
  const perSample = kind === 'samples';
  const measured: SeriesPoint[] = rows.map((r) => {
    const steps = r.steps as number;
    const factor = perSample ? r.batchSize : 1;
    return {
      x: r.batchSize,
      y: steps * factor,
      low: (r.stepsLow ?? steps) * factor,
      high: (r.stepsHigh ?? steps) * factor,
      title:
        `B = ${r.batchSize}, best lr ${formatValue(r.bestLearningRate ?? Number.NaN)}: ` +
        `${formatValue(steps)} steps (between ${r.stepsLow} and ${r.stepsHigh}), ` +
        `${formatValue(steps * r.batchSize)} samples = ${formatValue((steps * r.batchSize) / state.n)} epochs`,
    };
  });
  const series: LogPlotSpec['series'] = [
    { label: 'measured (best lr)', colour: OKABE_ITO.blue, points: measured },
  ];
  const first = rows[0];
  if (first && rows.length > 1) {
    const s0 = first.steps as number;
    const b0 = first.batchSize;
    series.push({
      label: perSample ? 'no waste (flat)' : 'perfect scaling ∝ 1/B',
      colour: OKABE_ITO.black,
      line: true,
      dashed: true,
      points: curveSizes(state.batchSizes).map((b) => ({
        x: b,
        y: perSample ? s0 * b0 : (s0 * b0) / b,
        title: '',
      })),
    });
  }
  const fit = analysis?.fit ?? null;
  if (fit) {
    series.push({
      label: 'McCandlish fit',
      colour: OKABE_ITO.orange,
      line: true,
      points: curveSizes(state.batchSizes).map((b) => ({
        x: b,
        y: perSample ? modelSamples(fit, b) : modelSteps(fit, b),
        title: '',
      })),
    });
  }
  return {
    title: perSample ? 'Samples to the target (the cost in data)' : 'Steps (updates) to the target',
    xLabel: 'batch size B',
    yLabel: perSample ? 'samples to target' : 'steps to target',
    series,
    markers: fit
      ? [{ x: fit.bCrit, label: `B_crit ≈ ${formatValue(fit.bCrit)}`, colour: OKABE_ITO.bluishGreen }]
      : [],
  };
}

export function noisePlot(state: SweepState): LogPlotSpec {
  const rows =
    state.analysis?.rows.filter((r) => r.simpleNoiseScale !== null && r.simpleNoiseScale > 0) ?? [];
  const fit = state.analysis?.fit ?? null;
  const series: LogPlotSpec['series'] = [
    {
      label: 'B_simple at the target',
      colour: OKABE_ITO.bluishGreen,
      points: rows.map((r) => ({
        x: r.batchSize,
        y: r.simpleNoiseScale as number,
        title: `B_simple = tr Σ / ‖G‖² ≈ ${formatValue(r.simpleNoiseScale as number)}, measured where B = ${r.batchSize}'s best run reached the target`,
      })),
    },
  ];
  if (fit && state.batchSizes.length > 1) {
    series.push({
      label: 'B_crit (fit)',
      colour: OKABE_ITO.orange,
      line: true,
      points: [state.batchSizes[0] as number, state.batchSizes[state.batchSizes.length - 1] as number].map(
        (b) => ({
          x: b,
          y: fit.bCrit,
          title: '',
        }),
      ),
    });
  }
  return {
    title: 'The noise scale B_simple next to B_crit',
    xLabel: 'batch size B of the run it was measured on',
    yLabel: 'batch size',
    series,
  };
}

export function costPlots(state: SweepState): LogPlotSpec[] {
  const rows = state.analysis?.rows ?? [];
  const fastest = state.analysis?.fastestBatchSize ?? null;
  const timed = rows.filter((r) => r.secondsPerStep !== null);
  const wall = rows.filter((r) => r.wallSeconds !== null);
  const fastestRow = rows.find((r) => r.batchSize === fastest);
  const seconds = (v: number) =>
    v >= 1 ? `${formatValue(v)} s` : v >= 1e-3 ? `${formatValue(v * 1e3)} ms` : `${formatValue(v * 1e6)} µs`;
  return [
    {
      title: 'What a step costs on this device',
      xLabel: 'batch size B',
      yLabel: 'seconds per step',
      yFormat: seconds,
      series: [
        {
          label: 'time per step',
          colour: OKABE_ITO.blue,
          points: timed.map((r) => ({
            x: r.batchSize,
            y: r.secondsPerStep as number,
            title: `B = ${r.batchSize}: ${seconds(r.secondsPerStep as number)} per step, ${formatValue(r.samplesPerSecond ?? 0)} samples/s`,
          })),
        },
      ],
    },
    {
      title: 'Samples per second',
      xLabel: 'batch size B',
      yLabel: 'samples / s',
      yFormat: (v: number) => format('.2~s')(v),
      series: [
        {
          label: 'throughput',
          colour: OKABE_ITO.skyBlue,
          points: timed.map((r) => ({
            x: r.batchSize,
            y: r.samplesPerSecond as number,
            title: `B = ${r.batchSize}: ${formatValue(r.samplesPerSecond as number)} samples per second`,
          })),
        },
      ],
    },
    {
      title: 'Memory per step (whole batch)',
      xLabel: 'batch size B',
      yLabel: 'bytes',
      yFormat: formatBytes,
      series: [
        {
          label: 'activations + per-sample gradients',
          colour: OKABE_ITO.reddishPurple,
          points: state.memory.map((m) => ({
            x: m.batchSize,
            y: m.totalBytes,
            title: `B = ${m.batchSize}: ${formatBytes(m.totalBytes)} (activations ${formatBytes(m.activationBytes)}, per-sample gradients ${formatBytes(m.perSampleGradientBytes)}, parameters ${formatBytes(m.parameterBytes)})`,
          })),
        },
      ],
    },
    {
      title: 'Wall time to the target',
      xLabel: 'batch size B',
      yLabel: 'seconds of training',
      yFormat: seconds,
      series: [
        {
          label: 'steps × time per step',
          colour: OKABE_ITO.vermillion,
          points: wall.map((r) => ({
            x: r.batchSize,
            y: r.wallSeconds as number,
            title: `B = ${r.batchSize}: ${formatValue(r.steps as number)} steps × ${seconds(r.secondsPerStep as number)} = ${seconds(r.wallSeconds as number)}`,
          })),
        },
      ],
      highlight: fastestRow?.wallSeconds ? { x: fastestRow.batchSize, y: fastestRow.wallSeconds } : null,
      markers:
        fastest !== null
          ? [{ x: fastest, label: `fastest: B = ${fastest}`, colour: OKABE_ITO.vermillion }]
          : [],
    },
  ];
}

export function mapCells(state: SweepState): MapCell[] {
  const cells: MapCell[] = [];
  const bestLr = new Map(state.analysis?.rows.map((r) => [r.batchSize, r.bestLearningRate]) ?? []);
  for (const b of state.batchSizes) {
    for (const lr of state.learningRates) {
      const run = state.runs.find((r) => r.batchSize === b && r.learningRate === lr);
      const kind = run ? run.status : 'pending';
      const steps = run?.crossing?.step ?? null;
      const best = bestLr.get(b) === lr && kind === 'reached';
      const what =
        kind === 'reached'
          ? `reached the target in ${formatValue(steps ?? Number.NaN)} steps`
          : kind === 'diverged'
            ? 'diverged (the loss blew up)'
            : kind === 'budget'
              ? `never reached the target in its budget (loss ${formatValue(run?.finalLoss ?? Number.NaN)})`
              : kind === 'slower'
                ? `stopped after ${run?.stepsTaken} steps: already slower than the best lr of this B`
                : kind === 'cancelled'
                  ? 'cancelled'
                  : 'still training';
      cells.push({
        batchSize: b,
        learningRate: lr,
        kind,
        steps,
        best,
        title: `B = ${b}, lr ${formatValue(lr)}: ${what}${best ? ' (best for this B)' : ''}`,
      });
    }
  }
  return cells;
}

export function progressText(state: SweepState): string {
  const p = state.progress;
  switch (state.status) {
    case 'idle':
      return '';
    case 'starting':
      return 'Starting the engine…';
    case 'running':
      if (!p) return 'Training…';
      return p.phase === 'pilot'
        ? `Choosing the target: full-batch descent at every learning rate (${p.done} of ${p.total} runs done)…`
        : `${p.done} of ${p.total} runs done`;
    case 'measuring':
      return `${p?.total ?? state.runs.length} of ${p?.total ?? state.runs.length} runs done; timing one step at each batch size…`;
    case 'done':
      return `Done: ${state.runs.length} runs in ${(state.elapsedMs / 1000).toFixed(1)} s.`;
    case 'cancelled':
      return `Cancelled after ${state.runs.filter((r) => r.status !== 'cancelled').length} of ${state.batchSizes.length * state.learningRates.length} runs.`;
    case 'failed':
      return state.error ?? 'The sweep failed.';
  }
}
