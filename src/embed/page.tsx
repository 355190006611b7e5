/**
 * The iframe embed: the app's own page opened with `embed=1` shows the compact layout instead
 * of the full explainer, and answers the documented postMessage API of its parent page.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EMBED_KEYS, parseEmbedOptions, withEmbedDefaults } from '../settings/embed-params';
import { afterNextTask } from '../state/next-task';
import { Session } from '../state/session';
import { ErrorBoundary } from '../views/shared/ErrorBoundary';
import { EmbedApp } from './EmbedApp';
import { connectHost } from './host-bridge';
import { createOptionsStore } from './options-store';

export function mountEmbedPage(container: HTMLElement, search: string): Session {
  document.documentElement.classList.add('batchlab-embed');
  const query = withEmbedDefaults(search);
  const embed = parseEmbedOptions(query);
  // The iframe's address is the teacher's link: it is not rewritten as the learner plays.
  const session = new Session(query, { extraUrlKeys: EMBED_KEYS, writeUrl: false });
  if (embed.notices.length > 0) session.store.set((s) => ({ notices: [...s.notices, ...embed.notices] }));
  // As on the page: the first render first, the data, the engine and the host's messages after.
  afterNextTask(() => {
    session.start();
    connectHost(session, embed.options.origin);
  });
  createRoot(container).render(
    <StrictMode>
      <ErrorBoundary what="batchlab">
        <EmbedApp
          session={session}
          options={createOptionsStore(embed.options)}
          appUrl={`${location.origin}${location.pathname}`}
          asPage
        />
      </ErrorBoundary>
    </StrictMode>,
  );
  return session;
}
