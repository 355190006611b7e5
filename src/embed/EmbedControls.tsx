import type { ControlName } from '../settings/embed-params';
import { settingUp, trainingUnavailable } from '../state/session';
import { useAppState, useSession } from '../state/session-context';
import { BatchSlider } from '../views/controls/BatchSlider';
import { SpeedControl } from '../views/controls/SpeedControl';

/**
 * The compact control bar of an embed: the app's batch-size slider and a few of its buttons,
 * each shown only when the teacher listed it in `controls`, and disabled when listed in `lock`.
 */
export function EmbedControls({
  controls,
  locked,
}: {
  controls: readonly ControlName[];
  locked: readonly ControlName[];
}) {
  const session = useSession();
  const settings = useAppState((s) => s.settings);
  const n = useAppState((s) => s.dataset?.n ?? s.settings.n);
  const unavailable = useAppState(trainingUnavailable);
  const noRuns = useAppState((s) => s.runs.length === 0 && !settingUp(s));
  const hasRuns = useAppState((s) => s.runs.length > 0);
  const shows = (name: ControlName) => controls.includes(name);
  const usable = (name: ControlName) => !unavailable && !locked.includes(name);
  const lockedTitle = (name: ControlName) => (locked.includes(name) ? 'Fixed by the course page' : undefined);
  if (controls.length === 0) return null;
  const buttons = shows('play') || shows('step') || shows('reset') || shows('race');
  return (
    <section className="embed-controls" aria-label="Batch size and training">
      {shows('batch') ? (
        <div
          className={`embed-batch${locked.includes('batch') ? ' is-locked' : ''}`}
          title={lockedTitle('batch')}
        >
          <BatchSlider
            n={n}
            batchSize={settings.batchSize}
            disabled={!usable('batch')}
            onPreview={(b) => session.previewBatchSize(b)}
            onCommit={(b, fromKeyboard) => session.commitBatchSize(b, fromKeyboard ? 700 : 0)}
          />
        </div>
      ) : null}
      {buttons ? (
        <div className="transport">
          {shows('play') ? (
            settings.playing && hasRuns ? (
              <button
                type="button"
                className="primary"
                onClick={() => session.pause()}
                disabled={!usable('play')}
                title={lockedTitle('play')}
              >
                ❚❚ Pause
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                onClick={() => session.play()}
                disabled={!usable('play')}
                title={lockedTitle('play')}
              >
                ▶ Train
              </button>
            )
          ) : null}
          {shows('step') ? (
            <button
              type="button"
              onClick={() => session.step()}
              disabled={!usable('step') || noRuns}
              title={lockedTitle('step') ?? 'One weight update for every run'}
            >
              Step (1 batch)
            </button>
          ) : null}
          {shows('reset') ? (
            <button
              type="button"
              onClick={() => session.reset()}
              disabled={!usable('reset') || noRuns}
              title={lockedTitle('reset') ?? 'Every run back to the starting weights'}
            >
              Reset
            </button>
          ) : null}
          {shows('race') ? (
            <button
              type="button"
              className="race"
              onClick={() => session.race()}
              disabled={!usable('race')}
              title={lockedTitle('race')}
            >
              Race B = 1, 8, 64, N
            </button>
          ) : null}
        </div>
      ) : null}
      {shows('speed') ? (
        <SpeedControl
          speed={settings.speed}
          disabled={locked.includes('speed')}
          onChange={(speed) => session.update({ speed })}
        />
      ) : null}
    </section>
  );
}
