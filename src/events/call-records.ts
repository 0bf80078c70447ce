import type { Db, Queryable } from '../store/db.ts';
import type { Logger } from '../log.ts';
import type { EventBus } from './bus.ts';
import type { Delivered } from './types.ts';

/**
 * Call detail records: one row per call, kept in the store. Written from the
 * bus, so the call plane never waits on the store: a row on call.started, the
 * meeting, organizer and role on participant.joined, the end on call.ended.
 * The caller's number arrives already masked per the organization.
 */

export interface CallRecordView {
  callId: string;
  dialled: string;
  caller: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  endReason: string | null;
  meetingId: string | null;
  organizerId: string | null;
  role: 'leader' | 'attendee' | null;
  joinedAt: string | null;
}

interface CallRecordRow {
  call_id: string;
  dialled: string;
  caller: string;
  started_at: string | Date;
  ended_at: string | Date | null;
  duration_ms: number | null;
  end_reason: string | null;
  meeting_id: string | null;
  organizer_id: string | null;
  role: 'leader' | 'attendee' | null;
  joined_at: string | Date | null;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/** An organization's call records, newest first; `from` inclusive, `to` exclusive (start times). */
export async function listCallRecords(
  q: Queryable,
  orgId: string,
  opts: { from?: Date; to?: Date; limit: number },
): Promise<CallRecordView[]> {
  const rows = await q.query<CallRecordRow>(
    `select * from call_records
     where org_id = $1 and ($2::timestamptz is null or started_at >= $2)
       and ($3::timestamptz is null or started_at < $3)
     order by started_at desc, call_id limit $4`,
    [orgId, opts.from?.toISOString() ?? null, opts.to?.toISOString() ?? null, opts.limit],
  );
  return rows.map((r) => ({
    callId: r.call_id,
    dialled: r.dialled,
    caller: r.caller,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    durationMs: r.duration_ms,
    endReason: r.end_reason,
    meetingId: r.meeting_id,
    organizerId: r.organizer_id,
    role: r.role,
    joinedAt: iso(r.joined_at),
  }));
}

/** Subscribes to the bus and keeps call_records up to date; failures are logged, never thrown. */
export class CallRecorder {
  /** Writes in event order: a call's row exists before its join or end updates it. */
  private writes: Promise<void> = Promise.resolve();
  /** Live meetings' organizers: participant.joined names the meeting, not its organizer. */
  private readonly organizers = new Map<string, string>();

  constructor(private readonly opts: { db: Db; bus: EventBus; log: Logger }) {
    opts.bus.on('event', this.onEvent);
  }

  private readonly onEvent = (event: Delivered): void => {
    this.writes = this.writes
      .then(() => this.record(event))
      .catch((err: unknown) =>
        this.opts.log.error({ err, seq: event.seq, type: event.type }, 'call record not written'),
      );
  };

  private async record(e: Delivered): Promise<void> {
    const { db, log } = this.opts;
    switch (e.type) {
      case 'call.started':
        await db.query(
          `insert into call_records (call_id, org_id, dialled, caller, started_at)
           values ($1, $2, $3, $4, $5) on conflict (call_id) do nothing`,
          [e.callId, e.orgId ?? null, e.dialled, e.caller, e.at],
        );
        return;
      case 'meeting.started':
      case 'meeting.updated': {
        const { id, organizerId } = e.meeting;
        if (this.organizers.get(id) === organizerId) return;
        this.organizers.set(id, organizerId);
        // Callers who joined before we learnt the organizer get it now.
        await db.query(
          'update call_records set organizer_id = $2 where meeting_id = $1 and organizer_id is null',
          [id, organizerId],
        );
        return;
      }
      case 'meeting.ended':
        this.organizers.delete(e.meetingId);
        return;
      case 'participant.joined': {
        const p = e.participant;
        const rows = await db.query(
          `update call_records set org_id = $2, meeting_id = $3,
             organizer_id = coalesce($4, organizer_id), role = $5, joined_at = $6
           where call_id = $1 returning call_id`,
          [
            p.id,
            e.orgId,
            e.meetingId,
            this.organizers.get(e.meetingId) ?? null,
            p.leader ? 'leader' : 'attendee',
            p.joinedAt || e.at,
          ],
        );
        if (!rows.length) log.debug({ call: p.id }, 'participant joined without a call record');
        return;
      }
      case 'call.ended': {
        const rows = await db.query(
          `update call_records set org_id = coalesce(org_id, $2), ended_at = $3,
             duration_ms = $4, end_reason = $5, meeting_id = coalesce(meeting_id, $6)
           where call_id = $1 returning call_id`,
          [
            e.callId,
            e.orgId ?? null,
            e.at,
            Math.round(e.durationMs),
            e.reason,
            e.meetingId ?? null,
          ],
        );
        if (!rows.length) log.debug({ call: e.callId }, 'call ended without a call record');
        return;
      }
      default:
        return;
    }
  }

  /** Resolves when every event published so far is written (tests, shutdown). */
  flush(): Promise<void> {
    return this.writes;
  }

  async close(): Promise<void> {
    this.opts.bus.off('event', this.onEvent);
    await this.writes;
  }
}
