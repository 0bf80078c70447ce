import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { writeRtp } from '../src/media/rtp-packet.ts';
import { startCallPlane } from '../src/calls/call-plane.ts';
import type { CallEngine } from '../src/calls/engine.ts';
import type { Call } from '../src/calls/call.ts';
import { ConferenceRoom } from '../src/calls/conference-room.ts';
import { MediaClock } from '../src/media/media-clock.ts';
import { generateTone } from '../src/media/tone.ts';
import { RtpPhone, tonePower } from './support/rtp-phone.ts';
import { request } from './support/sip-client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The call API the attendant drives, over real SIP and RTP: conferences,
 * prompts, digit collection (in-band tones), recording, and every operation
 * ending cleanly when the caller hangs up.
 */
describe('call media: mixing, prompts, digits, recording', () => {
  let engine: CallEngine;
  const clock = new MediaClock();
  const incoming: Call[] = [];
  const phones: RtpPhone[] = [];

  beforeAll(async () => {
    engine = await startCallPlane({
      sip: { host: '127.0.0.1', port: 0 },
      rtpPorts: { min: 34000, max: 34999 },
      log: pino({ level: 'silent' }),
      mediaClock: clock,
    });
    engine.on('call', (c) => {
      incoming.push(c);
      void c.answer();
    });
  });
  afterAll(async () => {
    for (const p of phones) p.close();
    await engine?.close();
  });

  async function dial(
    opts: { telephoneEvent?: boolean } = {},
  ): Promise<{ phone: RtpPhone; call: Call }> {
    const phone = new RtpPhone();
    phones.push(phone);
    const before = incoming.length;
    await phone.dial(engine.port, opts);
    const call = incoming[before]!;
    while (call.state !== 'active') await sleep(5);
    return { phone, call };
  }

  it('everyone hears everyone but themselves; a muted caller is not heard but still hears', async () => {
    const room = new ConferenceRoom(clock);
    const a = await dial();
    const b = await dial();
    const c = await dial();
    for (const x of [a, b, c]) x.call.join(room);
    a.phone.speak({ frequencies: [1000], levelDbm0: -12 });
    b.phone.speak({ frequencies: [1500], levelDbm0: -12 });
    c.phone.silence();
    await sleep(500);
    const marks = [a, b, c].map((x) => x.phone.heard.length);
    await sleep(600);
    const [heardA, heardB, heardC] = [a, b, c].map((x, i) => x.phone.heardSince(marks[i]!));
    // Heard: the other's tone, loud. Not heard: one's own, at least 30 dB below
    // (what is left is G.711 quantisation noise of the other tone).
    const loud = 1e5;
    const p = (x: Int16Array, f: number) => tonePower(x, f);
    expect(p(heardB!, 1000)).toBeGreaterThan(loud);
    expect(p(heardB!, 1500)).toBeLessThan(p(heardB!, 1000) / 1000);
    expect(p(heardA!, 1500)).toBeGreaterThan(loud);
    expect(p(heardA!, 1000)).toBeLessThan(p(heardA!, 1500) / 1000);
    expect(p(heardC!, 1000)).toBeGreaterThan(loud);
    expect(p(heardC!, 1500)).toBeGreaterThan(loud);

    a.call.muted = true;
    await sleep(300);
    const mark2 = [a, b].map((x) => x.phone.heard.length);
    await sleep(500);
    expect(tonePower(b.phone.heardSince(mark2[1]!), 1000)).toBeLessThan(loud / 1000);
    expect(tonePower(a.phone.heardSince(mark2[0]!), 1500)).toBeGreaterThan(loud);
    for (const x of [a, b, c]) await x.phone.hangup(engine.port);
    expect(room.size).toBe(0);
  });

  it('keeps clean audio for everyone while garbage hits the SIP and media ports, with stray RTP and a 10x flood', async () => {
    const room = new ConferenceRoom(clock);
    const a = await dial();
    const b = await dial();
    const c = await dial();
    for (const x of [a, b, c]) x.call.join(room);
    a.phone.speak({ frequencies: [1000], levelDbm0: -12 });
    b.phone.speak({ frequencies: [1500], levelDbm0: -12 });
    c.phone.silence();
    await sleep(400);
    const attacker = dgram.createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()));
    // A request of no dialog: its mangled copies must be refused or ignored, never harm a call.
    const sipSample = request('BYE', {
      port: 5999,
      target: engine.port,
      callId: 'no-such-dialog',
      toTag: 'x',
      cseq: 99,
    });
    let stop = false;
    const flood = (async () => {
      let seq = 0;
      const payload = new Uint8Array(160).fill(0x55);
      while (!stop) {
        for (let i = 0; i < 10; i++) {
          // Random bytes, truncated headers, and well-formed RTP from a stranger.
          attacker.send(randomBytes(1 + ((seq * 37) % 300)), a.phone.bridgePort, '127.0.0.1');
          attacker.send(randomBytes(3), b.phone.bridgePort, '127.0.0.1');
          attacker.send(
            writeRtp(
              { payloadType: 0, sequence: seq++ & 0xffff, timestamp: seq * 160, ssrc: 0xbad },
              payload,
            ),
            a.phone.bridgePort,
            '127.0.0.1',
          );
        }
        // And the SIP port gets random bytes and mangled copies of real requests.
        for (let i = 0; i < 20; i++) {
          const junk = Buffer.from(sipSample);
          junk[(seq * 7 + i * 13) % junk.length] = (seq + i) & 0xff;
          attacker.send(
            i % 2 ? junk.subarray(0, 1 + ((seq * 31 + i) % junk.length)) : randomBytes(200),
            engine.port,
            '127.0.0.1',
          );
        }
        // C floods its own call at 10x the normal packet rate.
        for (let i = 0; i < 10; i++) c.phone.sendFrame(new Int16Array(160));
        await sleep(20);
      }
    })();
    await sleep(300);
    const marks = [a, b].map((x) => x.phone.heard.length);
    await sleep(800);
    stop = true;
    await flood;
    attacker.close();
    const heardB = b.phone.heardSince(marks[1]!);
    const heardA = a.phone.heardSince(marks[0]!);
    expect(tonePower(heardB, 1000)).toBeGreaterThan(1e5);
    expect(tonePower(heardA, 1500)).toBeGreaterThan(1e5);
    // The stranger's 0x55 payload (a loud constant) never reached the mix.
    expect(tonePower(heardB, 0)).toBeLessThan(tonePower(heardB, 1000));
    expect(heardB.length / 8).toBeGreaterThan(700);
    expect(engine.stats.malformed).toBeGreaterThan(0);
    expect([a, b, c].every((x) => x.call.state === 'active')).toBe(true);
    for (const x of [a, b, c]) await x.phone.hangup(engine.port);
  });

  it('plays a prompt to the caller, and a key press interrupts it', async () => {
    const { phone, call } = await dial();
    phone.silence();
    const mark = phone.heard.length;
    const played = await call.play(generateTone({ frequencies: [700], levelDbm0: -10 }, 400));
    expect(played).toBe(true);
    await sleep(100);
    expect(tonePower(phone.heardSince(mark), 700)).toBeGreaterThan(1e5);

    const long = call.play(generateTone({ frequencies: [700], levelDbm0: -10 }, 5000), {
      interruptible: true,
    });
    await sleep(200);
    phone.pressInfo('1', engine.port);
    expect(await long).toBe(false);
    await phone.hangup(engine.port);
  });

  it('collects a conference ID typed as in-band tones by a phone without telephone-event', async () => {
    const { phone, call } = await dial({ telephoneEvent: false });
    const entry = call.collect({
      maxDigits: 8,
      terminator: '#',
      firstDigitMs: 10_000,
      interDigitMs: 5_000,
    });
    for (const d of '8271964#') await phone.pressInband(d);
    expect(await entry).toEqual({ digits: '8271964', reason: 'terminator' });
    await phone.hangup(engine.port);
  });

  it("records the caller's name, trimmed of silence, until they press pound", async () => {
    const { phone, call } = await dial();
    phone.silence();
    const recording = call.record({ maxMs: 5000 });
    await sleep(400);
    phone.speak({ frequencies: [440], levelDbm0: -15 });
    await sleep(1000);
    phone.silence();
    await sleep(400);
    phone.pressInfo('#', engine.port);
    const samples = await recording;
    const ms = samples.length / 8;
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(1400);
    expect(tonePower(samples, 440)).toBeGreaterThan(1e5);
    await phone.hangup(engine.port);
  });

  it('ends every pending operation cleanly when the caller hangs up mid-prompt', async () => {
    const { phone, call } = await dial();
    const prompt = call.play(generateTone({ frequencies: [500], levelDbm0: -10 }, 10_000));
    const entry = call.collect({
      maxDigits: 8,
      terminator: '#',
      firstDigitMs: 10_000,
      interDigitMs: 5_000,
    });
    const name = call.record({ maxMs: 5000 });
    await sleep(200);
    await phone.hangup(engine.port);
    expect(await prompt).toBe(false);
    expect(await entry).toEqual({ digits: '', reason: 'cancelled' });
    expect(await name).toBeInstanceOf(Int16Array);
    expect(call.state).toBe('ended');
    expect(await call.play(new Int16Array(160))).toBe(false);
  });
});
