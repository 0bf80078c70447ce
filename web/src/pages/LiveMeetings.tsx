import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useTitle } from '../router.tsx';
import { enc, when } from '../format.ts';
import { applyEvent, ROSTER_EVENTS, type RosterEvent } from '../live.ts';
import type { LiveMeeting, Participant } from '../types.ts';
import { Confirm } from '../components/Dialog.tsx';
import { Empty, ErrorAlert, Loading } from '../components/Status.tsx';

type Conn = 'connecting' | 'live' | 'lost';

/**
 * Live meetings and their rosters, kept current by the event stream
 * (GET /api/v1/events): admit, mute, unmute, remove, lock and end.
 */
export default function LiveMeetings() {
  useTitle('Live meetings');
  const [meetings, setMeetings] = useState<LiveMeeting[]>();
  const [conn, setConn] = useState<Conn>('connecting');
  const [error, setError] = useState<unknown>();
  const [ending, setEnding] = useState<LiveMeeting>();
  const [removing, setRemoving] = useState<{ meeting: LiveMeeting; p: Participant }>();
  const [generation, setGeneration] = useState(0);
  const pending = useRef<RosterEvent[] | null>(null);
  const shown = useRef<LiveMeeting[] | undefined>(undefined);
  shown.current = meetings;

  useEffect(() => {
    let closed = false;
    const es = new EventSource('/api/v1/events');
    // The roster as of now; events that arrive meanwhile are replayed onto it.
    const load = () => {
      pending.current = [];
      api<LiveMeeting[]>('GET', '/api/v1/live/meetings').then(
        (list) => {
          if (closed) return;
          const queued = pending.current ?? [];
          pending.current = null;
          setMeetings(queued.reduce(applyEvent, list));
          setError(undefined);
        },
        (e) => {
          pending.current = null;
          if (!closed) setError(e);
        },
      );
    };
    // Load now, and again whenever the stream (re)opens: nothing missed while it was down.
    load();
    es.onopen = () => {
      setConn('live');
      load();
    };
    es.onerror = () => setConn(es.readyState === EventSource.CLOSED ? 'lost' : 'connecting');
    for (const type of ROSTER_EVENTS)
      es.addEventListener(type, (ev) => {
        const e = JSON.parse((ev as MessageEvent<string>).data) as RosterEvent;
        if (pending.current) pending.current.push(e);
        // A participant of a meeting not on screen yet (its first caller): fetch the roster.
        else if ('participant' in e && !shown.current?.some((m) => m.id === e.meetingId)) load();
        else setMeetings((m) => (m ? applyEvent(m, e) : m));
      });
    return () => {
      closed = true;
      es.close();
    };
  }, [generation]);

  const act = async (m: LiveMeeting, path: string, body?: unknown, method = 'POST') => {
    setError(undefined);
    try {
      const view = await api<LiveMeeting | undefined>(
        method,
        `/api/v1/live/meetings/${enc(m.id)}${path}`,
        body,
      );
      if (view && typeof view === 'object' && 'participants' in view)
        setMeetings((list) => list && applyEvent(list, { type: 'meeting.updated', meeting: view }));
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  return (
    <>
      <h1>Live meetings</h1>
      <p className={`conn ${conn}`} role="status" aria-live="polite">
        <span className="dot" aria-hidden="true" />
        {conn === 'live'
          ? 'Live: updates as they happen'
          : conn === 'connecting'
            ? 'Connecting to the event stream…'
            : 'Disconnected from the event stream.'}
        {conn === 'lost' && (
          <button type="button" className="link" onClick={() => setGeneration((g) => g + 1)}>
            Reconnect
          </button>
        )}
      </p>
      <ErrorAlert error={error} />
      {!meetings && !error && <Loading what="Loading live meetings" />}
      {meetings?.length === 0 && <Empty>No meetings are running right now.</Empty>}
      {meetings?.map((m) => {
        const lobby = m.participants.filter((p) => p.inLobby);
        return (
          <section key={m.id} className="card meeting" aria-labelledby={`m-${m.id}`}>
            <header className="meeting-head">
              <h2 id={`m-${m.id}`}>{m.organizerName}’s meeting</h2>
              <span className={m.started ? 'badge ok' : 'badge'}>
                {m.started ? 'Started' : 'Waiting for the leader'}
              </span>
              {m.locked && <span className="badge bad">Locked</span>}
              <span className="sub">
                {m.idKind === 'meeting' ? 'Meeting ID' : 'Static ID'}
                {m.startedAt ? ` · since ${when(m.startedAt)}` : ''}
              </span>
              <span className="spacer" />
              <div className="row-actions">
                {lobby.length > 0 && (
                  <button type="button" onClick={() => act(m, '/admit', {})}>
                    Admit lobby ({lobby.length})
                  </button>
                )}
                <button type="button" onClick={() => act(m, '/lock', { Locked: !m.locked })}>
                  {m.locked ? 'Unlock' : 'Lock'}
                </button>
                <button type="button" className="danger" onClick={() => setEnding(m)}>
                  End meeting
                </button>
              </div>
            </header>
            <div className="table-wrap">
              <table className="grid">
                <caption className="sr-only">Participants of {m.organizerName}’s meeting</caption>
                <thead>
                  <tr>
                    <th scope="col">Caller</th>
                    <th scope="col">Role</th>
                    <th scope="col">State</th>
                    <th scope="col">Joined</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {m.participants.map((p) => (
                    <tr key={p.id} data-participant={p.id}>
                      <th scope="row" className="num">
                        {p.talking && (
                          <span className="talking" role="img" aria-label="talking">
                            ●
                          </span>
                        )}{' '}
                        {p.caller}
                      </th>
                      <td>{p.leader ? <span className="badge info">Leader</span> : 'Attendee'}</td>
                      <td className="states">
                        {p.inLobby && <span className="badge">In lobby</span>}
                        {p.muted && <span className="badge">Muted</span>}
                        {p.handRaised && <span className="badge info">Hand raised</span>}
                        {p.talking && <span className="badge ok">Talking</span>}
                        {!p.inLobby && !p.muted && !p.handRaised && !p.talking && 'In meeting'}
                      </td>
                      <td>{when(p.joinedAt)}</td>
                      <td className="row-actions">
                        {p.inLobby && (
                          <button
                            type="button"
                            aria-label={`Admit ${p.caller}`}
                            onClick={() => act(m, '/admit', { ParticipantId: p.id })}
                          >
                            Admit
                          </button>
                        )}
                        <button
                          type="button"
                          aria-label={`${p.muted ? 'Unmute' : 'Mute'} ${p.caller}`}
                          onClick={() =>
                            act(m, `/participants/${enc(p.id)}/mute`, { Muted: !p.muted })
                          }
                        >
                          {p.muted ? 'Unmute' : 'Mute'}
                        </button>
                        <button
                          type="button"
                          aria-label={`Remove ${p.caller}`}
                          onClick={() => setRemoving({ meeting: m, p })}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {m.participants.length === 0 && <Empty>Nobody is on the call.</Empty>}
          </section>
        );
      })}
      {ending && (
        <Confirm
          title="End the meeting?"
          yes="End meeting"
          danger
          onYes={async () => {
            if (await act(ending, '', undefined, 'DELETE')) setEnding(undefined);
          }}
          onNo={() => setEnding(undefined)}
        >
          <p>Everyone hears “the meeting has ended” and is disconnected.</p>
        </Confirm>
      )}
      {removing && (
        <Confirm
          title="Remove this caller?"
          yes="Remove"
          danger
          onYes={async () => {
            if (
              await act(
                removing.meeting,
                `/participants/${enc(removing.p.id)}`,
                undefined,
                'DELETE',
              )
            )
              setRemoving(undefined);
          }}
          onNo={() => setRemoving(undefined)}
        >
          <p>{removing.p.caller} is disconnected from the meeting.</p>
        </Confirm>
      )}
    </>
  );
}
