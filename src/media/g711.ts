/**
 * G.711 µ-law (PCMU) and A-law (PCMA) companding, ITU-T G.711.
 *
 * Everything here runs once per sample for every caller, so both directions
 * are table lookups: decoding is a 256-entry table, encoding a 64K-entry table
 * indexed by the 16-bit sample's bit pattern (64 KiB per law, built once at
 * load). A 64K table is exact for every 16-bit input, which a 16K table
 * indexed by `sample >> 2` is not: the arithmetic shift rounds negative
 * samples toward -infinity and would move some of them to the next code.
 *
 * Negative samples are folded with one's complement (-x - 1), as spandsp does,
 * so the quantizers are exactly symmetric: encode(-x - 1) === encode(x) ^ 0x80
 * and decode(c ^ 0x80) === -decode(c).
 */

/** RTP/AVP static payload type for µ-law (RFC 3551). */
export const PCMU_PAYLOAD_TYPE = 0;
/** RTP/AVP static payload type for A-law (RFC 3551). */
export const PCMA_PAYLOAD_TYPE = 8;

/** The µ-law code for a zero sample: what to send as silence. */
export const ULAW_SILENCE = 0xff;
/** The A-law code for a zero sample (even bits inverted, 0x80 ^ 0x55). */
export const ALAW_SILENCE = 0xd5;

// µ-law works on the magnitude plus this bias, which makes every segment
// boundary a power of two (G.711 table 2a, scaled to 16 bits).
const ULAW_BIAS = 0x84;

function ulawDecodeOne(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

function alawDecodeOne(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  // Segments 0 and 1 share a step size; from segment 2 on each one doubles.
  t += seg === 0 ? 8 : 0x108;
  if (seg > 1) t <<= seg - 1;
  return a & 0x80 ? t : -t;
}

function ulawEncodeOne(sample: number): number {
  let mag: number;
  let mask: number;
  if (sample < 0) {
    mag = ULAW_BIAS - sample - 1;
    mask = 0x7f;
  } else {
    mag = ULAW_BIAS + sample;
    mask = 0xff;
  }
  // Segment = position of the top bit above bit 7 (bias keeps mag >= 0x84).
  const seg = 31 - Math.clz32(mag | 0xff) - 7;
  if (seg >= 8) return 0x7f ^ mask; // clip to the largest magnitude
  return ((seg << 4) | ((mag >> (seg + 3)) & 0x0f)) ^ mask;
}

function alawEncodeOne(sample: number): number {
  // A-law quantizes 13 bits; >> 3 then ~ keeps the one's-complement symmetry.
  let p = sample >> 3;
  let mask: number;
  if (p >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    p = ~p;
  }
  if (p < 32) return (p >> 1) ^ mask; // segments 0 and 1 are linear
  const seg = 31 - Math.clz32(p) - 4; // p in [32, 4096) -> 1..7
  return ((seg << 4) | ((p >> seg) & 0x0f)) ^ mask;
}

function buildDecode(one: (code: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let c = 0; c < 256; c++) t[c] = one(c);
  return t;
}

function buildEncode(one: (sample: number) => number): Uint8Array {
  const t = new Uint8Array(65536);
  // Index is the sample's 16-bit pattern, so negative samples sit in the top half.
  for (let s = -32768; s < 32768; s++) t[s & 0xffff] = one(s);
  return t;
}

/** µ-law code -> 16-bit linear sample. Shared; do not write to it. */
export const ulawToLinear: Int16Array = buildDecode(ulawDecodeOne);
/** A-law code -> 16-bit linear sample. Shared; do not write to it. */
export const alawToLinear: Int16Array = buildDecode(alawDecodeOne);

const ULAW_ENCODE = buildEncode(ulawEncodeOne);
const ALAW_ENCODE = buildEncode(alawEncodeOne);

/**
 * One sample to µ-law. Values outside int16 (a mixer's sum, say) saturate
 * rather than wrap, since wrapping turns an overload into a full-scale click.
 */
export function linearToUlaw(sample: number): number {
  if (sample > 32767) sample = 32767;
  else if (sample < -32768) sample = -32768;
  return ULAW_ENCODE[sample & 0xffff]!;
}

/** One sample to A-law; saturates like {@link linearToUlaw}. */
export function linearToAlaw(sample: number): number {
  if (sample > 32767) sample = 32767;
  else if (sample < -32768) sample = -32768;
  return ALAW_ENCODE[sample & 0xffff]!;
}

function checkRoom(srcLength: number, dstLength: number): void {
  if (dstLength < srcLength) {
    throw new RangeError(`destination holds ${dstLength} samples, source has ${srcLength}`);
  }
}

/** Decodes all of `src` into the start of `dst`; returns the number of samples written. */
export function decodeUlaw(src: Uint8Array, dst: Int16Array): number {
  const n = src.length;
  checkRoom(n, dst.length);
  for (let i = 0; i < n; i++) dst[i] = ulawToLinear[src[i]!]!;
  return n;
}

/** Decodes all of `src` into the start of `dst`; returns the number of samples written. */
export function decodeAlaw(src: Uint8Array, dst: Int16Array): number {
  const n = src.length;
  checkRoom(n, dst.length);
  for (let i = 0; i < n; i++) dst[i] = alawToLinear[src[i]!]!;
  return n;
}

/** Encodes all of `src` into the start of `dst`; returns the number of bytes written. */
export function encodeUlaw(src: Int16Array, dst: Uint8Array): number {
  const n = src.length;
  checkRoom(n, dst.length);
  // Int16Array elements are already in range, so no saturation is needed here.
  for (let i = 0; i < n; i++) dst[i] = ULAW_ENCODE[src[i]! & 0xffff]!;
  return n;
}

/** Encodes all of `src` into the start of `dst`; returns the number of bytes written. */
export function encodeAlaw(src: Int16Array, dst: Uint8Array): number {
  const n = src.length;
  checkRoom(n, dst.length);
  for (let i = 0; i < n; i++) dst[i] = ALAW_ENCODE[src[i]! & 0xffff]!;
  return n;
}
