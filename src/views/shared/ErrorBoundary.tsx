import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, for the message ("the loss plot"). */
  what: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Keeps one view's error inside that view: the rest of the page goes on working. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Visible in the developer console for bug reports; the page shows a short message.
    console.warn(`batchlab: ${this.props.what} failed`, error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="view-error" role="alert">
          <p>
            Sorry, {this.props.what} hit a problem and stopped: <code>{this.state.error.message}</code>
          </p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
