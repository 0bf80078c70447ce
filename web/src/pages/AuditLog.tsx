import { useState } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import { qs, when } from '../format.ts';
import type { AuditEntry } from '../types.ts';
import { Empty, ErrorAlert, Loading } from '../components/Status.tsx';

/** Who changed what, when: old → new (PINs only ever as *****). */
export default function AuditLog() {
  useTitle('Audit log');
  const [target, setTarget] = useState('');
  const [applied, setApplied] = useState('');
  const [limit, setLimit] = useState(100);
  const log = useLoad(
    () => api<AuditEntry[]>('GET', `/api/v1/audit${qs({ target: applied, limit })}`),
    [applied, limit],
  );

  return (
    <>
      <h1>Audit log</h1>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(target.trim());
        }}
      >
        <label className="grow">
          <span className="label">Target</span>
          <input
            type="search"
            placeholder="Exactly, e.g. amos.marble@contoso.com"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorAlert error={log.error} onRetry={log.reload} />
      {log.loading && !log.data && <Loading what="Loading the audit log" />}
      {log.data?.length === 0 && <Empty>Nothing logged{applied ? ` for ${applied}` : ''}.</Empty>}
      {log.data && log.data.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {log.data.map((a) => (
                  <tr key={a.id}>
                    <td className="nowrap">{when(a.at)}</td>
                    <td>{a.actor}</td>
                    <th scope="row">{a.action}</th>
                    <td>{a.target ?? '—'}</td>
                    <td className="change">
                      {a.field ? (
                        <>
                          <strong>{a.field}</strong>:{' '}
                          <span className="old">{a.oldValue ?? '(none)'}</span>{' '}
                          <span aria-label="changed to">→</span>{' '}
                          <span className="new">{a.newValue ?? '(none)'}</span>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {log.data.length >= limit && limit < 1000 && (
            <button type="button" onClick={() => setLimit(Math.min(1000, limit + 100))}>
              Show more
            </button>
          )}
        </>
      )}
    </>
  );
}
