import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { startTestService, type TestService } from './support/service.ts';
import { OFFER, RawSipClient, request } from './support/sip-client.ts';
import { parseRtp, writeRtp } from '../src/media/rtp-packet.ts';
import { encodeUlaw, decodeUlaw } from '../src/media/g711.ts';

/** `npm start` answers calls; sip:echo@ reaches the echo test. */
describe('the service answers SIP calls', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it("echoes a caller's audio back over RTP and counts the call in /metrics", async () => {
    const ua = await new RawSipClient().open();
    const rtp = dgram.createSocket('udp4');
    await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', () => r()));
    const rtpPort = rtp.address().port;
    const echoed: Int16Array[] = [];
    rtp.on('message', (buf) => {
      const p = parseRtp(buf);
      if (p && p.payloadType === 0) {
        const pcm = new Int16Array(p.payload.length);
        decodeUlaw(p.payload, pcm);
        echoed.push(pcm);
      }
    });
    const sipPort = t.service.calls.port;
    ua.send(
      request('INVITE', {
        port: ua.port,
        target: sipPort,
        callId: 'echo-1',
        uri: `sip:echo@127.0.0.1:${sipPort}`,
        body: OFFER(rtpPort),
        extra: ['Content-Type: application/sdp'],
      }),
      sipPort,
    );
    const ok = await ua.response((r) => r.status === 200);
    const ourPort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
    const tag = /tag=([^;>\s]+)/.exec(ok.headers.get('To')!)![1]!;
    ua.send(
      request('ACK', { port: ua.port, target: sipPort, callId: 'echo-1', toTag: tag }),
      sipPort,
    );
    // 50 frames of a 1 kHz tone, sent the way a phone sends them.
    const tone = new Int16Array(160);
    const payload = new Uint8Array(160);
    for (let i = 0; i < 50; i++) {
      for (let k = 0; k < 160; k++)
        tone[k] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * (i * 160 + k)) / 8000));
      encodeUlaw(tone, payload);
      rtp.send(
        writeRtp(
          { payloadType: 0, sequence: 100 + i, timestamp: 1000 + i * 160, ssrc: 0x1234 },
          payload,
        ),
        ourPort,
        '127.0.0.1',
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 600));
    // What comes back is the tone, after the playout delay, in 20 ms frames.
    const rms = (f: Int16Array) => Math.sqrt(f.reduce((a, x) => a + x * x, 0) / f.length);
    const loud = echoed.filter((f) => rms(f) > 4000);
    expect(loud.length).toBeGreaterThanOrEqual(40);
    expect(loud.length).toBeLessThanOrEqual(52);
    ua.send(
      request('BYE', { port: ua.port, target: sipPort, callId: 'echo-1', toTag: tag, cseq: 2 }),
      sipPort,
    );
    await ua.response((r) => r.status === 200 && (r.headers.get('CSeq') ?? '').endsWith('BYE'));
    const metrics = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${t.token}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/dialbridge_calls_total 1/);
    expect(metrics).toMatch(/dialbridge_calls_active 0/);
    expect(metrics).toMatch(/dialbridge_rtp_packets_total\{direction="in"\} (4[5-9]|50)/);
    ua.close();
    rtp.close();
  });
});
