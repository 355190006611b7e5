import type { AnatomySource as Source } from './anatomy-model';
import { EXAMPLE_LEARNING_RATE } from './anatomy-model';

/** Says plainly what the panel dissects, with a one-click switch between its example and the page's. */
export function AnatomySource({
  source,
  description,
  canUsePage,
  onUsePage,
  onUseExample,
}: {
  source: Source;
  description: string;
  /** The page has data, a network and starting weights to dissect. */
  canUsePage: boolean;
  onUsePage: () => void;
  onUseExample: () => void;
}) {
  return (
    <div className="anatomy-source" data-testid="anatomy-source" data-source={source}>
      <p>
        {source === 'page'
          ? `This panel dissects ${description}.`
          : `This panel dissects ${description}, not the runs above: small enough to follow every number, with lr ${EXAMPLE_LEARNING_RATE} so one update visibly moves the weights.`}
      </p>
      {source === 'page' ? (
        <button type="button" onClick={onUseExample}>
          Back to the small example
        </button>
      ) : canUsePage ? (
        <button type="button" onClick={onUsePage}>
          Use the page’s data and network
        </button>
      ) : null}
    </div>
  );
}
