// Micro-benchmark of the media path's own work, without sockets: N callers in
// rooms of 20, each tick one PCMU packet in per caller (decode, sequence
// tracking, playout buffer), the mix, and one packet out (encode, header).
// Prints microseconds of CPU per caller per 20 ms frame.
import { EventEmitter } from 'node:events';
import type dgram from 'node:dgram';
import { RtpSession } from '../src/media/rtp-session.ts';
import { MediaClock } from '../src/media/media-clock.ts';
import { CallAudio } from '../src/calls/call-audio.ts';
import { ConferenceRoom } from '../src/calls/conference-room.ts';
import { encodeUlaw } from '../src/media/g711.ts';

const N = Number(process.env.N ?? 400);
const FRAMES = Number(process.env.FRAMES ?? 1500);
class FakeSocket extends EventEmitter {
  sent = 0;
  send(): void {
    this.sent++;
  }
  close(): void {}
}
let now = 0;
const clock = { now: () => now, after: () => ({ cancel() {} }) };
const mediaClock = new MediaClock(() => now);
const rooms: ConferenceRoom[] = [];
const callers: { rtp: FakeSocket; audio: CallAudio; seq: number; ts: number }[] = [];
for (let i = 0; i < N; i++) {
  const rtp = new FakeSocket();
  const rtcp = new FakeSocket();
  const session = new RtpSession(
    rtp as unknown as dgram.Socket,
    rtcp as unknown as dgram.Socket,
    10000 + 2 * i,
    clock as never,
  );
  const audio = new CallAudio(session, mediaClock);
  audio.configure({
    codec: { name: 'PCMU', payloadType: 0, clockRate: 8000 },
    telephoneEvent: 101,
    ptime: 20,
    direction: 'sendrecv',
    remote: { address: '127.0.0.1', port: 40000 + 2 * i },
  } as never);
  const r = Math.floor(i / 20);
  rooms[r] ??= new ConferenceRoom(mediaClock);
  audio.join(rooms[r]!, `c${i}`);
  callers.push({ rtp, audio, seq: 0, ts: 0 });
}
const pcm = new Int16Array(160);
for (let i = 0; i < 160; i++) pcm[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
const payload = new Uint8Array(160);
encodeUlaw(pcm, payload);
function packet(seq: number, ts: number): Buffer {
  const b = Buffer.alloc(172);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(1234, 8);
  b.set(payload, 12);
  return b;
}
const rinfo = (i: number) => ({
  address: '127.0.0.1',
  port: 40000 + 2 * i,
  family: 'IPv4',
  size: 172,
});
const infos = callers.map((_, i) => rinfo(i));
function run(frames: number): number {
  const t0 = process.cpuUsage();
  for (let f = 0; f < frames; f++) {
    now += 20;
    for (let i = 0; i < N; i++) {
      const c = callers[i]!;
      c.rtp.emit('message', packet(c.seq++, (c.ts += 160)), infos[i]);
    }
    mediaClock.tick(now);
  }
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / (frames * N);
}
run(200);
const us = [run(FRAMES), run(FRAMES), run(FRAMES)].sort((a, b) => a - b);
console.log(
  `media path: ${us[1]!.toFixed(2)} µs CPU per caller per frame (N=${N}, min ${us[0]!.toFixed(2)})`,
);
console.log(`sent ${callers.reduce((s, c) => s + c.rtp.sent, 0)}`);
process.exit(0);
