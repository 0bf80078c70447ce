import { describe, expect, it } from 'vitest';
import {
  TelephoneEventReceiver,
  digitToEvent,
  eventToDigit,
  parseTelephoneEvent,
  telephoneEventPackets,
  writeTelephoneEvent,
  type TelephoneEventPacket,
} from './telephone-event.ts';
import { parseRtp, writeRtp } from './rtp-packet.ts';

const ALL = '0123456789*#ABCD';

/** Feeds a press's packets, returning what the receiver reported. */
function deliver(
  rx: TelephoneEventReceiver,
  packets: Iterable<TelephoneEventPacket>,
  ssrc = 0x1234,
): string[] {
  const out: string[] = [];
  for (const p of packets) {
    const d = rx.pushPayload(p.payload, p.timestamp, ssrc);
    if (d !== undefined) out.push(d);
  }
  return out;
}

describe('event codes', () => {
  it('maps all 16 DTMF events both ways', () => {
    for (let i = 0; i < 16; i++) {
      expect(eventToDigit(i)).toBe(ALL[i]);
      expect(digitToEvent(ALL[i]!)).toBe(i);
    }
    expect(eventToDigit(10)).toBe('*');
    expect(eventToDigit(11)).toBe('#');
    expect(eventToDigit(12)).toBe('A');
    expect(eventToDigit(15)).toBe('D');
    expect(digitToEvent('b')).toBe(13);
  });

  it('has no digit for other events or nonsense', () => {
    for (const n of [-1, 16, 32, 255, 1.5, Number.NaN]) expect(eventToDigit(n)).toBeUndefined();
    for (const d of ['', 'E', '12', ' ', 'x']) expect(digitToEvent(d)).toBeUndefined();
  });
});

describe('parseTelephoneEvent', () => {
  it('reads the RFC 4733 fields', () => {
    expect(parseTelephoneEvent(Uint8Array.from([5, 0x0a, 0x01, 0x40]))).toEqual({
      event: 5,
      end: false,
      volume: 10,
      duration: 320,
    });
    expect(parseTelephoneEvent(Uint8Array.from([11, 0x80 | 0x40 | 63, 0xff, 0xff]))).toEqual({
      event: 11,
      end: true, // the R bit (0x40) is ignored
      volume: 63,
      duration: 65535,
    });
  });

  it('ignores anything after the first event and rejects short payloads', () => {
    expect(parseTelephoneEvent(Uint8Array.from([1, 0, 0, 160, 9, 9, 9, 9]))!.event).toBe(1);
    expect(parseTelephoneEvent(new Uint8Array(3))).toBeUndefined();
    expect(parseTelephoneEvent(new Uint8Array(0))).toBeUndefined();
  });

  it('round-trips through writeTelephoneEvent', () => {
    const ev = { event: 14, end: true, volume: 7, duration: 1234 };
    expect(parseTelephoneEvent(writeTelephoneEvent(ev))).toEqual(ev);
    const out = new Uint8Array(10);
    expect(writeTelephoneEvent(ev, out).length).toBe(4);
    expect(parseTelephoneEvent(out)).toEqual(ev);
    expect(() => writeTelephoneEvent(ev, new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('telephoneEventPackets', () => {
  it('emits growing updates then three identical end packets at the same timestamp', () => {
    const pkts = [...telephoneEventPackets('5', 1000, 100)];
    expect(pkts.map((p) => [p.duration, p.end, p.marker, p.offsetMs])).toEqual([
      [160, false, true, 20],
      [320, false, false, 40],
      [480, false, false, 60],
      [640, false, false, 80],
      [800, true, false, 100],
      [800, true, false, 120],
      [800, true, false, 140],
    ]);
    for (const p of pkts) {
      expect(p.timestamp).toBe(1000);
      expect(parseTelephoneEvent(p.payload)).toEqual({
        event: 5,
        end: p.end,
        volume: 10,
        duration: p.duration,
      });
    }
  });

  it('marks the end packet when the press fits in one interval', () => {
    const pkts = [...telephoneEventPackets('#', 0, 10)];
    expect(pkts.map((p) => [p.end, p.marker, p.duration])).toEqual([
      [true, true, 160],
      [true, false, 160],
      [true, false, 160],
    ]);
  });

  it('honours options, numeric events and wraps the timestamp', () => {
    const pkts = [
      ...telephoneEventPackets(16, 2 ** 32 + 7, 60, {
        volume: 20,
        packetMs: 30,
        clockRate: 16000,
        endCopies: 1,
      }),
    ];
    expect(pkts.map((p) => p.duration)).toEqual([480, 960]);
    expect(pkts.map((p) => p.offsetMs)).toEqual([30, 60]);
    expect(pkts[0]!.timestamp).toBe(7);
    expect(parseTelephoneEvent(pkts[0]!.payload)).toMatchObject({ event: 16, volume: 20 });
  });

  it('refuses what it cannot send', () => {
    expect(() => [...telephoneEventPackets('E', 0, 100)]).toThrow(RangeError);
    expect(() => [...telephoneEventPackets(256, 0, 100)]).toThrow(RangeError);
    expect(() => [...telephoneEventPackets('1', 0, 9000)]).toThrow(RangeError);
    expect(() => [...telephoneEventPackets('1', 0, 100, { packetMs: 0 })]).toThrow(RangeError);
  });
});

describe('TelephoneEventReceiver', () => {
  it('reports each of the 16 keys once, at the first packet', () => {
    const rx = new TelephoneEventReceiver();
    let ts = 0;
    const got: string[] = [];
    for (const d of ALL) {
      const pkts = [...telephoneEventPackets(d, ts, 120)];
      // The digit comes out of the very first packet.
      expect(rx.pushPayload(pkts[0]!.payload, ts, 1)).toBe(d);
      got.push(...deliver(rx, pkts.slice(1), 1));
      ts += 2000;
    }
    expect(got).toEqual([]);
  });

  it('reports a repeated key as separate presses', () => {
    const rx = new TelephoneEventReceiver();
    const got = [
      ...deliver(rx, telephoneEventPackets('1', 8000, 100)),
      ...deliver(rx, telephoneEventPackets('1', 8000 + 1600, 100)),
      ...deliver(rx, telephoneEventPackets('1', 8000 + 3200, 100)),
    ];
    expect(got).toEqual(['1', '1', '1']);
  });

  it('reports a press whose only surviving packets are end packets', () => {
    const rx = new TelephoneEventReceiver();
    const pkts = [...telephoneEventPackets('9', 500, 100)].filter((p) => p.end);
    expect(deliver(rx, pkts)).toEqual(['9']);
    expect(rx.pressed).toBeUndefined();
  });

  it('ignores an end packet delayed until after the next press started', () => {
    const rx = new TelephoneEventReceiver();
    const a = [...telephoneEventPackets('2', 1000, 80)];
    const b = [...telephoneEventPackets('3', 2000, 80)];
    const lateEnd = a.pop()!;
    expect(deliver(rx, [...a, b[0]!, lateEnd, ...b.slice(1)])).toEqual(['2', '3']);
  });

  it('ignores stragglers in any order, as long as they are among the last 16 presses', () => {
    const rx = new TelephoneEventReceiver();
    const presses = Array.from({ length: 16 }, (_, i) => [
      ...telephoneEventPackets(ALL[i]!, i * 1000, 60),
    ]);
    const firsts = presses.map((p) => p[0]!);
    const rest = presses.flatMap((p) => p.slice(1)).reverse();
    expect(deliver(rx, [...firsts, ...rest])).toEqual([...ALL]);
  });

  it('does not break when the SSRC changes (SIPp-style captures)', () => {
    const rx = new TelephoneEventReceiver();
    const a = [...telephoneEventPackets('4', 123456, 100)];
    // Events from an SSRC other than the voice, then the same press's end
    // packets rewritten with yet another SSRC: still one digit.
    expect(deliver(rx, a.slice(0, 3), 0xaaaa)).toEqual(['4']);
    expect(deliver(rx, a.slice(3), 0xbbbb)).toEqual([]);
    // A new press from a new SSRC whose timestamps start lower still counts.
    expect(deliver(rx, telephoneEventPackets('4', 10, 100), 0xcccc)).toEqual(['4']);
    expect(deliver(rx, telephoneEventPackets('7', 5, 100), 0xcccc)).toEqual(['7']);
  });

  it('counts a press after a timestamp jump backwards on the same SSRC', () => {
    const rx = new TelephoneEventReceiver();
    expect(deliver(rx, telephoneEventPackets('1', 90000, 100))).toEqual(['1']);
    expect(deliver(rx, telephoneEventPackets('2', 100, 100))).toEqual(['2']);
  });

  it('treats a different key at the same timestamp as a new press', () => {
    const rx = new TelephoneEventReceiver();
    expect(rx.push(1, 100, false, 1)).toBe('1');
    expect(rx.push(2, 100, false, 1)).toBe('2');
    expect(rx.push(1, 100, true, 1)).toBeUndefined();
  });

  it('ignores non-DTMF events and short payloads', () => {
    const rx = new TelephoneEventReceiver();
    expect(rx.push(16, 100, false, 1)).toBeUndefined(); // flash
    expect(rx.push(32, 200, false, 1)).toBeUndefined(); // a tone event
    expect(rx.pushPayload(new Uint8Array(2), 300, 1)).toBeUndefined();
  });

  it('tracks the key held down', () => {
    const rx = new TelephoneEventReceiver();
    const pkts = [...telephoneEventPackets('*', 0, 100)];
    expect(rx.pressed).toBeUndefined();
    deliver(rx, pkts.slice(0, 2));
    expect(rx.pressed).toBe('*');
    deliver(rx, pkts.slice(2, 5));
    expect(rx.pressed).toBeUndefined();
    deliver(rx, pkts.slice(5));
    expect(rx.pressed).toBeUndefined();
    // A new press replaces a held one whose end was lost.
    rx.push(1, 5000, false, 1);
    rx.push(2, 6000, false, 1);
    expect(rx.pressed).toBe('2');
    rx.push(1, 5000, true, 1); // the old press's end does not release the new one
    expect(rx.pressed).toBe('2');
  });

  it('forgets everything on reset', () => {
    const rx = new TelephoneEventReceiver();
    expect(rx.push(5, 100, false)).toBe('5');
    rx.reset();
    expect(rx.pressed).toBeUndefined();
    expect(rx.push(5, 100, false)).toBe('5');
  });

  it('works on packets that went through RTP serialization', () => {
    const rx = new TelephoneEventReceiver();
    const got: string[] = [];
    let seq = 100;
    for (const d of '123#') {
      for (const p of telephoneEventPackets(d, seq * 160, 80)) {
        const wire = writeRtp(
          {
            payloadType: 101,
            sequence: seq++,
            timestamp: p.timestamp,
            ssrc: 0x99,
            marker: p.marker,
          },
          p.payload,
        );
        const rtp = parseRtp(wire)!;
        const digit = rx.pushPayload(rtp.payload, rtp.timestamp, rtp.ssrc);
        if (digit) got.push(digit);
      }
    }
    expect(got.join('')).toBe('123#');
  });
});

describe('a key replayed with identical RTP headers', () => {
  it('counts each replay as a press once the previous one ended and a moment passed, never a late end copy', () => {
    const r = new TelephoneEventReceiver();
    const press = (t0: number) => [
      r.push(5, 1000, false, 1, t0),
      r.push(5, 1000, false, 1, t0 + 20),
      r.push(5, 1000, true, 1, t0 + 40),
      r.push(5, 1000, true, 1, t0 + 60),
    ];
    expect(press(0)).toEqual(['5', undefined, undefined, undefined]);
    // A late end copy, long after: not a press.
    expect(r.push(5, 1000, true, 1, 900)).toBeUndefined();
    expect(press(1200)).toEqual(['5', undefined, undefined, undefined]);
    // Too soon after the last packet: a straggler, not a press.
    expect(r.push(5, 1000, false, 1, 1300)).toBeUndefined();
  });
});
