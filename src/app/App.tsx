import { type ReactNode, useEffect, useState } from 'react';
import { ShareButton } from '../embed/ShareDialog';
import type { Session } from '../state/session';
import { Article } from '../views/article/Article';
import { SettingsControls, TrainingControls } from '../views/controls/Controls';
import { DataPlot } from '../views/data-view/DataPlot';
import { LossPlot } from '../views/loss-plot/LossPlot';
import { ErrorBoundary } from './ErrorBoundary';
import { EXTRA_PANELS, isShown } from './panels';
import { SessionContext, useAppState, useSession } from './session-context';
import type { PanelName } from './url-state';

function Panel({
  name,
  title,
  children,
  className,
}: {
  name: PanelName | string;
  title: string;
  children: ReactNode;
  className?: string;
}) {
  const headingId = `panel-${name}-title`;
  return (
    <section
      className={`panel panel-${name} ${className ?? ''}`}
      aria-labelledby={headingId}
      data-panel={name}
    >
      <h2 id={headingId} className="panel-title">
        {title}
      </h2>
      <ErrorBoundary what={`the ${title.toLowerCase()} view`}>{children}</ErrorBoundary>
    </section>
  );
}

export function EngineBadge() {
  const engine = useAppState((s) => s.engine);
  const samplesPerFrame = useAppState((s) => s.samplesPerFrame);
  const kind = engine.kind ?? 'none';
  const details = [
    engine.compileMs !== undefined ? `shaders compiled in ${Math.round(engine.compileMs)} ms` : null,
    `training in chunks of about ${samplesPerFrame} samples per run per frame`,
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <p className={`engine-badge engine-${kind} engine-${engine.status}`} data-engine={kind} title={details}>
      <span className="engine-dot" aria-hidden="true" />
      <span className="visually-hidden">Engine: </span>
      {engine.status === 'failed'
        ? `Training is unavailable: ${engine.error ?? 'unknown error'}`
        : engine.badge}
    </p>
  );
}

export function Notices() {
  const session = useSession();
  const notices = useAppState((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-label="Notices">
      {notices.length > 2 ? (
        <button type="button" className="dismiss-all" onClick={() => session.dismissAllNotices()}>
          Dismiss all {notices.length} notices
        </button>
      ) : null}
      {notices.map((notice) => (
        <div key={notice.key} className="notice" role="status" data-notice={notice.key}>
          <span>{notice.message}</span>
          <button
            type="button"
            className="dismiss"
            aria-label="Dismiss this notice"
            onClick={() => session.dismissNotice(notice.key)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}

export function LossPanel() {
  const session = useSession();
  const runs = useAppState((s) => s.runs);
  const xAxis = useAppState((s) => s.settings.xAxis);
  const yScale = useAppState((s) => s.settings.yScale);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  return (
    <LossPlot
      runs={runs}
      xAxis={xAxis}
      yScale={yScale}
      focusedRunId={focusedRunId}
      onXAxis={(axis) => session.update({ xAxis: axis })}
      onYScale={(scale) => session.update({ yScale: scale })}
      onFocus={(id) => session.focus(id)}
      onRemove={(id) => session.removeRun(id)}
    />
  );
}

export function DataPanel() {
  const dataset = useAppState((s) => s.dataset);
  const status = useAppState((s) => s.datasetStatus);
  const model = useAppState((s) => s.model);
  const weights = useAppState((s) => s.focusedWeights);
  const focusedId = useAppState((s) => s.focusedRunId);
  const runs = useAppState((s) => s.runs);
  const [classNames, setClassNames] = useState<readonly string[] | undefined>(undefined);
  useEffect(() => {
    setClassNames(undefined);
    if (dataset?.id !== 'penguins') return;
    // Already loaded with the data itself, so this costs no request.
    void import('../data/real').then((real) => setClassNames(real.PENGUIN_SPECIES));
  }, [dataset]);
  if (!dataset)
    return <p className="muted">{status === 'failed' ? 'No data to show.' : 'Loading the data…'}</p>;
  const run = runs.find((r) => r.id === focusedId) ?? null;
  return (
    <DataPlot
      dataset={dataset}
      model={model}
      weights={weights}
      runLabel={run?.label ?? null}
      runColour={run?.colour ?? '#444'}
      {...(classNames ? { classNames } : {})}
    />
  );
}

/** Settings start open where there is room beside the plots, folded on phones and tablets. */
const openSettings = typeof matchMedia === 'function' ? matchMedia('(min-width: 1100px)').matches : true;

function Layout() {
  const panels = useAppState((s) => s.settings.panels);
  const show = (name: PanelName) => isShown(panels, name);
  const extras = (Object.entries(EXTRA_PANELS) as [PanelName, (typeof EXTRA_PANELS)[PanelName]][]).filter(
    ([name, view]) => view && show(name),
  );
  return (
    <div className={`layout${show('controls') ? '' : ' no-sidebar'}`}>
      {show('controls') ? (
        <aside className="sidebar" aria-label="Controls">
          <section className="panel panel-training" data-panel="controls">
            <ErrorBoundary what="the controls">
              <TrainingControls />
            </ErrorBoundary>
          </section>
          <details className="panel panel-settings" open={openSettings}>
            <summary>
              <h2>Settings</h2>
            </summary>
            <ErrorBoundary what="the settings">
              <SettingsControls />
            </ErrorBoundary>
          </details>
        </aside>
      ) : null}
      <div className="views">
        {show('loss') ? (
          <Panel name="loss" title="Loss curves" className="wide">
            <LossPanel />
          </Panel>
        ) : null}
        {show('data') ? (
          <Panel name="data" title="The data and the model">
            <DataPanel />
          </Panel>
        ) : null}
        {extras.map(([name, view]) =>
          view ? (
            <Panel key={name} name={name} title={view.title}>
              <view.Component />
            </Panel>
          ) : null,
        )}
        {show('article') ? (
          <section className="panel panel-article wide" data-panel="article" aria-label="Explanation">
            <ErrorBoundary what="the article">
              <Article />
            </ErrorBoundary>
          </section>
        ) : null}
      </div>
    </div>
  );
}

export function App({ session }: { session: Session }) {
  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to the plots
      </a>
      <header className="site-header">
        <div className="brand">
          <h1>batchlab</h1>
          <p className="tagline">
            Mini-batch gradient descent, from B = 1 to the full dataset, trained live in your browser.
          </p>
        </div>
        <div className="header-actions">
          <EngineBadge />
          <ShareButton />
        </div>
      </header>
      <main id="main">
        <Notices />
        <Layout />
      </main>
      <footer className="site-footer">
        <p>
          batchlab runs entirely in this browser: no data leaves it. Every setting is in the address bar, so a
          link reproduces this view.
        </p>
      </footer>
    </SessionContext.Provider>
  );
}
