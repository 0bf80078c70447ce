import { useState } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import { dash, enc, qs, when } from '../format.ts';
import type { OutboxItem } from '../types.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Empty, ErrorAlert, Loading, Notice } from '../components/Status.tsx';

const KIND: Record<string, string> = {
  enabled: 'Enabled for dial-in',
  changed: 'Dial-in details changed',
  pin_reset: 'PIN reset',
  disabled: 'Disabled',
  conference_info: 'Conference info',
};
const STATE_CLASS: Record<string, string> = {
  pending: 'badge',
  sent: 'badge ok',
  failed: 'badge bad',
  superseded: 'badge',
};

/** Emails to users with their delivery state; failed ones can be retried. PINs never shown. */
export default function Outbox() {
  useTitle('Outbox');
  const [state, setState] = useState('');
  const list = useLoad(
    () => api<OutboxItem[]>('GET', `/api/v1/outbox${qs({ state, limit: 200 })}`),
    [state],
  );
  const [open, setOpen] = useState<string>();
  const message = useLoad(
    async () =>
      open ? api<OutboxItem & { text: string }>('GET', `/api/v1/outbox/${enc(open)}`) : undefined,
    [open],
  );
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const retry = async (m: OutboxItem) => {
    setError(undefined);
    try {
      await api('POST', `/api/v1/outbox/${enc(m.id)}/retry`);
      setNotice(`The email to ${m.to} will be sent again.`);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <h1>Outbox</h1>
      <div className="toolbar">
        <label>
          <span className="label">Delivery state</span>
          <select value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="sent">Sent</option>
            <option value="failed">Failed</option>
            <option value="superseded">Superseded</option>
          </select>
        </label>
      </div>
      {notice && <Notice>{notice}</Notice>}
      <ErrorAlert error={error ?? list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading what="Loading emails" />}
      {list.data?.length === 0 && <Empty>No emails.</Empty>}
      {list.data && list.data.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Queued</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.id}>
                  <td className="nowrap">{when(m.createdAt)}</td>
                  <td>{m.to}</td>
                  <th scope="row">{m.subject}</th>
                  <td>{KIND[m.kind] ?? m.kind}</td>
                  <td>
                    <span className={STATE_CLASS[m.state] ?? 'badge'}>{m.state}</span>
                    {m.sentAt && <small> {when(m.sentAt)}</small>}
                  </td>
                  <td>{m.attempts}</td>
                  <td>{dash(m.lastError)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      aria-label={`Read the email to ${m.to}`}
                      onClick={() => setOpen(m.id)}
                    >
                      Read
                    </button>
                    {m.state === 'failed' && (
                      <button type="button" onClick={() => retry(m)}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && (
        <Dialog title={message.data?.subject ?? 'Email'} onClose={() => setOpen(undefined)} wide>
          <ErrorAlert error={message.error} />
          {message.loading && <Loading what="Loading the email" />}
          {message.data && (
            <>
              <dl className="props">
                <dt>From</dt>
                <dd>{message.data.from}</dd>
                <dt>To</dt>
                <dd>{message.data.to}</dd>
              </dl>
              <pre className="mail">{message.data.text}</pre>
            </>
          )}
        </Dialog>
      )}
    </>
  );
}
