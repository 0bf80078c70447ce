import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startCallPlane } from '../src/calls/call-plane.ts';
import type { CallEngine } from '../src/calls/engine.ts';
import type { Call } from '../src/calls/call.ts';
import { OFFER, RawSipClient, request } from './support/sip-client.ts';
import type { SipResponse } from '../src/sip/message.ts';
import { digestResponse } from '../src/sip/digest.ts';

const log = pino({ level: 'silent' });
const TIMERS = { T1: 40, T2: 320, T4: 400 };

async function plane(opts: Partial<Parameters<typeof startCallPlane>[0]> = {}) {
  return startCallPlane({
    sip: { host: '127.0.0.1', port: 0 },
    rtpPorts: { min: 32000, max: 32999 },
    log,
    timers: TIMERS,
    ...opts,
  });
}

/** Calls the engine offers, answered (or not) by the test's policy. */
function collect(engine: CallEngine, answer = true): Call[] {
  const calls: Call[] = [];
  engine.on('call', (c) => {
    calls.push(c);
    if (answer) void c.answer();
  });
  return calls;
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the SIP call engine over UDP and TCP', () => {
  let engine: CallEngine;
  let calls: Call[];
  let ua: RawSipClient;
  let answer = true;

  beforeAll(async () => {
    engine = await plane();
    calls = [];
    engine.on('call', (c) => {
      calls.push(c);
      if (answer) void c.answer();
    });
  });
  afterAll(async () => {
    await engine.close();
  });
  afterEach(() => {
    ua?.close();
    ua = undefined as unknown as RawSipClient;
    answer = true;
  });

  const open = async () => (ua = await new RawSipClient().open());
  const invite = (callId: string, body = OFFER(), extra: string[] = [], branch?: string) =>
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: engine.port,
        callId,
        body,
        branch,
        extra: body ? ['Content-Type: application/sdp', ...extra] : extra,
      }),
      engine.port,
    );
  const byStatus =
    (callId: string, status: number, method = 'INVITE') =>
    (r: SipResponse) =>
      r.status === status &&
      r.headers.get('Call-ID') === callId &&
      (r.headers.get('CSeq') ?? '').endsWith(method);
  const toTag = (r: SipResponse) => /tag=([^;>\s]+)/.exec(r.headers.get('To') ?? '')![1]!;

  it('answers OPTIONS keep-alives with 200 and the methods it allows', async () => {
    await open();
    ua.send(
      request('OPTIONS', { port: ua.port, target: engine.port, callId: 'opt-1' }),
      engine.port,
    );
    const r = await ua.response(byStatus('opt-1', 200, 'OPTIONS'));
    expect(r.headers.getAll('Allow').join(', ')).toMatch(/INVITE.*BYE.*CANCEL.*OPTIONS.*INFO/);
  });

  it('runs a whole call: INVITE → 100 → 200 with an SDP answer → ACK → active → BYE from the caller', async () => {
    await open();
    invite('call-a');
    await ua.response(byStatus('call-a', 100));
    const ok = await ua.response(byStatus('call-a', 200));
    const sdp = ok.body.toString();
    expect(sdp).toMatch(/m=audio (3\d{4}) RTP\/AVP 0 101/);
    expect(ok.headers.get('Contact')).toMatch(/^<sip:dialbridge@127\.0\.0\.1:\d+>$/);
    const call = calls.at(-1)!;
    expect(call.dialled).toBe('14255550100');
    expect(call.from.user).toBe('+14255550123');
    const tag = toTag(ok);
    ua.send(
      request('ACK', { port: ua.port, target: engine.port, callId: 'call-a', toTag: tag }),
      engine.port,
    );
    await until(() => call.state === 'active');
    ua.send(
      request('BYE', { port: ua.port, target: engine.port, callId: 'call-a', toTag: tag, cseq: 2 }),
      engine.port,
    );
    await ua.response(byStatus('call-a', 200, 'BYE'));
    await until(() => call.state === 'ended');
    expect(call.endReason).toBe('caller-hangup');
  });

  it('absorbs a retransmitted INVITE: one call, the 200 sent again', async () => {
    await open();
    invite('call-retx', OFFER(), [], 'z9hG4bK-retx-1');
    await ua.response(byStatus('call-retx', 200));
    const before = calls.length;
    invite('call-retx', OFFER(), [], 'z9hG4bK-retx-1');
    await until(() => ua.received.filter(byStatus('call-retx', 200)).length >= 2);
    expect(calls.length).toBe(before);
  });

  it('retransmits the 200 until ACK, then gives up with BYE after 64*T1', async () => {
    await open();
    invite('call-noack');
    await ua.response(byStatus('call-noack', 200));
    const call = calls.at(-1)!;
    await until(() => ua.received.filter(byStatus('call-noack', 200)).length >= 3, 2000);
    await until(() => call.state === 'ended', 6000);
    expect(call.endReason).toBe('no-ack');
    await until(
      () => ua.requests.some((r) => r.startsWith('BYE ') && r.includes('call-noack')),
      2000,
    );
  });

  it('CANCEL before the answer: 200 for the CANCEL, 487 for the INVITE, the call ends as cancelled', async () => {
    await open();
    answer = false;
    invite('call-cancel', OFFER(), [], 'z9hG4bK-cancel-1');
    await ua.response(byStatus('call-cancel', 100));
    await until(() => calls.at(-1)?.state === 'ringing');
    const call = calls.at(-1)!;
    ua.send(
      request('CANCEL', {
        port: ua.port,
        target: engine.port,
        callId: 'call-cancel',
        branch: 'z9hG4bK-cancel-1',
      }),
      engine.port,
    );
    await ua.response(byStatus('call-cancel', 200, 'CANCEL'));
    await ua.response(byStatus('call-cancel', 487));
    await until(() => call.state === 'ended');
    expect(call.endReason).toBe('cancelled');
    ua.send(
      request('CANCEL', {
        port: ua.port,
        target: engine.port,
        callId: 'nothing',
        branch: 'z9hG4bK-none',
      }),
      engine.port,
    );
    await ua.response(byStatus('nothing', 481, 'CANCEL'));
  });

  it('refuses what it cannot take with the right code', async () => {
    await open();
    invite('call-g729', OFFER(4000, '18', ['a=rtpmap:18 G729/8000']));
    const r488 = await ua.response(byStatus('call-g729', 488));
    expect(r488.headers.get('Warning')).toMatch(/PCMU, PCMA/);
    ua.send(
      request('SUBSCRIBE', { port: ua.port, target: engine.port, callId: 'sub-1' }),
      engine.port,
    );
    expect(
      (await ua.response(byStatus('sub-1', 405, 'SUBSCRIBE'))).headers.getAll('Allow'),
    ).toContain('INVITE');
    ua.send(
      request('BYE', { port: ua.port, target: engine.port, callId: 'ghost', toTag: 'nope' }),
      engine.port,
    );
    await ua.response(byStatus('ghost', 481, 'BYE'));
    invite('call-req', OFFER(), ['Require: 100rel-unknown']);
    expect((await ua.response(byStatus('call-req', 420))).headers.get('Unsupported')).toBe(
      '100rel-unknown',
    );
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: engine.port,
        callId: 'call-text',
        body: 'hello',
        extra: ['Content-Type: text/plain'],
      }),
      engine.port,
    );
    await ua.response(byStatus('call-text', 415));
    const v7 = request('OPTIONS', { port: ua.port, target: engine.port, callId: 'v7' });
    ua.send(v7.replace(/^OPTIONS (\S+) SIP\/2\.0/, 'OPTIONS $1 SIP/7.0'), engine.port);
    await ua.response(byStatus('v7', 505, 'OPTIONS'));
    const short = request('OPTIONS', { port: ua.port, target: engine.port, callId: 'badlen' });
    ua.send(short.replace('Content-Length: 0', 'Content-Length: 50'), engine.port);
    const r400 = await ua.response(byStatus('badlen', 400, 'OPTIONS'));
    expect(r400.headers.get('Warning')).toMatch(/^399 dialbridge "/);
  });

  it('takes keypad digits sent as SIP INFO (application/dtmf-relay), once each', async () => {
    await open();
    invite('call-info');
    const ok = await ua.response(byStatus('call-info', 200));
    const call = calls.at(-1)!;
    const digits: string[] = [];
    call.on('digit', (d, src) => digits.push(`${d}:${src}`));
    const tag = toTag(ok);
    ua.send(
      request('ACK', { port: ua.port, target: engine.port, callId: 'call-info', toTag: tag }),
      engine.port,
    );
    await until(() => call.state === 'active');
    const info = (seq: number, body: string, type = 'application/dtmf-relay') =>
      ua.send(
        request('INFO', {
          port: ua.port,
          target: engine.port,
          callId: 'call-info',
          toTag: tag,
          cseq: seq,
          body,
          extra: [`Content-Type: ${type}`],
          branch: `z9hG4bK-info-${seq}`,
        }),
        engine.port,
      );
    info(2, 'Signal=5\r\nDuration=160\r\n');
    await ua.response(byStatus('call-info', 200, 'INFO'));
    info(2, 'Signal=5\r\nDuration=160\r\n'); // a retransmission: same branch, absorbed
    info(3, 'Signal=#\r\nDuration=160\r\n');
    info(4, 'hello', 'text/plain');
    await ua.response(byStatus('call-info', 415, 'INFO'));
    await until(() => digits.length >= 2);
    expect(digits).toEqual(['5:info', '#:info']);
    await call.hangup();
  });

  it('follows hold and unhold by re-INVITE', async () => {
    await open();
    invite('call-hold');
    const ok = await ua.response(byStatus('call-hold', 200));
    const call = calls.at(-1)!;
    const tag = toTag(ok);
    ua.send(
      request('ACK', { port: ua.port, target: engine.port, callId: 'call-hold', toTag: tag }),
      engine.port,
    );
    await until(() => call.state === 'active');
    const holds: boolean[] = [];
    call.on('hold', (h) => holds.push(h));
    const reinvite = (cseq: number, dir: string) =>
      ua.send(
        request('INVITE', {
          port: ua.port,
          target: engine.port,
          callId: 'call-hold',
          toTag: tag,
          cseq,
          body: OFFER() + `a=${dir}\r\n`,
          extra: ['Content-Type: application/sdp'],
        }),
        engine.port,
      );
    const ack = () =>
      ua.send(
        request('ACK', { port: ua.port, target: engine.port, callId: 'call-hold', toTag: tag }),
        engine.port,
      );
    reinvite(2, 'sendonly');
    await until(() => ua.received.filter(byStatus('call-hold', 200)).length >= 2);
    expect(ua.received.filter(byStatus('call-hold', 200)).at(-1)!.body.toString()).toContain(
      'a=recvonly',
    );
    // Unacknowledged, the re-INVITE's 200 comes again (RFC 3261 13.3.1.4), and a
    // further re-INVITE must wait (500 with Retry-After).
    await until(() => ua.received.filter(byStatus('call-hold', 200)).length >= 3);
    reinvite(3, 'sendrecv');
    await until(() => ua.received.some(byStatus('call-hold', 500)));
    ack();
    const settled = ua.received.filter(byStatus('call-hold', 200)).length;
    await new Promise((r) => setTimeout(r, 6 * TIMERS.T1));
    expect(ua.received.filter(byStatus('call-hold', 200)).length).toBe(settled);
    expect(call.state).toBe('active');
    reinvite(4, 'sendrecv');
    await until(() => holds.length === 2);
    expect(holds).toEqual([true, false]);
    expect(ua.received.filter(byStatus('call-hold', 200)).at(-1)!.body.toString()).toContain(
      'a=sendrecv',
    );
    await call.hangup();
  });

  it('hangs up from our side with a BYE the phone can match to its dialog', async () => {
    await open();
    invite('call-bye');
    const ok = await ua.response(byStatus('call-bye', 200));
    const call = calls.at(-1)!;
    ua.send(
      request('ACK', { port: ua.port, target: engine.port, callId: 'call-bye', toTag: toTag(ok) }),
      engine.port,
    );
    await until(() => call.state === 'active');
    void call.hangup();
    await until(() => ua.requests.some((r) => r.startsWith('BYE ')));
    const bye = ua.requests.find((r) => r.startsWith('BYE '))!;
    expect(bye).toMatch(/^BYE sip:caller@127\.0\.0\.1:\d+ SIP\/2\.0/);
    expect(bye).toContain('Call-ID: call-bye');
    expect(bye).toMatch(new RegExp(`From: <sip:14255550100@127.0.0.1:\\d+>;tag=${toTag(ok)}`));
    expect(bye).toContain('To: <sip:+14255550123@127.0.0.1');
    expect(call.endReason).toBe('local-hangup');
  });

  it('offers in the 200 OK when the INVITE had no SDP, and takes the answer from the ACK', async () => {
    await open();
    invite('call-late', '');
    const ok = await ua.response(byStatus('call-late', 200));
    expect(ok.body.toString()).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
    const call = calls.at(-1)!;
    ua.send(
      request('ACK', {
        port: ua.port,
        target: engine.port,
        callId: 'call-late',
        toTag: toTag(ok),
        body: OFFER(4002, '8', ['a=rtpmap:8 PCMA/8000']),
        extra: ['Content-Type: application/sdp'],
      }),
      engine.port,
    );
    await until(() => call.state === 'active');
    await call.hangup();
  });

  it('answers over TCP on the same port', async () => {
    const socket = net.connect(engine.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.write(
      request('OPTIONS', { port: 5099, target: engine.port, callId: 'tcp-1' }).replace(
        'SIP/2.0/UDP',
        'SIP/2.0/TCP',
      ),
    );
    await until(() => /SIP\/2\.0 200 OK[\s\S]*Call-ID: tcp-1/.test(text));
    socket.destroy();
  });

  it('shrugs off thousands of random and mutated datagrams, and still answers', async () => {
    await open();
    const valid = Buffer.from(
      request('OPTIONS', { port: ua.port, target: engine.port, callId: 'fuzz' }),
    );
    const before = engine.stats.malformed;
    for (let i = 0; i < 3000; i++) {
      let data: Buffer;
      if (i % 3 === 0) data = randomBytes(1 + (i % 1400));
      else {
        data = Buffer.from(valid.subarray(0, 1 + ((i * 7919) % valid.length)));
        for (let k = 0; k < 1 + (i % 5); k++)
          data[(i * 31 + k * 97) % data.length] = (i * 13 + k) & 0xff;
      }
      ua.sendRaw(data, engine.port);
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.stats.malformed).toBeGreaterThan(before);
    ua.received.length = 0;
    ua.send(
      request('OPTIONS', { port: ua.port, target: engine.port, callId: 'after-fuzz' }),
      engine.port,
    );
    await ua.response(byStatus('after-fuzz', 200, 'OPTIONS'));
  });
});

describe('call admission', () => {
  it('refuses INVITEs from untrusted addresses (403), or drops them silently when configured', async () => {
    for (const untrusted of ['reject', 'drop'] as const) {
      const engine = await plane({ trusted: ['10.0.0.0/8'], untrusted });
      const calls = collect(engine);
      const ua = await new RawSipClient().open();
      ua.send(
        request('INVITE', {
          port: ua.port,
          target: engine.port,
          callId: `u-${untrusted}`,
          body: OFFER(),
          extra: ['Content-Type: application/sdp'],
        }),
        engine.port,
      );
      if (untrusted === 'reject') {
        await ua.response((r) => r.status === 403);
      } else {
        await new Promise((r) => setTimeout(r, 300));
        expect(ua.received).toEqual([]);
      }
      expect(calls).toEqual([]);
      ua.close();
      await engine.close();
    }
  });

  it('lets an untrusted trunk in with digest credentials: 401 challenge, then 200', async () => {
    const engine = await plane({
      trusted: ['10.0.0.0/8'],
      credentials: { trunk1: 'correct horse battery' },
    });
    const calls = collect(engine);
    const ua = await new RawSipClient().open();
    const invite = (callId: string, cseq: number, auth?: string) =>
      ua.send(
        request('INVITE', {
          port: ua.port,
          target: engine.port,
          callId,
          cseq,
          body: OFFER(),
          extra: ['Content-Type: application/sdp', ...(auth ? [`Authorization: ${auth}`] : [])],
        }),
        engine.port,
      );
    invite('d-1', 1);
    const challenge = await ua.response((r) => r.status === 401);
    const www = challenge.headers.get('WWW-Authenticate')!;
    expect(www).toMatch(/^Digest realm="dialbridge"/);
    const nonce = /nonce="([^"]+)"/.exec(www)![1]!;
    const uri = `sip:14255550100@127.0.0.1:${engine.port}`;
    const good = digestResponse({
      username: 'trunk1',
      password: 'correct horse battery',
      realm: 'dialbridge',
      nonce,
      method: 'INVITE',
      uri,
    });
    invite('d-1', 2, good);
    await ua.response((r) => r.status === 200);
    expect(calls).toHaveLength(1);
    const bad = digestResponse({
      username: 'trunk1',
      password: 'guess guess guess',
      realm: 'dialbridge',
      nonce,
      method: 'INVITE',
      uri,
    });
    invite('d-2', 1, bad);
    await ua.response((r) => r.status === 403);
    expect(calls).toHaveLength(1);
    ua.close();
    await engine.close();
  });

  it('ends a call whose phone went silent on the wire (no RTP) with a BYE, unless it holds us', async () => {
    const engine = await plane({ mediaTimeoutMs: 400 });
    const calls = collect(engine);
    const ua = await new RawSipClient().open();
    const dial = async (callId: string, body: string) => {
      ua.send(
        request('INVITE', {
          port: ua.port,
          target: engine.port,
          callId,
          body,
          extra: ['Content-Type: application/sdp'],
        }),
        engine.port,
      );
      const ok = await ua.response((r) => r.status === 200 && r.headers.get('Call-ID') === callId);
      const toTag = /tag=([^;>\s]+)/.exec(ok.headers.get('To')!)![1]!;
      ua.send(request('ACK', { port: ua.port, target: engine.port, callId, toTag }), engine.port);
    };
    await dial('silent', OFFER());
    await dial('holding', OFFER() + 'a=inactive\r\n');
    const [silent, holding] = calls;
    await until(() => silent!.state === 'ended', 3000);
    expect(silent!.endReason).toBe('media-timeout');
    await until(() =>
      ua.requests.some((r) => r.startsWith('BYE ') && r.includes('Call-ID: silent')),
    );
    expect(holding!.state).toBe('active');
    ua.close();
    await engine.close();
  });

  it("refuses in-dialog requests from an untrusted address other than the caller's", async () => {
    const engine = await plane({ trusted: ['127.0.0.1/32'] });
    const calls = collect(engine);
    const ua = await new RawSipClient().open('127.0.0.1');
    const stranger = await new RawSipClient().open('127.0.0.2');
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: engine.port,
        callId: 'mine',
        body: OFFER(),
        extra: ['Content-Type: application/sdp'],
      }),
      engine.port,
    );
    const ok = await ua.response((r) => r.status === 200);
    const toTag = /tag=([^;>\s]+)/.exec(ok.headers.get('To')!)![1]!;
    ua.send(
      request('ACK', { port: ua.port, target: engine.port, callId: 'mine', toTag }),
      engine.port,
    );
    await until(() => calls[0]?.state === 'active');
    stranger.send(
      request('BYE', { port: stranger.port, target: engine.port, callId: 'mine', toTag, cseq: 2 }),
      engine.port,
    );
    await stranger.response((r) => r.status === 403);
    expect(calls[0]!.state).toBe('active');
    ua.send(
      request('BYE', { port: ua.port, target: engine.port, callId: 'mine', toTag, cseq: 3 }),
      engine.port,
    );
    await ua.response((r) => r.status === 200 && (r.headers.get('CSeq') ?? '').endsWith('BYE'));
    expect(calls[0]!.endReason).toBe('caller-hangup');
    ua.close();
    stranger.close();
    await engine.close();
  });

  it('answers 503 beyond the maximum number of calls', async () => {
    const engine = await plane({ maxCalls: 1 });
    const calls = collect(engine);
    const ua = await new RawSipClient().open();
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: engine.port,
        callId: 'm-1',
        body: OFFER(),
        extra: ['Content-Type: application/sdp'],
      }),
      engine.port,
    );
    await ua.response((r) => r.status === 200);
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: engine.port,
        callId: 'm-2',
        body: OFFER(),
        extra: ['Content-Type: application/sdp'],
      }),
      engine.port,
    );
    const busy = await ua.response((r) => r.status === 503);
    expect(busy.headers.get('Retry-After')).toBe('5');
    expect(calls).toHaveLength(1);
    ua.close();
    await engine.close();
  });
});
