import { useState } from 'react';
import { api } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import { dash, qs, when } from '../format.ts';
import type { Meeting, Migration } from '../types.ts';
import { Empty, ErrorAlert, Loading } from '../components/Status.tsx';

const STATE_CLASS: Record<Migration['State'], string> = {
  Pending: 'badge',
  InProgress: 'badge info',
  Succeeded: 'badge ok',
  Failed: 'badge bad',
};

/** Scheduled meetings with their dial-in block, and the state of meeting migrations. */
export default function Meetings() {
  useTitle('Meetings');
  const [organizer, setOrganizer] = useState('');
  const [cancelled, setCancelled] = useState(false);
  // The organizer is a user identity: applied when submitted, not on every key.
  const [who, setWho] = useState('');
  const meetings = useLoad(
    () =>
      api<Meeting[]>(
        'GET',
        `/api/v1/meetings${qs({ organizer: who, includeCancelled: cancelled ? 'true' : undefined })}`,
      ),
    [who, cancelled],
  );
  const migrations = useLoad(
    () => api<Migration[]>('GET', `/api/v1/meeting-migrations${qs({ identity: who })}`),
    [who],
  );
  // The newest migration per organizer, to show beside their meetings.
  const latest = new Map<string, Migration>();
  for (const m of migrations.data ?? [])
    if (!latest.has(m.UserPrincipalName.toLowerCase()))
      latest.set(m.UserPrincipalName.toLowerCase(), m);

  return (
    <>
      <h1>Meetings</h1>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setWho(organizer.trim());
        }}
      >
        <label className="grow">
          <span className="label">Organizer</span>
          <input
            type="search"
            placeholder="User name, e.g. amos.marble@contoso.com"
            value={organizer}
            onChange={(e) => setOrganizer(e.target.value)}
          />
        </label>
        <label className="check-inline">
          <input
            type="checkbox"
            checked={cancelled}
            onChange={(e) => setCancelled(e.target.checked)}
          />
          Include cancelled
        </label>
        <button type="submit">Filter</button>
      </form>

      <h2>Scheduled meetings</h2>
      <ErrorAlert error={meetings.error} onRetry={meetings.reload} />
      {meetings.loading && !meetings.data && <Loading what="Loading meetings" />}
      {meetings.data?.length === 0 && <Empty>No scheduled meetings.</Empty>}
      {meetings.data && meetings.data.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Organizer</th>
                <th scope="col">When</th>
                <th scope="col">Dial-in</th>
                <th scope="col">Conference ID</th>
                <th scope="col">Migration</th>
              </tr>
            </thead>
            <tbody>
              {meetings.data.map((m) => {
                const mig = latest.get(m.Organizer.toLowerCase());
                return (
                  <tr key={m.Id} className={m.State === 'cancelled' ? 'muted-row' : undefined}>
                    <th scope="row">
                      {m.Subject}
                      {m.State === 'cancelled' && <span className="badge bad">Cancelled</span>}
                    </th>
                    <td>{m.Organizer}</td>
                    <td>
                      {when(m.Start)} – {when(m.End)}
                      <br />
                      <small>{m.TimeZone}</small>
                    </td>
                    <td className="num">
                      {m.DialIn ? (
                        <>
                          {dash(m.DialIn.TollNumber)}
                          {m.DialIn.TollFreeNumber && (
                            <>
                              <br />
                              {m.DialIn.TollFreeNumber} (toll-free)
                            </>
                          )}
                        </>
                      ) : (
                        <span className="badge bad">No dial-in</span>
                      )}
                    </td>
                    <td className="num">
                      {m.DialIn?.Dial ?? '—'}
                      <br />
                      <small>
                        {m.ConferenceIdKind === 'meeting'
                          ? 'this meeting’s own ID'
                          : 'organizer’s static ID'}
                      </small>
                    </td>
                    <td>
                      {mig ? <span className={STATE_CLASS[mig.State]}>{mig.State}</span> : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h2>Meeting migrations</h2>
      <p className="hint">
        When a user's conference ID, default number, provider or license changes, their future
        meetings get a new dial-in block and updated invites. Failed migrations are retried.
      </p>
      <ErrorAlert error={migrations.error} onRetry={migrations.reload} />
      {migrations.loading && !migrations.data && <Loading what="Loading migrations" />}
      {migrations.data?.length === 0 && <Empty>No meeting migrations yet.</Empty>}
      {migrations.data && migrations.data.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Why</th>
                <th scope="col">State</th>
                <th scope="col">Meetings</th>
                <th scope="col">Retries</th>
                <th scope="col">Message</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {migrations.data.map((m) => (
                <tr key={m.Id}>
                  <th scope="row">{m.UserPrincipalName}</th>
                  <td>{m.Trigger}</td>
                  <td>
                    <span className={STATE_CLASS[m.State]}>{m.State}</span>
                  </td>
                  <td>
                    {m.MeetingsMigrated} of {m.MeetingsTotal}
                  </td>
                  <td>{m.RetryCount}</td>
                  <td>{dash(m.LastMessage)}</td>
                  <td>{when(m.ModifiedDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
