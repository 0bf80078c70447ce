import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startChildService, type ChildService } from './support/child-service.ts';
import { seedDialIn } from './support/contoso.ts';
import { freshDatabaseUrl } from './support/stores.ts';

const AMOS = 'amos.marble%40contoso.com';

/**
 * kill -9 in the middle of a meeting migration. The service is a real child
 * process on PostgreSQL. A trigger makes the update of the second meeting wait
 * for an advisory lock this test holds, so the service is killed exactly
 * while its migration transaction has already rewritten the first meeting.
 * Started again, it takes the migration up once the lease has passed and
 * finishes it: every meeting moves to the new ID exactly once.
 */
describe('crash safety: meeting migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialbridge-migration-crash-'));
  let service: ChildService | undefined;
  let db: pg.Client | undefined;

  afterAll(async () => {
    await service?.kill();
    await db?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a migration killed mid-transaction is finished once after a restart', async () => {
    const url = await freshDatabaseUrl();
    const env = {
      DATABASE_URL: url,
      DIALBRIDGE_MIGRATION_LEASE_MS: '2000',
      DIALBRIDGE_MIGRATION_RETRY_MS: '300',
    };
    service = await startChildService(dir, env);
    await seedDialIn(service, { primary: 'en-US', secondary: [] });
    await service.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: false });
    const ids: string[] = [];
    for (const [Subject, day] of [
      ['First', 5],
      ['Held', 6],
      ['Third', 7],
    ] as const) {
      const r = await service.api('POST', '/api/v1/meetings', {
        Organizer: 'amos.marble@contoso.com',
        Subject,
        Start: `2030-01-0${day}T15:00:00Z`,
        End: `2030-01-0${day}T16:00:00Z`,
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      ids.push(r.json.Id);
    }
    const oldId = (await service.api('GET', `/api/v1/meetings/${ids[0]}`)).json.DialIn.ConferenceId;

    db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(`create function hold_meeting() returns trigger language plpgsql as $$
      begin
        if new.subject = 'Held' then perform pg_advisory_xact_lock(4242); end if;
        return new;
      end $$`);
    await db.query(`create trigger hold_meeting before update on meetings
      for each row execute function hold_meeting()`);
    await db.query('select pg_advisory_lock(4242)');

    const reset = await service.api('POST', `/api/v1/dialin-users/${AMOS}/reset-conference-id`);
    expect(reset.status).toBe(200);
    const newId = reset.json.ConferenceId as string;
    expect(newId).not.toBe(oldId);

    // Wait until the migration's transaction has rewritten 'First' and waits on 'Held'.
    const end = Date.now() + 20_000;
    for (;;) {
      const waiting = await db.query(
        `select 1 from pg_stat_activity
          where wait_event_type = 'Lock' and wait_event = 'advisory' and query like 'update meetings%'`,
      );
      if (waiting.rowCount) break;
      if (Date.now() > end) throw new Error('the migration never reached the held meeting');
      await new Promise((r) => setTimeout(r, 50));
    }
    const [claimed] = (
      await db.query(`select state, attempts from meeting_migrations order by created_at desc`)
    ).rows;
    expect(claimed).toEqual({ state: 'InProgress', attempts: 1 });

    await service.kill();
    // The dead service's transaction never committed: nothing moved.
    const seen = await db.query('select conference_id, sequence from meetings order by starts_at');
    expect(seen.rows).toEqual(ids.map(() => ({ conference_id: oldId, sequence: 0 })));
    await db.query('select pg_advisory_unlock(4242)');

    service = await startChildService(dir, env);
    const until = Date.now() + 30_000;
    let status: any[] = [];
    for (;;) {
      status = (await service.api('GET', `/api/v1/meeting-migrations?identity=${AMOS}`)).json;
      if (status[0]?.State === 'Succeeded') break;
      if (Date.now() > until) throw new Error(`never finished: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // One migration for the reset (the other is the license's, with no meetings yet).
    expect(status.filter((m) => m.Trigger === 'DialInChanged')).toHaveLength(1);
    expect(status[0]).toMatchObject({
      Trigger: 'DialInChanged',
      RetryCount: 1, // the killed attempt, then the one that finished
      MeetingsTotal: 3,
      MeetingsMigrated: 3,
    });
    const after = await db.query('select conference_id, sequence from meetings order by starts_at');
    expect(after.rows).toEqual(ids.map(() => ({ conference_id: newId, sequence: 1 })));
    for (const id of ids) {
      const m = await service.api('GET', `/api/v1/meetings/${id}`);
      expect(m.json.DialIn.ConferenceId).toBe(newId);
    }
  }, 120_000);
});
