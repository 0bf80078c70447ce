import { randomUUID } from 'node:crypto';
import type { Actor } from '../admin/context.ts';
import { audit } from '../admin/audit.ts';
import { allocateMeetingId, releaseId } from '../admin/conference-ids.ts';
import { readSettings } from '../admin/organizations.ts';
import { findUser } from '../admin/users.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import { formatForDialing } from './meeting-id.ts';

export interface MeetingRow {
  id: string;
  org_id: string;
  organizer_id: string;
  subject: string;
  starts_at: Date | string;
  ends_at: Date | string;
  time_zone: string;
  conference_id: string;
  id_kind: 'static' | 'meeting';
  announce_entry_exit: boolean | null;
  allow_pstn_only: boolean | null;
  state: 'scheduled' | 'cancelled';
  /** False once the organizer lost dial-in (their meetings were migrated off the bridge). */
  dial_in: boolean;
}

/** The dial-in block every invite carries. */
export interface DialInBlock {
  TollNumber: string | null;
  TollFreeNumber: string | null;
  ConferenceId: string;
  /** As callers type it: grouped, then the pound key. */
  Dial: string;
}

export interface MeetingView {
  Id: string;
  Organizer: string;
  Subject: string;
  Start: string;
  End: string;
  TimeZone: string;
  State: 'scheduled' | 'cancelled';
  /** 'meeting': its own ID (UseUniqueConferenceIds); 'static': the organizer's. */
  ConferenceIdKind: 'static' | 'meeting';
  /** null: the organization's setting applies. */
  AnnounceEntryExit: boolean | null;
  /** null: the organizer's AllowPstnOnlyMeetings applies. */
  AllowPstnOnly: boolean | null;
  /** null when the organizer is no longer enabled for dial-in. */
  DialIn: DialInBlock | null;
}

export interface MeetingInput {
  Organizer?: unknown;
  Subject?: unknown;
  Start?: unknown;
  End?: unknown;
  TimeZone?: unknown;
  AnnounceEntryExit?: unknown;
  AllowPstnOnly?: unknown;
}

const SELECT = `select m.*, u.upn as organizer_upn, u.display_name as organizer_name,
    u.conference_id as organizer_conference_id,
    u.email as organizer_email, u.service_number, u.toll_free_service_number
  from meetings m join users u on u.id = m.organizer_id`;

type Joined = MeetingRow & {
  sequence: number;
  organizer_upn: string;
  organizer_conference_id: string | null;
  organizer_name: string;
  organizer_email: string;
  service_number: string | null;
  toll_free_service_number: string | null;
};

function view(r: Joined): MeetingView {
  // A meeting on the organizer's static ID follows it: after a reset the
  // block shows the new ID at once (the old one no longer works).
  const conferenceId =
    r.id_kind === 'static' ? (r.organizer_conference_id ?? r.conference_id) : r.conference_id;
  return {
    Id: r.id,
    Organizer: r.organizer_upn,
    Subject: r.subject,
    Start: new Date(r.starts_at).toISOString(),
    End: new Date(r.ends_at).toISOString(),
    TimeZone: r.time_zone,
    State: r.state,
    ConferenceIdKind: r.id_kind,
    AnnounceEntryExit: r.announce_entry_exit,
    AllowPstnOnly: r.allow_pstn_only,
    DialIn: r.dial_in
      ? {
          TollNumber: r.service_number,
          TollFreeNumber: r.toll_free_service_number,
          ConferenceId: conferenceId,
          Dial: formatForDialing(conferenceId),
        }
      : null,
  };
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || !value.trim() || value.length > max)
    throw new ValidationError(field, `must be text of 1 to ${max} characters`, value);
  return value.trim();
}

function instant(value: unknown, field: string): Date {
  const d = typeof value === 'string' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value as string))
    throw new ValidationError(
      field,
      'must be a date and time in ISO 8601 form, such as 2026-12-07T15:00:00Z',
      value,
    );
  return d;
}

function timeZone(value: unknown): string {
  if (value === undefined) return 'UTC';
  try {
    if (typeof value !== 'string' || !value) throw new Error();
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError('TimeZone', 'must be an IANA time zone, such as Europe/Paris', value);
  }
}

function option(value: unknown, field: string): boolean | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean') return value;
  throw new ValidationError(
    field,
    'must be true, false or null (null: the default applies)',
    value,
  );
}

const DAY = 86_400_000;

/** A meeting's times: end after start, at most a day long. */
function span(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) throw new ValidationError('End', 'must be after Start');
  if (end.getTime() - start.getTime() > DAY)
    throw new ValidationError('End', 'must be at most 24 hours after Start');
}

export async function getMeetingRow(q: Queryable, orgId: string, id: unknown): Promise<Joined> {
  if (typeof id !== 'string' || !id)
    throw new ValidationError('Identity', 'must be a meeting id', id);
  const [row] = await q.query<Joined>(`${SELECT} where m.id = $1 and m.org_id = $2`, [id, orgId]);
  if (!row) throw new NotFoundError('meeting', id);
  return row;
}

/**
 * Schedules a meeting for a user enabled for dial-in. With
 * UseUniqueConferenceIds it gets its own ID (8 digits with a check digit,
 * unique across the deployment, never one still in quarantine); otherwise it
 * uses the organizer's static ID.
 */
export async function scheduleMeeting(
  q: Queryable,
  actor: Actor,
  input: MeetingInput,
  quarantineDays: number,
): Promise<MeetingView> {
  const subject = text(input.Subject, 'Subject', 255);
  const start = instant(input.Start, 'Start');
  const end = instant(input.End, 'End');
  span(start, end);
  const zone = timeZone(input.TimeZone);
  const announce = option(input.AnnounceEntryExit, 'AnnounceEntryExit') ?? null;
  const pstnOnly = option(input.AllowPstnOnly, 'AllowPstnOnly') ?? null;
  const organizer = await findUser(q, actor.orgId, input.Organizer, 'Organizer');
  if (organizer.provider !== 'BuiltIn' || !organizer.conference_id)
    throw new ValidationError(
      'Organizer',
      'must be enabled for dial-in conferencing with the built-in bridge',
      organizer.upn,
    );
  const settings = await readSettings(q, actor.orgId);
  const id = randomUUID();
  const kind = settings.UseUniqueConferenceIds ? 'meeting' : 'static';
  const conferenceId =
    kind === 'meeting'
      ? await allocateMeetingId(q, { orgId: actor.orgId, ownerId: id }, quarantineDays)
      : organizer.conference_id;
  await q.query(
    `insert into meetings (id, org_id, organizer_id, subject, starts_at, ends_at, time_zone,
       conference_id, id_kind, announce_entry_exit, allow_pstn_only)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      actor.orgId,
      organizer.id,
      subject,
      start.toISOString(),
      end.toISOString(),
      zone,
      conferenceId,
      kind,
      announce,
      pstnOnly,
    ],
  );
  await audit(q, actor, 'meeting.schedule', id, [
    { field: 'Subject', old: null, new: subject },
    { field: 'Organizer', old: null, new: organizer.upn },
    { field: 'ConferenceIdKind', old: null, new: kind },
  ]);
  return view(await getMeetingRow(q, actor.orgId, id));
}

/** Changes a meeting's subject, times or options; its conference ID stays. */
export async function updateMeeting(
  q: Queryable,
  actor: Actor,
  id: unknown,
  input: MeetingInput,
): Promise<MeetingView> {
  const before = await getMeetingRow(q, actor.orgId, id);
  if (before.state === 'cancelled')
    throw new ValidationError('Identity', 'is a cancelled meeting; schedule a new one', before.id);
  if (input.Organizer !== undefined)
    throw new ValidationError('Organizer', "can't be changed; schedule a new meeting instead");
  const subject =
    input.Subject === undefined ? before.subject : text(input.Subject, 'Subject', 255);
  const start =
    input.Start === undefined ? new Date(before.starts_at) : instant(input.Start, 'Start');
  const end = input.End === undefined ? new Date(before.ends_at) : instant(input.End, 'End');
  span(start, end);
  const zone = input.TimeZone === undefined ? before.time_zone : timeZone(input.TimeZone);
  const announce = option(input.AnnounceEntryExit, 'AnnounceEntryExit');
  const pstnOnly = option(input.AllowPstnOnly, 'AllowPstnOnly');
  const after = {
    subject,
    starts_at: start.toISOString(),
    ends_at: end.toISOString(),
    time_zone: zone,
    announce_entry_exit: announce === undefined ? before.announce_entry_exit : announce,
    allow_pstn_only: pstnOnly === undefined ? before.allow_pstn_only : pstnOnly,
  };
  await q.query(
    `update meetings set subject = $2, starts_at = $3, ends_at = $4, time_zone = $5,
       announce_entry_exit = $6, allow_pstn_only = $7, sequence = sequence + 1, updated_at = now()
     where id = $1`,
    [
      before.id,
      after.subject,
      after.starts_at,
      after.ends_at,
      after.time_zone,
      after.announce_entry_exit,
      after.allow_pstn_only,
    ],
  );
  const changes = (
    [
      ['Subject', before.subject, after.subject],
      ['Start', new Date(before.starts_at).toISOString(), after.starts_at],
      ['End', new Date(before.ends_at).toISOString(), after.ends_at],
      ['TimeZone', before.time_zone, after.time_zone],
      ['AnnounceEntryExit', before.announce_entry_exit, after.announce_entry_exit],
      ['AllowPstnOnly', before.allow_pstn_only, after.allow_pstn_only],
    ] as const
  )
    .filter(([, o, n]) => o !== n)
    .map(([field, o, n]) => ({ field, old: o, new: n }));
  if (changes.length) await audit(q, actor, 'meeting.update', before.id, changes);
  return view(await getMeetingRow(q, actor.orgId, before.id));
}

/** Cancels a meeting; its own conference ID stops working at once and rests in quarantine. */
export async function cancelMeeting(q: Queryable, actor: Actor, id: unknown): Promise<MeetingView> {
  const before = await getMeetingRow(q, actor.orgId, id);
  if (before.state === 'cancelled') return view(before);
  await q.query(
    `update meetings set state = 'cancelled', sequence = sequence + 1, updated_at = now() where id = $1`,
    [before.id],
  );
  if (before.id_kind === 'meeting') await releaseId(q, before.conference_id);
  await audit(q, actor, 'meeting.cancel', before.id, [
    { field: 'State', old: 'scheduled', new: 'cancelled' },
  ]);
  return view(await getMeetingRow(q, actor.orgId, before.id));
}

export async function listMeetings(
  q: Queryable,
  orgId: string,
  filter: { organizer?: unknown; includeCancelled?: boolean; limit?: number } = {},
): Promise<MeetingView[]> {
  const params: unknown[] = [orgId];
  let where = 'm.org_id = $1';
  if (filter.organizer !== undefined) {
    const user = await findUser(q, orgId, filter.organizer, 'Organizer');
    params.push(user.id);
    where += ` and m.organizer_id = $${params.length}`;
  }
  if (!filter.includeCancelled) where += ` and m.state = 'scheduled'`;
  params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  const rows = await q.query<Joined>(
    `${SELECT} where ${where} order by m.starts_at, m.id limit $${params.length}`,
    params,
  );
  return rows.map(view);
}

export async function getMeeting(q: Queryable, orgId: string, id: unknown): Promise<MeetingView> {
  return view(await getMeetingRow(q, orgId, id));
}

/** What an invite needs beyond the view: who sends it, and how many times it changed. */
export async function getInviteParts(
  q: Queryable,
  orgId: string,
  id: unknown,
): Promise<{ meeting: MeetingView; organizer: { name: string; email: string }; sequence: number }> {
  const row = await getMeetingRow(q, orgId, id);
  return {
    meeting: view(row),
    organizer: { name: row.organizer_name, email: row.organizer_email },
    sequence: row.sequence,
  };
}
