/**
 * The four groups of settings (data, network, optimiser, reproducibility). Each renders what
 * `settingsView` computed and hands the session a patch built by `settings-model.ts`.
 */

import { type ReactNode, useId, useRef } from 'react';
import { DATASETS } from '../../data/catalog';
import { formatCount } from '../../data/format-count';
import { DIVERGENCE_RULE_TEXT } from '../../metrics/divergence';
import { MAX_SEED, MOMENTUM, type Settings } from '../../settings/settings';
import { SCALED_REFERENCE_BATCH_SIZE } from '../../state/run-learning-rate';
import type { UploadReading } from '../../state/session';
import { CommitRange } from './CommitRange';
import {
  LAYER_COUNTS,
  learningRateAt,
  noiseAt,
  type SettingsView,
  seedFromText,
  uploadSizeProblem,
  WIDTHS,
  withLayerCount,
  withWidth,
} from './settings-model';

export interface FieldsProps {
  settings: Settings;
  view: SettingsView;
  set: (patch: Partial<Settings>) => void;
}

export function Field({
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

/** A group of radio buttons for one setting. */
function Radios<T extends string>({
  name,
  label,
  value,
  options,
  onChange,
}: {
  name: string;
  label: string;
  value: T;
  options: readonly (readonly [T, ReactNode])[];
  onChange: (value: T) => void;
}) {
  return (
    <div className="radios" role="radiogroup" aria-label={label}>
      {options.map(([option, text]) => (
        <label key={option}>
          <input type="radio" name={name} checked={value === option} onChange={() => onChange(option)} />
          {text}
        </label>
      ))}
    </div>
  );
}

export function DataFields({
  settings,
  view,
  set,
  uploadedName,
  uploadError,
  uploadReading,
  datasetError,
  onFile,
  onFileRejected,
  onSwitchTarget,
}: FieldsProps & {
  uploadedName: string | null;
  uploadError: string | null;
  uploadReading: UploadReading | null;
  datasetError: string | null;
  onFile: (text: string, name: string) => void;
  onFileRejected: (reason: string) => void;
  onSwitchTarget: () => void;
}) {
  const ids = { dataset: useId(), n: useId(), noise: useId(), upload: useId() };
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <fieldset>
      <legend>Data</legend>
      <Field label="Dataset" htmlFor={ids.dataset} help={view.datasetHelp}>
        <select id={ids.dataset} value={view.datasetValue} onChange={(e) => set({ dataset: e.target.value })}>
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
            disabled={view.nDisabled}
            onChange={(e) => set({ n: Number(e.target.value) })}
          >
            {view.nChoices.map((v) => (
              <option key={v} value={v}>
                {formatCount(v)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={view.noise.label} htmlFor={ids.noise}>
          <CommitRange
            id={ids.noise}
            min={view.noise.min}
            max={view.noise.max}
            step={0.05}
            value={settings.noise}
            disabled={view.noise.disabled}
            aria-valuetext={settings.noise.toFixed(2)}
            onCommit={(v) => set(noiseAt(v))}
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
            const tooLarge = uploadSizeProblem(file.size);
            if (tooLarge) {
              onFileRejected(tooLarge);
              return;
            }
            onFile(await file.text(), file.name);
            if (fileRef.current) fileRef.current.value = '';
          }}
        />
      </Field>
      {uploadError ? (
        <p className="error" role="alert">
          That file could not be used: {uploadError}
        </p>
      ) : null}
      {uploadedName && uploadReading ? (
        <div className="upload-reading" data-upload-reading>
          <p className="help">{uploadReading.summary}</p>
          <button
            type="button"
            className="upload-switch"
            disabled={uploadReading.switchBlocked !== null}
            title={uploadReading.switchBlocked ?? undefined}
            onClick={onSwitchTarget}
          >
            {uploadReading.alternative === 'classification'
              ? 'Read the target as classes instead'
              : 'Read the target as a number to predict instead'}
          </button>
          {uploadReading.switchBlocked ? <p className="help">{uploadReading.switchBlocked}</p> : null}
        </div>
      ) : null}
    </fieldset>
  );
}

export function NetworkFields({ settings, view, set }: FieldsProps) {
  const ids = { layers: useId(), width: useId(), act: useId() };
  return (
    <fieldset>
      <legend>Network</legend>
      <div className="field-row">
        <Field label="Hidden layers" htmlFor={ids.layers}>
          <select
            id={ids.layers}
            value={settings.hidden.length}
            onChange={(e) => set(withLayerCount(settings, Number(e.target.value)))}
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
            value={view.uniformWidth ?? ''}
            disabled={view.linear}
            onChange={(e) => set(withWidth(settings, Number(e.target.value)))}
          >
            {view.mixedWidths === null ? null : <option value="">{view.mixedWidths}</option>}
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
            disabled={view.linear}
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
  );
}

export function OptimiserFields({ settings, view, set }: FieldsProps) {
  const lrId = useId();
  return (
    <fieldset>
      <legend>Optimiser</legend>
      <Field
        label={view.learningRate.label}
        htmlFor={lrId}
        help={`How far each update moves the weights along the (negative) batch gradient. Too large and the loss blows up. ${DIVERGENCE_RULE_TEXT}`}
      >
        <CommitRange
          id={lrId}
          min={0}
          max={view.learningRate.max}
          step={1}
          value={view.learningRate.index}
          aria-valuetext={String(settings.learningRate)}
          onCommit={(i) => set(learningRateAt(settings, i))}
        />
      </Field>
      <Field
        label="Learning rate per batch size"
        help={`A fair race tunes the learning rate for each B: scaled ∝ B uses the slider's rate at B = ${SCALED_REFERENCE_BATCH_SIZE} and multiplies it by B / ${SCALED_REFERENCE_BATCH_SIZE} (the linear-scaling rule); best from the sweep uses each B's fastest learning rate from a finished sweep. The table under the loss plot shows each run's rate.`}
      >
        <Radios
          name="lrmode"
          label="Learning rate per batch size"
          value={settings.learningRateMode}
          options={[
            ['same', 'same for all'],
            ['scaled', 'scaled ∝ B'],
            ['sweep', 'best from the sweep'],
          ]}
          onChange={(learningRateMode) => set({ learningRateMode })}
        />
      </Field>
      <Field label="Combine the B gradients by" help={view.reductionHelp}>
        <Radios
          name="reduction"
          label="Reduction"
          value={settings.reduction}
          options={[
            ['mean', 'mean (average)'],
            ['sum', 'sum'],
          ]}
          onChange={(reduction) => set({ reduction })}
        />
      </Field>
      <Field label="Update rule">
        <Radios
          name="opt"
          label="Update rule"
          value={settings.optimizer}
          options={[
            ['sgd', 'plain SGD'],
            ['momentum', `SGD with momentum ${MOMENTUM}`],
          ]}
          onChange={(optimizer) => set({ optimizer })}
        />
      </Field>
      <Field
        label="When B does not divide N"
        help="Each epoch visits every sample once in a new random order, cut into batches of B. The leftover samples form a smaller last batch, or are skipped this epoch."
      >
        <Radios
          name="last"
          label="Last batch"
          value={settings.lastBatch}
          options={[
            ['keep', 'keep a smaller last batch'],
            ['drop', 'drop it'],
          ]}
          onChange={(lastBatch) => set({ lastBatch })}
        />
      </Field>
      <p className="help">
        Changing the optimiser settings restarts the runs on the plot, with the same batch sizes.
      </p>
    </fieldset>
  );
}

export function ReproducibilityFields({ settings, set }: Omit<FieldsProps, 'view'>) {
  const ids = { seed: useId(), engine: useId() };
  return (
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
              const patch = seedFromText(settings, e.target.value);
              if (patch) set(patch);
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
        The seed fixes the data, the starting weights and the shuffling, so the same link gives the same runs.
        Every setting is in the page address: copy it to share this view.
      </p>
    </fieldset>
  );
}
