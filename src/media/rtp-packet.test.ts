import { describe, expect, it } from 'vitest';
import { SequenceTracker, isRtcp, parseRtp, writeRtp, type SequenceUpdate } from './rtp-packet.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('parseRtp', () => {
  it('parses a plain PCMU packet and returns the payload as a view', () => {
    const buf = hex('80 00 1234 0000a0a0 deadbeef' + 'ff'.repeat(160));
    const p = parseRtp(buf)!;
    expect(p).toMatchObject({
      version: 2,
      padding: false,
      marker: false,
      payloadType: 0,
      sequence: 0x1234,
      timestamp: 0xa0a0,
      ssrc: 0xdeadbeef,
      csrcs: [],
    });
    expect(p.extension).toBeUndefined();
    expect(p.payload.length).toBe(160);
    expect(p.payload.buffer).toBe(buf.buffer);
    expect(p.payload.byteOffset).toBe(12);
  });

  it('reads marker, high payload types and unsigned 32-bit fields', () => {
    const p = parseRtp(hex('80 e5 ffff ffffffff 80000000 01'))!;
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(101);
    expect(p.sequence).toBe(0xffff);
    expect(p.timestamp).toBe(0xffffffff);
    expect(p.ssrc).toBe(0x80000000);
    expect([...p.payload]).toEqual([1]);
  });

  it('parses CSRCs, a header extension and padding', () => {
    const buf = hex(
      'b2 08 0001 00000002 00000003' + // V=2 P=1 X=1 CC=2, PCMA
        '11111111 22222222' + // CSRCs
        'bede 0001 10ff0000' + // one-word extension
        'aabbcc' + // payload
        '000003', // padding: 3 octets including the count
    );
    const p = parseRtp(buf)!;
    expect(p.padding).toBe(true);
    expect(p.payloadType).toBe(8);
    expect(p.csrcs).toEqual([0x11111111, 0x22222222]);
    expect(p.extension!.profile).toBe(0xbede);
    expect([...p.extension!.data]).toEqual([0x10, 0xff, 0, 0]);
    expect([...p.payload]).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it('accepts an empty payload and an empty extension', () => {
    expect(parseRtp(hex('80 00 0001 00000000 00000000'))!.payload.length).toBe(0);
    const p = parseRtp(hex('90 00 0001 00000000 00000000 1000 0000'))!;
    expect(p.extension).toEqual({ profile: 0x1000, data: new Uint8Array(0) });
    expect(p.payload.length).toBe(0);
  });

  it('rejects malformed packets without throwing', () => {
    const bad = [
      '',
      '80',
      '80 00 0001 00000000 000000', // 11 bytes
      '40 00 0001 00000000 00000000 ff', // version 1
      'c0 00 0001 00000000 00000000 ff', // version 3
      '00 00 0001 00000000 00000000 ff', // version 0
      '81 00 0001 00000000 00000000', // CSRC count beyond the buffer
      '8f 00 0001 00000000 00000000' + '00'.repeat(56), // 15 CSRCs, 14 present
      '90 00 0001 00000000 00000000 bede', // extension header cut
      '90 00 0001 00000000 00000000 bede 0002 00000000', // extension body cut
      'a0 00 0001 00000000 00000000 ff 00', // padding count 0
      'a0 00 0001 00000000 00000000 ff 03', // padding longer than the payload
      'a0 00 0001 00000000 00000000', // padding bit, no payload at all
    ];
    for (const h of bad) expect(parseRtp(hex(h)), h).toBeUndefined();
  });

  it('survives random garbage', () => {
    let seed = 1;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 16;
    };
    for (let n = 0; n < 5000; n++) {
      const buf = new Uint8Array(rand() % 64);
      for (let i = 0; i < buf.length; i++) buf[i] = rand() & 0xff;
      if (buf.length > 0 && n % 2 === 0) buf[0] = (buf[0]! & 0x3f) | 0x80;
      const p = parseRtp(buf);
      if (p) {
        expect(p.payload.byteOffset + p.payload.length).toBeLessThanOrEqual(buf.length);
        expect(p.payload.byteOffset).toBeGreaterThanOrEqual(12 + p.csrcs.length * 4);
      }
    }
  });
});

describe('writeRtp', () => {
  it('writes the fixed header', () => {
    const payload = Uint8Array.from([1, 2, 3]);
    const buf = writeRtp(
      { payloadType: 0, sequence: 0xabcd, timestamp: 0x01020304, ssrc: 0xfedcba98 },
      payload,
    );
    expect(Buffer.from(buf).toString('hex')).toBe('8000abcd01020304fedcba98010203');
  });

  it('sets the marker bit and masks the payload type', () => {
    const buf = writeRtp(
      { payloadType: 101, sequence: 1, timestamp: 0, ssrc: 0, marker: true },
      new Uint8Array(0),
    );
    expect(buf[1]).toBe(0x80 | 101);
  });

  it('accepts out-of-range numbers the way the wire would wrap them', () => {
    const p = parseRtp(
      writeRtp(
        { payloadType: 0, sequence: 65537, timestamp: 2 ** 32 + 5, ssrc: -1 },
        new Uint8Array(1),
      ),
    )!;
    expect(p.sequence).toBe(1);
    expect(p.timestamp).toBe(5);
    expect(p.ssrc).toBe(0xffffffff);
  });

  it('round-trips CSRCs, extension and padding through parseRtp', () => {
    const ext = { profile: 0xbede, data: Uint8Array.from([0x10, 0x7f, 0, 0, 1, 2, 3, 4]) };
    const payload = Uint8Array.from({ length: 160 }, (_, i) => i);
    const buf = writeRtp(
      {
        payloadType: 8,
        sequence: 7,
        timestamp: 0xffffff00,
        ssrc: 42,
        marker: true,
        csrcs: [1, 0xffffffff],
        extension: ext,
        padding: 4,
      },
      payload,
    );
    expect(buf.length).toBe(12 + 8 + 4 + 8 + 160 + 4);
    const p = parseRtp(buf)!;
    expect(p).toMatchObject({
      padding: true,
      marker: true,
      payloadType: 8,
      sequence: 7,
      timestamp: 0xffffff00,
      ssrc: 42,
      csrcs: [1, 0xffffffff],
    });
    expect(p.extension!.profile).toBe(0xbede);
    expect([...p.extension!.data]).toEqual([...ext.data]);
    expect([...p.payload]).toEqual([...payload]);
  });

  it('writes into a caller buffer and returns a view of the bytes used', () => {
    const out = new Uint8Array(1500).fill(0xee);
    const buf = writeRtp(
      { payloadType: 0, sequence: 1, timestamp: 2, ssrc: 3, padding: 3 },
      Uint8Array.from([9]),
      out,
    );
    expect(buf.buffer).toBe(out.buffer);
    expect(buf.byteOffset).toBe(0);
    expect(buf.length).toBe(16);
    expect([...buf.subarray(12)]).toEqual([9, 0, 0, 3]); // stale bytes cleared
    expect(() =>
      writeRtp(
        { payloadType: 0, sequence: 1, timestamp: 2, ssrc: 3 },
        new Uint8Array(160),
        out.subarray(0, 100),
      ),
    ).toThrow(RangeError);
  });

  it('refuses fields it cannot encode', () => {
    const h = { payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0 };
    const none = new Uint8Array(0);
    expect(() => writeRtp({ ...h, csrcs: new Array(16).fill(0) }, none)).toThrow(RangeError);
    expect(() =>
      writeRtp({ ...h, extension: { profile: 1, data: new Uint8Array(3) } }, none),
    ).toThrow(RangeError);
    expect(() => writeRtp({ ...h, padding: 256 }, none)).toThrow(RangeError);
  });
});

describe('isRtcp', () => {
  it('recognizes RTCP packet types per RFC 5761', () => {
    for (const pt of [200, 201, 202, 203, 204, 205, 206, 207]) {
      expect(isRtcp(Uint8Array.from([0x80, pt, 0, 1])), String(pt)).toBe(true);
    }
  });

  it('does not mistake RTP for RTCP', () => {
    for (const b1 of [0, 8, 101, 0x80, 0x88, 0x80 | 101, 0x80 | 63, 0x80 | 96, 127, 255]) {
      expect(isRtcp(Uint8Array.from([0x80, b1, 0, 1])), String(b1)).toBe(false);
    }
    expect(isRtcp(Uint8Array.from([0x40, 200, 0, 1]))).toBe(false); // wrong version
    expect(isRtcp(Uint8Array.from([0x80, 200]))).toBe(false); // too short
  });
});

describe('SequenceTracker', () => {
  // 8 kHz, 20 ms packets: arrival in timestamp units equals the RTP timestamp
  // plus a fixed offset when there is no jitter.
  function feed(t: SequenceTracker, seqs: number[], ssrc?: number): SequenceUpdate[] {
    return seqs.map((s) => t.update(s, s * 160, s * 160 + 1000, ssrc));
  }

  it('counts an in-order stream', () => {
    const t = new SequenceTracker();
    expect(feed(t, [100, 101, 102, 103])).toEqual(['reset', 'new', 'new', 'new']);
    expect(t.received).toBe(4);
    expect(t.expected).toBe(4);
    expect(t.lost).toBe(0);
    expect(t.maxSeq).toBe(103);
    expect(t.extendedHighestSeq).toBe(103);
    expect(t.jitter).toBe(0);
  });

  it('counts gaps as loss', () => {
    const t = new SequenceTracker();
    feed(t, [1, 2, 5, 6, 10]);
    expect(t.expected).toBe(10);
    expect(t.received).toBe(5);
    expect(t.lost).toBe(5);
  });

  it('extends the sequence across the 16-bit wrap', () => {
    const t = new SequenceTracker();
    expect(feed(t, [65534, 65535, 0, 1])).toEqual(['reset', 'new', 'new', 'new']);
    expect(t.cycles).toBe(1);
    expect(t.maxSeq).toBe(1);
    expect(t.extendedHighestSeq).toBe(65537);
    expect(t.expected).toBe(4);
    expect(t.lost).toBe(0);
  });

  it('handles a gap across the wrap', () => {
    const t = new SequenceTracker();
    feed(t, [65530, 3]);
    expect(t.cycles).toBe(1);
    expect(t.expected).toBe(10);
    expect(t.lost).toBe(8);
  });

  it('tells late packets from duplicates, including across the wrap', () => {
    const t = new SequenceTracker();
    expect(feed(t, [65534, 0, 65535, 65535, 0, 1, 65534])).toEqual([
      'reset',
      'new',
      'old',
      'duplicate',
      'duplicate',
      'new',
      'duplicate',
    ]);
    expect(t.received).toBe(4);
    expect(t.lost).toBe(0);
  });

  it('fills a gap with late packets', () => {
    const t = new SequenceTracker();
    expect(feed(t, [10, 13, 11, 12, 12])).toEqual(['reset', 'new', 'old', 'old', 'duplicate']);
    expect(t.lost).toBe(0);
  });

  it('ignores packets from before the first one', () => {
    const t = new SequenceTracker();
    expect(feed(t, [10, 11, 9])).toEqual(['reset', 'new', 'old']);
    expect(t.received).toBe(2);
    expect(t.expected).toBe(2);
  });

  it('forgets history slots it skips over, so a reused slot is not a duplicate', () => {
    const t = new SequenceTracker();
    // 129 shares a history slot with 1; the jump to 200 must have cleared it.
    expect(feed(t, [0, 1, 200, 129, 128])).toEqual(['reset', 'new', 'new', 'old', 'old']);
    expect(feed(t, [129])).toEqual(['duplicate']);
  });

  it('does not treat a single stray jump as a restart', () => {
    const t = new SequenceTracker();
    expect(feed(t, [100, 101, 30000, 102, 103])).toEqual(['reset', 'new', 'old', 'new', 'new']);
    expect(t.maxSeq).toBe(103);
    expect(t.received).toBe(4);
  });

  it('treats a packet far behind as a stray, not a duplicate', () => {
    const t = new SequenceTracker();
    expect(feed(t, [1000, 1001, 800, 1002])).toEqual(['reset', 'new', 'old', 'new']);
  });

  it('resyncs when the sender restarts its numbering (two packets in sequence)', () => {
    const t = new SequenceTracker();
    expect(feed(t, [100, 101, 40000, 40001, 40002])).toEqual([
      'reset',
      'new',
      'old',
      'reset',
      'new',
    ]);
    expect(t.maxSeq).toBe(40002);
    expect(t.received).toBe(2);
    expect(t.expected).toBe(2);
  });

  it('restarts on a new SSRC', () => {
    const t = new SequenceTracker();
    expect(feed(t, [5, 6, 7], 0x1111)).toEqual(['reset', 'new', 'new']);
    expect(t.ssrc).toBe(0x1111);
    expect(feed(t, [9000, 9001], 0x2222)).toEqual(['reset', 'new']);
    expect(t.ssrc).toBe(0x2222);
    expect(t.received).toBe(2);
    expect(t.expected).toBe(2);
    // Without an SSRC argument the current one is kept.
    expect(t.update(9002, 0, 0)).toBe('new');
    expect(t.ssrc).toBe(0x2222);
  });

  it('accepts forward gaps up to MAX_DROPOUT as loss', () => {
    const t = new SequenceTracker();
    expect(feed(t, [0, 2999])).toEqual(['reset', 'new']);
    expect(t.lost).toBe(2998);
    expect(feed(t, [6000])).toEqual(['old']);
  });

  it('keeps counting over many wraps', () => {
    const t = new SequenceTracker();
    for (let i = 0; i < 3 * 65536 + 10; i++) {
      if (i % 7 === 3) continue; // lose one in seven
      t.update(i & 0xffff, i * 160, i * 160);
    }
    expect(t.cycles).toBe(3);
    const total = 3 * 65536 + 10;
    expect(t.expected).toBe(total);
    expect((total - 1) % 7).not.toBe(3); // the last packet arrives
    expect(t.lost).toBe(Math.floor((total - 4) / 7) + 1);
  });

  describe('jitter (RFC 3550 A.8)', () => {
    it('converges to the mean absolute transit difference', () => {
      const t = new SequenceTracker();
      // Arrival alternates +0 / +80 timestamp units (10 ms at 8 kHz) around nominal.
      for (let i = 0; i < 500; i++) t.update(i, i * 160, i * 160 + (i % 2) * 80);
      expect(t.jitter).toBeGreaterThan(79);
      expect(t.jitter).toBeLessThanOrEqual(80);
    });

    it('follows the A.8 recurrence step by step', () => {
      const t = new SequenceTracker();
      t.update(0, 0, 1000);
      t.update(1, 160, 1160 + 32); // D = 32
      expect(t.jitter).toBe(2);
      t.update(2, 320, 1320); // D = -32
      expect(t.jitter).toBe(2 + (32 - 2) / 16);
    });

    it('is not disturbed by the RTP timestamp wrapping', () => {
      const t = new SequenceTracker();
      const start = 0xffffffff - 800;
      for (let i = 0; i < 20; i++) t.update(i, (start + i * 160) >>> 0, 5e9 + i * 160);
      expect(t.jitter).toBe(0);
    });

    it('accepts fractional arrival times', () => {
      const t = new SequenceTracker();
      t.update(0, 0, 0.5);
      t.update(1, 160, 160.5 + 16);
      expect(t.jitter).toBe(1);
    });

    it('ignores duplicates and resets with a new SSRC', () => {
      const t = new SequenceTracker();
      t.update(0, 0, 0, 1);
      t.update(1, 160, 160 + 160, 1);
      const j = t.jitter;
      expect(t.update(1, 160, 99999, 1)).toBe('duplicate');
      expect(t.jitter).toBe(j);
      t.update(50, 0, 5, 2);
      expect(t.jitter).toBe(0);
    });
  });

  describe('takeInterval (RFC 3550 A.3)', () => {
    it('reports expected and received since the last call', () => {
      const t = new SequenceTracker();
      feed(t, [0, 1, 2, 4]);
      expect(t.takeInterval()).toEqual({ expected: 5, received: 4 });
      feed(t, [5, 8]);
      expect(t.takeInterval()).toEqual({ expected: 4, received: 2 });
      expect(t.takeInterval()).toEqual({ expected: 0, received: 0 });
      expect(t.expectedPrior).toBe(9);
      expect(t.receivedPrior).toBe(6);
    });
  });
});
