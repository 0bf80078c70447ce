import { useState } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import { enc, qs } from '../format.ts';
import type { BridgeView, Language, ServiceNumber } from '../types.ts';
import { LanguagesDialog } from '../components/LanguagesDialog.tsx';
import { Confirm } from '../components/Dialog.tsx';
import { Empty, ErrorAlert, Loading, Notice } from '../components/Status.tsx';

/**
 * The bridge: its numbers with location, type, shared or dedicated, and the
 * languages callers hear; set languages (dedicated numbers) and the default number.
 */
export default function Bridge() {
  useTitle('Bridge');
  const bridges = useLoad(() => api<BridgeView[]>('GET', '/api/v1/bridges'), []);
  const languages = useLoad(() => api<Language[]>('GET', '/api/v1/languages'), []);
  const [chosen, setChosen] = useState('');
  const bridge =
    bridges.data?.find((b) => b.Identity === chosen) ??
    bridges.data?.find((b) => b.IsDefault) ??
    bridges.data?.[0];
  const numbers = useLoad(
    async () =>
      bridge
        ? api<ServiceNumber[]>('GET', `/api/v1/service-numbers${qs({ bridge: bridge.Name })}`)
        : [],
    [bridge?.Identity],
  );
  const [editing, setEditing] = useState<ServiceNumber>();
  const [makeDefault, setMakeDefault] = useState<ServiceNumber>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const langName = (c: string) => languages.data?.find((l) => l.code === c)?.name ?? c;

  const setDefault = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/bridges/${enc(bridge!.Identity)}`, {
        DefaultServiceNumber: makeDefault!.Number,
      });
      setNotice(`${makeDefault!.Number} is now the default number of ${bridge!.Name}.`);
      setMakeDefault(undefined);
      bridges.reload();
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <>
      <h1>Bridge</h1>
      <ErrorAlert error={bridges.error} onRetry={bridges.reload} />
      {bridges.loading && !bridges.data && <Loading what="Loading bridges" />}
      {bridges.data?.length === 0 && (
        <Empty>There is no bridge yet. Add one with the API or the command line.</Empty>
      )}
      {bridge && (
        <>
          <div className="toolbar">
            {bridges.data!.length > 1 && (
              <label>
                <span className="label">Bridge</span>
                <select value={bridge.Identity} onChange={(e) => setChosen(e.target.value)}>
                  {bridges.data!.map((b) => (
                    <option key={b.Identity} value={b.Identity}>
                      {b.Name}
                      {b.IsDefault ? ' (default)' : ''}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <dl className="props inline-props">
              <dt>Name</dt>
              <dd>{bridge.Name}</dd>
              <dt>Region</dt>
              <dd>{bridge.Region ?? '—'}</dd>
              <dt>Default number</dt>
              <dd>{bridge.DefaultServiceNumber ?? '—'}</dd>
            </dl>
          </div>
          <p className="hint">
            New users get the default number. Changing it does not change the default number of
            existing users.
          </p>
          {notice && <Notice>{notice}</Notice>}
          <ErrorAlert error={numbers.error ?? languages.error} onRetry={numbers.reload} />
          {numbers.loading && !numbers.data && <Loading what="Loading numbers" />}
          {numbers.data?.length === 0 && <Empty>This bridge has no numbers.</Empty>}
          {numbers.data && numbers.data.length > 0 && (
            <div className="table-wrap">
              <table className="grid">
                <caption className="sr-only">Numbers of {bridge.Name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Location</th>
                    <th scope="col">Type</th>
                    <th scope="col">Shared</th>
                    <th scope="col">Primary language</th>
                    <th scope="col">Secondary languages</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {numbers.data.map((n) => (
                    <tr key={n.Number}>
                      <th scope="row" className="num">
                        {n.Number}
                        {n.Number === bridge.DefaultServiceNumber && (
                          <span className="badge">Default</span>
                        )}
                      </th>
                      <td>{[n.City, n.Country].filter(Boolean).join(', ')}</td>
                      <td>{n.Type === 'Toll' ? 'Toll' : 'Toll-free'}</td>
                      <td>{n.Shared ? 'Shared' : 'Dedicated'}</td>
                      <td>{langName(n.PrimaryLanguage)}</td>
                      <td>{n.SecondaryLanguages.map(langName).join(', ') || '—'}</td>
                      <td className="row-actions">
                        <button
                          type="button"
                          disabled={n.Shared || !languages.data}
                          title={
                            n.Shared ? 'Languages can be set on dedicated numbers only' : undefined
                          }
                          aria-label={`Set languages for ${n.Number}`}
                          onClick={() => setEditing(n)}
                        >
                          Set languages
                        </button>
                        {n.Type === 'Toll' && n.Number !== bridge.DefaultServiceNumber && (
                          <button
                            type="button"
                            aria-label={`Make ${n.Number} the default number`}
                            onClick={() => setMakeDefault(n)}
                          >
                            Make default
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {editing && languages.data && (
        <LanguagesDialog
          number={editing}
          languages={languages.data}
          onClose={() => setEditing(undefined)}
          onSaved={(n) => {
            setEditing(undefined);
            setNotice(`Languages of ${n.Number} saved.`);
            numbers.reload();
          }}
        />
      )}
      {makeDefault && (
        <Confirm
          title="Change the default number?"
          yes="Make default"
          busy={busy}
          error={<ErrorAlert error={error} />}
          onYes={setDefault}
          onNo={() => {
            setMakeDefault(undefined);
            setError(undefined);
          }}
        >
          <p>
            Users enabled from now on get <strong>{makeDefault.Number}</strong> as their default
            number. Existing users keep theirs.
          </p>
        </Confirm>
      )}
    </>
  );
}
