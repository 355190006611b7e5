import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Reduction } from '../../engine/types';
import { parameterNames } from '../../metrics/anatomy';
import { OKABE_ITO } from '../chart/palette';
import { useElementWidth } from '../shared/use-element-width';
import { type AnatomySetup, buildAnatomyView, defaultAnatomySetup } from './anatomy-model';
import {
  drawBatchScatter,
  drawGradientArrows,
  drawLossBars,
  drawLossLines,
  drawParameterBars,
  drawSequentialVsAveraged,
  drawWeightChange,
} from './anatomy-plot';
import './anatomy.css';

export const ANATOMY_STAGES = [
  {
    id: 'batch',
    title: 'Draw a batch',
    caption:
      'B samples are taken from the shuffled dataset. The network and its weights have not changed yet.',
  },
  {
    id: 'forward',
    title: 'Forward pass',
    caption:
      'Each sample goes through the same network with the same weights, independently of the others: B predictions ŷ.',
  },
  {
    id: 'loss',
    title: 'Loss per sample',
    caption:
      'Each prediction is compared with its own target: one loss per sample. The batch loss is just their mean.',
  },
  {
    id: 'gradients',
    title: 'Backprop per sample',
    caption:
      'Back-propagation runs for each sample separately and gives B gradients: each says how that one sample would like every weight to move. They disagree.',
  },
  {
    id: 'reduce',
    title: 'Mean (or sum)',
    caption:
      'The B gradients (not the losses) are added up weight by weight and divided by B (mean) or not (sum). Every sample of the batch counts, equally; where they disagree they partly cancel.',
  },
  {
    id: 'update',
    title: 'One update',
    caption:
      'The weights change ONCE for the whole batch, w ← w − lr · ḡ: once per batch, not once per sample.',
  },
  {
    id: 'sequential',
    title: 'Sequential vs averaged',
    caption:
      "Why not apply each sample's change in turn? Then B full-size steps replace one: each gradient is taken at a different point (where the previous samples left the weights), so the walk goes much further and lands somewhere else.",
  },
  {
    id: 'sum-mean',
    title: 'Sum vs mean',
    caption:
      'Summing with learning rate lr/B takes exactly the same path as averaging with lr; summing with unchanged lr takes B-times larger steps.',
  },
] as const;

export type AnatomyStageId = (typeof ANATOMY_STAGES)[number]['id'];

export interface AnatomyPanelProps {
  /** What to dissect; by default a 13-parameter network on XOR. */
  setup?: AnatomySetup;
  initialBatchSize?: number;
  initialLearningRate?: number;
  /** Leave out the heading (when the page's panel frame already shows one). */
  headless?: boolean;
}

const BATCH_SIZES = [2, 4, 8, 16];
const LEARNING_RATES = [0.1, 0.2, 0.5, 1, 2];

function fmt(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return Number(value.toFixed(digits)).toString();
}

/** One mini-batch update, stage by stage, computed by the CPU reference engine. */
export function AnatomyPanel({
  setup: givenSetup,
  initialBatchSize = 8,
  initialLearningRate = 0.5,
  headless = false,
}: AnatomyPanelProps) {
  const headingId = useId();
  const setup = useMemo(() => givenSetup ?? defaultAnatomySetup(), [givenSetup]);
  const [stage, setStage] = useState(0);
  const [step, setStep] = useState(0);
  const [weights, setWeights] = useState(() => setup.initialWeights.slice());
  const [batchSize, setBatchSize] = useState(initialBatchSize);
  const [learningRate, setLearningRate] = useState(initialLearningRate);
  const [reduction, setReduction] = useState<Reduction>('mean');
  const [scaleSum, setScaleSum] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [plane, setPlane] = useState<'mean-spread' | 'parameters'>('mean-spread');
  const [firstParameter, setFirstParameter] = useState(0);
  const [secondParameter, setSecondParameter] = useState(1);
  const names = useMemo(() => parameterNames(setup.model), [setup]);

  const [source, setSource] = useState(setup);
  if (source !== setup) {
    setSource(setup);
    setWeights(setup.initialWeights.slice());
    setStep(0);
    setStage(0);
  }

  const view = useMemo(() => {
    try {
      return buildAnatomyView(setup, weights, step, {
        batchSize,
        learningRate,
        reduction,
        scaleSumByBatch: scaleSum,
        shuffleSeed: 7,
        comparisonSteps: 20,
        projection:
          plane === 'parameters'
            ? { kind: 'parameters', first: firstParameter, second: secondParameter }
            : { kind: 'mean-spread' },
      });
    } catch (caught) {
      return caught instanceof Error ? caught : new Error(String(caught));
    }
  }, [
    setup,
    weights,
    step,
    batchSize,
    learningRate,
    reduction,
    scaleSum,
    plane,
    firstParameter,
    secondParameter,
  ]);

  useEffect(() => setError(view instanceof Error ? view.message : null), [view]);

  const figureRef = useRef<HTMLDivElement>(null);
  const primaryRef = useRef<SVGSVGElement>(null);
  const secondaryRef = useRef<SVGSVGElement>(null);
  const width = useElementWidth(figureRef, 560);
  const current = ANATOMY_STAGES[stage] ?? ANATOMY_STAGES[0];

  useEffect(() => {
    if (view instanceof Error) return;
    const primary = primaryRef.current;
    const secondary = secondaryRef.current;
    if (!primary || !secondary) return;
    const twoFigures = current.id === 'gradients' || current.id === 'reduce' || current.id === 'update';
    const each =
      twoFigures && width >= 760 ? Math.floor((width - 16) / 2) : Math.max(300, Math.min(width, 640));
    const a = view.anatomy;
    const k = a.batchSize;
    const p = a.paramCount;
    secondary.replaceChildren();
    secondary.setAttribute('width', '0');
    secondary.setAttribute('height', '0');
    const combinedLabel = reduction === 'mean' ? 'mean ḡ' : `sum Σg (B = ${k} × the mean)`;
    switch (current.id) {
      case 'batch':
        drawBatchScatter(primary, each, { dataset: setup.dataset, batch: view.indices });
        break;
      case 'forward':
        drawBatchScatter(primary, each, {
          dataset: setup.dataset,
          batch: view.indices,
          outputs: a.outputs,
          outputSize: setup.model.outputSize,
        });
        break;
      case 'loss':
        drawLossBars(primary, each, a.losses, a.batchLoss);
        break;
      case 'gradients':
      case 'reduce': {
        const reduce = current.id === 'reduce';
        drawGradientArrows(primary, each, {
          samples: view.projected.samples,
          ...(reduce ? { combined: view.combined, combinedLabel } : {}),
          axisLabels: view.axisLabels,
          capturedShare: view.projected.capturedShare,
        });
        drawParameterBars(secondary, each, {
          perSample: a.gradients,
          k,
          p,
          shown: view.shownParameters,
          names: view.names,
          ...(reduce ? { combined: a.reducedGradient, combinedLabel } : {}),
          valueLabel: 'gradient',
        });
        break;
      }
      case 'update':
        drawWeightChange(primary, each, a.weightsBefore, a.weightsAfter, view.shownParameters, view.names);
        drawParameterBars(secondary, each, {
          perSample: null,
          k,
          p,
          shown: view.shownParameters,
          names: view.names,
          combined: a.update,
          combinedLabel: `Δw = −${view.effectiveLearningRate} · ${reduction === 'mean' ? 'ḡ' : 'Σg'}`,
          valueLabel: 'change of each weight',
        });
        break;
      case 'sequential':
        drawSequentialVsAveraged(primary, each, {
          sequential: view.sequentialProjected,
          averaged: view.averagedProjected,
          axisLabels: view.weightAxisLabels,
        });
        break;
      case 'sum-mean':
        drawLossLines(primary, each, [
          {
            label: 'mean, lr',
            values: view.paths.meanLr.datasetLosses,
            colour: OKABE_ITO.blue,
            width: 5,
            className: 'path-mean',
          },
          {
            label: 'sum, lr/B (on top)',
            values: view.paths.sumLrOverB.datasetLosses,
            colour: OKABE_ITO.orange,
            dash: '6 5',
            width: 2.5,
            className: 'path-sum-scaled',
          },
          {
            label: 'sum, lr',
            values: view.paths.sumLr.datasetLosses,
            colour: OKABE_ITO.vermillion,
            className: 'path-sum',
          },
        ]);
        break;
    }
  }, [view, current.id, width, setup, reduction]);

  const go = (delta: number) => setStage((s) => Math.min(ANATOMY_STAGES.length - 1, Math.max(0, s + delta)));
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === 'ArrowRight' || event.key === 'PageDown') {
      event.preventDefault();
      go(1);
    } else if (event.key === 'ArrowLeft' || event.key === 'PageUp') {
      event.preventDefault();
      go(-1);
    }
  };
  const applyAndContinue = () => {
    if (view instanceof Error) return;
    setWeights(view.anatomy.weightsAfter.slice());
    setStep((s) => s + 1);
    setStage(0);
  };
  const restart = () => {
    setWeights(setup.initialWeights.slice());
    setStep(0);
    setStage(0);
  };

  return (
    <section
      className="anatomy-panel"
      aria-labelledby={headless ? undefined : headingId}
      aria-label={headless ? 'The anatomy of one batch' : undefined}
      data-view="anatomy"
    >
      {!headless && <h2 id={headingId}>The anatomy of one batch</h2>}
      <div className="anatomy-controls">
        <label>
          Batch size B{' '}
          <select value={batchSize} onChange={(e) => setBatchSize(Number(e.target.value))}>
            {BATCH_SIZES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label>
          Learning rate lr{' '}
          <select value={learningRate} onChange={(e) => setLearningRate(Number(e.target.value))}>
            {LEARNING_RATES.map((lr) => (
              <option key={lr} value={lr}>
                {lr}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="anatomy-reduction">
          <legend>Combine gradients by</legend>
          <label>
            <input
              type="radio"
              name={`${headingId}-reduction`}
              checked={reduction === 'mean'}
              onChange={() => setReduction('mean')}
            />{' '}
            mean
          </label>
          <label>
            <input
              type="radio"
              name={`${headingId}-reduction`}
              checked={reduction === 'sum'}
              onChange={() => setReduction('sum')}
            />{' '}
            sum
          </label>
          <label className={reduction === 'sum' ? '' : 'anatomy-muted'}>
            <input
              type="checkbox"
              checked={scaleSum}
              disabled={reduction !== 'sum'}
              onChange={(e) => setScaleSum(e.target.checked)}
            />{' '}
            with lr/B
          </label>
        </fieldset>
        <label>
          Arrows in the plane of{' '}
          <select
            value={plane}
            onChange={(e) => setPlane(e.target.value === 'parameters' ? 'parameters' : 'mean-spread')}
          >
            <option value="mean-spread">the mean gradient and the largest disagreement</option>
            <option value="parameters">two chosen weights</option>
          </select>
        </label>
        {plane === 'parameters' && (
          <>
            <label>
              across{' '}
              <select
                aria-label="weight across"
                value={firstParameter}
                onChange={(e) => setFirstParameter(Number(e.target.value))}
              >
                {names.map((name, j) => (
                  <option key={name} value={j} disabled={j === secondParameter}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              up{' '}
              <select
                aria-label="weight up"
                value={secondParameter}
                onChange={(e) => setSecondParameter(Number(e.target.value))}
              >
                {names.map((name, j) => (
                  <option key={name} value={j} disabled={j === firstParameter}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>

      <ol className="anatomy-stepper" aria-label="Stages of one update">
        {ANATOMY_STAGES.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              aria-current={i === stage ? 'step' : undefined}
              className={i === stage ? 'current' : i < stage ? 'done' : ''}
              onClick={() => setStage(i)}
              onKeyDown={onKeyDown}
            >
              {i + 1}. {s.title}
            </button>
          </li>
        ))}
      </ol>

      <section
        className="anatomy-stage"
        data-stage={current.id}
        aria-label={`Stage ${stage + 1} of ${ANATOMY_STAGES.length}: ${current.title}`}
      >
        <h3>
          Stage {stage + 1} of {ANATOMY_STAGES.length}: {current.title}
        </h3>
        <p className="anatomy-caption" aria-live="polite">
          {current.caption}
        </p>
        {error && (
          <p className="anatomy-error" role="alert">
            Cannot dissect this batch: {error}
          </p>
        )}
        <div className="anatomy-figures" ref={figureRef}>
          <svg ref={primaryRef} className="anatomy-primary" />
          <svg ref={secondaryRef} className="anatomy-secondary" />
        </div>
        {!(view instanceof Error) && <StageNumbers stageId={current.id} view={view} reduction={reduction} />}
      </section>

      <div className="anatomy-nav">
        <button type="button" onClick={() => go(-1)} onKeyDown={onKeyDown} disabled={stage === 0}>
          Previous
        </button>
        <button
          type="button"
          onClick={() => go(1)}
          onKeyDown={onKeyDown}
          disabled={stage === ANATOMY_STAGES.length - 1}
          aria-keyshortcuts="ArrowRight ArrowLeft"
        >
          Next stage
        </button>
        <button type="button" onClick={applyAndContinue} disabled={view instanceof Error}>
          Apply the update, next batch
        </button>
        <button type="button" onClick={restart}>
          Restart
        </button>
        <span className="anatomy-step">batch {step + 1} since the start</span>
      </div>
    </section>
  );
}

function StageNumbers({
  stageId,
  view,
  reduction,
}: {
  stageId: AnatomyStageId;
  view: ReturnType<typeof buildAnatomyView>;
  reduction: Reduction;
}) {
  const a = view.anatomy;
  const k = a.batchSize;
  switch (stageId) {
    case 'batch':
    case 'forward':
    case 'loss':
      return (
        <table className="anatomy-table">
          <caption>The {k} samples of this batch</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">sample</th>
              <th scope="col">target y</th>
              {stageId !== 'batch' && <th scope="col">prediction ŷ</th>}
              {stageId === 'loss' && <th scope="col">loss</th>}
            </tr>
          </thead>
          <tbody>
            {Array.from(view.indices, (index, s) => (
              <tr key={index}>
                <th scope="row">{s + 1}</th>
                <td>{index}</td>
                <td>{fmt(view.targets[s] as number, 3)}</td>
                {stageId !== 'batch' && <td>{fmt(a.outputs[s * (a.outputs.length / k)] as number, 3)}</td>}
                {stageId === 'loss' && <td>{fmt(a.losses[s] as number)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'gradients':
      return (
        <p className="anatomy-note">
          {k} gradients of {a.paramCount} numbers each. Left: each as an arrow, in the plane of{' '}
          {view.axisLabels[0].startsWith('∂')
            ? `two weights (${view.axisLabels[0]} across, ${view.axisLabels[1]} up)`
            : 'their mean and their largest disagreement'}
          {` (this plane shows ${Math.round(100 * view.projected.capturedShare)}% of their squared length)`}.
          Right: the same gradients, one bar per sample for each weight
          {view.shownParameters.length < a.paramCount
            ? ` (the ${view.shownParameters.length} most active weights)`
            : ''}
          .
        </p>
      );
    case 'reduce':
      return (
        <p className="anatomy-note" data-testid="anatomy-reduce-note">
          {reduction === 'mean'
            ? `ḡ = (g₁ + … + g${subscript(k)}) / ${k}: the red arrow is the average of the ${k} thin arrows.`
            : `Σg = g₁ + … + g${subscript(k)}: ${k} times the mean, so the red arrow is ${k}× longer than the average.`}{' '}
          Length of the combined gradient: {fmt(view.combinedLength)}.
        </p>
      );
    case 'update':
      return (
        <dl className="anatomy-numbers">
          <div>
            <dt>update</dt>
            <dd>
              w ← w − {fmt(view.effectiveLearningRate)} · {reduction === 'mean' ? 'ḡ' : 'Σg'}
            </dd>
          </div>
          <div>
            <dt>size of the step ‖Δw‖</dt>
            <dd data-testid="anatomy-step-length">{fmt(view.updateLength)}</dd>
          </div>
          <div>
            <dt>batch loss</dt>
            <dd>
              {fmt(a.batchLoss)} → {fmt(a.batchLossAfter)}
            </dd>
          </div>
          <div>
            <dt>full-dataset loss</dt>
            <dd data-testid="anatomy-dataset-loss">
              {fmt(a.datasetLossBefore)} → {fmt(a.datasetLossAfter)}
            </dd>
          </div>
        </dl>
      );
    case 'sequential': {
      const seq = view.sequential;
      return (
        <dl className="anatomy-numbers">
          <div>
            <dt>full-dataset loss at the start</dt>
            <dd>{fmt(seq.averaged.datasetLosses[0] as number)}</dd>
          </div>
          <div>
            <dt>after {k} one-sample steps</dt>
            <dd data-testid="anatomy-sequential-loss">
              {fmt(seq.sequential.datasetLosses.at(-1) as number)}
            </dd>
          </div>
          <div>
            <dt>after one averaged step</dt>
            <dd data-testid="anatomy-averaged-loss">{fmt(seq.averaged.datasetLosses.at(-1) as number)}</dd>
          </div>
          <div>
            <dt>distance moved: sequential / averaged</dt>
            <dd>
              {fmt(seq.sequentialDisplacement)} / {fmt(seq.averagedStepLength)}
            </dd>
          </div>
          <div>
            <dt>distance between the two end points</dt>
            <dd>{fmt(seq.endDistance)}</dd>
          </div>
        </dl>
      );
    }
    case 'sum-mean': {
      const paths = view.paths;
      return (
        <dl className="anatomy-numbers">
          <div>
            <dt>first step: mean·lr, sum·lr/B, sum·lr</dt>
            <dd>
              {fmt(paths.firstStepLengths.meanLr)}, {fmt(paths.firstStepLengths.sumLrOverB)},{' '}
              {fmt(paths.firstStepLengths.sumLr)} (
              {fmt(paths.firstStepLengths.sumLr / paths.firstStepLengths.meanLr, 2)}×)
            </dd>
          </div>
          <div>
            <dt>
              largest weight difference, mean·lr vs sum·lr/B, over {paths.meanLr.weights.length - 1} steps
            </dt>
            <dd data-testid="anatomy-sum-mean-difference">
              {paths.maxDifferenceMeanVsScaledSum === 0
                ? '0 (identical, bit for bit)'
                : `${paths.maxDifferenceMeanVsScaledSum.toExponential(1)} (rounding only)`}
            </dd>
          </div>
        </dl>
      );
    }
  }
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)] as string);
}
