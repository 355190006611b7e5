import { useMemo } from 'react';
import { useAppState } from '../../state/session-context';
import { AnatomyPanel } from './AnatomyPanel';
import { pageAnatomySetup } from './anatomy-model';

/** The anatomy panel on the page: its own small example, with a switch to the page's problem. */
export function AnatomySessionPanel() {
  const dataset = useAppState((s) => s.dataset);
  const model = useAppState((s) => s.model);
  const initialWeights = useAppState((s) => s.initialWeights);
  const seed = useAppState((s) => s.settings.seed);
  const learningRate = useAppState((s) => s.settings.learningRate);
  const pageSetup = useMemo(
    () =>
      dataset && model && initialWeights && initialWeights.length > 0
        ? pageAnatomySetup(dataset, model, initialWeights, seed)
        : null,
    [dataset, model, initialWeights, seed],
  );
  return <AnatomyPanel pageSetup={pageSetup} pageLearningRate={learningRate} headless />;
}
