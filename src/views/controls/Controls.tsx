import { type ReactNode, useId, useRef } from 'react';
import { DATASETS, type DatasetId, datasetInfo, isDatasetId } from '../../data/catalog';
import {
  LEARNING_RATES,
  MAX_HIDDEN_LAYERS,
  MAX_SEED,
  MOMENTUM,
  type Settings,
} from '../../settings/settings';
import { useAppState, useSession } from '../../state/session-context';
import { BatchSlider } from './BatchSlider';
import { CommitRange } from './CommitRange';
import { SpeedControl } from './SpeedControl';

const WIDTHS = [2, 4, 8, 16, 32, 64];
const LAYER_COUNTS = Array.from({ length: MAX_HIDDEN_LAYERS + 1 }, (_, k) => k);
const N_CHOICES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 10000, 20000];

function Field({
  label,
  help,
  htmlFor,
  children,
}: {
  label: string;
  help?: ReactNode;
  htmlFor?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      {htmlFor ? <label htmlFor={htmlFor}>{label}</label> : <span className="field-label">{label}</span>}
      {children}
      {help ? <p className="help">{help}</p> : null}
    </div>
  );
}

/** Buttons that start, stop and step the training, and the batch-size slider with its race. */
export function TrainingControls() {
  const session = useSession();
  const settings = useAppState((s) => s.settings);
  const n = useAppState((s) => s.dataset?.n ?? s.settings.n);
  const ready = useAppState((s) => s.engine.status === 'ready' && s.datasetStatus === 'ready');
  const hasRuns = useAppState((s) => s.runs.length > 0);
  return (
    <section className="training-controls" aria-label="Batch size and training">
      <BatchSlider
        n={n}
        batchSize={settings.batchSize}
        disabled={!ready}
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
          <button type="button" className="primary" onClick={() => session.pause()} disabled={!ready}>
            ❚❚ Pause
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => session.play()} disabled={!ready}>
            ▶ Train
          </button>
        )}
        <button
          type="button"
          onClick={() => session.step()}
          disabled={!ready || !hasRuns}
          title="One weight update for every run"
        >
          Step (1 batch)
        </button>
        <button
          type="button"
          onClick={() => session.epoch()}
          disabled={!ready || !hasRuns}
          title="N samples for every run"
        >
          1 epoch
        </button>
        <button type="button" onClick={() => session.race()} disabled={!ready} className="race">
          Race B = 1, 8, 64, N
        </button>
        <button
          type="button"
          onClick={() => session.reset()}
          disabled={!ready || !hasRuns}
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
  const datasetError = useAppState((s) => s.datasetError);
  const ids = {
    dataset: useId(),
    n: useId(),
    noise: useId(),
    upload: useId(),
    layers: useId(),
    width: useId(),
    act: useId(),
    lr: useId(),
    seed: useId(),
    engine: useId(),
  };
  const fileRef = useRef<HTMLInputElement>(null);
  const info = isDatasetId(settings.dataset) ? datasetInfo(settings.dataset as DatasetId) : null;
  const set = (patch: Partial<Settings>) => session.update(patch);
  const nChoices = info
    ? [
        ...new Set([
          ...N_CHOICES.filter((v) => v >= info.minN && v <= info.maxN),
          info.defaultN,
          info.maxN,
          settings.n,
        ]),
      ].sort((a, b) => a - b)
    : [settings.n];
  const noiseMax = info?.noiseRange[1] ?? 0;
  const noiseMin = info?.noiseRange[0] ?? 0;
  const lrIndex = Math.max(0, LEARNING_RATES.indexOf(settings.learningRate));
  const width = settings.hidden[0] ?? 16;

  return (
    <div className="settings-controls">
      <fieldset>
        <legend>Data</legend>
        <Field
          label="Dataset"
          htmlFor={ids.dataset}
          help={uploadedName ? `Training on your file ${uploadedName}.` : info?.description}
        >
          <select
            id={ids.dataset}
            value={uploadedName ? '' : settings.dataset}
            onChange={(e) => set({ dataset: e.target.value })}
          >
            {uploadedName ? <option value="">{uploadedName} (uploaded)</option> : null}
            {DATASETS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.isReal ? ' (real data)' : ''}
              </option>
            ))}
          </select>
        </Field>
        {datasetError ? (
          <p className="error" role="alert">
            {datasetError}
          </p>
        ) : null}
        <div className="field-row">
          <Field label="Samples N" htmlFor={ids.n}>
            <select
              id={ids.n}
              value={settings.n}
              disabled={!!uploadedName || info?.minN === info?.maxN}
              onChange={(e) => set({ n: Number(e.target.value) })}
            >
              {nChoices.map((v) => (
                <option key={v} value={v}>
                  {v.toLocaleString('en-US')}
                </option>
              ))}
            </select>
          </Field>
          <Field label={`Noise ${settings.noise.toFixed(2)}`} htmlFor={ids.noise}>
            <CommitRange
              id={ids.noise}
              min={noiseMin}
              max={noiseMax}
              step={0.05}
              value={settings.noise}
              disabled={noiseMax === noiseMin || !!uploadedName}
              aria-valuetext={settings.noise.toFixed(2)}
              onCommit={(v) => set({ noise: Number(v.toFixed(2)) })}
            />
          </Field>
        </div>
        <Field
          label="Your own data (CSV)"
          htmlFor={ids.upload}
          help="A header row, then one row per sample: input columns, and the target in the last column. It stays in this browser."
        >
          <input
            id={ids.upload}
            ref={fileRef}
            type="file"
            accept=".csv,.tsv,.txt,text/csv"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              if (file.size > 10_000_000) {
                session.rejectUpload(
                  `the file is ${(file.size / 1e6).toFixed(0)} MB; at most 10 MB can be used.`,
                );
                return;
              }
              session.uploadCsv(await file.text(), file.name);
              if (fileRef.current) fileRef.current.value = '';
            }}
          />
        </Field>
        {uploadError ? (
          <p className="error" role="alert">
            That file could not be used: {uploadError}
          </p>
        ) : null}
      </fieldset>

      <fieldset>
        <legend>Network</legend>
        <div className="field-row">
          <Field label="Hidden layers" htmlFor={ids.layers}>
            <select
              id={ids.layers}
              value={settings.hidden.length}
              onChange={(e) => set({ hidden: Array.from({ length: Number(e.target.value) }, () => width) })}
            >
              {LAYER_COUNTS.map((k) => (
                <option key={k} value={k}>
                  {k === 0 ? '0 (linear model)' : k}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Units per layer" htmlFor={ids.width}>
            <select
              id={ids.width}
              value={WIDTHS.includes(width) && settings.hidden.every((w) => w === width) ? width : ''}
              disabled={settings.hidden.length === 0}
              onChange={(e) => set({ hidden: settings.hidden.map(() => Number(e.target.value)) })}
            >
              {WIDTHS.includes(width) && settings.hidden.every((w) => w === width) ? null : (
                <option value="">{settings.hidden.join(', ')}</option>
              )}
              {WIDTHS.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Activation" htmlFor={ids.act}>
            <select
              id={ids.act}
              value={settings.activation}
              disabled={settings.hidden.length === 0}
              onChange={(e) => set({ activation: e.target.value as Settings['activation'] })}
            >
              <option value="tanh">tanh</option>
              <option value="relu">ReLU</option>
              <option value="sigmoid">sigmoid</option>
              <option value="linear">linear</option>
            </select>
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Optimiser</legend>
        <Field
          label={`Learning rate ${settings.learningRate}`}
          htmlFor={ids.lr}
          help="How far each update moves the weights along the (negative) batch gradient. Too large and the loss blows up: the run is marked diverged and stops."
        >
          <CommitRange
            id={ids.lr}
            min={0}
            max={LEARNING_RATES.length - 1}
            step={1}
            value={lrIndex}
            aria-valuetext={String(settings.learningRate)}
            onCommit={(i) => set({ learningRate: LEARNING_RATES[i] ?? settings.learningRate })}
          />
        </Field>
        <Field
          label="Combine the B gradients by"
          help={
            settings.reduction === 'mean'
              ? 'Mean: the step size does not depend on B.'
              : `Sum: B times the mean, so with the same learning rate, larger batches take B-times larger steps (sum with lr/B is exactly mean with lr).`
          }
        >
          <div className="radios" role="radiogroup" aria-label="Reduction">
            {(['mean', 'sum'] as const).map((r) => (
              <label key={r}>
                <input
                  type="radio"
                  name="reduction"
                  checked={settings.reduction === r}
                  onChange={() => set({ reduction: r })}
                />
                {r === 'mean' ? 'mean (average)' : 'sum'}
              </label>
            ))}
          </div>
        </Field>
        <Field label="Update rule">
          <div className="radios" role="radiogroup" aria-label="Update rule">
            <label>
              <input
                type="radio"
                name="opt"
                checked={settings.optimizer === 'sgd'}
                onChange={() => set({ optimizer: 'sgd' })}
              />
              plain SGD
            </label>
            <label>
              <input
                type="radio"
                name="opt"
                checked={settings.optimizer === 'momentum'}
                onChange={() => set({ optimizer: 'momentum' })}
              />
              SGD with momentum {MOMENTUM}
            </label>
          </div>
        </Field>
        <Field
          label="When B does not divide N"
          help="Each epoch visits every sample once in a new random order, cut into batches of B. The leftover samples form a smaller last batch, or are skipped this epoch."
        >
          <div className="radios" role="radiogroup" aria-label="Last batch">
            <label>
              <input
                type="radio"
                name="last"
                checked={settings.lastBatch === 'keep'}
                onChange={() => set({ lastBatch: 'keep' })}
              />
              keep a smaller last batch
            </label>
            <label>
              <input
                type="radio"
                name="last"
                checked={settings.lastBatch === 'drop'}
                onChange={() => set({ lastBatch: 'drop' })}
              />
              drop it
            </label>
          </div>
        </Field>
        <p className="help">
          Changing the optimiser settings restarts the runs on the plot, with the same batch sizes.
        </p>
      </fieldset>

      <fieldset>
        <legend>Reproducibility</legend>
        <div className="field-row">
          <Field label="Seed" htmlFor={ids.seed}>
            <input
              id={ids.seed}
              type="number"
              min={0}
              max={MAX_SEED}
              step={1}
              inputMode="numeric"
              defaultValue={settings.seed}
              key={settings.seed}
              onBlur={(e) => {
                const v = Math.round(Number(e.target.value));
                if (Number.isFinite(v) && v >= 0 && v <= MAX_SEED && v !== settings.seed) set({ seed: v });
                else e.target.value = String(settings.seed);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
              }}
            />
          </Field>
          <Field label="Engine" htmlFor={ids.engine}>
            <select
              id={ids.engine}
              value={settings.engine}
              onChange={(e) => set({ engine: e.target.value as Settings['engine'] })}
            >
              <option value="auto">WebGPU if available</option>
              <option value="cpu">CPU only</option>
            </select>
          </Field>
        </div>
        <p className="help">
          The seed fixes the data, the starting weights and the shuffling, so the same link gives the same
          runs. Every setting is in the page address: copy it to share this view.
        </p>
      </fieldset>
    </div>
  );
}
