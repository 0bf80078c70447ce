import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import type { StoreKind } from './support/stores.ts';
import { isMeetingId } from '../src/meetings/meeting-id.ts';
import { CallDirectory } from '../src/attendant/directory.ts';

const meeting = (over: Record<string, unknown> = {}) => ({
  Organizer: 'amos.marble@contoso.com',
  Subject: 'Quarterly review',
  Start: '2026-12-07T15:00:00Z',
  End: '2026-12-07T16:00:00Z',
  TimeZone: 'America/Los_Angeles',
  ...over,
});

/** Scheduled meetings and per-meeting conference IDs, on both stores. */
describe.each<StoreKind>(['pglite', 'postgres'])('meetings (%s)', (kind) => {
  let t: TestService;
  let staticId: string;
  let directory: CallDirectory;

  beforeAll(async () => {
    t = await startTestService(kind);
    ({ conferenceId: staticId } = await seedDialIn(t, { primary: 'en-US', secondary: [] }));
    directory = new CallDirectory(t.service.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives a meeting its own 8-digit ID with a check digit, and a dial-in block', async () => {
    const r = await t.api('POST', '/api/v1/meetings', meeting());
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      Organizer: 'amos.marble@contoso.com',
      Subject: 'Quarterly review',
      TimeZone: 'America/Los_Angeles',
      State: 'scheduled',
      ConferenceIdKind: 'meeting',
      DialIn: { TollNumber: '+14255550100' },
    });
    const id = r.json.DialIn.ConferenceId as string;
    expect(isMeetingId(id)).toBe(true);
    expect(r.json.DialIn.Dial).toBe(`${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6)}#`);
    // The attendant's resolver finds it, with the organizer behind it.
    const found = await directory.resolve(id);
    expect(found?.meeting?.id).toBe(r.json.Id);
    expect(found?.organizer.displayName).toBe('Amos Marble');
    // One wrong digit, or two swapped, finds nothing (without a look-up).
    const wrong = id.slice(0, 7) + String((Number(id[7]) + 1) % 10);
    expect(await directory.resolve(wrong)).toBeUndefined();
  });

  it("links every dial-in block to a public page of the organization's numbers", async () => {
    const r = await t.api('POST', '/api/v1/meetings', meeting());
    const page = r.json.DialIn.NumbersPage as string;
    const [org] = await t.service.db.query<{ id: string }>('select id from organizations');
    expect(page).toBe(`${t.url}/dial-in/${org!.id}`);
    // No token needed: it is linked from invitations.
    const html = await fetch(page).then(async (res) => ({
      status: res.status,
      text: await res.text(),
    }));
    expect(html.status).toBe(200);
    expect(html.text).toContain('United States');
    expect(html.text).toContain('Redmond');
    expect(html.text).toContain('tel:+14255550100');
    const json = await fetch(`${page}?format=json`).then((res) => res.json() as Promise<any>);
    expect(json.Numbers).toEqual([
      expect.objectContaining({ Number: '+14255550100', City: 'Redmond', Type: 'Toll' }),
    ]);
    expect((await fetch(`${t.url}/dial-in/no-such-org`)).status).toBe(404);
  });

  it('keeps per-meeting IDs unique under concurrent scheduling, and apart from static IDs', async () => {
    const made = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        t.api('POST', '/api/v1/meetings', meeting({ Subject: `M${i}` })),
      ),
    );
    expect(made.every((r) => r.status === 201)).toBe(true);
    const ids = made.map((r) => r.json.DialIn.ConferenceId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(staticId);
    const registry = await t.service.db.query<{ id: string; kind: string }>(
      `select id, kind from conference_ids where kind = 'meeting'`,
    );
    for (const id of ids) expect(registry.map((r) => r.id)).toContain(id);
  });

  it('cancelling stops the ID at once and puts it in quarantine', async () => {
    const r = await t.api('POST', '/api/v1/meetings', meeting());
    const id = r.json.DialIn.ConferenceId as string;
    const cancelled = await t.api('DELETE', `/api/v1/meetings/${r.json.Id}`);
    expect(cancelled.json.State).toBe('cancelled');
    expect(await directory.resolve(id)).toBeUndefined();
    const [row] = await t.service.db.query<{ state: string }>(
      'select state from conference_ids where id = $1',
      [id],
    );
    expect(row!.state).toBe('quarantined');
    const listed = await t.api('GET', '/api/v1/meetings');
    expect(listed.json.map((m: any) => m.Id)).not.toContain(r.json.Id);
  });

  it('uses the static ID without UseUniqueConferenceIds; meetings from before the switch keep theirs', async () => {
    expect(
      (await t.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: false })).status,
    ).toBe(200);
    const old = await t.api('POST', '/api/v1/meetings', meeting({ Subject: 'Static' }));
    expect(old.json).toMatchObject({
      ConferenceIdKind: 'static',
      DialIn: { ConferenceId: staticId },
    });
    expect(
      (await t.api('PATCH', '/api/v1/settings', { UseUniqueConferenceIds: true })).status,
    ).toBe(200);
    const fresh = await t.api('POST', '/api/v1/meetings', meeting({ Subject: 'Dynamic' }));
    expect(fresh.json.ConferenceIdKind).toBe('meeting');
    const again = await t.api('GET', `/api/v1/meetings/${old.json.Id}`);
    expect(again.json.DialIn.ConferenceId).toBe(staticId);
    expect((await directory.resolve(staticId))?.organizer.displayName).toBe('Amos Marble');
    // Resetting the organizer's ID: the static meeting's block shows the new one at
    // once, and the old ID reaches nobody.
    const reset = await t.api(
      'POST',
      '/api/v1/dialin-users/amos.marble%40contoso.com/reset-conference-id',
    );
    expect(reset.status).toBe(200);
    const newId = reset.json.ConferenceId as string;
    expect(newId).not.toBe(staticId);
    const moved = await t.api('GET', `/api/v1/meetings/${old.json.Id}`);
    expect(moved.json.DialIn.ConferenceId).toBe(newId);
    expect(await directory.resolve(staticId)).toBeUndefined();
    staticId = newId;
  });

  it('changes a meeting but never its ID; refuses bad input naming the field, changing nothing', async () => {
    const r = await t.api('POST', '/api/v1/meetings', meeting());
    const changed = await t.api('PATCH', `/api/v1/meetings/${r.json.Id}`, {
      Subject: 'Moved',
      Start: '2026-12-08T15:00:00Z',
      End: '2026-12-08T15:30:00Z',
      AllowPstnOnly: true,
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ Subject: 'Moved', AllowPstnOnly: true });
    expect(changed.json.DialIn.ConferenceId).toBe(r.json.DialIn.ConferenceId);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/meetings', meeting({ Subject: '' }), 'Subject'],
      ['POST', '/api/v1/meetings', meeting({ End: '2026-12-07T14:00:00Z' }), 'End'],
      ['POST', '/api/v1/meetings', meeting({ Start: 'tomorrow' }), 'Start'],
      ['POST', '/api/v1/meetings', meeting({ TimeZone: 'Mars/Olympus' }), 'TimeZone'],
      ['POST', '/api/v1/meetings', meeting({ AllowPstnOnly: 'yes' }), 'AllowPstnOnly'],
      ['POST', '/api/v1/meetings', meeting({ Organizer: 'nobody@contoso.com' }), 'Organizer'],
      ['POST', '/api/v1/meetings', meeting({ Bogus: 1 }), 'Bogus'],
      ['PATCH', `/api/v1/meetings/${r.json.Id}`, { Organizer: 'someone' }, 'Organizer'],
      ['PATCH', `/api/v1/meetings/${r.json.Id}`, { End: '2026-12-06T00:00:00Z' }, 'End'],
    ];
    const before = await t.api('GET', '/api/v1/meetings?includeCancelled=true&limit=1000');
    for (const [method, path, body, field] of cases) {
      const bad = await t.api(method, path, body);
      expect([400, 404], `${method} ${JSON.stringify(body)}`).toContain(bad.status);
      expect(bad.json.error.field).toBe(field);
    }
    const after = await t.api('GET', '/api/v1/meetings?includeCancelled=true&limit=1000');
    expect(after.json).toEqual(before.json);
  });

  it('serves an iCalendar invite that follows changes and cancellation', async () => {
    const r = await t.api('POST', '/api/v1/meetings', meeting({ Subject: 'Invite me' }));
    const ics = async () => {
      const res = await fetch(`${t.url}/api/v1/meetings/${r.json.Id}/invite.ics`, {
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(res.headers.get('content-type')).toMatch(/text\/calendar/);
      return (await res.text()).replace(/\r\n[ \t]/g, '');
    };
    const first = await ics();
    expect(first).toContain('METHOD:REQUEST');
    expect(first).toContain(`UID:${r.json.Id}@dialbridge`);
    expect(first).toContain('SEQUENCE:0');
    expect(first).toContain(r.json.DialIn.Dial);
    expect(first).toContain(r.json.DialIn.NumbersPage);
    await t.api('PATCH', `/api/v1/meetings/${r.json.Id}`, { Subject: 'Invite me (moved)' });
    expect(await ics()).toContain('SEQUENCE:1');
    await t.api('DELETE', `/api/v1/meetings/${r.json.Id}`);
    const cancelled = await ics();
    expect(cancelled).toContain('METHOD:CANCEL');
    expect(cancelled).toContain('SEQUENCE:2');
    const cli = await t.cli(['meetings', 'invite', r.json.Id]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('BEGIN:VCALENDAR');
  });

  it('refuses an organizer who is not enabled for dial-in', async () => {
    await t.api('POST', '/api/v1/users', {
      UserPrincipalName: 'isaiah.langer@contoso.com',
      DisplayName: 'Isaiah Langer',
    });
    const r = await t.api(
      'POST',
      '/api/v1/meetings',
      meeting({ Organizer: 'isaiah.langer@contoso.com' }),
    );
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ field: 'Organizer' });
    expect(r.json.error.message).toMatch(/enabled for dial-in/);
  });

  it('schedules, lists and cancels from the command line', async () => {
    const made = await t.cliJson<any>([
      'meetings',
      'schedule',
      '--organizer',
      'Amos Marble',
      '--subject',
      'From the CLI',
      '--start',
      '2026-12-09T09:00:00Z',
      '--end',
      '2026-12-09T10:00:00Z',
      '--pstn-only',
      'true',
    ]);
    expect(made).toMatchObject({ Subject: 'From the CLI', AllowPstnOnly: true });
    const list = await t.cliJson<any[]>([
      'meetings',
      'list',
      '--organizer',
      'amos.marble@contoso.com',
    ]);
    expect(list.map((m) => m.Id)).toContain(made.Id);
    const bad = await t.cli([
      'meetings',
      'schedule',
      '--organizer',
      'Amos Marble',
      '--subject',
      'x',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Start/);
    expect((await t.cliJson<any>(['meetings', 'cancel', made.Id])).State).toBe('cancelled');
  });
});
