import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { isEmbedSearch } from './settings/embed-params';
import { afterNextTask } from './state/next-task';
import { Session } from './state/session';
import { ErrorBoundary } from './views/shared/ErrorBoundary';
import './styles/app.css';
import { errorText } from './error-text';

/**
 * Start-up, a task at a time (the page's goal is no task over 50 ms): this script's evaluation,
 * then the session and React's root, then the first render (React's own task), then the data
 * and the engine (the session's), then the panels one by one (views/shared/staged.tsx).
 */
function start(root: HTMLElement): void {
  try {
    if (isEmbedSearch(location.search)) {
      // `embed=1`: the compact layout for an iframe in a course page, loaded only there.
      import('./embed/page')
        .then(({ mountEmbedPage }) => mountEmbedPage(root, location.search))
        .catch((error: unknown) => {
          root.textContent = `batchlab could not start: ${errorText(error)}`;
        });
    } else {
      const session = new Session(location.search);
      afterNextTask(() => session.start());
      createRoot(root).render(
        <StrictMode>
          <ErrorBoundary what="batchlab">
            <App session={session} />
          </ErrorBoundary>
        </StrictMode>,
      );
    }
  } catch (error) {
    // Never a blank page: say what happened.
    root.textContent = `batchlab could not start: ${errorText(error)}`;
  }
}

const root = document.getElementById('root');
if (root) afterNextTask(() => start(root));
