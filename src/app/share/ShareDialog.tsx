import { useEffect, useId, useRef, useState } from 'react';
import { CONTROL_NAMES, type ControlName, DEFAULT_EMBED_CONTROLS } from '../../settings/embed-params';
import type { PanelName } from '../../settings/settings';
import { useAppState } from '../../state/session-context';
import { type EmbedChoice, elementSnippet, iframeSnippet, shareLink } from './snippets';
import './share.css';

const PANEL_CHOICES: readonly { name: PanelName; label: string }[] = [
  { name: 'loss', label: 'Loss curves' },
  { name: 'data', label: 'Data and model' },
  { name: 'noise', label: 'Gradient noise' },
  { name: 'anatomy', label: 'Anatomy of a batch' },
  { name: 'landscape', label: 'Loss landscape' },
  { name: 'article', label: 'Explanation' },
  { name: 'controls', label: 'All settings' },
];

const CONTROL_LABELS: Readonly<Record<ControlName, string>> = {
  batch: 'Batch-size slider',
  play: 'Train / pause',
  step: 'Step',
  reset: 'Reset',
  race: 'Race',
  speed: 'Speed',
};

/** The app's address without its query: where links and iframes point. */
function appUrl(): string {
  return `${location.origin}${location.pathname}`;
}

function CopyField({ label, value, rows }: { label: string; value: string; rows?: number }) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('Copied.');
    } catch {
      // No clipboard permission (an embedded page, an old browser): select it for Ctrl+C.
      ref.current?.focus();
      ref.current?.select();
      setStatus('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        {rows ? (
          <textarea id={id} ref={ref} readOnly rows={rows} value={value} spellCheck={false} />
        ) : (
          <input id={id} ref={ref} readOnly value={value} spellCheck={false} />
        )}
        <button type="button" onClick={copy}>
          Copy<span className="visually-hidden"> {label.toLowerCase()}</span>
        </button>
      </div>
      <p className="copy-status" role="status">
        {status}
      </p>
    </div>
  );
}

function toggle<T>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
  const next = on ? [...list, item] : list.filter((x) => x !== item);
  return order.filter((x) => next.includes(x));
}

/** The dialog's contents: the link, and the iframe and element snippets for the chosen panels. */
function ShareContents() {
  const settings = useAppState((s) => s.settings);
  const uploadedName = useAppState((s) => s.uploadedName);
  const [choice, setChoice] = useState<EmbedChoice>({
    panels: ['loss'],
    controls: [...DEFAULT_EMBED_CONTROLS],
    locked: [],
  });
  const panelOrder = PANEL_CHOICES.map((p) => p.name);
  const url = appUrl();
  const scriptUrl = new URL('embed/batch-lab.js', url).href;
  // Built into the site from docs/embedding.md (scripts/embedding-guide.ts).
  const guideUrl = new URL('docs/embedding.html', url).href;
  return (
    <>
      {uploadedName ? (
        <p className="share-warning">
          Your file {uploadedName} stays in this browser: the link and the snippets open the built-in dataset{' '}
          {settings.dataset} instead.
        </p>
      ) : null}
      <CopyField label="Link to this view" value={shareLink(url, settings)} />
      <fieldset className="share-choice">
        <legend>Panels to embed</legend>
        {PANEL_CHOICES.map(({ name, label }) => (
          <label key={name} className="checkbox">
            <input
              type="checkbox"
              checked={choice.panels.includes(name)}
              disabled={choice.panels.length === 1 && choice.panels.includes(name)}
              onChange={(e) =>
                setChoice({ ...choice, panels: toggle(choice.panels, name, e.target.checked, panelOrder) })
              }
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset className="share-choice">
        <legend>Controls the learner gets</legend>
        {CONTROL_NAMES.map((name) => (
          <label key={name} className="checkbox">
            <input
              type="checkbox"
              checked={choice.controls.includes(name)}
              onChange={(e) =>
                setChoice({
                  ...choice,
                  controls: toggle(choice.controls, name, e.target.checked, CONTROL_NAMES),
                  locked: e.target.checked ? choice.locked : choice.locked.filter((c) => c !== name),
                })
              }
            />
            {CONTROL_LABELS[name]}
          </label>
        ))}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={choice.locked.includes('batch')}
            disabled={!choice.controls.includes('batch')}
            onChange={(e) =>
              setChoice({
                ...choice,
                locked: toggle(choice.locked, 'batch', e.target.checked, CONTROL_NAMES),
              })
            }
          />
          Show the batch size, but fixed
        </label>
      </fieldset>
      <CopyField label="Iframe" value={iframeSnippet(url, settings, choice)} rows={4} />
      <CopyField label="Custom element" value={elementSnippet(scriptUrl, settings, choice)} rows={4} />
      <p className="help">
        The iframe grows to fit its content through the few lines of script after it; where a course page
        removes scripts, it keeps the height written on it. The element needs <code>embed/batch-lab.js</code>{' '}
        from this site (or your own copy of it). Every parameter, and the messages a page can send:{' '}
        <a href={guideUrl} target="_blank" rel="noopener" data-testid="embedding-guide-link">
          the embedding guide
        </a>
        .
      </p>
    </>
  );
}

/** "Share / embed" in the page header, and its dialog. */
export function ShareButton() {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const titleId = useId();
  const close = () => dialogRef.current?.close();
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    // A click on the backdrop (the dialog element itself, outside its box) closes it, as
    // Escape does.
    const onClick = (event: MouseEvent) => {
      if (event.target === dialog) dialog.close();
    };
    dialog.addEventListener('click', onClick);
    return () => dialog.removeEventListener('click', onClick);
  }, []);
  return (
    <>
      <button
        type="button"
        className="share-button"
        aria-haspopup="dialog"
        onClick={() => {
          setOpen(true);
          dialogRef.current?.showModal();
        }}
      >
        Share / embed
      </button>
      <dialog
        ref={dialogRef}
        className="share-dialog"
        aria-labelledby={titleId}
        onClose={() => setOpen(false)}
      >
        <div className="share-box">
          <div className="share-head">
            <h2 id={titleId}>Share or embed this view</h2>
            <button type="button" className="dismiss" aria-label="Close" onClick={close}>
              ×
            </button>
          </div>
          {open ? <ShareContents /> : null}
        </div>
      </dialog>
    </>
  );
}
