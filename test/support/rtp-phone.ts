import dgram from 'node:dgram';
import { decodeUlaw, encodeUlaw } from '../../src/media/g711.ts';
import { parseRtp, writeRtp } from '../../src/media/rtp-packet.ts';
import { ToneGenerator, type ToneSpec } from '../../src/media/tone.ts';
import { dtmfFrequencies } from '../../src/media/goertzel-dtmf.ts';
import { OFFER, RawSipClient, request } from './sip-client.ts';

/**
 * A minimal softphone for media tests: places a call over SIP, then sends
 * 20 ms PCMU frames in real time (a tone, DTMF tones, or silence) and keeps
 * everything it hears, decoded.
 */
export class RtpPhone {
  readonly sip = new RawSipClient();
  readonly rtp = dgram.createSocket('udp4');
  readonly heard: Int16Array[] = [];
  private remotePort = 0;

  /** The bridge's RTP port for this call (from its SDP answer). */
  get bridgePort(): number {
    return this.remotePort;
  }
  private seq = 1000;
  private ts = 160_000;
  private timer: NodeJS.Timeout | undefined;
  private source: () => Int16Array = () => new Int16Array(160);
  /** Frames sent before the source, one per tick: exact timing for key presses. */
  private readonly queue: Int16Array[] = [];
  private drained: (() => void)[] = [];
  callId = `phone-${Math.random().toString(36).slice(2)}`;
  toTag = '';

  async dial(sipPort: number, opts: { telephoneEvent?: boolean } = {}): Promise<void> {
    await this.sip.open();
    await new Promise<void>((r) => this.rtp.bind(0, '127.0.0.1', () => r()));
    this.rtp.on('message', (buf) => {
      const p = parseRtp(buf);
      if (p && p.payloadType === 0) {
        const pcm = new Int16Array(p.payload.length);
        decodeUlaw(p.payload, pcm);
        this.heard.push(pcm);
      }
    });
    const te = opts.telephoneEvent ?? true;
    const body = te
      ? OFFER(this.rtp.address().port)
      : OFFER(this.rtp.address().port, '0', ['a=rtpmap:0 PCMU/8000']);
    this.sip.send(
      request('INVITE', {
        port: this.sip.port,
        target: sipPort,
        callId: this.callId,
        body,
        extra: ['Content-Type: application/sdp'],
      }),
      sipPort,
    );
    const ok = await this.sip.response(
      (r) => r.status === 200 && r.headers.get('Call-ID') === this.callId,
      5000,
    );
    this.remotePort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
    this.toTag = /tag=([^;>\s]+)/.exec(ok.headers.get('To')!)![1]!;
    this.sip.send(
      request('ACK', {
        port: this.sip.port,
        target: sipPort,
        callId: this.callId,
        toTag: this.toTag,
      }),
      sipPort,
    );
    this.timer = setInterval(() => {
      const queued = this.queue.shift();
      this.sendFrame(queued ?? this.source());
      if (!this.queue.length) for (const d of this.drained.splice(0)) d();
    }, 20);
  }

  sendFrame(frame: Int16Array): void {
    const payload = new Uint8Array(160);
    encodeUlaw(frame, payload);
    this.rtp.send(
      writeRtp(
        { payloadType: 0, sequence: this.seq++ & 0xffff, timestamp: this.ts, ssrc: 0xabc },
        payload,
      ),
      this.remotePort,
      '127.0.0.1',
    );
    this.ts += 160;
  }

  /** From now on, send this tone continuously. */
  speak(spec: ToneSpec): void {
    const gen = new ToneGenerator(spec);
    this.source = () => gen.next();
  }

  silence(): void {
    this.source = () => new Int16Array(160);
  }

  /** Sends a keypad digit as in-band DTMF tones: exactly 100 ms of tone, then 80 ms of silence. */
  pressInband(digit: string): Promise<void> {
    const gen = new ToneGenerator({ frequencies: [...dtmfFrequencies(digit)!], levelDbm0: -10 });
    for (let i = 0; i < 5; i++) this.queue.push(Int16Array.from(gen.next()));
    for (let i = 0; i < 4; i++) this.queue.push(new Int16Array(160));
    return new Promise((r) => this.drained.push(r));
  }

  private infoSeq = 10;

  /** Sends a keypad digit as SIP INFO (application/dtmf-relay). */
  pressInfo(digit: string, sipPort: number): void {
    const body = `Signal=${digit}\r\nDuration=100\r\n`;
    const extra = ['Content-Type: application/dtmf-relay'];
    const opts = { port: this.sip.port, target: sipPort, callId: this.callId, toTag: this.toTag };
    this.sip.send(request('INFO', { ...opts, cseq: this.infoSeq++, body, extra }), sipPort);
  }

  /** Everything heard since `from` (an index into heard), as one buffer. */
  heardSince(from: number): Int16Array {
    const parts = this.heard.slice(from);
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  async hangup(sipPort: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.sip.send(
      request('BYE', {
        port: this.sip.port,
        target: sipPort,
        callId: this.callId,
        toTag: this.toTag,
        cseq: 2,
      }),
      sipPort,
    );
    await this.sip
      .response((r) => r.status === 200 && (r.headers.get('CSeq') ?? '').endsWith('BYE'))
      .catch(() => undefined);
    this.close();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.rtp.close();
    } catch {
      /* closed already */
    }
    try {
      this.sip.close();
    } catch {
      /* closed already */
    }
  }
}

/** Power of one frequency in a signal (Goertzel), normalised per sample. */
export function tonePower(samples: Int16Array, freq: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (samples.length * samples.length);
}
