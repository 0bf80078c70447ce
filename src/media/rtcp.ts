/**
 * RTCP (RFC 3550 section 6): building and parsing the compound packets an
 * audio endpoint exchanges: Sender and Receiver Reports, SDES CNAME and BYE.
 *
 * RTCP is sent every few seconds per stream, so clarity wins over speed here,
 * except that parsing, like RTP's, must survive anything the network delivers
 * without throwing.
 */
import type { SequenceTracker } from './rtp-packet.ts';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

export const SDES_END = 0;
export const SDES_CNAME = 1;

/** One reception report block (RFC 3550 6.4.1). */
export interface ReportBlock {
  /** SSRC of the source this block reports on. */
  ssrc: number;
  /** Fraction of packets lost since the previous report, as a fixed-point fraction of 256 (0-255). */
  fractionLost: number;
  /** Cumulative packets lost; signed 24-bit, negative when duplicates outnumber losses. */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles in the high 16 bits). */
  highestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from that source, 0 if none. */
  lsr: number;
  /** Delay since that SR was received, in 1/65536 s, 0 if none. */
  dlsr: number;
}

export interface SenderReport {
  type: 'sr';
  ssrc: number;
  /** 64-bit NTP timestamp: seconds since 1900 in the high 32 bits, fraction in the low. */
  ntpTime: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: ReportBlock[];
}

export interface SdesItem {
  /** SDES item type: 1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE, 8 PRIV. */
  type: number;
  value: string;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
  /** The CNAME item's value, when the chunk has one. */
  cname?: string;
}

export interface SourceDescription {
  type: 'sdes';
  chunks: SdesChunk[];
}

export interface Bye {
  type: 'bye';
  ssrcs: number[];
  reason?: string;
}

/** APP, feedback (RFC 4585), XR (RFC 3611) and anything else in 192-223, body uninterpreted. */
export interface OtherRtcp {
  type: 'other';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** Everything after the 4-byte header, padding removed; a view into the buffer. */
  body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Bye | OtherRtcp;

export interface SenderReportInit {
  ssrc: number;
  /** A 64-bit NTP timestamp, or wall-clock milliseconds since the Unix epoch. */
  ntpTime: bigint | number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports?: readonly ReportBlock[];
}

export interface ReceiverReportInit {
  ssrc: number;
  reports?: readonly ReportBlock[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;
const TWO_32 = 0x100000000;
const MAX_REPORTS = 31;

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
 * Wall-clock milliseconds since the Unix epoch to a 64-bit NTP timestamp.
 * Seconds wrap modulo 2^32 (NTP era 1 begins in February 2036).
 */
export function ntpFromUnixMs(ms: number): bigint {
  const sec = Math.floor(ms / 1000);
  let frac = Math.round(((ms - sec * 1000) / 1000) * TWO_32);
  if (frac >= TWO_32) frac = TWO_32 - 1;
  const ntpSec = (sec + NTP_UNIX_OFFSET) % TWO_32;
  return (BigInt(ntpSec) << 32n) | BigInt(frac);
}

/**
 * A 64-bit NTP timestamp to Unix milliseconds. Follows RFC 4330's rule for
 * the 2036 wrap: seconds with the top bit clear are taken to be in era 1.
 */
export function unixMsFromNtp(ntp: bigint): number {
  const sec = Number((ntp >> 32n) & 0xffffffffn);
  const frac = Number(ntp & 0xffffffffn);
  const era = sec < 0x80000000 ? TWO_32 : 0;
  return (sec + era - NTP_UNIX_OFFSET) * 1000 + (frac / TWO_32) * 1000;
}

/** The middle 32 bits of an NTP timestamp: what goes in a report block's LSR. */
export function ntpMiddle32(ntp: bigint | number): number {
  const t = typeof ntp === 'bigint' ? ntp : ntpFromUnixMs(ntp);
  return Number((t >> 16n) & 0xffffffffn);
}

/** A delay in milliseconds in DLSR units (1/65536 s), saturating at the field's maximum. */
export function dlsrFromMs(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return Math.min(0xffffffff, Math.round((delayMs * 65536) / 1000));
}

/**
 * Round-trip time in milliseconds from a report block about our stream
 * (RFC 3550 6.4.1): arrival - LSR - DLSR. `arrival` is when the report
 * arrived, as NTP time or Unix ms. Undefined when the peer has not yet
 * received an SR from us (LSR 0).
 */
export function roundTripMs(block: ReportBlock, arrival: bigint | number): number | undefined {
  if (block.lsr === 0) return undefined;
  const a = ntpMiddle32(arrival);
  const rtt = (a - block.lsr - block.dlsr) | 0; // modulo 2^32, as a signed delta
  return rtt <= 0 ? 0 : (rtt * 1000) / 65536;
}

/**
 * A report block for the stream `tracker` follows, with fraction lost over
 * the interval since the previous call (RFC 3550 A.3); this moves the
 * tracker's interval priors, so call it once per report sent. `ssrc`
 * defaults to the tracker's SSRC; `lsr`/`dlsr` come from the last SR we
 * received from that source (see {@link ntpMiddle32} and {@link dlsrFromMs}).
 * Undefined when the tracker has seen no packet or knows no SSRC.
 */
export function reportBlockFromTracker(
  tracker: SequenceTracker,
  opts: { ssrc?: number; lsr?: number; dlsr?: number } = {},
): ReportBlock | undefined {
  const ssrc = opts.ssrc ?? tracker.ssrc;
  if (ssrc === undefined || tracker.expected === 0) return undefined;
  const interval = tracker.takeInterval();
  const lostInterval = interval.expected - interval.received;
  // 256 would be "everything lost" but the field holds 8 bits.
  const fractionLost =
    interval.expected <= 0 || lostInterval <= 0
      ? 0
      : Math.min(255, Math.floor((lostInterval * 256) / interval.expected));
  return {
    ssrc,
    fractionLost,
    cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, tracker.lost)),
    highestSeq: tracker.extendedHighestSeq,
    jitter: Math.min(0xffffffff, Math.floor(tracker.jitter)),
    lsr: opts.lsr ?? 0,
    dlsr: opts.dlsr ?? 0,
  };
}

function header(buf: Uint8Array, count: number, packetType: number): void {
  buf[0] = 0x80 | count;
  buf[1] = packetType;
  const words = buf.length / 4 - 1;
  buf[2] = words >>> 8;
  buf[3] = words;
}

function checkReports(reports: readonly ReportBlock[]): void {
  if (reports.length > MAX_REPORTS) {
    throw new RangeError(`at most ${MAX_REPORTS} report blocks per packet`);
  }
}

function writeReports(buf: Uint8Array, offset: number, reports: readonly ReportBlock[]): void {
  for (const r of reports) {
    putU32(buf, offset, r.ssrc);
    buf[offset + 4] = Math.max(0, Math.min(255, r.fractionLost)); // 256 would wrap to 0
    // Signed 24-bit: two's complement in three octets.
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost)));
    buf[offset + 5] = lost >> 16;
    buf[offset + 6] = lost >> 8;
    buf[offset + 7] = lost;
    putU32(buf, offset + 8, r.highestSeq);
    putU32(buf, offset + 12, r.jitter);
    putU32(buf, offset + 16, r.lsr);
    putU32(buf, offset + 20, r.dlsr);
    offset += 24;
  }
}

/** A Sender Report (RFC 3550 6.4.1) with up to 31 report blocks. */
export function buildSenderReport(init: SenderReportInit): Uint8Array {
  const reports = init.reports ?? [];
  checkReports(reports);
  const buf = new Uint8Array(28 + 24 * reports.length);
  header(buf, reports.length, RTCP_SR);
  putU32(buf, 4, init.ssrc);
  const ntp = typeof init.ntpTime === 'bigint' ? init.ntpTime : ntpFromUnixMs(init.ntpTime);
  putU32(buf, 8, Number((ntp >> 32n) & 0xffffffffn));
  putU32(buf, 12, Number(ntp & 0xffffffffn));
  putU32(buf, 16, init.rtpTimestamp);
  putU32(buf, 20, init.packetCount);
  putU32(buf, 24, init.octetCount);
  writeReports(buf, 28, reports);
  return buf;
}

/** A Receiver Report (RFC 3550 6.4.2) with up to 31 report blocks (none is valid). */
export function buildReceiverReport(init: ReceiverReportInit): Uint8Array {
  const reports = init.reports ?? [];
  checkReports(reports);
  const buf = new Uint8Array(8 + 24 * reports.length);
  header(buf, reports.length, RTCP_RR);
  putU32(buf, 4, init.ssrc);
  writeReports(buf, 8, reports);
  return buf;
}

/** An SDES packet (RFC 3550 6.5) with one chunk holding the CNAME item. */
export function buildSdes(ssrc: number, cname: string): Uint8Array {
  const text = encoder.encode(cname);
  if (text.length > 255) throw new RangeError('CNAME longer than 255 bytes');
  // Chunk: SSRC, CNAME item, then at least one zero octet ending the item
  // list, padded with zeros to a 32-bit boundary.
  const chunk = 4 + 2 + text.length + 1;
  const buf = new Uint8Array(4 + Math.ceil(chunk / 4) * 4);
  header(buf, 1, RTCP_SDES);
  putU32(buf, 4, ssrc);
  buf[8] = SDES_CNAME;
  buf[9] = text.length;
  buf.set(text, 10);
  return buf;
}

/** A BYE (RFC 3550 6.6) for one or more sources, with an optional reason. */
export function buildBye(ssrc: number | readonly number[], reason?: string): Uint8Array {
  const ssrcs = typeof ssrc === 'number' ? [ssrc] : ssrc;
  if (ssrcs.length > 31) throw new RangeError('at most 31 sources per BYE');
  const text = reason === undefined ? undefined : encoder.encode(reason);
  if (text && text.length > 255) throw new RangeError('BYE reason longer than 255 bytes');
  const body = 4 * ssrcs.length + (text ? Math.ceil((1 + text.length) / 4) * 4 : 0);
  const buf = new Uint8Array(4 + body);
  header(buf, ssrcs.length, RTCP_BYE);
  ssrcs.forEach((s, i) => putU32(buf, 4 + 4 * i, s));
  if (text) {
    const o = 4 + 4 * ssrcs.length;
    buf[o] = text.length;
    buf.set(text, o + 1);
  }
  return buf;
}

/**
 * Joins individual RTCP packets into one compound packet. RFC 3550 6.1 wants
 * it to start with an SR or RR and to carry an SDES CNAME; that ordering is
 * the caller's to choose.
 */
export function buildCompound(packets: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of packets) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of packets) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function parseReports(b: Uint8Array, offset: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++, offset += 24) {
    reports.push({
      ssrc: u32(b, offset),
      fractionLost: b[offset + 4]!,
      // Sign-extend the 24-bit field.
      cumulativeLost:
        ((b[offset + 5]! << 24) | (b[offset + 6]! << 16) | (b[offset + 7]! << 8)) >> 8,
      highestSeq: u32(b, offset + 8),
      jitter: u32(b, offset + 12),
      lsr: u32(b, offset + 16),
      dlsr: u32(b, offset + 20),
    });
  }
  return reports;
}

function parseSdes(body: Uint8Array, count: number): SourceDescription | undefined {
  const chunks: SdesChunk[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) return undefined;
    const chunk: SdesChunk = { ssrc: u32(body, o), items: [] };
    o += 4;
    for (;;) {
      if (o >= body.length) return undefined; // item list never ended
      const type = body[o]!;
      if (type === SDES_END) break;
      if (o + 2 > body.length) return undefined;
      const len = body[o + 1]!;
      if (o + 2 + len > body.length) return undefined;
      const value = decoder.decode(body.subarray(o + 2, o + 2 + len));
      chunk.items.push({ type, value });
      if (type === SDES_CNAME && chunk.cname === undefined) chunk.cname = value;
      o += 2 + len;
    }
    // The terminating zero plus padding up to the next 32-bit boundary.
    o = (o + 4) & ~3;
    if (o > body.length) return undefined;
    chunks.push(chunk);
  }
  return { type: 'sdes', chunks };
}

function parseBye(body: Uint8Array, count: number): Bye | undefined {
  if (count * 4 > body.length) return undefined;
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(u32(body, 4 * i));
  const bye: Bye = { type: 'bye', ssrcs };
  const o = count * 4;
  if (o < body.length) {
    const len = body[o]!;
    if (o + 1 + len > body.length) return undefined;
    bye.reason = decoder.decode(body.subarray(o + 1, o + 1 + len));
  }
  return bye;
}

function parseOne(b: Uint8Array, count: number, packetType: number): RtcpPacket | undefined {
  switch (packetType) {
    case RTCP_SR: {
      if (b.length < 28 + 24 * count) return undefined;
      const ntpTime = (BigInt(u32(b, 8)) << 32n) | BigInt(u32(b, 12));
      return {
        type: 'sr',
        ssrc: u32(b, 4),
        ntpTime,
        rtpTimestamp: u32(b, 16),
        packetCount: u32(b, 20),
        octetCount: u32(b, 24),
        reports: parseReports(b, 28, count),
      };
    }
    case RTCP_RR:
      if (b.length < 8 + 24 * count) return undefined;
      return { type: 'rr', ssrc: u32(b, 4), reports: parseReports(b, 8, count) };
    case RTCP_SDES:
      return parseSdes(b.subarray(4), count);
    case RTCP_BYE:
      return parseBye(b.subarray(4), count);
    default:
      return { type: 'other', packetType, count, body: b.subarray(4) };
  }
}

/**
 * Parses a compound RTCP packet into its parts, or returns undefined if any
 * part is malformed: wrong version, a packet type outside 192-223, a length
 * running past the buffer, bad padding, or a body too short for its count.
 * Never throws. Deliberately lenient about what RFC 3550 A.2 says about
 * order (SR/RR first) since reduced-size RTCP (RFC 5506) drops it, and about
 * padding on a packet other than the last; profile-specific extensions after
 * report blocks are ignored.
 */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] | undefined {
  if (buf.length < 4) return undefined;
  const packets: RtcpPacket[] = [];
  let o = 0;
  while (o < buf.length) {
    if (o + 4 > buf.length) return undefined;
    const b0 = buf[o]!;
    const packetType = buf[o + 1]!;
    if (b0 >> 6 !== 2 || packetType < 192 || packetType > 223) return undefined;
    const len = (((buf[o + 2]! << 8) | buf[o + 3]!) + 1) * 4;
    if (o + len > buf.length) return undefined;
    let end = o + len;
    if (b0 & 0x20) {
      // The last octet counts the padding, itself included.
      const pad = buf[end - 1]!;
      if (pad === 0 || pad > len - 4) return undefined;
      end -= pad;
    }
    const p = parseOne(buf.subarray(o, end), b0 & 0x1f, packetType);
    if (!p) return undefined;
    packets.push(p);
    o += len;
  }
  return packets;
}
