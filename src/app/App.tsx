import { lazy, type ReactNode } from 'react';
import type { PanelName } from '../settings/settings';
import type { Session } from '../state/session';
import { SessionContext, useAppState } from '../state/session-context';
import { SettingsControls, TrainingControls } from '../views/controls/Controls';
import { DataPanel } from '../views/data-view/DataPanel';
import { Guide, GuideNote } from '../views/guide/Guide';
import { LossPanel } from '../views/loss-plot/LossPanel';
import { EXTRA_PANEL_TITLES, isShown, type PanelView } from '../views/panels';
import { PhoneBatchBar } from '../views/phone-bar/PhoneBatchBar';
import { ErrorBoundary } from '../views/shared/ErrorBoundary';
import { Staged, useStagedReveal } from '../views/shared/staged';
import { EngineBadge } from '../views/status/EngineBadge';
import { Notices } from '../views/status/Notices';
import { ShareButton } from './share/ShareDialog';

function Panel({
  name,
  title,
  children,
  className,
}: {
  name: PanelName;
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
      <GuideNote panel={name} />
      <ErrorBoundary what={`the ${title.toLowerCase()} view`}>{children}</ErrorBoundary>
    </section>
  );
}

// Each panel's code is loaded (parsed and run) when the panel mounts, not with the page's first
// script, whose evaluation was one of the long tasks at page load.
const NoiseSessionPanel = lazy(() =>
  import('../views/noise/NoiseSessionPanel').then((m) => ({ default: m.NoiseSessionPanel })),
);
const AnatomySessionPanel = lazy(() =>
  import('../views/anatomy/AnatomySessionPanel').then((m) => ({ default: m.AnatomySessionPanel })),
);
const LandscapePanel = lazy(() =>
  import('../views/landscape/LandscapePanel').then((m) => ({ default: m.LandscapePanel })),
);
const SweepPanel = lazy(() => import('../views/sweep/SweepPanel').then((m) => ({ default: m.SweepPanel })));
const Article = lazy(() => import('../views/article/Article').then((m) => ({ default: m.Article })));

/** Settings start open where there is room beside the plots, folded on phones and tablets. */
const openSettings = typeof matchMedia === 'function' ? matchMedia('(min-width: 1100px)').matches : true;

/**
 * The page's panels under the loss and data views: the shared ones and the batch-size sweep,
 * which only the full page offers (the one-file embed stays within its size budget without it;
 * an embed asked for it shows the rest).
 */
const PAGE_PANELS: Partial<Record<PanelName, PanelView>> = {
  noise: { title: EXTRA_PANEL_TITLES.noise, Component: NoiseSessionPanel },
  anatomy: { title: EXTRA_PANEL_TITLES.anatomy, Component: AnatomySessionPanel },
  landscape: { title: EXTRA_PANEL_TITLES.landscape, Component: () => <LandscapePanel headless /> },
  sweep: { title: 'Which batch size is best? A sweep', Component: SweepPanel, wide: true },
};

function Layout() {
  const panels = useAppState((s) => s.settings.panels);
  const show = (name: PanelName) => isShown(panels, name);
  const extras = (Object.entries(PAGE_PANELS) as [PanelName, (typeof PAGE_PANELS)[PanelName]][]).filter(
    ([name, view]) => view && show(name),
  );
  // The settings' and panels' contents mount one per task, top to bottom (frames and titles at once).
  const staged: (PanelName | 'settings')[] = [
    'settings',
    'loss',
    'data',
    ...extras.map(([name]) => name),
    'article',
  ];
  const revealed = useStagedReveal(staged.length);
  const ready = (name: PanelName | 'settings') => staged.indexOf(name) < revealed;
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
              <Staged ready={ready('settings')}>
                <SettingsControls />
              </Staged>
            </ErrorBoundary>
          </details>
        </aside>
      ) : null}
      <div className="views">
        {show('loss') ? (
          <Panel name="loss" title="Loss curves" className="wide">
            <Staged ready={ready('loss')}>
              <LossPanel />
            </Staged>
          </Panel>
        ) : null}
        {show('data') ? (
          <Panel name="data" title="The data and the model">
            <Staged ready={ready('data')}>
              <DataPanel />
            </Staged>
          </Panel>
        ) : null}
        {extras.map(([name, view]) =>
          view ? (
            <Panel key={name} name={name} title={view.title} {...(view.wide ? { className: 'wide' } : {})}>
              <Staged ready={ready(name)}>
                <view.Component />
              </Staged>
            </Panel>
          ) : null,
        )}
        {show('article') ? (
          <section className="panel panel-article wide" data-panel="article" aria-label="Explanation">
            <ErrorBoundary what="the article">
              <Staged ready={ready('article')}>
                <Article />
              </Staged>
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
        <ErrorBoundary what="the guided path">
          <Guide />
        </ErrorBoundary>
        <Layout />
        <PhoneBatchBar />
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
