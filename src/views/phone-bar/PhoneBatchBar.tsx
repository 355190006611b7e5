import { useEffect, useId, useState } from 'react';
import { describeBatchSize } from '../../settings/batch-names';
import { batchSizeStopIndex } from '../../settings/settings';
import { useAppState, useSession } from '../../state/session-context';
import { CommitRange } from '../controls/CommitRange';
import { PHONE_QUERY, showPhoneBar, type Visibility } from './phone-bar';
import './phone-bar.css';

/** Follows what is on screen: the page's width, its slider and its loss plot. */
function useVisibility(): Visibility {
  const panels = useAppState((s) => s.settings.panels);
  const [visibility, setVisibility] = useState<Visibility>({
    narrow: false,
    sliderOnScreen: true,
    lossOnScreen: false,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: the observed elements change with the panels
  useEffect(() => {
    if (typeof matchMedia !== 'function' || typeof IntersectionObserver === 'undefined') return;
    const media = matchMedia(PHONE_QUERY);
    const onMedia = () => setVisibility((v) => ({ ...v, narrow: media.matches }));
    onMedia();
    media.addEventListener('change', onMedia);
    const slider = document.querySelector('.panel-training .batch-range');
    // The panel, not its svg: a redraw may replace the svg, never the panel.
    const loss = document.querySelector('[data-panel="loss"]');
    const observer = new IntersectionObserver((entries) => {
      setVisibility((v) => {
        let next = v;
        for (const entry of entries) {
          if (entry.target === slider) next = { ...next, sliderOnScreen: entry.isIntersecting };
          if (entry.target === loss) next = { ...next, lossOnScreen: entry.isIntersecting };
        }
        return next;
      });
    });
    if (slider) observer.observe(slider);
    else setVisibility((v) => ({ ...v, sliderOnScreen: false }));
    if (loss) observer.observe(loss);
    return () => {
      media.removeEventListener('change', onMedia);
      observer.disconnect();
    };
  }, [panels]);
  return visibility;
}

/** The batch-size slider, compact, pinned to the top of a phone's screen beside the loss plot. */
export function PhoneBatchBar() {
  const session = useSession();
  const id = useId();
  const n = useAppState((s) => s.dataset?.n ?? s.settings.n);
  const batchSize = useAppState((s) => s.settings.batchSize);
  const visible = showPhoneBar(useVisibility());
  if (!visible) return null;
  const { index, stops } = batchSizeStopIndex(n, batchSize);
  const b = stops[index] ?? 1;
  const name = describeBatchSize(b, n);
  return (
    <div className="phone-batch-bar" data-testid="phone-batch-bar">
      <label htmlFor={id} className="phone-batch-name">
        <span className="visually-hidden">Batch size, </span>
        {name}
      </label>
      <CommitRange
        id={id}
        className="phone-batch-range"
        min={0}
        max={stops.length - 1}
        step={1}
        value={index}
        aria-valuetext={name}
        data-batch-size={b}
        onPreview={(i) => session.previewBatchSize(stops[i] ?? 1)}
        onCommit={(i, fromKeyboard) => session.commitBatchSize(stops[i] ?? 1, fromKeyboard ? 700 : 0)}
      />
    </div>
  );
}
