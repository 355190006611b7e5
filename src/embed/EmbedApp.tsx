import type { ReactNode } from 'react';
import { DATASETS } from '../data/catalog';
import { DEFAULT_PANELS, type PanelName } from '../settings/settings';
import { serializeUrlState } from '../settings/url-codec';
import type { Session } from '../state/session';
import { SessionContext, useAppState } from '../state/session-context';
import { useStore } from '../state/store';
import { AnatomySessionPanel } from '../views/anatomy/AnatomySessionPanel';
import { Article } from '../views/article/Article';
import { SettingsControls, TrainingControls } from '../views/controls/Controls';
import { DataPanel } from '../views/data-view/DataPanel';
import { LandscapePanel } from '../views/landscape/LandscapePanel';
import { LossPanel } from '../views/loss-plot/LossPanel';
import { NoiseSessionPanel } from '../views/noise/NoiseSessionPanel';
import { EXTRA_PANEL_TITLES, type PanelView } from '../views/panels';
import { ErrorBoundary } from '../views/shared/ErrorBoundary';
import { Staged, useStagedReveal } from '../views/shared/staged';
import { EngineBadge } from '../views/status/EngineBadge';
import { Notices } from '../views/status/Notices';
import { EmbedControls } from './EmbedControls';
import type { EmbedOptionsStore } from './options-store';
import './embed.css';

/** The extra panels, bundled (the one file has nothing to load later). */
const EMBED_EXTRA_PANELS: Partial<Record<PanelName, PanelView>> = {
  noise: { title: EXTRA_PANEL_TITLES.noise, Component: NoiseSessionPanel },
  anatomy: { title: EXTRA_PANEL_TITLES.anatomy, Component: AnatomySessionPanel },
  landscape: { title: EXTRA_PANEL_TITLES.landscape, Component: () => <LandscapePanel headless /> },
};

function EmbedPanel({
  name,
  title,
  ready,
  children,
}: {
  name: PanelName;
  title: string;
  ready: boolean;
  children: ReactNode;
}) {
  return (
    <section className={`panel embed-panel panel-${name}`} aria-label={title} data-panel={name}>
      <h2 className="panel-title">{title}</h2>
      <ErrorBoundary what={`the ${title.toLowerCase()} view`}>
        <Staged ready={ready}>{children}</Staged>
      </ErrorBoundary>
    </section>
  );
}

/** One panel; its content mounts when `ready` (one panel per task, as on the page). */
function PanelByName({ name, ready }: { name: PanelName; ready: boolean }) {
  switch (name) {
    case 'loss':
      return (
        <EmbedPanel name="loss" title="Loss curves" ready={ready}>
          <LossPanel />
        </EmbedPanel>
      );
    case 'data':
      return (
        <EmbedPanel name="data" title="The data and the model" ready={ready}>
          <DataPanel />
        </EmbedPanel>
      );
    case 'controls':
      return (
        <EmbedPanel name="controls" title="Training and settings" ready={ready}>
          <TrainingControls />
          <details className="embed-settings">
            <summary>All settings</summary>
            <SettingsControls />
          </details>
        </EmbedPanel>
      );
    case 'article':
      return (
        <section className="panel embed-panel panel-article" data-panel="article" aria-label="Explanation">
          <ErrorBoundary what="the article">
            <Staged ready={ready}>
              <Article />
            </Staged>
          </ErrorBoundary>
        </section>
      );
    default: {
      const view = EMBED_EXTRA_PANELS[name];
      if (!view) return null;
      return (
        <EmbedPanel name={name} title={view.title} ready={ready}>
          <view.Component />
        </EmbedPanel>
      );
    }
  }
}

function EmbedLayout({
  options,
  appUrl,
  asPage,
}: {
  options: EmbedOptionsStore;
  appUrl: string;
  asPage: boolean;
}) {
  const panels = useAppState((s) => s.settings.panels);
  const settings = useAppState((s) => s.settings);
  const { controls, locked } = useStore(options, (o) => o);
  const revealed = useStagedReveal(panels.length);
  // The full page shows every panel: the link leaves `panels` out.
  const fullApp = `${appUrl}?${serializeUrlState({ ...settings, panels: [...DEFAULT_PANELS] }, DATASETS)}`;
  const brand = (
    <a className="embed-brand" href={fullApp} target="_blank" rel="noopener">
      batchlab<span className="visually-hidden"> (opens the full explainer in a new tab)</span>
      <span aria-hidden="true"> ↗</span>
    </a>
  );
  const content = (
    <>
      <header className="embed-header">
        {asPage ? <h1 className="embed-title">{brand}</h1> : brand}
        <EngineBadge />
      </header>
      <Notices />
      <EmbedControls controls={controls} locked={locked} />
      <div className={`embed-panels embed-panels-${Math.min(panels.length, 3)}`}>
        {panels.map((name, index) => (
          <PanelByName key={name} name={name} ready={index < revealed} />
        ))}
      </div>
    </>
  );
  // An iframe is a page of its own (one main landmark); an element is a region of the course page.
  return asPage ? (
    <main className="embed-root">{content}</main>
  ) : (
    <section className="embed-root" aria-label="batchlab: mini-batch gradient descent, live">
      {content}
    </section>
  );
}

/** The compact layout used by an iframe with `embed=1` and by each `<batch-lab>` element. */
export function EmbedApp({
  session,
  options,
  appUrl,
  asPage = false,
}: {
  session: Session;
  options: EmbedOptionsStore;
  /** Where the full app lives (its index.html), for the "open in batchlab" link. */
  appUrl: string;
  /** True in an iframe (the embed is the whole page), false for an element in a course page. */
  asPage?: boolean;
}) {
  return (
    <SessionContext.Provider value={session}>
      <EmbedLayout options={options} appUrl={appUrl} asPage={asPage} />
    </SessionContext.Provider>
  );
}
