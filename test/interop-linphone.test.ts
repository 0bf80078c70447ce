import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startCallPlane } from '../src/calls/call-plane.ts';
import type { CallEngine } from '../src/calls/engine.ts';
import type { Call } from '../src/calls/call.ts';
import { ConferenceRoom } from '../src/calls/conference-room.ts';
import { MediaClock } from '../src/media/media-clock.ts';
import { generateTone } from '../src/media/tone.ts';
import { decodeWav } from '../src/media/wav.ts';
import { Linphone } from './support/linphone.ts';
import { RtpPhone, tonePower } from './support/rtp-phone.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** linphonec (Debian's linphone-cli) in a conference with another caller: audio both ways, digits once. */
describe('interop with linphonec', () => {
  let engine: CallEngine;
  const clock = new MediaClock();
  const room = new ConferenceRoom(clock);
  const calls: Call[] = [];
  const digits: string[] = [];
  const phone = new Linphone();
  const other = new RtpPhone();

  beforeAll(async () => {
    engine = await startCallPlane({
      sip: { host: '127.0.0.1', port: 0 },
      rtpPorts: { min: 37000, max: 37999 },
      log: pino({ level: 'silent' }),
      mediaClock: clock,
    });
    engine.on('call', (c) => {
      calls.push(c);
      c.on('digit', (d) => digits.push(d));
      c.join(room);
      void c.answer();
    });
    await phone.start(generateTone({ frequencies: [1000], levelDbm0: -10 }, 30_000));
  });
  afterAll(async () => {
    other.close();
    await phone.stop();
    phone.cleanup();
    await engine?.close();
  });

  it('calls in, hears the other caller and not itself, is heard, sends digits once, hangs up', async () => {
    await other.dial(engine.port);
    other.speak({ frequencies: [1500], levelDbm0: -10 });
    phone.send(`call sip:14255550100@127.0.0.1:${engine.port}`);
    await phone.waitFor(/Media streams established/);
    const call = calls.find((c) => c.from.uri.includes('linphone'))!;
    expect(call).toBeDefined();
    expect(call.dialled).toBe('14255550100');
    await sleep(1500);
    const mark = other.heard.length;
    await sleep(1000);
    const otherHeard = other.heardSince(mark);
    expect(tonePower(otherHeard, 1000)).toBeGreaterThan(1e5);
    expect(tonePower(otherHeard, 1500)).toBeLessThan(tonePower(otherHeard, 1000) / 1000);

    for (const d of ['7', '*', '#']) {
      phone.send(d);
      await sleep(400);
    }
    const end = Date.now() + 3000;
    while (digits.length < 3 && Date.now() < end) await sleep(50);
    await sleep(300);
    expect(digits).toEqual(['7', '*', '#']);

    phone.send('terminate');
    await phone.waitFor(/ended/);
    const deadline = Date.now() + 3000;
    while (call.state !== 'ended' && Date.now() < deadline) await sleep(20);
    expect(call.endReason).toBe('caller-hangup');

    await sleep(300);
    expect(existsSync(phone.heardFile), phone.output.slice(-2000)).toBe(true);
    const heard = decodeWav(readFileSync(phone.heardFile));
    expect(heard.length).toBeGreaterThan(8000);
    const tail = heard.subarray(Math.floor(heard.length / 3));
    expect(tonePower(tail, 1500)).toBeGreaterThan(1e5);
    expect(tonePower(tail, 1000)).toBeLessThan(tonePower(tail, 1500) / 1000);
  });
});
