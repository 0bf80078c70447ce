import { describe, expect, it } from 'vitest';
import {
  ALAW_SILENCE,
  PCMA_PAYLOAD_TYPE,
  PCMU_PAYLOAD_TYPE,
  ULAW_SILENCE,
  alawToLinear,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from './g711.ts';

// Literal ports of the ITU-T G.191 Software Tool Library reference (g711.c),
// written the way the STL writes them, as an independent oracle.
function stlUlawCompress(lin: number): number {
  let absno = lin < 0 ? (~lin >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const high = 0x0008 - segno;
  const low = 0x000f - ((absno >> segno) & 0x000f);
  let out = (high << 4) | low;
  if (lin >= 0) out |= 0x0080;
  return out;
}

function stlUlawExpand(log: number): number {
  const sign = log < 0x80 ? -1 : 1;
  let mantissa = ~log;
  const exponent = (mantissa >> 4) & 0x07;
  const segment = exponent + 1;
  mantissa &= 0x0f;
  const step = 4 << segment;
  // `+ 0` folds the reference's -0 for negative zero into the table's 0.
  return sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33) + 0;
}

function stlAlawCompress(lin: number): number {
  let ix = lin < 0 ? ~lin >> 4 : lin >> 4;
  if (ix > 15) {
    let iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (lin >= 0) ix |= 0x0080;
  return ix ^ 0x0055;
}

function stlAlawExpand(log: number): number {
  const ix = (log ^ 0x55) & 0x7f;
  const iexp = ix >> 4;
  let mant = ix & 0x0f;
  if (iexp > 0) mant += 16;
  mant = (mant << 4) + 0x08;
  if (iexp > 1) mant <<= iexp - 1;
  return log > 127 ? mant : -mant;
}

describe('G.711 constants', () => {
  it('uses the RFC 3551 static payload types', () => {
    expect(PCMU_PAYLOAD_TYPE).toBe(0);
    expect(PCMA_PAYLOAD_TYPE).toBe(8);
  });

  it('exposes 256-entry Int16Array decode tables', () => {
    expect(ulawToLinear).toBeInstanceOf(Int16Array);
    expect(alawToLinear).toBeInstanceOf(Int16Array);
    expect(ulawToLinear.length).toBe(256);
    expect(alawToLinear.length).toBe(256);
  });
});

describe('µ-law', () => {
  it('knows its landmark values', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(ULAW_SILENCE).toBe(0xff);
    expect(ulawToLinear[0xff]).toBe(0);
    expect(ulawToLinear[0x7f]).toBe(0); // "negative zero"
    expect(ulawToLinear[0x80]).toBe(32124);
    expect(ulawToLinear[0x00]).toBe(-32124);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToUlaw(1000)).toBe(0xce);
    expect(linearToUlaw(-1)).toBe(0x7f);
  });

  it('matches the ITU-T G.191 reference for every 16-bit sample and every code', () => {
    for (let s = -32768; s < 32768; s++) {
      if (linearToUlaw(s) !== stlUlawCompress(s)) {
        expect.fail(`encode ${s}: ${linearToUlaw(s)} != ${stlUlawCompress(s)}`);
      }
    }
    for (let c = 0; c < 256; c++) expect(ulawToLinear[c]).toBe(stlUlawExpand(c));
  });

  it('is symmetric around -1/2', () => {
    for (let x = 0; x < 32768; x++) {
      if (linearToUlaw(-x - 1) !== (linearToUlaw(x) ^ 0x80)) expect.fail(`asymmetric at ${x}`);
    }
    for (let c = 0; c < 256; c++) {
      expect(ulawToLinear[c ^ 0x80]! + ulawToLinear[c]!).toBe(0);
    }
  });

  it('is monotonic', () => {
    let prev = ulawToLinear[linearToUlaw(-32768)]!;
    for (let s = -32767; s < 32768; s++) {
      const v = ulawToLinear[linearToUlaw(s)]!;
      if (v < prev) expect.fail(`not monotonic at ${s}`);
      prev = v;
    }
  });

  it('round-trips every code except negative zero', () => {
    for (let c = 0; c < 256; c++) {
      expect(linearToUlaw(ulawToLinear[c]!)).toBe(c === 0x7f ? 0xff : c);
    }
  });

  it('keeps round-trip error within half a quantization step', () => {
    for (let s = -32768; s < 32768; s++) {
      const err = Math.abs(ulawToLinear[linearToUlaw(s)]! - s);
      const mag = s < 0 ? -s - 1 : s;
      // Step in segment n is 2^(n+3); half of it is at most (|x| + 132) / 32.
      // Beyond the top decision level the output saturates at 32124.
      const bound = mag > 32124 ? Math.abs(s) - 32124 : Math.max(4, (mag + 132) / 32) + 1;
      if (err > bound) expect.fail(`error ${err} at ${s} exceeds ${bound}`);
    }
  });

  it('saturates out-of-range and fractional input instead of wrapping', () => {
    expect(linearToUlaw(100000)).toBe(linearToUlaw(32767));
    expect(linearToUlaw(-100000)).toBe(linearToUlaw(-32768));
    expect(linearToUlaw(1000.7)).toBe(linearToUlaw(1000));
    expect(linearToUlaw(Number.NaN)).toBe(0xff);
  });

  it('encodes and decodes buffers', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768, 8, -9]);
    const codes = new Uint8Array(pcm.length + 3);
    expect(encodeUlaw(pcm, codes)).toBe(pcm.length);
    expect([...codes.subarray(0, pcm.length)]).toEqual([...pcm].map(linearToUlaw));
    const back = new Int16Array(pcm.length);
    expect(decodeUlaw(codes.subarray(0, pcm.length), back)).toBe(pcm.length);
    expect([...back]).toEqual([...codes.subarray(0, pcm.length)].map((c) => ulawToLinear[c]));
  });

  it('refuses a destination that is too small', () => {
    expect(() => encodeUlaw(new Int16Array(160), new Uint8Array(159))).toThrow(RangeError);
    expect(() => decodeUlaw(new Uint8Array(160), new Int16Array(10))).toThrow(RangeError);
  });
});

describe('A-law', () => {
  it('knows its landmark values', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(ALAW_SILENCE).toBe(0xd5);
    expect(alawToLinear[0xd5]).toBe(8);
    expect(alawToLinear[0x55]).toBe(-8);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(alawToLinear[0xaa]).toBe(32256);
    expect(alawToLinear[0x2a]).toBe(-32256);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(linearToAlaw(1000)).toBe(0xfa);
  });

  it('matches the ITU-T G.191 reference for every 16-bit sample and every code', () => {
    for (let s = -32768; s < 32768; s++) {
      if (linearToAlaw(s) !== stlAlawCompress(s)) {
        expect.fail(`encode ${s}: ${linearToAlaw(s)} != ${stlAlawCompress(s)}`);
      }
    }
    for (let c = 0; c < 256; c++) expect(alawToLinear[c]).toBe(stlAlawExpand(c));
  });

  it('is symmetric around -1/2', () => {
    for (let x = 0; x < 32768; x++) {
      if (linearToAlaw(-x - 1) !== (linearToAlaw(x) ^ 0x80)) expect.fail(`asymmetric at ${x}`);
    }
    for (let c = 0; c < 256; c++) {
      expect(alawToLinear[c ^ 0x80]! + alawToLinear[c]!).toBe(0);
    }
  });

  it('round-trips every code', () => {
    for (let c = 0; c < 256; c++) expect(linearToAlaw(alawToLinear[c]!)).toBe(c);
  });

  it('keeps round-trip error within half a quantization step', () => {
    for (let s = -32768; s < 32768; s++) {
      const err = Math.abs(alawToLinear[linearToAlaw(s)]! - s);
      const mag = s < 0 ? -s - 1 : s;
      // Segments 0-1 step 16, then 2^(n+3); the top segment saturates at 32256.
      const bound = mag > 32256 ? Math.abs(s) - 32256 : Math.max(8, mag / 32) + 1;
      if (err > bound) expect.fail(`error ${err} at ${s} exceeds ${bound}`);
    }
  });

  it('saturates out-of-range input instead of wrapping', () => {
    expect(linearToAlaw(40000)).toBe(linearToAlaw(32767));
    expect(linearToAlaw(-40000)).toBe(linearToAlaw(-32768));
  });

  it('encodes and decodes buffers', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768, 8, -9]);
    const codes = new Uint8Array(pcm.length);
    expect(encodeAlaw(pcm, codes)).toBe(pcm.length);
    expect([...codes]).toEqual([...pcm].map(linearToAlaw));
    const back = new Int16Array(pcm.length + 5);
    expect(decodeAlaw(codes, back)).toBe(pcm.length);
    expect([...back.subarray(0, pcm.length)]).toEqual([...codes].map((c) => alawToLinear[c]));
    expect(() => encodeAlaw(pcm, new Uint8Array(2))).toThrow(RangeError);
    expect(() => decodeAlaw(codes, new Int16Array(2))).toThrow(RangeError);
  });
});

describe('G.711 transcoding', () => {
  it('µ-law -> linear -> A-law -> linear stays within A-law error of the µ-law value', () => {
    for (let c = 0; c < 256; c++) {
      const v = ulawToLinear[c]!;
      const w = alawToLinear[linearToAlaw(v)]!;
      const mag = v < 0 ? -v : v;
      expect(Math.abs(w - v)).toBeLessThanOrEqual(Math.max(8, mag / 32) + 1);
    }
  });
});
