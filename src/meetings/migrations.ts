import { randomUUID } from 'node:crypto';
import type { Actor } from '../admin/context.ts';
import { audit } from '../admin/audit.ts';
import { allocateMeetingId, releaseId } from '../admin/conference-ids.ts';
import { readSettings } from '../admin/organizations.ts';
import { findUser } from '../admin/users.ts';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Db, Queryable } from '../store/db.ts';

export type MigrationState = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
export type MigrationTrigger = 'DialInEnabled' | 'DialInChanged' | 'DialInDisabled' | 'Manual';

const STATES: readonly MigrationState[] = ['Pending', 'InProgress', 'Succeeded', 'Failed'];

/** Attempts before a migration is Failed for good (an administrator can start another). */
export const MIGRATION_MAX_ATTEMPTS = 5;
/** A claimed migration not finished by then (the service died) is taken up again. */
export const MIGRATION_LEASE_MS = 120_000;
/** Waits before the next attempt after a failure; the last one repeats. */
export const MIGRATION_BACKOFF_MS = [10_000, 60_000, 300_000, 1_800_000];

/** As Get-CsMeetingMigrationStatus shows a migration. */
export interface MigrationView {
  Id: string;
  UserPrincipalName: string;
  Trigger: MigrationTrigger;
  State: MigrationState;
  RetryCount: number;
  LastMessage: string | null;
  MeetingsTotal: number;
  MeetingsMigrated: number;
  CreateDate: string;
  ModifiedDate: string;
}

interface MigrationRow {
  id: string;
  org_id: string;
  user_id: string;
  trigger: MigrationTrigger;
  state: MigrationState;
  attempts: number;
  reason: string | null;
  meetings_total: number;
  meetings_migrated: number;
  created_at: Date | string;
  updated_at: Date | string;
  upn: string;
}

const view = (r: MigrationRow): MigrationView => ({
  Id: r.id,
  UserPrincipalName: r.upn,
  Trigger: r.trigger,
  State: r.state,
  RetryCount: Math.max(0, r.attempts - 1),
  LastMessage: r.reason,
  MeetingsTotal: r.meetings_total,
  MeetingsMigrated: r.meetings_migrated,
  CreateDate: new Date(r.created_at).toISOString(),
  ModifiedDate: new Date(r.updated_at).toISOString(),
});

/**
 * Asks for a user's future meetings to be brought up to date with their
 * dial-in details, inside the transaction that changed them (so a rolled-back
 * change asks nothing). Automatic requests follow
 * AutomaticallyMigrateUserMeetings; Start-CsExMeetingMigration forces one. A
 * migration already waiting for the user covers the new change too.
 */
export async function requestMigration(
  q: Queryable,
  orgId: string,
  userId: string,
  trigger: MigrationTrigger,
  force = false,
): Promise<string | undefined> {
  if (!force && !(await readSettings(q, orgId)).AutomaticallyMigrateUserMeetings) return undefined;
  const [waiting] = await q.query<{ id: string }>(
    `select id from meeting_migrations where user_id = $1 and state = 'Pending'`,
    [userId],
  );
  if (waiting) return waiting.id;
  const id = randomUUID();
  await q.query(
    `insert into meeting_migrations (id, org_id, user_id, trigger) values ($1, $2, $3, $4)`,
    [id, orgId, userId, trigger],
  );
  return id;
}

/**
 * Brings one user's future meetings in line with their dial-in details now:
 * meetings on the static ID follow the current one; a user no longer on the
 * bridge has their meetings' dial-in removed (per-meeting IDs to quarantine);
 * one back on it gets dial-in again (new per-meeting IDs). Each changed
 * meeting's invite sequence goes up, so calendars replace the old invite.
 */
export async function migrateUserMeetings(
  q: Queryable,
  userId: string,
  quarantineDays: number,
): Promise<{ total: number; migrated: number }> {
  const [user] = await q.query<{
    org_id: string;
    provider: string;
    conference_id: string | null;
  }>('select org_id, provider, conference_id from users where id = $1', [userId]);
  if (!user) return { total: 0, migrated: 0 };
  const meetings = await q.query<{
    id: string;
    conference_id: string;
    id_kind: 'static' | 'meeting';
    dial_in: boolean;
  }>(
    `select id, conference_id, id_kind, dial_in from meetings
      where organizer_id = $1 and state = 'scheduled' and ends_at > now() order by starts_at for update`,
    [userId],
  );
  const enabled = user.provider === 'BuiltIn' && user.conference_id !== null;
  let migrated = 0;
  for (const m of meetings) {
    let conferenceId = m.conference_id;
    let dialIn = m.dial_in;
    if (enabled) {
      if (m.id_kind === 'static') conferenceId = user.conference_id!;
      else if (!m.dial_in)
        conferenceId = await allocateMeetingId(
          q,
          { orgId: user.org_id, ownerId: m.id },
          quarantineDays,
        );
      dialIn = true;
    } else {
      if (m.id_kind === 'meeting' && m.dial_in) await releaseId(q, m.conference_id);
      dialIn = false;
    }
    await q.query(
      `update meetings set conference_id = $2, dial_in = $3, sequence = sequence + 1, updated_at = now()
        where id = $1`,
      [m.id, conferenceId, dialIn],
    );
    migrated++;
  }
  return { total: meetings.length, migrated };
}

/** Start-CsExMeetingMigration: migrates a user's meetings now, whatever the setting. */
export async function startMigration(
  q: Queryable,
  actor: Actor,
  identity: unknown,
): Promise<MigrationView> {
  const user = await findUser(q, actor.orgId, identity, 'Identity');
  const id = (await requestMigration(q, actor.orgId, user.id, 'Manual', true))!;
  await audit(q, actor, 'meetings.migrate', user.upn);
  return (await listMigrations(q, actor.orgId, { id }))[0]!;
}

/** Get-CsMeetingMigrationStatus: newest first, by user and state. */
export async function listMigrations(
  q: Queryable,
  orgId: string,
  filter: { identity?: unknown; state?: unknown; id?: string; limit?: number } = {},
): Promise<MigrationView[]> {
  const params: unknown[] = [orgId];
  let where = 'mm.org_id = $1';
  if (filter.identity !== undefined) {
    const user = await findUser(q, orgId, filter.identity, 'Identity');
    params.push(user.id);
    where += ` and mm.user_id = $${params.length}`;
  }
  if (filter.state !== undefined) {
    if (!STATES.includes(filter.state as MigrationState))
      throw new ValidationError('State', `must be one of ${STATES.join(', ')}`, filter.state);
    params.push(filter.state);
    where += ` and mm.state = $${params.length}`;
  }
  if (filter.id !== undefined) {
    params.push(filter.id);
    where += ` and mm.id = $${params.length}`;
  }
  params.push(Math.min(Math.max(filter.limit ?? 200, 1), 1000));
  const rows = await q.query<MigrationRow>(
    `select mm.*, u.upn from meeting_migrations mm join users u on u.id = mm.user_id
      where ${where} order by mm.created_at desc, mm.id limit $${params.length}`,
    params,
  );
  return rows.map(view);
}

/** Get-CsMeetingMigrationStatus -SummaryOnly: how many migrations are in each state. */
export async function migrationSummary(q: Queryable, orgId: string) {
  const rows = await q.query<{ state: MigrationState; n: string | number }>(
    'select state, count(*) as n from meeting_migrations where org_id = $1 group by state',
    [orgId],
  );
  const out: Record<MigrationState, number> = {
    Pending: 0,
    InProgress: 0,
    Succeeded: 0,
    Failed: 0,
  };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}

/**
 * Runs migrations in the background. Each is claimed with a lease, then its
 * meetings and its final state are written in one transaction: a service
 * killed mid-way leaves the meetings as they were and the migration is taken
 * up again when the lease runs out. Failures are retried with back-off, then
 * marked Failed with the reason.
 */
export class MigrationWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly o: {
      db: Db;
      log: Logger;
      quarantineDays: number;
      pollMs?: number;
      backoffMs?: number[];
      maxAttempts?: number;
      leaseMs?: number;
    },
  ) {
    this.schedule(0);
  }

  /** Something was requested: look now rather than at the next poll. */
  kick(): void {
    if (!this.closed && !this.running) this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Often enough to pick up a retry or an expired lease about when it falls due. */
  private get pollMs(): number {
    const o = this.o;
    return o.pollMs ?? Math.min(5000, o.leaseMs ?? MIGRATION_LEASE_MS, ...(o.backoffMs ?? [5000]));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (!this.closed) this.schedule(this.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    while (!this.closed) {
      const claimed = await this.o.db.query<{ id: string; user_id: string; attempts: number }>(
        `update meeting_migrations set state = 'InProgress', attempts = attempts + 1,
           lease_until = now() + make_interval(secs => $1), updated_at = now()
         where id = (select id from meeting_migrations
                      where (state = 'Pending' and next_attempt_at <= now())
                         or (state = 'InProgress' and lease_until < now())
                      order by created_at limit 1 for update skip locked)
         returning id, user_id, attempts`,
        [(this.o.leaseMs ?? MIGRATION_LEASE_MS) / 1000],
      );
      const m = claimed[0];
      if (!m) return;
      try {
        await this.o.db.tx(async (q) => {
          const { total, migrated } = await migrateUserMeetings(
            q,
            m.user_id,
            this.o.quarantineDays,
          );
          await q.query(
            `update meeting_migrations set state = 'Succeeded', reason = null, meetings_total = $2,
               meetings_migrated = $3, lease_until = null, updated_at = now() where id = $1`,
            [m.id, total, migrated],
          );
        });
      } catch (err) {
        const reason = (err as Error).message;
        const failed = m.attempts >= (this.o.maxAttempts ?? MIGRATION_MAX_ATTEMPTS);
        const backoff = this.o.backoffMs ?? MIGRATION_BACKOFF_MS;
        const wait = backoff[Math.min(m.attempts - 1, backoff.length - 1)]!;
        this.o.log.warn(
          { migration: m.id, attempts: m.attempts, reason },
          'meeting migration failed',
        );
        await this.o.db.query(
          `update meeting_migrations set state = $2, reason = $3, lease_until = null,
             next_attempt_at = now() + make_interval(secs => $4), updated_at = now() where id = $1`,
          [m.id, failed ? 'Failed' : 'Pending', reason, wait / 1000],
        );
      }
    }
  }
}
