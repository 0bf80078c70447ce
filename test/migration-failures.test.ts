import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import type { StoreKind } from './support/stores.ts';

const AMOS = 'amos.marble%40contoso.com';

/**
 * A migration that fails is retried with back-off, then marked Failed with
 * its reason. The fault is real: a trigger in the store refuses to update one
 * meeting, after an earlier meeting was already updated in the same
 * transaction — which must then be rolled back.
 */
describe.each<StoreKind>(['pglite', 'postgres'])('meeting migration failures (%s)', (kind) => {
  let t: TestService;
  const migrations = async () =>
    (await t.api('GET', `/api/v1/meeting-migrations?identity=${AMOS}`)).json as any[];
  const until = async (what: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const meeting = async (id: string) =>
    (
      await t.service.db.query<{ conference_id: string; sequence: number }>(
        'select conference_id, sequence from meetings where id = $1',
        [id],
      )
    )[0]!;
  const schedule = async (Subject: string, day: number) =>
    (
      await t.api('POST', '/api/v1/meetings', {
        Organizer: 'amos.marble@contoso.com',
        Subject,
        Start: `2030-01-0${day}T15:00:00Z`,
        End: `2030-01-0${day}T16:00:00Z`,
      })
    ).json.Id as string;
  const poison = async () => {
    await t.service.db.query(
      `create or replace function refuse_poison() returns trigger language plpgsql as $$
       begin
         if new.subject = 'Poison' and new.sequence > old.sequence then
           raise exception 'simulated storage failure';
         end if;
         return new;
       end $$`,
    );
    await t.service.db.query(
      `create trigger refuse_poison before update on meetings
         for each row execute function refuse_poison()`,
    );
  };
  const cure = () => t.service.db.query('drop trigger refuse_poison on meetings');

  beforeAll(async () => {
    t = await startTestService(kind, undefined, {
      DIALBRIDGE_MIGRATION_RETRY_MS: '300',
      DIALBRIDGE_MIGRATION_MAX_ATTEMPTS: '3',
    });
    await seedDialIn(t, { primary: 'en-US', secondary: [] });
    await t.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a failed migration changes no meeting, is retried, and succeeds once the fault is gone', async () => {
    const fine = await schedule('Fine', 5);
    const bad = await schedule('Poison', 6);
    const before = await meeting(fine);
    await poison();
    const reset = await t.api('POST', `/api/v1/dialin-users/${AMOS}/reset-conference-id`);
    const newId = reset.json.ConferenceId as string;
    await until(async () => (await migrations())[0]?.RetryCount >= 1);
    const failing = (await migrations())[0];
    expect(failing.State).not.toBe('Succeeded');
    expect(failing.State).not.toBe('Failed');
    expect(failing.LastMessage).toContain('simulated storage failure');
    // 'Fine' was updated before 'Poison' refused, in the same transaction: rolled back.
    expect(await meeting(fine)).toEqual(before);

    await cure();
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    const done = (await migrations())[0];
    expect(done.RetryCount).toBeGreaterThanOrEqual(1);
    expect(done).toMatchObject({ MeetingsTotal: 2, MeetingsMigrated: 2, LastMessage: null });
    for (const id of [fine, bad]) {
      expect(await meeting(id)).toEqual({ conference_id: newId, sequence: before.sequence + 1 });
    }
  });

  it('after the last attempt it is Failed with the reason; Start-CsExMeetingMigration runs it again', async () => {
    await poison();
    const count = (await migrations()).length;
    await t.api('POST', `/api/v1/dialin-users/${AMOS}/reset-conference-id`);
    await until(async () => {
      const all = await migrations();
      return all.length > count && all[0].State === 'Failed';
    });
    expect((await migrations())[0]).toMatchObject({
      State: 'Failed',
      RetryCount: 2, // three attempts
      LastMessage: expect.stringContaining('simulated storage failure'),
    });
    const status = await t.cliJson<any[]>([
      'Get-CsMeetingMigrationStatus',
      '-Identity',
      'amos.marble@contoso.com',
    ]);
    expect(status[0]).toMatchObject({ State: 'Failed' });

    await cure();
    const started = await t.cli([
      'Start-CsExMeetingMigration',
      '-Identity',
      'amos.marble@contoso.com',
    ]);
    expect(started.code, started.stderr).toBe(0);
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    expect((await migrations())[0]).toMatchObject({ Trigger: 'Manual', MeetingsMigrated: 2 });
  });
});
