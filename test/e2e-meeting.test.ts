import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import { Baresip } from './support/baresip.ts';
import { runSipp, type SippResult } from './support/sipp.ts';
import { tonePower } from './support/rtp-phone.ts';
import { generateTone } from '../src/media/tone.ts';
import { decodeWav } from '../src/media/wav.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIPp's RFC 4733 captures, one per key (Debian's sip-tester ships them). */
const pcap = (key: string) =>
  `/usr/share/sip-tester/dtmf_2833_${key === '#' ? 'pound' : key === '*' ? 'star' : key}.pcap`;

/**
 * A SIPp caller that dials the service number, types keys with SIPp's RFC 4733
 * captures, then stays on the line (echoing whatever it hears, with
 * -rtp_echo, so what reaches it can be heard back) until the bridge hangs up.
 */
function attendeeScenario(keys: string, stayMs: number): string {
  const sendKeys = [...keys]
    .map(
      (k) =>
        `  <nop><action><exec play_pcap_audio="${pcap(k)}"/></action></nop>\n  <pause milliseconds="400"/>`,
    )
    .join('\n');
  const headers = (method: string, cseq: number) => `
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp attendee" <sip:+14255550177@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>${method === 'INVITE' ? '' : '[peer_tag_param]'}
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="attendee">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0${headers('INVITE', 1)}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0${headers('ACK', 1)}
      Content-Length: 0
  ]]></send>
  <pause milliseconds="500"/>
${sendKeys}
  <recv request="BYE" timeout="${stayMs}"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
`;
}

/**
 * The end-to-end call: SIPp calls first and waits in the lobby; the
 * leader dials with baresip (language key, conference ID and #, star, PIN and
 * #, says a name); the meeting starts and lets the attendee in; they hear each
 * other; *6 mutes; an administrator ends the meeting; the live API shows both,
 * then neither, and each call left a record.
 */
describe('a meeting with real phones', () => {
  let t: TestService;
  let conferenceId: string;
  let pin: string;
  const leader = new Baresip();
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'));

  const live = async () => (await t.api('GET', '/api/v1/live/meetings')).json as any[];
  const until = async (what: () => Promise<boolean>, ms: number, why: string) => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error(`timed out waiting: ${why}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    t = await startTestService('pglite');
    ({ conferenceId, pin } = await seedDialIn(t, { primary: 'en-US', secondary: ['de-DE'] }));
    // The leader's voice (and name): a steady 1 kHz tone for the whole call.
    await leader.start(generateTone({ frequencies: [1000], levelDbm0: -12 }, 180_000));
  });

  afterAll(async () => {
    await leader.stop();
    leader.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('lobby, leader PIN, audio both ways, *6, and the live view', async () => {
    const port = t.service.calls.port;
    // The attendee: English (1), the ID, #, a key that is not star ("I'll wait").
    const scenario = join(dir, 'attendee.xml');
    writeFileSync(scenario, attendeeScenario(`1${conferenceId}#5`, 190_000));
    const attendee: Promise<SippResult> = runSipp(scenario, port, {
      timeoutS: 200,
      extra: ['-rtp_echo'],
    });
    await until(
      async () => (await live())[0]?.participants[0]?.inLobby === true,
      90_000,
      'the attendee in the lobby',
    );
    const waiting = (await live())[0];
    expect(waiting.started).toBe(false);
    expect(waiting.participants[0].caller).toBe('+1425XXXXX77');

    // The leader: everything typed on baresip's keypad (RFC 4733).
    const dial = await leader.command('dial', `sip:+14255550100@127.0.0.1:${port}`);
    expect(dial.ok, leader.log).toBe(true);
    await leader.waitFor('CALL_ESTABLISHED');
    const established = Date.now();
    for (const key of `1${conferenceId}#*${pin}#`) {
      expect((await leader.command('sndcode', key)).ok).toBe(true);
      await sleep(250);
    }
    await until(
      async () => {
        const m = (await live())[0];
        return m?.participants.length === 2 && m.participants.every((p: any) => !p.inLobby);
      },
      90_000,
      'both in the meeting',
    );
    const meeting = (await live())[0];
    expect(meeting.started).toBe(true);
    expect(meeting.participants.find((p: any) => p.leader)).toMatchObject({ named: true });
    const joined = Date.now();

    // Let announcements finish, then listen: the attendee echoes what it hears,
    // so the leader's own tone comes back through the attendee only if it got there.
    await sleep(10_000);
    const listenFrom = Date.now();
    await sleep(4000);
    const listenTo = Date.now();

    // *6: the leader mutes; the attendee stops hearing them (and so echoes silence).
    for (const key of '*6') {
      expect((await leader.command('sndcode', key)).ok).toBe(true);
      await sleep(250);
    }
    await until(
      async () => (await live())[0]?.participants.find((p: any) => p.leader)?.muted === true,
      10_000,
      'the leader muted',
    );
    await sleep(4000); // "you are muted", and the buffers drain
    const mutedFrom = Date.now();
    await sleep(4000);
    const mutedTo = Date.now();

    // An administrator ends the meeting: both phones are hung up by the bridge.
    const end = await t.api('DELETE', `/api/v1/live/meetings/${meeting.id}`);
    expect(end.status).toBe(204);
    await leader.waitFor('CALL_CLOSED', 15_000);
    const result = await attendee;
    expect(result.code, result.output + result.errors).toBe(0);
    expect(await live()).toEqual([]);
    const records = (await t.api('GET', '/api/v1/call-records')).json as any[];
    expect(records.filter((r) => r.meetingId === meeting.id)).toHaveLength(2);
    expect(records.every((r) => r.endedAt)).toBe(true);

    // What the leader heard, from baresip's own recording (8 kHz, from when the call was up).
    await sleep(300);
    const heard = decodeWav(readFileSync(leader.recording('dec')!));
    const at = (ms: number) => Math.max(0, Math.round(((ms - established) * 8000) / 1000));
    const before = heard.subarray(at(listenFrom), at(listenTo));
    const after = heard.subarray(at(mutedFrom), at(mutedTo));
    expect(joined).toBeLessThan(listenFrom);
    expect(before.length).toBeGreaterThan(8000);
    expect(tonePower(before, 1000)).toBeGreaterThan(1e5);
    expect(after.length).toBeGreaterThan(8000);
    expect(tonePower(after, 1000)).toBeLessThan(tonePower(before, 1000) / 100);
  }, 240_000);
});
