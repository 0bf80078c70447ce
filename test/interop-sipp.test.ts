import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startCallPlane } from '../src/calls/call-plane.ts';
import type { CallEngine } from '../src/calls/engine.ts';
import type { Call } from '../src/calls/call.ts';
import { runSipp } from './support/sipp.ts';

/** Real phones: SIPp (Debian's sip-tester) calls the engine and sends real RTP from its captures. */
describe('interop with SIPp', () => {
  let engine: CallEngine;
  const calls: { call: Call; digits: string[]; frames: number; voiced: number }[] = [];

  beforeAll(async () => {
    engine = await startCallPlane({
      sip: { host: '127.0.0.1', port: 0 },
      rtpPorts: { min: 33000, max: 33999 },
      log: pino({ level: 'silent' }),
    });
    engine.on('call', (call) => {
      const rec = { call, digits: [] as string[], frames: 0, voiced: 0 };
      calls.push(rec);
      call.on('digit', (d) => rec.digits.push(d));
      call.on('audio', (f) => {
        rec.frames++;
        let sum = 0;
        for (let i = 0; i < f.length; i++) sum += f[i]! * f[i]!;
        if (Math.sqrt(sum / f.length) > 50) rec.voiced++;
      });
      void call.answer();
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('hears RFC 4733 digits exactly once each, from an SSRC other than the voice, then the caller hangs up', async () => {
    const before = calls.length;
    const r = await runSipp('uac-dtmf.xml', engine.port);
    expect(r.code, r.errors + r.output.slice(-2000)).toBe(0);
    const rec = calls[before]!;
    expect(rec.call.dialled).toBe('14255550100');
    expect(rec.digits).toEqual(['1', '#']);
    expect(rec.call.state).toBe('ended');
    expect(rec.call.endReason).toBe('caller-hangup');
  });

  it('receives and decodes G.711 A-law voice from the capture', async () => {
    const before = calls.length;
    const r = await runSipp('uac-voice.xml', engine.port, { timeoutS: 30 });
    expect(r.code, r.errors + r.output.slice(-2000)).toBe(0);
    const rec = calls[before]!;
    // The capture holds 236 packets of 30 ms: 7.08 s of speech, re-framed by the playout
    // buffer into 20 ms frames (354). Allow for the speaker's own pauses.
    expect(rec.frames).toBeGreaterThan(354);
    expect(rec.voiced).toBeGreaterThan(250);
    expect(rec.voiced).toBeLessThanOrEqual(356);
    expect(rec.call.endReason).toBe('caller-hangup');
  });

  it('takes 20 concurrent calls and ends every one cleanly', async () => {
    const before = calls.length;
    const r = await runSipp('uac-dtmf.xml', engine.port, { calls: 20, rate: 20 });
    expect(r.code, r.errors + r.output.slice(-2000)).toBe(0);
    const batch = calls.slice(before);
    expect(batch).toHaveLength(20);
    for (const rec of batch) {
      expect(rec.digits).toEqual(['1', '#']);
      expect(rec.call.endReason).toBe('caller-hangup');
    }
    expect(engine.stats.active).toBe(0);
  });
});
