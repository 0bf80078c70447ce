import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import { RtpPhone, tonePower } from './support/rtp-phone.ts';
import type { Delivered } from '../src/events/types.ts';

/**
 * The auto attendant over real SIP and RTP: callers type keys (SIP INFO, one
 * digit stream with RFC 4733 and in-band), the attendant answers in the
 * number's languages, and the live API shows where everyone is.
 */
describe('the auto attendant', () => {
  let t: TestService;
  let conferenceId: string;
  let pin: string;
  const events: Delivered[] = [];
  const phones: RtpPhone[] = [];

  const until = async (what: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const live = async () => (await t.api('GET', '/api/v1/live/meetings')).json as any[];
  const dial = async () => {
    const phone = new RtpPhone();
    phones.push(phone);
    await phone.dial(t.service.calls.port);
    return phone;
  };
  /** Keys as SIP INFO, a little apart so they arrive in order. */
  const type = async (phone: RtpPhone, keys: string) => {
    for (const k of keys) {
      phone.pressInfo(k, t.service.calls.port);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const ended = (phone: RtpPhone) =>
    phone.sip.requests.some((r) => r.startsWith('BYE ') && r.includes(phone.callId));

  beforeAll(async () => {
    // Four failed entries per calling number: the last test is the fourth.
    t = await startTestService('pglite', undefined, { DIALBRIDGE_GUESS_LIMIT_PER_CALLER: '4' });
    t.service.bus.on('event', (e) => events.push(e));
    ({ conferenceId, pin } = await seedDialIn(t, { primary: 'en-US', secondary: ['fr-FR'] }));
    expect(conferenceId).toMatch(/^[1-9]\d{6}$/);
  });

  afterEach(async () => {
    // A failed test must not leave callers behind for the next one.
    for (const p of phones.splice(0)) p.close();
    t.service.meetings.endAll();
    await until(async () => (await live()).length === 0, 10_000).catch(() => undefined);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('holds an attendee in the lobby until the leader enters the PIN; then they hear each other, *6 mutes, and hang-ups empty the meeting', async () => {
    // The attendee: English (1), the ID, a key other than star ("I'll wait"),
    // no name (silence): the lobby.
    const b = await dial();
    await type(b, `1${conferenceId}#5`);
    await until(async () => (await live())[0]?.participants.length === 1, 90_000);
    const waiting = (await live())[0];
    expect(waiting.started).toBe(false);
    expect(waiting.participants[0]).toMatchObject({
      inLobby: true,
      leader: false,
      caller: expect.stringMatching(/X/),
    });

    // The leader types everything ahead: language, ID, star, PIN.
    const a = await dial();
    a.speak({ frequencies: [440], levelDbm0: -16 }); // also their "name"
    await type(a, `1${conferenceId}#*${pin}#`);
    await until(async () => {
      const m = (await live())[0];
      return m?.participants.length === 2 && m.participants.every((p: any) => !p.inLobby);
    }, 90_000);
    const meeting = (await live())[0];
    expect(meeting.started).toBe(true);
    const leader = meeting.participants.find((p: any) => p.leader);
    const attendee = meeting.participants.find((p: any) => !p.leader);
    expect(leader).toMatchObject({ named: true });
    expect(attendee).toMatchObject({ named: false });

    // Audio both ways through the mix, once the entry announcements are over
    // (what a prompt says to a caller replaces the mix while it plays).
    const loud = 1e5;
    b.speak({ frequencies: [1200], levelDbm0: -16 });
    await new Promise((r) => setTimeout(r, 8000));
    let fromA = b.heard.length;
    let fromB = a.heard.length;
    await new Promise((r) => setTimeout(r, 1000));
    // (Loud: a -16 dBm0 tone heard for the whole second measures about 3e6; a
    // loaded test machine may lose some of it, so the bar is lower, and what
    // matters as much is that nobody hears themselves.)
    const heardByA = a.heardSince(fromB);
    expect(tonePower(b.heardSince(fromA), 440)).toBeGreaterThan(loud);
    expect(tonePower(heardByA, 1200)).toBeGreaterThan(loud / 4);
    expect(tonePower(heardByA, 440)).toBeLessThan(tonePower(heardByA, 1200) / 100);

    // *6: the attendee mutes; the leader stops hearing them.
    await type(b, '*6');
    await until(
      async () => (await live())[0].participants.find((p: any) => !p.leader)?.muted === true,
    );
    await new Promise((r) => setTimeout(r, 3000)); // B hears "you are muted"; buffers drain
    fromB = a.heard.length;
    fromA = b.heard.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(tonePower(a.heardSince(fromB), 1200)).toBeLessThan(loud / 1000);
    expect(tonePower(b.heardSince(fromA), 440)).toBeGreaterThan(loud / 4);

    await b.hangup(t.service.calls.port);
    await a.hangup(t.service.calls.port);
    await until(async () => (await live()).length === 0);
    const types = events.map((e) => e.type);
    expect(types).toContain('meeting.started');
    expect(types).toContain('meeting.ended');
    expect(types.filter((x) => x === 'call.ended').length).toBeGreaterThanOrEqual(2);
    // Nothing the callers typed appears in any event.
    const all = JSON.stringify(events);
    expect(all).not.toContain(pin);
    expect(all).not.toContain(conferenceId);
  }, 180_000);

  it('gives administrators live control through the API and the command line', async () => {
    const b = await dial();
    await type(b, `1${conferenceId}#5`);
    await until(async () => (await live())[0]?.participants[0]?.inLobby === true, 90_000);
    const listed = await t.cliJson<any[]>(['live', 'list']);
    expect(listed).toEqual([
      expect.objectContaining({
        organizer: 'Amos Marble',
        started: false,
        participants: 1,
        inLobby: 1,
      }),
    ]);
    const id = listed[0].id as string;
    const metrics = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${t.token}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/dialbridge_meetings_active 1/);
    expect(metrics).toMatch(/dialbridge_participants_active 1/);
    expect(metrics).toMatch(/dialbridge_attendant_calls_total [1-9]/);
    expect(metrics).toMatch(/dialbridge_webhook_deliveries\{state="pending"\} 0/);
    const pid = (await live())[0].participants[0].id as string;

    const admitted = await t.api('POST', `/api/v1/live/meetings/${id}/admit`, {});
    expect(admitted.status).toBe(200);
    expect(admitted.json.started).toBe(true);
    expect(admitted.json.participants[0].inLobby).toBe(false);

    const bad = await t.api('POST', `/api/v1/live/meetings/${id}/participants/${pid}/mute`, {
      Muted: 'yes',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('Muted');
    const muted = await t.cliJson<any[]>(['live', 'mute', id, pid]);
    expect(muted[0]).toMatchObject({ id: pid, muted: true });
    expect((await t.cliJson<any>(['live', 'lock', id])).locked).toBe(true);
    expect((await live())[0].locked).toBe(true);

    const ghost = await t.api('DELETE', `/api/v1/live/meetings/${id}/participants/nobody`);
    expect(ghost.status).toBe(404);
    expect(ghost.json.error.field).toBe('ParticipantId');
    const unknown = await t.api('GET', '/api/v1/live/meetings/no-such-meeting');
    expect(unknown.status).toBe(404);
    expect((await t.cli(['live', 'end', 'no-such-meeting'])).code).toBe(1);

    // Removing the only caller: they are told and hung up, and the meeting ends.
    expect((await t.cli(['live', 'remove', id, pid])).code).toBe(0);
    await until(() => ended(b), 15_000);
    expect(await live()).toEqual([]);
    expect(events.some((e) => e.type === 'participant.left' && e.reason === 'removed')).toBe(true);
  }, 150_000);

  it("reaches a scheduled meeting by its own ID, and the meeting's options apply", async () => {
    // Callers may start this one without the leader: no PIN, straight in.
    const scheduled = await t.api('POST', '/api/v1/meetings', {
      Organizer: 'amos.marble@contoso.com',
      Subject: 'Weekly sync',
      Start: '2026-12-07T15:00:00Z',
      End: '2026-12-07T16:00:00Z',
      AllowPstnOnly: true,
    });
    expect(scheduled.status).toBe(201);
    const meetingId = scheduled.json.DialIn.ConferenceId as string;
    expect(meetingId).toMatch(/^\d{8}$/);
    const e = await dial();
    await type(e, `1${meetingId}#`);
    await until(async () => (await live())[0]?.participants.length === 1, 90_000);
    const m = (await live())[0];
    expect(m).toMatchObject({ idKind: 'meeting', started: true });
    expect(m.participants[0]).toMatchObject({ inLobby: false, leader: false });
    // The organizer's static ID opens a different (his own) meeting.
    expect(m.organizerName).toBe('Amos Marble');
  }, 150_000);

  it('says goodbye after three wrong conference IDs', async () => {
    const c = await dial();
    await type(c, '1');
    for (let i = 0; i < 3; i++) await type(c, '1000000#');
    await until(() => ended(c), 40_000);
    expect(await live()).toEqual([]);
  }, 60_000);

  it('locks out a calling number that keeps guessing, says why, and raises an event', async () => {
    // The previous test's three wrong IDs came from the same number.
    const d = await dial();
    await type(d, '1');
    await type(d, '2000000#');
    await until(() => ended(d), 40_000);
    const lockout = events.find((e) => e.type === 'security.lockout');
    expect(lockout).toMatchObject({
      what: 'conference-id',
      scope: 'caller',
      caller: '+1425XXXXX23',
    });
    const metrics = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${t.token}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/dialbridge_lockouts_total 1/);
  }, 60_000);
});
