import { createContext, useContext } from 'react';
import type { AppState, Session } from './session';
import { useStore } from './store';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a SessionContext provider');
  return session;
}

/** Reads part of the app state; re-renders only when that part changes. */
export function useAppState<S>(selector: (state: AppState) => S): S {
  return useStore(useSession().store, selector);
}
