import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { mountEmbedPage } from './embed/page';
import { isEmbedSearch } from './settings/embed-params';
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
      session.start();
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
