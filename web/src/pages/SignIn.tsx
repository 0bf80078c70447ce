import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useTitle } from '../router.tsx';
import type { Session } from '../session.ts';
import { Field } from '../components/Field.tsx';
import { ErrorAlert } from '../components/Status.tsx';

/** Sign in with a username and password, or with an administrator token. */
export default function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  useTitle('Sign in');
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = mode === 'token' ? { token: token.trim() } : { username, password };
      onSignedIn(await api<Session>('POST', '/api/v1/session', body));
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? new Error(
              mode === 'token'
                ? 'That token is not valid or has been revoked.'
                : 'The username or password is not right.',
            )
          : err,
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <p className="brand">dialbridge</p>
        <h1 id="signin-title">Sign in to the admin center</h1>
        <fieldset className="segmented">
          <legend>Sign in with</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'password'}
              onChange={() => setMode('password')}
            />
            Username and password
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'token'}
              onChange={() => setMode('token')}
            />
            Administrator token
          </label>
        </fieldset>
        {mode === 'password' ? (
          <>
            <Field label="Username">
              {(p) => (
                <input
                  {...p}
                  autoComplete="username"
                  required
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                />
              )}
            </Field>
            <Field label="Password">
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
          </>
        ) : (
          <Field
            label="Token"
            hint="An administrator token, for example one made with: dialbridge token create <name>"
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="off"
                required
                value={token}
                onChange={(e) => setToken(e.target.value)}
              />
            )}
          </Field>
        )}
        <ErrorAlert error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
