import { type KeyboardEvent, useId, useMemo, useReducer, useRef, useState } from 'react';
import { parameterNames } from '../../metrics/anatomy';
import { GUIDE_STEPS } from '../../settings/guide';
import { useStore } from '../../state/store';
import { guideRequests } from '../guide/guide-model';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { useSliced } from '../shared/use-sliced';
import { AnatomyControls } from './AnatomyControls';
import { StageNumbers } from './AnatomyNumbers';
import { AnatomySource } from './AnatomySource';
import {
  ANATOMY_STAGES,
  type AnatomySetup,
  anatomyReducer,
  anatomySettings,
  anatomyViewSteps,
  defaultAnatomySetup,
  EXAMPLE_LEARNING_RATE,
  initialAnatomyState,
  stageIndex,
  weightChoices,
} from './anatomy-model';
import { drawAnatomyStage } from './anatomy-plot';
import './anatomy.css';

export { ANATOMY_STAGES, type AnatomyStageId } from './anatomy-model';

export interface AnatomyPanelProps {
  /** The small example to dissect; by default a 13-parameter network on XOR. */
  setup?: AnatomySetup;
  /** The page's own data, network and starting weights, when it has them: offered as a switch. */
  pageSetup?: AnatomySetup | null;
  /** The page's learning rate, taken along when switching to the page's problem. */
  pageLearningRate?: number;
  initialBatchSize?: number;
  initialLearningRate?: number;
  /** Leave out the heading (when the page's panel frame already shows one). */
  headless?: boolean;
}

function asError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}

/** One mini-batch update, stage by stage, computed by the CPU reference engine. */
export function AnatomyPanel({
  setup: givenSetup,
  pageSetup = null,
  pageLearningRate = 0.1,
  initialBatchSize = 8,
  initialLearningRate = EXAMPLE_LEARNING_RATE,
  headless = false,
}: AnatomyPanelProps) {
  const headingId = useId();
  const example = useMemo(() => givenSetup ?? defaultAnatomySetup(), [givenSetup]);
  const [state, dispatch] = useReducer(anatomyReducer, example, (s) =>
    initialAnatomyState(s.initialWeights, { batchSize: initialBatchSize, learningRate: initialLearningRate }),
  );
  const setup = state.source === 'page' && pageSetup ? pageSetup : example;
  const names = useMemo(() => parameterNames(setup.model), [setup]);

  // Another problem (the switch, or the page's data changed): its first batch, from its start.
  const [shown, setShown] = useState(setup);
  if (shown !== setup) {
    setShown(setup);
    dispatch({ type: 'restart', initialWeights: setup.initialWeights, keepStage: true });
  }
  // A step of the guided path opens its stage here.
  const request = useStore(guideRequests, (r) => r);
  const [seenRequest, setSeenRequest] = useState(0);
  if (request.count !== seenRequest) {
    setSeenRequest(request.count);
    const stage = stageIndex(GUIDE_STEPS[request.step - 1]?.anatomyStage ?? '');
    if (stage >= 0) dispatch({ type: 'stage', stage });
  }

  // The view is computed in slices after the render (the page's data with a large network is a
  // third of a second of work): the last one stays on screen meanwhile, and "Apply" waits for
  // the view of the batch it would apply.
  const { batchSize, learningRate, reduction, scaleSum, plane, firstParameter, secondParameter } = state;
  const settings = useMemo(
    () =>
      anatomySettings(
        { batchSize, learningRate, reduction, scaleSum, plane, firstParameter, secondParameter },
        setup,
      ),
    [batchSize, learningRate, reduction, scaleSum, plane, firstParameter, secondParameter, setup],
  );
  const inputs = useMemo(
    () => ({ setup, weights: state.weights, step: state.step, settings }),
    [setup, state.weights, state.step, settings],
  );
  const computed = useSliced(inputs, (i) => anatomyViewSteps(i.setup, i.weights, i.step, i.settings));
  const view = computed && ('value' in computed ? computed.value : asError(computed.error));
  const fresh = computed?.key === inputs;
  const drawnView = view instanceof Error ? null : view;
  const choices = useMemo(
    () => weightChoices(names, drawnView, [firstParameter, secondParameter]),
    [names, drawnView, firstParameter, secondParameter],
  );

  const figureRef = useRef<HTMLDivElement>(null);
  const primaryRef = useRef<SVGSVGElement>(null);
  const secondaryRef = useRef<SVGSVGElement>(null);
  const { width, measured } = useElementWidth(figureRef, 560);
  const current = ANATOMY_STAGES[state.stage] ?? ANATOMY_STAGES[0];

  useDrawEffect(() => {
    if (!view || view instanceof Error || !primaryRef.current || !secondaryRef.current || !measured) return;
    drawAnatomyStage(primaryRef.current, secondaryRef.current, width, {
      stage: current.id,
      view,
      dataset: setup.dataset,
      outputSize: setup.model.outputSize,
      reduction: state.reduction,
    });
  }, [view, current.id, width, measured, setup, state.reduction]);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === 'ArrowRight' || event.key === 'PageDown') {
      event.preventDefault();
      dispatch({ type: 'move', by: 1 });
    } else if (event.key === 'ArrowLeft' || event.key === 'PageUp') {
      event.preventDefault();
      dispatch({ type: 'move', by: -1 });
    }
  };
  const last = ANATOMY_STAGES.length - 1;

  return (
    <section
      className="anatomy-panel"
      aria-labelledby={headless ? undefined : headingId}
      aria-label={headless ? 'The anatomy of one batch' : undefined}
      data-view="anatomy"
    >
      {!headless && <h2 id={headingId}>The anatomy of one batch</h2>}
      <AnatomySource
        source={state.source === 'page' && pageSetup ? 'page' : 'example'}
        description={setup.description}
        canUsePage={pageSetup !== null}
        onUsePage={() =>
          pageSetup &&
          dispatch({
            type: 'source',
            source: 'page',
            initialWeights: pageSetup.initialWeights,
            learningRate: pageLearningRate,
          })
        }
        onUseExample={() =>
          dispatch({
            type: 'source',
            source: 'example',
            initialWeights: example.initialWeights,
            learningRate: EXAMPLE_LEARNING_RATE,
          })
        }
      />
      <AnatomyControls state={state} dispatch={dispatch} names={choices} idPrefix={headingId} />

      <ol className="anatomy-stepper" aria-label="Stages of one update">
        {ANATOMY_STAGES.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              aria-current={i === state.stage ? 'step' : undefined}
              className={i === state.stage ? 'current' : i < state.stage ? 'done' : ''}
              onClick={() => dispatch({ type: 'stage', stage: i })}
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
        aria-label={`Stage ${state.stage + 1} of ${ANATOMY_STAGES.length}: ${current.title}`}
      >
        <h3>
          Stage {state.stage + 1} of {ANATOMY_STAGES.length}: {current.title}
        </h3>
        <p className="anatomy-caption" aria-live="polite">
          {current.caption}
        </p>
        {view instanceof Error && (
          <p className="anatomy-error" role="alert">
            Cannot dissect this batch: {view.message}
          </p>
        )}
        <div className="anatomy-figures" ref={figureRef} aria-busy={!fresh}>
          <svg ref={primaryRef} className="anatomy-primary" />
          <svg ref={secondaryRef} className="anatomy-secondary" />
        </div>
        {view && !(view instanceof Error) && (
          <StageNumbers stageId={current.id} view={view} reduction={state.reduction} />
        )}
      </section>

      <div className="anatomy-nav">
        <button
          type="button"
          onClick={() => dispatch({ type: 'move', by: -1 })}
          onKeyDown={onKeyDown}
          disabled={state.stage === 0}
        >
          Previous
        </button>
        <button
          type="button"
          onClick={() => dispatch({ type: 'move', by: 1 })}
          onKeyDown={onKeyDown}
          disabled={state.stage === last}
          aria-keyshortcuts="ArrowRight ArrowLeft"
        >
          Next stage
        </button>
        <button
          type="button"
          onClick={() => {
            if (fresh && view && !(view instanceof Error))
              dispatch({ type: 'apply', weightsAfter: view.anatomy.weightsAfter });
          }}
          disabled={!fresh || !view || view instanceof Error}
        >
          Apply the update, next batch
        </button>
        <button
          type="button"
          onClick={() => dispatch({ type: 'restart', initialWeights: setup.initialWeights })}
        >
          Restart
        </button>
        <span className="anatomy-step">batch {state.step + 1} since the start</span>
      </div>
    </section>
  );
}
