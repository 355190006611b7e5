import type { Dispatch } from 'react';
import {
  ANATOMY_BATCH_SIZES,
  ANATOMY_LEARNING_RATES,
  type AnatomyAction,
  type AnatomyState,
  type WeightChoice,
} from './anatomy-model';

/** The panel's own choices: B, lr, mean or sum, and the plane the arrows are drawn in. */
export function AnatomyControls({
  state,
  dispatch,
  names,
  idPrefix,
}: {
  state: AnatomyState;
  dispatch: Dispatch<AnatomyAction>;
  /** The weights that may be chosen for the two-weight plane, with their names. */
  names: readonly WeightChoice[];
  idPrefix: string;
}) {
  const { reduction } = state;
  return (
    <div className="anatomy-controls">
      <label>
        Batch size B{' '}
        <select
          value={state.batchSize}
          onChange={(e) => dispatch({ type: 'batchSize', value: Number(e.target.value) })}
        >
          {ANATOMY_BATCH_SIZES.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label>
        Learning rate lr{' '}
        <select
          value={state.learningRate}
          onChange={(e) => dispatch({ type: 'learningRate', value: Number(e.target.value) })}
        >
          {ANATOMY_LEARNING_RATES.map((lr) => (
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
            name={`${idPrefix}-reduction`}
            checked={reduction === 'mean'}
            onChange={() => dispatch({ type: 'reduction', value: 'mean' })}
          />{' '}
          mean
        </label>
        <label>
          <input
            type="radio"
            name={`${idPrefix}-reduction`}
            checked={reduction === 'sum'}
            onChange={() => dispatch({ type: 'reduction', value: 'sum' })}
          />{' '}
          sum
        </label>
        <label className={reduction === 'sum' ? '' : 'anatomy-muted'}>
          <input
            type="checkbox"
            checked={state.scaleSum}
            disabled={reduction !== 'sum'}
            onChange={(e) => dispatch({ type: 'scaleSum', value: e.target.checked })}
          />{' '}
          with lr/B
        </label>
      </fieldset>
      <label>
        Arrows in the plane of{' '}
        <select
          value={state.plane}
          onChange={(e) =>
            dispatch({ type: 'plane', value: e.target.value === 'parameters' ? 'parameters' : 'mean-spread' })
          }
        >
          <option value="mean-spread">the mean gradient and the largest disagreement</option>
          <option value="parameters">two chosen weights</option>
        </select>
      </label>
      {state.plane === 'parameters' && (
        <>
          <label>
            across{' '}
            <select
              aria-label="weight across"
              value={state.firstParameter}
              onChange={(e) => dispatch({ type: 'firstParameter', value: Number(e.target.value) })}
            >
              {names.map(({ index, name }) => (
                <option key={name} value={index} disabled={index === state.secondParameter}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            up{' '}
            <select
              aria-label="weight up"
              value={state.secondParameter}
              onChange={(e) => dispatch({ type: 'secondParameter', value: Number(e.target.value) })}
            >
              {names.map(({ index, name }) => (
                <option key={name} value={index} disabled={index === state.firstParameter}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
    </div>
  );
}
