import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import { realClock, type Clock, type Timer } from '../sip/clock.ts';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711.ts';
import { isRtcp, parseRtp, SequenceTracker } from './rtp-packet.ts';
import {
  buildCompound,
  buildReceiverReport,
  buildSdes,
  buildSenderReport,
  buildBye,
  dlsrFromMs,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  reportBlockFromTracker,
} from './rtcp.ts';
import { TelephoneEventReceiver } from './telephone-event.ts';
import type { MediaPlan } from './sdp.ts';

export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
/** The longest frame we send in one packet (60 ms), e.g. when echoing a 30 ms phone. */
const MAX_SAMPLES = 480;
/** Room to decode any single datagram's payload (one G.711 byte is one sample). */
const MAX_DATAGRAM = 65536;
/**
 * Decoded audio of the packet being handled, shared by every session: one
 * packet is handled at a time, and the sink reads it during its call only.
 */
const decoded = new Int16Array(MAX_DATAGRAM);
const RTCP_INTERVAL_MS = 5000;
/** A source silent this long may be replaced by a new one (symmetric RTP re-latching). */
const RELATCH_AFTER_MS = 2000;

/**
 * Where a session's decoded audio goes, one packet at a time, in arrival
 * order. `samples` is reused for the next packet: read it during the call.
 * A plain callback rather than an event: it runs 50 times a second per call.
 */
export type VoiceSink = (
  samples: Int16Array,
  sequence: number,
  timestamp: number,
  arrivalMs: number,
) => void;

export interface RtpSessionEvents {
  /** A keypad digit from RFC 4733 telephone-events, once per press. */
  digit: [digit: string];
  /** The sender started afresh (new SSRC): its timeline restarts. */
  restart: [];
}

export interface RtpCounters {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Datagrams that were not RTP/RTCP of this call. */
  ignored: number;
}

/**
 * One call's RTP and RTCP. Receives from whoever the peer turns out to be
 * (symmetric RTP: we answer to where packets come from, for callers behind
 * NAT), decodes G.711, turns telephone-events into digits, and sends our
 * 20 ms frames with a continuous sequence and timestamp.
 */
export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly counters: RtpCounters = {
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    ignored: 0,
  };
  private plan: MediaPlan | undefined;
  private remote: { address: string; port: number } | undefined;
  private latchedAt = -Infinity;
  private readonly ssrc = randomInt(1, 2 ** 32 - 1);
  private seq = randomInt(0, 65536);
  private timestamp = randomInt(0, 2 ** 32 - 1);
  private readonly tracker = new SequenceTracker();
  private readonly events = new TelephoneEventReceiver();
  /** Receives each packet's audio; set by whoever plays it out. */
  voiceSink: VoiceSink | undefined;
  private octetsOut = 0;
  private rtcpTimer: Timer | undefined;
  /** Middle 32 bits of the peer's last SR and when it came, for LSR/DLSR (RFC 3550 6.4.1). */
  private lastSr = 0;
  private lastSrAt: number | undefined;
  private closed = false;

  constructor(
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    readonly port: number,
    private readonly clock: Clock = realClock,
    private readonly cname = `dialbridge-${port}`,
  ) {
    super();
    rtp.on('message', (buf, rinfo) => this.onPacket(buf, rinfo.address, rinfo.port));
    rtcp.on('message', (buf) => this.onRtcp(buf));
  }

  /** Applies a negotiated plan (the first answer, or a re-INVITE's). */
  configure(plan: MediaPlan): void {
    this.plan = plan;
    // Until packets arrive, send where the SDP says; a hold address sends nowhere.
    if (this.latchedAt === -Infinity && plan.remote.address !== '0.0.0.0')
      this.remote = { ...plan.remote };
    if (!this.rtcpTimer && !this.closed) this.scheduleRtcp();
  }

  private get sending(): boolean {
    const d = this.plan?.direction;
    return d === 'sendrecv' || d === 'sendonly';
  }

  private onPacket(buf: Buffer, address: string, port: number): void {
    const plan = this.plan;
    if (!plan || this.closed) return;
    if (isRtcp(buf)) return this.onRtcp(buf); // rtcp-mux peers
    const len = buf.length;
    let payloadType: number;
    let sequence: number;
    let timestamp: number;
    let ssrc: number;
    let payload: Uint8Array;
    if (len >= 12 && buf[0] === 0x80) {
      // The common packet (version 2, no padding, extension or CSRCs), read in
      // place: this runs 50 times a second for every caller.
      payloadType = buf[1]! & 0x7f;
      sequence = (buf[2]! << 8) | buf[3]!;
      timestamp = buf.readUInt32BE(4);
      ssrc = buf.readUInt32BE(8);
      payload = buf.subarray(12);
    } else {
      const p = parseRtp(buf);
      if (!p) {
        this.counters.ignored++;
        return;
      }
      ({ payloadType, sequence, timestamp, ssrc, payload } = p);
    }
    const now = this.clock.now();
    const remote = this.remote;
    if (remote === undefined || remote.address !== address || remote.port !== port) {
      // Latch to the first source, and to a new one only when the old fell silent:
      // a stray datagram can't steal the call's audio.
      if (this.latchedAt !== -Infinity && now - this.latchedAt < RELATCH_AFTER_MS) {
        this.counters.ignored++;
        return;
      }
      this.remote = { address, port };
    }
    this.latchedAt = now;
    this.counters.packetsIn++;
    this.counters.bytesIn += len;
    if (payloadType === plan.telephoneEvent) {
      const digit = this.events.pushPayload(payload, timestamp, ssrc, now);
      if (digit) this.emit('digit', digit);
      return;
    }
    if (payloadType !== plan.codec.payloadType) {
      this.counters.ignored++;
      return;
    }
    const arrival = Math.round((now * 8) % 2 ** 32);
    const kind = this.tracker.update(sequence, timestamp, arrival, ssrc);
    // Reordered ('old') packets still go to the playout buffer, which places
    // them by timestamp; only exact duplicates stop here.
    if (kind === 'duplicate') return;
    if (kind === 'reset') this.emit('restart');
    const sink = this.voiceSink;
    if (!sink || payload.length === 0) return;
    const samples = decoded.subarray(0, payload.length);
    if (plan.codec.name === 'PCMU') decodeUlaw(payload, samples);
    else decodeAlaw(payload, samples);
    sink(samples, sequence, timestamp, now);
  }

  private onRtcp(buf: Buffer): void {
    const packets = parseRtcp(buf);
    if (!packets) {
      this.counters.ignored++;
      return;
    }
    for (const p of packets) {
      if (p.type === 'sr') {
        this.lastSr = ntpMiddle32(p.ntpTime);
        this.lastSrAt = this.clock.now();
      }
    }
  }

  /** Sends one frame (normally 20 ms) of 8 kHz linear PCM to the peer. */
  sendFrame(frame: Int16Array): void {
    const plan = this.plan;
    const remote = this.remote;
    if (!plan || !remote || !this.sending || this.closed) return;
    const n = Math.min(frame.length, MAX_SAMPLES);
    // A fresh buffer each time (from Node's pool, so cheap): dgram may send
    // after this returns, and must not see the next frame written over this one.
    const out = Buffer.allocUnsafe(12 + n);
    out[0] = 0x80;
    out[1] = plan.codec.payloadType & 0x7f;
    out.writeUInt16BE(this.seq, 2);
    out.writeUInt32BE(this.timestamp, 4);
    out.writeUInt32BE(this.ssrc, 8);
    const samples = n === frame.length ? frame : frame.subarray(0, n);
    if (plan.codec.name === 'PCMU') encodeUlaw(samples, out.subarray(12));
    else encodeAlaw(samples, out.subarray(12));
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + n) >>> 0;
    this.counters.packetsOut++;
    this.counters.bytesOut += out.length;
    this.octetsOut += n;
    this.rtp.send(out, remote.port, remote.address);
  }

  private scheduleRtcp(): void {
    this.rtcpTimer = this.clock.after(RTCP_INTERVAL_MS, () => {
      this.sendRtcp();
      if (!this.closed) this.scheduleRtcp();
    });
  }

  private sendRtcp(bye = false): void {
    if (!this.remote || !this.plan) return;
    const block = reportBlockFromTracker(
      this.tracker,
      this.lastSrAt === undefined
        ? {}
        : { lsr: this.lastSr, dlsr: dlsrFromMs(this.clock.now() - this.lastSrAt) },
    );
    const blocks = block ? [block] : [];
    const report = this.counters.packetsOut
      ? buildSenderReport({
          ssrc: this.ssrc,
          ntpTime: ntpFromUnixMs(Date.now()),
          rtpTimestamp: this.timestamp,
          packetCount: this.counters.packetsOut,
          octetCount: this.octetsOut,
          reports: blocks,
        })
      : buildReceiverReport({ ssrc: this.ssrc, reports: blocks });
    const parts = [report, buildSdes(this.ssrc, this.cname)];
    if (bye) parts.push(buildBye(this.ssrc));
    this.rtcp.send(buildCompound(parts), this.remote.port + 1, this.remote.address);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.sendRtcp(true);
    } catch {
      /* socket already gone */
    }
    this.closed = true;
    this.rtcpTimer?.cancel();
    this.rtp.close();
    this.rtcp.close();
    this.removeAllListeners();
  }
}
