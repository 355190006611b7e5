import { useEffect, useRef } from 'react';
import type { PanelName } from '../../settings/settings';
import { useAppState, useSession } from '../../state/session-context';
import { useStore } from '../../state/store';
import { GUIDE_STEPS, guideRequests, requestStep, settingsForStep, stepForPanel } from './guide-model';
import './guide.css';

/** Chooses step `k`: sets the page's state and tells the panels (the step's panel comes into view). */
function useChooseStep(): (k: number) => void {
  const session = useSession();
  return (k) => {
    session.update(settingsForStep(session.state.settings, k), { restartRuns: true });
    requestStep(k);
  };
}

/** Brings `panel` to the top of the screen, and again if the plots above it grow meanwhile. */
function showPanel(panel: Element): () => void {
  // At once, not smoothly: the runs restarting above may move the panel during a smooth scroll.
  panel.scrollIntoView({ block: 'start' });
  const timers = [300, 1000].map((ms) =>
    setTimeout(() => {
      const top = panel.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight / 3) panel.scrollIntoView({ block: 'start' });
    }, ms),
  );
  return () => {
    for (const timer of timers) clearTimeout(timer);
  };
}

/** "Try this": the learners' questions at the top of the page, each a one-click demonstration. */
export function Guide() {
  const current = useAppState((s) => s.settings.guideStep);
  const choose = useChooseStep();
  // A link to a step (`?step=3`) opens on that step: its panel in view, the anatomy at its stage.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the step the page opened with
  useEffect(() => {
    if (GUIDE_STEPS[current - 1]) requestStep(current);
  }, []);
  const step = GUIDE_STEPS[current - 1];
  return (
    <section className="guide" aria-labelledby="guide-title" data-testid="guide">
      <h2 id="guide-title">Try this</h2>
      <p className="guide-intro">
        Questions learners ask about batches. Each button sets up the page to show the answer.
      </p>
      <ol className="guide-steps">
        {GUIDE_STEPS.map((s, i) => (
          <li key={s.question}>
            <button
              type="button"
              aria-pressed={current === i + 1}
              data-guide-step={i + 1}
              onClick={() => choose(i + 1)}
            >
              <span className="guide-number" aria-hidden="true">
                {i + 1}
              </span>
              {s.question}
            </button>
          </li>
        ))}
      </ol>
      {step ? (
        <p className="guide-look" aria-live="polite">
          <strong>Step {current}, look for:</strong> {step.lookFor}
        </p>
      ) : null}
    </section>
  );
}

/** The chosen step's sentence on the panel it points at, with a way on to the next step. */
export function GuideNote({ panel }: { panel: PanelName }) {
  const current = useAppState((s) => s.settings.guideStep);
  const session = useSession();
  const choose = useChooseStep();
  const step = stepForPanel(current, panel);
  const request = useStore(guideRequests, (r) => r.count);
  const ref = useRef<HTMLElement>(null);
  // Each choice of a step, once: the note of the step's panel brings that panel into view.
  useEffect(() => {
    const frame = ref.current?.closest('[data-panel]');
    return request > 0 && frame ? showPanel(frame) : undefined;
  }, [request]);
  if (!step) return null;
  const next = GUIDE_STEPS[current];
  return (
    <aside ref={ref} className="guide-note" aria-label={`Guided step ${current}`} data-testid="guide-note">
      <p>
        <strong>
          Step {current} of {GUIDE_STEPS.length}: {step.question}
        </strong>{' '}
        {step.lookFor}
      </p>
      <p className="guide-note-actions">
        {next ? (
          <button type="button" onClick={() => choose(current + 1)}>
            Next: {next.question}
          </button>
        ) : null}
        <button type="button" onClick={() => session.update({ guideStep: 0 })}>
          Leave the guide
        </button>
      </p>
    </aside>
  );
}
