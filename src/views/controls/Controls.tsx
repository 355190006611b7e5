import type { Settings } from '../../settings/settings';
import { settingUp, trainingUnavailable } from '../../state/session';
import { useAppState, useSession } from '../../state/session-context';
import { BatchSlider } from './BatchSlider';
import { DataFields, NetworkFields, OptimiserFields, ReproducibilityFields } from './SettingsFields';
import { SpeedControl } from './SpeedControl';
import { settingsView } from './settings-model';

/** Buttons that start, stop and step the training, and the batch-size slider with its race. */
export function TrainingControls() {
  const session = useSession();
  const settings = useAppState((s) => s.settings);
  const n = useAppState((s) => s.dataset?.n ?? s.settings.n);
  const unavailable = useAppState(trainingUnavailable);
  // Step, epoch and Reset act on runs: usable once there are some, or while they are set up.
  const noRuns = useAppState((s) => s.runs.length === 0 && !settingUp(s));
  const hasRuns = useAppState((s) => s.runs.length > 0);
  return (
    <section className="training-controls" aria-label="Batch size and training">
      <BatchSlider
        n={n}
        batchSize={settings.batchSize}
        disabled={unavailable}
        onPreview={(b) => session.previewBatchSize(b)}
        onCommit={(b, fromKeyboard) => session.commitBatchSize(b, fromKeyboard ? 700 : 0)}
      />
      <p className="help">
        B is how many samples the network looks at before it changes its weights once. Each sample's gradient
        is computed separately (forward pass, then backpropagation); the B gradients are averaged (or summed),
        and the weights take one step. Letting go of the slider starts a new run with that B from the{' '}
        <em>same</em> starting weights, next to the runs already on the plot.
      </p>
      <div className="transport">
        {settings.playing && hasRuns ? (
          <button type="button" className="primary" onClick={() => session.pause()} disabled={unavailable}>
            ❚❚ Pause
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => session.play()} disabled={unavailable}>
            ▶ Train
          </button>
        )}
        <button
          type="button"
          onClick={() => session.step()}
          disabled={unavailable || noRuns}
          title="One weight update for every run"
        >
          Step (1 batch)
        </button>
        <button
          type="button"
          onClick={() => session.epoch()}
          disabled={unavailable || noRuns}
          title="N samples for every run"
        >
          1 epoch
        </button>
        <button type="button" onClick={() => session.race()} disabled={unavailable} className="race">
          Race B = 1, 8, 64, N
        </button>
        <button
          type="button"
          onClick={() => session.reset()}
          disabled={unavailable || noRuns}
          title="Every run back to the starting weights"
        >
          Reset
        </button>
        <button type="button" onClick={() => session.clearRuns()} disabled={!hasRuns}>
          Clear runs
        </button>
      </div>
      <SpeedControl speed={settings.speed} onChange={(speed) => session.update({ speed })} />
    </section>
  );
}

/** Everything that defines the problem and the optimiser. */
export function SettingsControls() {
  const session = useSession();
  const settings = useAppState((s) => s.settings);
  const uploadedName = useAppState((s) => s.uploadedName);
  const uploadError = useAppState((s) => s.uploadError);
  const uploadReading = useAppState((s) => s.uploadReading);
  const datasetError = useAppState((s) => s.datasetError);
  const view = settingsView(settings, uploadedName);
  const fields = { settings, view, set: (patch: Partial<Settings>) => session.update(patch) };
  return (
    <div className="settings-controls">
      <DataFields
        {...fields}
        uploadedName={uploadedName}
        uploadError={uploadError}
        uploadReading={uploadReading}
        datasetError={datasetError}
        onFile={(text, name) => session.uploadCsv(text, name)}
        onFileRejected={(reason) => session.rejectUpload(reason)}
        onSwitchTarget={() => session.switchUploadTarget()}
      />
      <NetworkFields {...fields} />
      <OptimiserFields {...fields} />
      <ReproducibilityFields {...fields} />
    </div>
  );
}
