import { useEffect } from 'react';
import type { PanelName } from '../../settings/settings';
import { useAppState, useSession } from '../../state/session-context';
import { GUIDE_STEPS, requestStep, settingsForStep, stepForPanel } from './guide-model';
import './guide.css';

/** Brings a panel into view (at once when the learner asked for reduced motion). */
function showPanel(panel: PanelName, reducedMotion: boolean): void {
  const element = document.querySelector(`[data-panel="${panel}"]`);
  element?.scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth', block: 'start' });
}

/** Chooses step `k`: sets the page's state, tells the panels, and shows the step's panel. */
function useChooseStep(): (k: number) => void {
  const session = useSession();
  const reducedMotion = useAppState((s) => s.reducedMotion);
  return (k) => {
    session.update(settingsForStep(session.state.settings, k), { restartRuns: true });
    requestStep(k);
    showPanel(GUIDE_STEPS[k - 1]?.panel ?? 'loss', reducedMotion);
  };
}

/** "Try this": the learners' questions at the top of the page, each a one-click demonstration. */
export function Guide() {
  const current = useAppState((s) => s.settings.guideStep);
  const choose = useChooseStep();
  // A link to a step (`?step=3`) opens on that step's panel, once the page has laid out.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the step the page opened with
  useEffect(() => {
    const step = GUIDE_STEPS[current - 1];
    if (!step) return;
    requestStep(current);
    const timer = setTimeout(() => showPanel(step.panel, true), 300);
    return () => clearTimeout(timer);
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
  if (!step) return null;
  const next = GUIDE_STEPS[current];
  return (
    <aside className="guide-note" aria-label={`Guided step ${current}`} data-testid="guide-note">
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
