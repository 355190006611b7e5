import type { Reduction } from '../../engine/types';
import { type AnatomyStageId, type AnatomyView, lossName } from './anatomy-model';

function fmt(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return Number(value.toFixed(digits)).toString();
}

/** The numbers under each stage's drawing: the batch as a table, or the few figures that matter. */
export function StageNumbers({
  stageId,
  view,
  reduction,
}: {
  stageId: AnatomyStageId;
  view: AnatomyView;
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
            <dt>{lossName(view)}</dt>
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
            <dt>{lossName(view)} at the start</dt>
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
