import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { api, onUnauthorized, setCsrfToken } from './api.ts';
import { navigate, usePath } from './router.tsx';
import { SessionContext, type Session } from './session.ts';
import { Shell } from './components/Shell.tsx';
import { Loading } from './components/Status.tsx';
import SignIn from './pages/SignIn.tsx';
import DialInUsers from './pages/DialInUsers.tsx';
import Bridge from './pages/Bridge.tsx';
import BridgeSettings from './pages/BridgeSettings.tsx';
import Meetings from './pages/Meetings.tsx';
import LiveMeetings from './pages/LiveMeetings.tsx';
import Outbox from './pages/Outbox.tsx';
import AuditLog from './pages/AuditLog.tsx';
import NotFound from './pages/NotFound.tsx';

// The provider wizard is its own bundle, loaded when first opened.
const wizardModules = import.meta.glob<{ default: ComponentType }>('./pages/ProviderWizard.tsx');
const wizardLoader = Object.values(wizardModules)[0];
const ProviderWizard = wizardLoader ? lazy(wizardLoader) : NotFound;

export interface Route {
  path: string;
  label: string;
  page: ComponentType;
}

/** The "Dial-in conferencing" section of the admin center, in nav order. */
export const ROUTES: Route[] = [
  { path: '/users', label: 'Dial-in users', page: DialInUsers },
  { path: '/bridge', label: 'Bridge', page: Bridge },
  { path: '/bridge-settings', label: 'Bridge settings', page: BridgeSettings },
  { path: '/provider-wizard', label: 'Provider wizard', page: ProviderWizard },
  { path: '/meetings', label: 'Meetings', page: Meetings },
  { path: '/live', label: 'Live meetings', page: LiveMeetings },
  { path: '/outbox', label: 'Outbox', page: Outbox },
  { path: '/audit', label: 'Audit log', page: AuditLog },
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const path = usePath();

  useEffect(() => {
    onUnauthorized(() => setSession(null));
    api<Session>('GET', '/api/v1/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
    return () => onUnauthorized(undefined);
  }, []);

  useEffect(() => {
    if (session && (path === '/' || path === '/sign-in')) navigate('/users', { replace: true });
  }, [session, path]);

  if (session === undefined) return <Loading what="Opening the admin center" />;
  if (session === null)
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrfToken(s.csrfToken);
          setSession(s);
        }}
      />
    );

  const route = ROUTES.find((r) => r.path === path);
  const Page = route?.page ?? NotFound;
  const signOut = async () => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    setCsrfToken('');
    setSession(null);
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell routes={ROUTES} path={path} session={session} onSignOut={signOut}>
        <Suspense fallback={<Loading />}>
          <Page key={path} />
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}
