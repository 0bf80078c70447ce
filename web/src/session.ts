import { createContext, useContext } from 'react';

/** What GET/POST /api/v1/session answer (the CSRF token goes to api.ts). */
export interface Session {
  user: { name: string; kind: string };
  organization: { id: string; name: string };
  csrfToken: string;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in app');
  return s;
}
