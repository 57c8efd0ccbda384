import { useSyncExternalStore } from 'react';
import { http } from '../api/http';
import { Session, type SessionState } from '../auth/session';

/** The one session of this tab. */
export const session = new Session(http);

export function useSession(): SessionState {
  return useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.state,
    () => session.state,
  );
}

export function isAdmin(s: SessionState): boolean {
  return s.user?.role === 'owner' || s.user?.role === 'admin';
}
