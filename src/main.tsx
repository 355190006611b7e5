import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorBoundary } from './app/ErrorBoundary';
import { Session } from './state/session';
import './styles/app.css';

const root = document.getElementById('root');
if (root) {
  try {
    const session = new Session(location.search);
    session.start();
    createRoot(root).render(
      <StrictMode>
        <ErrorBoundary what="batchlab">
          <App session={session} />
        </ErrorBoundary>
      </StrictMode>,
    );
  } catch (error) {
    // Never a blank page: say what happened.
    root.textContent = `batchlab could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}
