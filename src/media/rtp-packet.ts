/**
 * RTP packets (RFC 3550 section 5) and the receiver's sequence bookkeeping
 * (appendix A.1, A.8).
 *
 * Parsing runs for every packet from every caller and its input comes straight
 * off the network, so it never throws and never copies: the payload is a view
 * into the datagram. Callers that keep a payload past the datagram's lifetime
 * must copy it themselves.
 */

export interface RtpExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension body, a multiple of 4 bytes; a view into the packet. */
  data: Uint8Array;
}

export interface RtpPacket {
  version: number;
  padding: boolean;
  marker: boolean;
  payloadType: number;
  sequence: number;
  /** Unsigned 32-bit. */
  timestamp: number;
  /** Unsigned 32-bit. */
  ssrc: number;
  csrcs: number[];
  extension?: RtpExtension;
  /** Payload without padding; a view into the parsed buffer, not a copy. */
  payload: Uint8Array;
}

export interface RtpHeaderInit {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: readonly number[];
  extension?: RtpExtension;
  /** Padding octets to append (1-255, counting the final count octet); 0 or absent for none. */
  padding?: number;
}

const FIXED_HEADER = 12;
const EMPTY_CSRCS: readonly number[] = [];

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}

/**
 * Parses one RTP packet, or returns undefined when it is not a well-formed
 * version 2 packet: shorter than its header, CSRC list or extension, or with a
 * padding count of zero or longer than the payload. Never throws.
 */
export function parseRtp(buf: Uint8Array): RtpPacket | undefined {
  const len = buf.length;
  if (len < FIXED_HEADER) return undefined;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return undefined;
  const cc = b0 & 0x0f;
  let offset = FIXED_HEADER + cc * 4;
  if (offset > len) return undefined;

  // Most packets carry no CSRCs; sharing one empty array would let a caller's
  // push() leak into every other packet, so allocate only when needed.
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(u32(buf, FIXED_HEADER + i * 4));

  let extension: RtpExtension | undefined;
  if (b0 & 0x10) {
    if (offset + 4 > len) return undefined;
    const profile = (buf[offset]! << 8) | buf[offset + 1]!;
    const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    const start = offset + 4;
    const end = start + words * 4;
    if (end > len) return undefined;
    extension = { profile, data: buf.subarray(start, end) };
    offset = end;
  }

  let end = len;
  const padding = (b0 & 0x20) !== 0;
  if (padding) {
    // The last octet counts the padding including itself (RFC 3550 5.1).
    const count = buf[len - 1]!;
    if (count === 0 || offset + count > len) return undefined;
    end = len - count;
  }

  const packet: RtpPacket = {
    version: 2,
    padding,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: (buf[2]! << 8) | buf[3]!,
    timestamp: u32(buf, 4),
    ssrc: u32(buf, 8),
    csrcs,
    payload: buf.subarray(offset, end),
  };
  if (extension) packet.extension = extension;
  return packet;
}

/**
 * Serializes an RTP packet. With `out`, writes into its start and returns a
 * view of the bytes written (so a sender can reuse one buffer per stream);
 * without it, allocates exactly. Throws RangeError on fields that cannot be
 * encoded or an `out` that is too small: those are programming errors.
 */
export function writeRtp(header: RtpHeaderInit, payload: Uint8Array, out?: Uint8Array): Uint8Array {
  const csrcs = header.csrcs ?? EMPTY_CSRCS;
  const ext = header.extension;
  const pad = header.padding ?? 0;
  if (csrcs.length > 15) throw new RangeError('at most 15 CSRCs');
  if (!Number.isInteger(pad) || pad < 0 || pad > 255) throw new RangeError('padding must be 0-255');
  if (ext && ext.data.length % 4 !== 0) {
    throw new RangeError('extension data must be a multiple of 4 bytes');
  }
  if (ext && ext.data.length > 0xffff * 4) throw new RangeError('extension data too long');

  const headerLen = FIXED_HEADER + csrcs.length * 4 + (ext ? 4 + ext.data.length : 0);
  const total = headerLen + payload.length + pad;
  let buf: Uint8Array;
  if (out) {
    if (out.length < total)
      throw new RangeError(`packet needs ${total} bytes, buffer has ${out.length}`);
    buf = out.subarray(0, total);
  } else {
    buf = new Uint8Array(total);
  }

  buf[0] = 0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  buf[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  buf[2] = header.sequence >>> 8;
  buf[3] = header.sequence;
  putU32(buf, 4, header.timestamp);
  putU32(buf, 8, header.ssrc);

  // The common case (no CSRCs, extension or padding) is done after the fixed header.
  if (headerLen !== FIXED_HEADER) {
    let o = FIXED_HEADER;
    for (const c of csrcs) {
      putU32(buf, o, c);
      o += 4;
    }
    if (ext) {
      buf[o] = ext.profile >>> 8;
      buf[o + 1] = ext.profile;
      const words = ext.data.length / 4;
      buf[o + 2] = words >>> 8;
      buf[o + 3] = words;
      buf.set(ext.data, o + 4);
    }
  }
  buf.set(payload, headerLen);
  if (pad) {
    // A reused `out` may hold stale bytes; padding must be zeros then the count.
    buf.fill(0, headerLen + payload.length, total - 1);
    buf[total - 1] = pad;
  }
  return buf;
}

/**
 * RFC 5761 section 4 demultiplexing of RTP and RTCP on one port: the second
 * octet of RTCP is its packet type (SR 200, RR 201, SDES 202, BYE 203, APP
 * 204, and the feedback/XR types 205-207 after them), which as an RTP
 * marker+payload-type octet falls in 192-223, the range RTP must not use.
 * We test that whole range, not just 200-204, so RTCP feedback is not taken
 * for RTP with the marker bit set.
 */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < 4 || buf[0]! >> 6 !== 2) return false;
  const pt = buf[1]!;
  return pt >= 192 && pt <= 223;
}

const RTP_SEQ_MOD = 0x10000;
/** Forward jumps below this are loss, not a restart (RFC 3550 A.1). */
const MAX_DROPOUT = 3000;
/** Packets up to this far behind the highest are late, not a restart. */
const MAX_MISORDER = 100;
/** Recent sequence numbers remembered to tell duplicates from late packets (> MAX_MISORDER). */
const HISTORY = 128;
const HISTORY_MASK = HISTORY - 1;

export type SequenceUpdate = 'new' | 'duplicate' | 'old' | 'reset';

/**
 * Receive-side statistics for one RTP source: RFC 3550 A.1 (sequence
 * validation, extended highest sequence, loss) and A.8 (interarrival jitter).
 *
 * `update` classifies each packet:
 * - 'reset': the tracker (re)started on this packet: the first packet, a new
 *   SSRC, or a large sequence jump confirmed by a second packet in sequence
 *   (the sender restarted). Treat it as new media and flush any reordering
 *   state keyed on the old numbering.
 * - 'new': ahead of everything received so far (possibly after a gap).
 * - 'old': behind the highest sequence but not received before (reordered),
 *   and also the first packet of an unconfirmed large jump, which A.1 holds
 *   back until the next one shows whether the sender restarted or the packet
 *   is a stray. Only the reordered kind counts as received.
 * - 'duplicate': this sequence number was already received; not counted.
 *
 * Unlike A.1 there is no probation: the source is the peer of a SIP dialog,
 * so its first packet is already as trustworthy as it will get and dropping
 * it would clip the start of speech. Unlike A.1, duplicates that are still
 * within MAX_MISORDER of the highest are detected and not counted, so `lost`
 * does not go negative for a sender that duplicates packets.
 */
export class SequenceTracker {
  /** SSRC of the source, when `update` was given one. */
  ssrc: number | undefined = undefined;
  /** First sequence number of the current numbering (extended: cycles start at 0 here). */
  baseSeq = 0;
  /** Highest sequence number seen (16-bit). */
  maxSeq = 0;
  /** Number of times the sequence number wrapped. */
  cycles = 0;
  /** Packets counted as received (not duplicates, not unconfirmed jumps). */
  received = 0;
  /** Interarrival jitter estimate in timestamp units (RFC 3550 A.8), unrounded. */
  jitter = 0;
  /** `expected` at the last {@link takeInterval}, for fraction lost (A.3). */
  expectedPrior = 0;
  /** `received` at the last {@link takeInterval}, for fraction lost (A.3). */
  receivedPrior = 0;

  private started = false;
  private badSeq = RTP_SEQ_MOD + 1; // not a valid sequence number
  private transit = 0;
  private haveTransit = false;
  private readonly seen = new Uint8Array(HISTORY);

  /** The 32-bit extended highest sequence number (cycles in the high 16 bits). */
  get extendedHighestSeq(): number {
    return (this.cycles * RTP_SEQ_MOD + this.maxSeq) >>> 0;
  }

  /** Packets expected: from the base sequence to the extended highest, inclusive. */
  get expected(): number {
    return this.started ? this.cycles * RTP_SEQ_MOD + this.maxSeq - this.baseSeq + 1 : 0;
  }

  /** Cumulative packets lost: expected minus received (negative only with undetected duplicates). */
  get lost(): number {
    return this.expected - this.received;
  }

  /**
   * Accounts for one packet. `arrivalTs` is the arrival time converted to the
   * stream's timestamp units (ms * 8 for 8 kHz audio) on any fixed origin;
   * fractions are fine. A different `ssrc` from the last one restarts the
   * statistics.
   */
  update(seq: number, rtpTimestamp: number, arrivalTs: number, ssrc?: number): SequenceUpdate {
    seq &= 0xffff;
    if (!this.started || (ssrc !== undefined && ssrc !== this.ssrc)) {
      if (ssrc !== undefined) this.ssrc = ssrc;
      this.restart(seq);
      this.jitter = 0;
      this.haveTransit = false;
      this.updateJitter(rtpTimestamp, arrivalTs);
      return 'reset';
    }

    const udelta = (seq - this.maxSeq) & 0xffff;
    if (udelta === 0) return 'duplicate';
    if (udelta < MAX_DROPOUT) {
      // In order, possibly with a gap: clear the history slots we skip over.
      const ext = this.cycles * RTP_SEQ_MOD + this.maxSeq;
      const clear = Math.min(udelta, HISTORY);
      for (let i = 1; i <= clear; i++) this.seen[(ext + i) & HISTORY_MASK] = 0;
      if (seq < this.maxSeq) this.cycles++;
      this.maxSeq = seq;
      this.seen[seq & HISTORY_MASK] = 1;
      this.received++;
      this.updateJitter(rtpTimestamp, arrivalTs);
      return 'new';
    }
    if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A big jump either way. One such packet may be a stray; two in a row
      // mean the sender restarted its numbering (A.1).
      if (seq === this.badSeq) {
        this.restart(seq);
        this.haveTransit = false;
        this.updateJitter(rtpTimestamp, arrivalTs);
        return 'reset';
      }
      this.badSeq = (seq + 1) & 0xffff;
      return 'old';
    }
    // Up to MAX_MISORDER behind the highest: reordered or duplicated.
    const behind = RTP_SEQ_MOD - udelta;
    const ext = this.cycles * RTP_SEQ_MOD + this.maxSeq - behind;
    if (ext < this.baseSeq) return 'old'; // from before the base: outside the statistics
    const slot = ext & HISTORY_MASK;
    if (this.seen[slot]) return 'duplicate';
    this.seen[slot] = 1;
    this.received++;
    this.updateJitter(rtpTimestamp, arrivalTs);
    return 'old';
  }

  /**
   * Returns the packets expected and received since the previous call and
   * moves the priors forward (RFC 3550 A.3); for one report block per interval.
   */
  takeInterval(): { expected: number; received: number } {
    const expected = this.expected;
    const interval = {
      expected: expected - this.expectedPrior,
      received: this.received - this.receivedPrior,
    };
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    return interval;
  }

  private restart(seq: number): void {
    this.started = true;
    this.cycles = 0;
    this.maxSeq = seq;
    this.baseSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.received = 1;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.seen.fill(0);
    this.seen[seq & HISTORY_MASK] = 1;
  }

  private updateJitter(rtpTimestamp: number, arrivalTs: number): void {
    const transit = arrivalTs - (rtpTimestamp >>> 0);
    if (this.haveTransit) {
      let d = transit - this.transit;
      // The RTP timestamp wraps at 2^32; a step that large is the wrap, not jitter.
      if (d > 0x80000000) d -= 0x100000000;
      else if (d < -0x80000000) d += 0x100000000;
      if (d < 0) d = -d;
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
    this.haveTransit = true;
  }
}
