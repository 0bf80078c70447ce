import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { ManualClock } from '../sip/clock.ts';
import { PortPool } from './port-pool.ts';
import { RtpSession } from './rtp-session.ts';
import { parseRtcp, buildSenderReport, buildCompound, buildSdes } from './rtcp.ts';
import { parseRtp, writeRtp } from './rtp-packet.ts';
import type { MediaPlan } from './sdp.ts';

const sockets: dgram.Socket[] = [];
async function udp(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  sockets.push(s);
  return s;
}
const next = (s: dgram.Socket) =>
  new Promise<{ buf: Buffer; port: number }>((r) =>
    s.once('message', (buf, info) => r({ buf, port: info.port })),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('an RTP session', () => {
  it('sends 20 ms frames with continuous sequence and timestamp, then RTCP sender reports every 5 s', async () => {
    const pool = new PortPool(38000, 38099);
    const { rtp, rtcp, port } = await pool.allocate('127.0.0.1');
    const clock = new ManualClock();
    const session = new RtpSession(rtp, rtcp, port, clock);
    // The peer's RTCP port is its RTP port + 1 (RFC 3550 11): bind a pair.
    const peerRtp = await udp();
    const peerPort = peerRtp.address().port;
    const peerRtcp = dgram.createSocket('udp4');
    const bound = await new Promise<boolean>((r) => {
      peerRtcp.once('error', () => r(false));
      peerRtcp.bind(peerPort + 1, '127.0.0.1', () => r(true));
    });
    expect(bound).toBe(true);
    sockets.push(peerRtcp);
    const plan: MediaPlan = {
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      telephoneEvent: 101,
      remote: { address: '127.0.0.1', port: peerPort },
      direction: 'sendrecv',
      ptime: 20,
    };
    session.configure(plan);
    const got: ReturnType<typeof parseRtp>[] = [];
    peerRtp.on('message', (b) => got.push(parseRtp(b)));
    for (let i = 0; i < 3; i++) session.sendFrame(new Int16Array(160).fill(1000));
    await sleep(50);
    expect(got).toHaveLength(3);
    expect(got[1]!.sequence).toBe((got[0]!.sequence + 1) & 0xffff);
    expect(got[2]!.timestamp).toBe((got[0]!.timestamp + 320) >>> 0);
    expect(got[0]!.ssrc).toBe(got[2]!.ssrc);

    // The peer's own sender report, so ours can carry LSR/DLSR back.
    const peerSsrc = 0x5151;
    const sr = buildCompound([
      buildSenderReport({
        ssrc: peerSsrc,
        ntpTime: Date.now(),
        rtpTimestamp: 1,
        packetCount: 1,
        octetCount: 160,
      }),
      buildSdes(peerSsrc, 'peer'),
    ]);
    peerRtp.send(
      writeRtp(
        { payloadType: 0, sequence: 1, timestamp: 160, ssrc: peerSsrc },
        new Uint8Array(160).fill(0xff),
      ),
      port,
      '127.0.0.1',
    );
    peerRtcp.send(sr, port + 1, '127.0.0.1');
    await sleep(50);
    const report = next(peerRtcp);
    clock.advance(5000);
    const packets = parseRtcp((await report).buf)!;
    const types = packets.map((p) => p.type);
    expect(types).toEqual(['sr', 'sdes']);
    const ours = packets[0] as Extract<(typeof packets)[0], { type: 'sr' }>;
    expect(ours.packetCount).toBe(3);
    expect(ours.octetCount).toBe(480);
    expect(ours.reports[0]!.ssrc).toBe(peerSsrc);
    expect(ours.reports[0]!.lsr).not.toBe(0);
    session.close();
    pool.release(port);
  });

  it('latches to where packets come from (symmetric RTP), and ignores a stranger while the caller talks', async () => {
    const pool = new PortPool(38100, 38199);
    const { rtp, rtcp, port } = await pool.allocate('127.0.0.1');
    const session = new RtpSession(rtp, rtcp, port);
    const natted = await udp();
    const stranger = await udp();
    // The SDP names an address nothing listens on: a caller behind NAT.
    session.configure({
      codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
      telephoneEvent: undefined,
      remote: { address: '127.0.0.1', port: 9 },
      direction: 'sendrecv',
      ptime: 20,
    });
    const voices: number[] = [];
    session.voiceSink = (_s, seq) => voices.push(seq);
    natted.send(
      writeRtp({ payloadType: 0, sequence: 10, timestamp: 0, ssrc: 1 }, new Uint8Array(160)),
      port,
      '127.0.0.1',
    );
    await sleep(30);
    stranger.send(
      writeRtp({ payloadType: 0, sequence: 99, timestamp: 0, ssrc: 2 }, new Uint8Array(160)),
      port,
      '127.0.0.1',
    );
    await sleep(30);
    const back = next(natted);
    session.sendFrame(new Int16Array(160));
    expect((await back).buf.length).toBe(172);
    expect(voices).toEqual([10]);
    expect(session.counters.ignored).toBe(1);
    session.close();
    pool.release(port);
  });
});
