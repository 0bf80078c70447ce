import { describe, expect, it } from 'vitest';
import {
  buildBye,
  buildCompound,
  buildReceiverReport,
  buildSdes,
  buildSenderReport,
  dlsrFromMs,
  ntpFromUnixMs,
  ntpMiddle32,
  parseRtcp,
  reportBlockFromTracker,
  roundTripMs,
  unixMsFromNtp,
  type ReportBlock,
} from './rtcp.ts';
import { SequenceTracker, isRtcp } from './rtp-packet.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const block: ReportBlock = {
  ssrc: 0xcafebabe,
  fractionLost: 25,
  cumulativeLost: 1234,
  highestSeq: 0x0001fffe,
  jitter: 77,
  lsr: 0x12345678,
  dlsr: 0x00010000,
};

describe('NTP time', () => {
  it('converts the Unix epoch and fractions of a second', () => {
    expect(ntpFromUnixMs(0)).toBe(0x83aa7e80n << 32n);
    expect(ntpFromUnixMs(1500)).toBe(((0x83aa7e80n + 1n) << 32n) | 0x80000000n);
    expect(unixMsFromNtp(ntpFromUnixMs(1500))).toBe(1500);
  });

  it('round-trips wall-clock times, including fractional milliseconds', () => {
    for (const ms of [1_700_000_000_000, 1_700_000_000_123.25, 1_234_567_890_999.9]) {
      expect(Math.abs(unixMsFromNtp(ntpFromUnixMs(ms)) - ms)).toBeLessThan(1e-3);
    }
  });

  it('crosses the 2036 era boundary', () => {
    const after = Date.UTC(2040, 0, 1);
    const ntp = ntpFromUnixMs(after);
    expect(ntp >> 32n).toBeLessThan(0x80000000n); // wrapped into era 1
    expect(unixMsFromNtp(ntp)).toBe(after);
  });

  it('takes the middle 32 bits for LSR', () => {
    expect(ntpMiddle32(0x0123456789abcdefn)).toBe(0x456789ab);
    expect(ntpMiddle32(1500)).toBe(Number((ntpFromUnixMs(1500) >> 16n) & 0xffffffffn));
  });

  it('expresses DLSR in 1/65536 s', () => {
    expect(dlsrFromMs(1000)).toBe(65536);
    expect(dlsrFromMs(5250)).toBe(0x54000);
    expect(dlsrFromMs(0)).toBe(0);
    expect(dlsrFromMs(-5)).toBe(0);
    expect(dlsrFromMs(1e12)).toBe(0xffffffff);
  });
});

describe('roundTripMs', () => {
  it('reproduces the RFC 3550 6.4.1 example', () => {
    // A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000 -> 6.125 s.
    const rtt = roundTripMs({ ...block, lsr: 0xb7052000, dlsr: 0x00054000 }, 0xb7108000n << 16n);
    expect(rtt).toBe(6125);
  });

  it('is undefined before the peer has seen our SR, and never negative', () => {
    expect(roundTripMs({ ...block, lsr: 0 }, 0n)).toBeUndefined();
    expect(roundTripMs({ ...block, lsr: 0x00010000, dlsr: 0x10000 }, 0x00018000n << 16n)).toBe(0);
  });

  it('works across the 32-bit wrap of the middle bits', () => {
    const rtt = roundTripMs({ ...block, lsr: 0xffff8000, dlsr: 0 }, 0x00008000n << 16n);
    expect(rtt).toBe(1000);
  });
});

describe('building', () => {
  it('writes a Sender Report byte for byte', () => {
    const sr = buildSenderReport({
      ssrc: 0x11223344,
      ntpTime: 0,
      rtpTimestamp: 160,
      packetCount: 1,
      octetCount: 160,
    });
    expect(toHex(sr)).toBe(
      '80c80006' + '11223344' + '83aa7e80' + '00000000' + '000000a0' + '00000001' + '000000a0',
    );
  });

  it('writes report blocks, with negative cumulative loss as signed 24-bit', () => {
    const rr = buildReceiverReport({ ssrc: 1, reports: [{ ...block, cumulativeLost: -2 }] });
    expect(toHex(rr)).toBe(
      '81c90007' +
        '00000001' +
        'cafebabe' +
        '19' +
        'fffffe' +
        '0001fffe' +
        '0000004d' +
        '12345678' +
        '00010000',
    );
  });

  it('writes an empty Receiver Report', () => {
    expect(toHex(buildReceiverReport({ ssrc: 0xdeadbeef }))).toBe('80c90001deadbeef');
  });

  it('writes SDES CNAME with the terminating zero padded to 32 bits', () => {
    expect(toHex(buildSdes(0x11223344, 'a@b'))).toBe(
      '81ca0003' + '11223344' + '0103' + '614062' + '00' + '0000',
    );
    // 2 + 2 bytes of item fills the word exactly, so a whole zero word ends it.
    expect(toHex(buildSdes(1, 'ab'))).toBe('81ca0003' + '00000001' + '0102' + '6162' + '00000000');
  });

  it('writes BYE with and without a reason', () => {
    expect(toHex(buildBye(0x11223344))).toBe('81cb0001' + '11223344');
    expect(toHex(buildBye([1, 2], 'bye'))).toBe('82cb0003' + '00000001' + '00000002' + '03627965');
    expect(toHex(buildBye(1, 'ok'))).toBe('81cb0002' + '00000001' + '026f6b00');
  });

  it('refuses what the format cannot carry', () => {
    const many = new Array<ReportBlock>(32).fill(block);
    expect(() => buildReceiverReport({ ssrc: 1, reports: many })).toThrow(RangeError);
    expect(() =>
      buildSenderReport({
        ssrc: 1,
        ntpTime: 0n,
        rtpTimestamp: 0,
        packetCount: 0,
        octetCount: 0,
        reports: many,
      }),
    ).toThrow(RangeError);
    expect(() => buildSdes(1, 'x'.repeat(256))).toThrow(RangeError);
    expect(() => buildBye(1, 'x'.repeat(256))).toThrow(RangeError);
    expect(() => buildBye(new Array<number>(32).fill(1))).toThrow(RangeError);
  });

  it('clamps report block fields to their widths', () => {
    const rr = buildReceiverReport({
      ssrc: 1,
      reports: [{ ...block, fractionLost: 256, cumulativeLost: 1e9 }],
    });
    const p = parseRtcp(rr)![0];
    expect(p).toMatchObject({ type: 'rr' });
    if (p?.type !== 'rr') throw new Error('not an RR');
    expect(p.reports[0]!.fractionLost).toBe(255);
    expect(p.reports[0]!.cumulativeLost).toBe(0x7fffff);
  });

  it('produces packets isRtcp recognizes', () => {
    expect(isRtcp(buildReceiverReport({ ssrc: 1 }))).toBe(true);
    expect(isRtcp(buildBye(1))).toBe(true);
  });
});

describe('parseRtcp', () => {
  it('round-trips a compound SR + SDES + BYE', () => {
    const ntp = ntpFromUnixMs(1_700_000_000_250);
    const compound = buildCompound([
      buildSenderReport({
        ssrc: 0xa1b2c3d4,
        ntpTime: ntp,
        rtpTimestamp: 0xfffffff0,
        packetCount: 500,
        octetCount: 80000,
        reports: [block, { ...block, ssrc: 7, cumulativeLost: -5 }],
      }),
      buildSdes(0xa1b2c3d4, 'dialbridge@198.51.100.7'),
      buildBye(0xa1b2c3d4, 'hangup'),
    ]);
    expect(parseRtcp(compound)).toEqual([
      {
        type: 'sr',
        ssrc: 0xa1b2c3d4,
        ntpTime: ntp,
        rtpTimestamp: 0xfffffff0,
        packetCount: 500,
        octetCount: 80000,
        reports: [block, { ...block, ssrc: 7, cumulativeLost: -5 }],
      },
      {
        type: 'sdes',
        chunks: [
          {
            ssrc: 0xa1b2c3d4,
            items: [{ type: 1, value: 'dialbridge@198.51.100.7' }],
            cname: 'dialbridge@198.51.100.7',
          },
        ],
      },
      { type: 'bye', ssrcs: [0xa1b2c3d4], reason: 'hangup' },
    ]);
  });

  it('accepts ms for the SR time', () => {
    const sr = buildSenderReport({
      ssrc: 1,
      ntpTime: 1500,
      rtpTimestamp: 0,
      packetCount: 0,
      octetCount: 0,
    });
    const p = parseRtcp(sr)![0]!;
    expect(p.type === 'sr' && unixMsFromNtp(p.ntpTime)).toBe(1500);
  });

  it('round-trips an RR with 31 blocks and an empty RR', () => {
    const reports = Array.from({ length: 31 }, (_, i) => ({
      ...block,
      ssrc: i,
      cumulativeLost: 3 - i,
    }));
    const p = parseRtcp(
      buildCompound([buildReceiverReport({ ssrc: 9, reports }), buildReceiverReport({ ssrc: 10 })]),
    );
    expect(p).toEqual([
      { type: 'rr', ssrc: 9, reports },
      { type: 'rr', ssrc: 10, reports: [] },
    ]);
  });

  it('reads multi-chunk SDES with several items, and UTF-8', () => {
    // Chunk 1: CNAME "x", NAME "Zoë"; chunk 2: TOOL "t". Lengths in bytes.
    const body = [
      '00000001 0101 78 0204 5a6fc3ab 00 0000', // 4 + 3 + 6 + 1 = 14, padded to 16
      '00000002 0601 74 00', // 4 + 3 + 1 = 8
    ].join('');
    const pkt = hex('82ca0006' + body);
    expect(parseRtcp(pkt)).toEqual([
      {
        type: 'sdes',
        chunks: [
          {
            ssrc: 1,
            items: [
              { type: 1, value: 'x' },
              { type: 2, value: 'Zoë' },
            ],
            cname: 'x',
          },
          { ssrc: 2, items: [{ type: 6, value: 't' }] },
        ],
      },
    ]);
  });

  it('reads a BYE without a reason and with zero sources', () => {
    expect(parseRtcp(hex('81cb0001 00000005'))).toEqual([{ type: 'bye', ssrcs: [5] }]);
    expect(parseRtcp(hex('80cb0000'))).toEqual([{ type: 'bye', ssrcs: [] }]);
  });

  it('passes APP, feedback and XR through uninterpreted', () => {
    const pkt = hex('81cd0002 00000001 00000002' + '84cc0002 00000003 6e616d65');
    const parsed = parseRtcp(pkt)!;
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ type: 'other', packetType: 205, count: 1 });
    expect(parsed[1]).toMatchObject({ type: 'other', packetType: 204, count: 4 });
    if (parsed[1]!.type !== 'other') throw new Error('expected other');
    expect(toHex(parsed[1]!.body)).toBe('000000036e616d65');
  });

  it('strips valid padding', () => {
    // BYE with one source, padded by 4 octets (count 4 in the last one).
    expect(parseRtcp(hex('a1cb0002 00000005 00000004'))).toEqual([{ type: 'bye', ssrcs: [5] }]);
  });

  it('ignores profile-specific extensions after report blocks', () => {
    const rr = buildReceiverReport({ ssrc: 3, reports: [block] });
    const extended = new Uint8Array(rr.length + 8);
    extended.set(rr);
    extended[3] = rr.length / 4 - 1 + 2;
    expect(parseRtcp(extended)).toEqual([{ type: 'rr', ssrc: 3, reports: [block] }]);
  });

  it('rejects malformed input without throwing', () => {
    const rr = toHex(buildReceiverReport({ ssrc: 1, reports: [block] }));
    const bad = [
      '',
      '81c9',
      '81c90001', // length says 8 bytes, 4 present
      '41c90001 00000001', // version 1
      '80470001 00000001', // packet type 71 is not RTCP
      '80e00001 00000001', // 224 is outside 192-223
      rr.slice(0, -8), // report block cut
      '81c90001 00000001', // RR claims one block, has none
      '80c80001 00000001', // SR without sender info
      rr + '81', // trailing garbage
      'a1cb0001 00000000', // padding count 0
      'a1cb0001 00000009', // padding longer than the packet body
      '81ca0002 00000001 01050000', // SDES item runs past the packet
      '82ca0002 00000001 01016100', // SC=2, second chunk absent
      '81ca0001 00000001', // SDES chunk without the terminating zero
      '81cb0002 00000001 05616200', // BYE reason longer than the packet
      '82cb0001 00000001', // BYE claims two sources
    ];
    for (const h of bad) expect(parseRtcp(hex(h)), h).toBeUndefined();
    // The same SDES with SC=1 is fine: one chunk, CNAME "a", terminator.
    expect(parseRtcp(hex('81ca0002 00000001 01016100'))).toEqual([
      { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, value: 'a' }], cname: 'a' }] },
    ]);
  });

  it('survives random garbage', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 16;
    };
    let parsed = 0;
    for (let n = 0; n < 20000; n++) {
      const buf = new Uint8Array((rand() % 20) * 4);
      for (let i = 0; i < buf.length; i++) buf[i] = rand() & 0xff;
      if (buf.length >= 4) {
        buf[0] = 0x80 | (buf[0]! & 0x3f);
        buf[1] = 200 + (buf[1]! % 8);
        buf[2] = 0;
        buf[3] = buf.length / 4 - 1;
      }
      if (parseRtcp(buf)) parsed++;
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

describe('reportBlockFromTracker', () => {
  it('computes fraction lost per interval and cumulative loss (RFC 3550 A.3)', () => {
    const t = new SequenceTracker();
    for (const s of [10, 11, 12, 14]) t.update(s, s * 160, s * 160, 0x5555);
    const first = reportBlockFromTracker(t, { lsr: 0xabcd, dlsr: 0x1234 })!;
    expect(first).toEqual({
      ssrc: 0x5555,
      fractionLost: Math.floor(256 / 5),
      cumulativeLost: 1,
      highestSeq: 14,
      jitter: 0,
      lsr: 0xabcd,
      dlsr: 0x1234,
    });
    // Nothing new: nothing lost in this interval, cumulative loss stays.
    expect(reportBlockFromTracker(t)).toMatchObject({
      fractionLost: 0,
      cumulativeLost: 1,
      lsr: 0,
      dlsr: 0,
    });
    // Late arrival of 13 recovers the loss: the interval shows none lost.
    t.update(13, 13 * 160, 13 * 160);
    t.update(15, 15 * 160, 15 * 160);
    expect(reportBlockFromTracker(t)).toMatchObject({
      fractionLost: 0,
      cumulativeLost: 0,
      highestSeq: 15,
    });
    for (const s of [16, 25]) t.update(s, s * 160, s * 160);
    // 10 expected, 2 received: 8/10 lost.
    expect(reportBlockFromTracker(t)).toMatchObject({
      fractionLost: Math.floor((8 * 256) / 10),
      cumulativeLost: 8,
    });
  });

  it('puts wraps in the high 16 bits and floors jitter', () => {
    const t = new SequenceTracker();
    t.update(65535, 0, 0, 1);
    t.update(0, 160, 160 + 40);
    const b = reportBlockFromTracker(t)!;
    expect(b.highestSeq).toBe(0x10000);
    expect(b.jitter).toBe(2); // 40/16 = 2.5
  });

  it('uses an explicit SSRC and declines without a source', () => {
    const t = new SequenceTracker();
    expect(reportBlockFromTracker(t, { ssrc: 1 })).toBeUndefined();
    t.update(1, 0, 0);
    expect(reportBlockFromTracker(t)).toBeUndefined(); // no SSRC known
    expect(reportBlockFromTracker(t, { ssrc: 9 })!.ssrc).toBe(9);
  });

  it('round-trips through a Receiver Report', () => {
    const t = new SequenceTracker();
    for (let s = 0; s < 100; s += 2) t.update(s, s * 160, s * 160 + (s % 3) * 8, 0x77);
    const b = reportBlockFromTracker(t)!;
    expect(parseRtcp(buildReceiverReport({ ssrc: 1, reports: [b] }))).toEqual([
      { type: 'rr', ssrc: 1, reports: [b] },
    ]);
  });
});
