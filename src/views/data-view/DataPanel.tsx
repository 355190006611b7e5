import { useEffect, useState } from 'react';
import { useAppState } from '../../state/session-context';
import { batchSizeColour } from '../chart/palette';
import { DivergedNote, useDivergedFocus } from '../shared/DivergedNote';
import { DataPlot } from './DataPlot';

/** The data view connected to the session: the focused run's model over the dataset. */
export function DataPanel() {
  const dataset = useAppState((s) => s.dataset);
  const status = useAppState((s) => s.datasetStatus);
  const model = useAppState((s) => s.model);
  const weights = useAppState((s) => s.focusedWeights);
  const focusedId = useAppState((s) => s.focusedRunId);
  const runs = useAppState((s) => s.runs);
  const diverged = useDivergedFocus();
  const [classNames, setClassNames] = useState<readonly string[] | undefined>(undefined);
  useEffect(() => {
    setClassNames(undefined);
    if (dataset?.id !== 'penguins') return;
    // Already loaded with the data itself, so this costs no request.
    void import('../../data/real').then((real) => setClassNames(real.PENGUIN_SPECIES));
  }, [dataset]);
  if (!dataset)
    return <p className="muted">{status === 'failed' ? 'No data to show.' : 'Loading the data…'}</p>;
  if (diverged) return <DivergedNote focus={diverged} what="model's prediction" />;
  const run = runs.find((r) => r.id === focusedId) ?? null;
  return (
    <DataPlot
      dataset={dataset}
      model={model}
      weights={weights}
      runLabel={run?.label ?? null}
      runColour={run ? batchSizeColour(run.batchSize, run.n) : '#444'}
      {...(classNames ? { classNames } : {})}
    />
  );
}
