import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import type { StoreKind } from './support/stores.ts';

const AMOS = 'amos.marble%40contoso.com';
const schedule = (t: TestService, Subject: string) =>
  t.api('POST', '/api/v1/meetings', {
    Organizer: 'amos.marble@contoso.com',
    Subject,
    Start: '2030-01-07T15:00:00Z',
    End: '2030-01-07T16:00:00Z',
  });

/** A user's dial-in details change: their future meetings follow, without anyone touching them. */
describe.each<StoreKind>(['pglite', 'postgres'])('meeting migrations (%s)', (kind) => {
  let t: TestService;

  const until = async (what: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const migrations = async () =>
    (await t.api('GET', `/api/v1/meeting-migrations?identity=${AMOS}`)).json as any[];
  const sequence = async (id: string) =>
    (
      await t.service.db.query<{ sequence: number }>(
        'select sequence from meetings where id = $1',
        [id],
      )
    )[0]!.sequence;

  beforeAll(async () => {
    t = await startTestService(kind);
    await seedDialIn(t, { primary: 'en-US', secondary: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a conference ID reset migrates a static-ID meeting: new ID, updated invite', async () => {
    await t.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: false });
    const m = await schedule(t, 'On the static ID');
    await t.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: true });
    const reset = await t.api('POST', `/api/v1/dialin-users/${AMOS}/reset-conference-id`);
    const newId = reset.json.ConferenceId as string;
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    expect((await migrations())[0]).toMatchObject({
      UserPrincipalName: 'amos.marble@contoso.com',
      Trigger: 'DialInChanged',
      MeetingsTotal: 1,
      MeetingsMigrated: 1,
      LastMessage: null,
    });
    const [row] = await t.service.db.query<{ conference_id: string }>(
      'select conference_id from meetings where id = $1',
      [m.json.Id],
    );
    expect(row!.conference_id).toBe(newId);
    expect(await sequence(m.json.Id)).toBe(1);
  });

  it('disabling removes dial-in from future meetings (IDs to quarantine); enabling brings it back', async () => {
    const m = await schedule(t, 'Per-meeting');
    const oldId = m.json.DialIn.ConferenceId as string;
    const before = (await migrations()).length;
    expect((await t.api('POST', `/api/v1/dialin-users/${AMOS}/disable`, {})).status).toBe(200);
    await until(async () => {
      const all = await migrations();
      return all.length > before && all[0].State === 'Succeeded';
    });
    expect((await migrations())[0].Trigger).toBe('DialInDisabled');
    const off = await t.api('GET', `/api/v1/meetings/${m.json.Id}`);
    expect(off.json.DialIn).toBeNull();
    const [held] = await t.service.db.query<{ state: string }>(
      'select state from conference_ids where id = $1',
      [oldId],
    );
    expect(held!.state).toBe('quarantined');

    expect((await t.api('POST', `/api/v1/dialin-users/${AMOS}/enable`, {})).status).toBe(200);
    await until(async () => (await migrations())[0]?.Trigger === 'DialInEnabled');
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    const on = await t.api('GET', `/api/v1/meetings/${m.json.Id}`);
    expect(on.json.DialIn.ConferenceId).toMatch(/^\d{8}$/);
    expect(on.json.DialIn.ConferenceId).not.toBe(oldId);
  });

  it('with AutomaticallyMigrateUserMeetings off nothing moves until Start-CsExMeetingMigration', async () => {
    await t.api('PATCH', '/api/v1/settings', { AutomaticallyMigrateUserMeetings: false });
    const count = (await migrations()).length;
    await t.api('POST', `/api/v1/dialin-users/${AMOS}/reset-conference-id`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await migrations()).length).toBe(count);

    const started = await t.cli([
      'Start-CsExMeetingMigration',
      '-Identity',
      'amos.marble@contoso.com',
      '-SourceMeetingType',
      'All',
    ]);
    expect(started.code, started.stderr).toBe(0);
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    expect((await migrations())[0].Trigger).toBe('Manual');
    const status = await t.cliJson<any[]>([
      'Get-CsMeetingMigrationStatus',
      '-Identity',
      'amos.marble@contoso.com',
    ]);
    expect(status[0]).toMatchObject({ State: 'Succeeded', Trigger: 'Manual' });
    const summary = await t.cliJson<any>(['Get-CsMeetingMigrationStatus', '-SummaryOnly']);
    expect(summary).toMatchObject({ Pending: 0, InProgress: 0, Failed: 0 });
    expect(summary.Succeeded).toBe((await migrations()).length);

    const bad = await t.cli([
      'Start-CsExMeetingMigration',
      '-Identity',
      'amos.marble@contoso.com',
      '-TargetMeetingType',
      'Teams',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/TargetMeetingType/);
    const badState = await t.api('GET', '/api/v1/meeting-migrations?state=Done');
    expect(badState.status).toBe(400);
    expect(badState.json.error.field).toBe('State');
  });

  it('moves every user on a number to another in bulk, and can reschedule their meetings', async () => {
    const added = await t.api('POST', '/api/v1/service-numbers', {
      Identity: '+14255550199',
      Type: 'Toll',
      City: 'Seattle',
      BridgeName: 'Conference Bridge',
    });
    expect(added.status).toBe(201);
    const m = await schedule(t, 'Numbers move');
    const count = (await migrations()).length;
    const bad = await t.cli([
      'Set-CsOnlineDialInConferencingUserDefaultNumber',
      '-FromNumber',
      '+14255550100',
      '-ToNumber',
      '+14255550199',
      '-NumberType',
      'Fax',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/NumberType/);
    const unknown = await t.api('POST', '/api/v1/default-numbers/move', {
      FromNumber: '+14255550100',
      ToNumber: '+14255550111',
      NumberType: 'Toll',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.field).toBe('ToNumber');
    expect((await t.api('GET', `/api/v1/dialin-users/${AMOS}`)).json.ServiceNumber).toBe(
      '+14255550100',
    );

    const moved = await t.cli([
      'Set-CsOnlineDialInConferencingUserDefaultNumber',
      '-FromNumber',
      '+14255550100',
      '-ToNumber',
      '+14255550199',
      '-NumberType',
      'Toll',
      '-RescheduleMeetings',
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout + moved.stderr).toMatch(/1 user\(s\) moved/);
    expect(moved.stdout).toMatch(/amos.marble@contoso.com/);
    expect((await t.api('GET', `/api/v1/dialin-users/${AMOS}`)).json.ServiceNumber).toBe(
      '+14255550199',
    );
    await until(async () => (await migrations()).length > count);
    await until(async () => (await migrations())[0]?.State === 'Succeeded');
    const after = await t.api('GET', `/api/v1/meetings/${m.json.Id}`);
    expect(after.json.DialIn.TollNumber).toBe('+14255550199');
    expect(await sequence(m.json.Id)).toBeGreaterThan(0);
    const outbox = await t.api('GET', '/api/v1/outbox');
    expect(outbox.json.map((e: any) => e.kind)).toContain('changed');
  });
});
