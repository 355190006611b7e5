import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { mountEmbedPage } from './embed/page';
import { isEmbedSearch } from './settings/embed-params';
import { afterNextTask } from './state/next-task';
import { Session } from './state/session';
import { ErrorBoundary } from './views/shared/ErrorBoundary';
import './styles/app.css';
import { errorText } from './error-text';

const root = document.getElementById('root');
if (root) {
  try {
    if (isEmbedSearch(location.search)) {
      // `embed=1`: the compact layout for an iframe in a course page.
      mountEmbedPage(root, location.search);
    } else {
      const session = new Session(location.search);
      // The page's frame renders first; the data and the engine follow in tasks of their own.
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
