import { useId } from 'react';
import { describeBatchSize } from '../../settings/batch-names';
import { batchSizeStopIndex } from '../../settings/settings';
import { CommitRange } from './CommitRange';

export interface BatchSliderProps {
  n: number;
  batchSize: number;
  disabled?: boolean;
  onPreview: (b: number) => void;
  /** The slider settled on `b`; `fromKeyboard` lets the caller wait for a pause between key presses. */
  onCommit: (b: number, fromKeyboard: boolean) => void;
}

/**
 * Tick labels under the track: 1, N and a few powers of two between, never crowded. The last
 * label ("N=20000") is wider than the others and ends at the track's end: a label just before it
 * needs a wider gap (in a 340 px sidebar, "4096" ran into "N=20000").
 */
export function tickLabels(stops: readonly number[]): Set<number> {
  const last = stops.length - 1;
  const shown = new Set<number>([0, last]);
  const every = stops.length > 9 ? 3 : stops.length > 6 ? 2 : 1;
  const lastLabel = `N=${stops[last] ?? ''}`;
  const gapBeforeLast = lastLabel.length > 5 ? every + 1 : every / 2;
  for (let i = every; i < last; i += every) if (last - i >= gapBeforeLast) shown.add(i);
  return shown;
}

/** The batch size from 1 to N on a log scale, snapping to 1, powers of two and N. */
export function BatchSlider({ n, batchSize, disabled, onPreview, onCommit }: BatchSliderProps) {
  const id = useId();
  const { index, stops } = batchSizeStopIndex(n, batchSize);
  const b = stops[index] ?? 1;
  const labels = tickLabels(stops);
  const name = describeBatchSize(b, n);
  return (
    <div className="batch-slider">
      <label htmlFor={id} className="batch-label">
        Batch size
      </label>
      <output htmlFor={id} className="batch-name" aria-live="polite">
        {name}
      </output>
      <CommitRange
        id={id}
        className="batch-range"
        min={0}
        max={stops.length - 1}
        step={1}
        value={index}
        disabled={disabled}
        aria-valuetext={name}
        data-batch-size={b}
        onPreview={(i) => onPreview(stops[i] ?? 1)}
        onCommit={(i, fromKeyboard) => onCommit(stops[i] ?? 1, fromKeyboard)}
      />
      <div className="batch-ticks" aria-hidden="true">
        {stops.map((stop, i) => (
          <span key={stop} style={{ left: `${(i / Math.max(1, stops.length - 1)) * 100}%` }}>
            {labels.has(i) ? (stop === n && n > 1 ? `N=${n}` : stop) : ''}
          </span>
        ))}
      </div>
    </div>
  );
}
