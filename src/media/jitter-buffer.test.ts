import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferStats } from './jitter-buffer.ts';

/**
 * Test signal: sample s of a sender's stream is 1000 + (s mod 20000). It is
 * never 0, so zeros in the output are silence, and consecutive samples differ
 * by exactly 1 (mod the period), so any gap, repeat or reordering shows.
 */
const PERIOD = 20_000;
const ramp = (s: number): number => 1000 + (((s % PERIOD) + PERIOD) % PERIOD);
const nextRamp = (v: number): number => (v === 1000 + PERIOD - 1 ? 1000 : v + 1);
/** The sample after `v` in a ramp or in a negated ramp (a second sender, told apart by sign). */
const nextSample = (v: number): number => (v < 0 ? -nextRamp(-v) : nextRamp(v));

interface Packet {
  seq: number;
  ts: number;
  samples: Int16Array;
  arrival: number;
}

interface StreamSpec {
  count: number;
  packetMs?: number;
  seq0?: number;
  ts0?: number;
  /** Index of the first sample in the ramp. */
  sample0?: number;
  /** Send time of the first packet, ms. */
  sendMs0?: number;
  /** Network transit of packet i, ms. */
  transit?: (i: number) => number;
  /** Send the ramp negated, to tell this sender's audio from another's. */
  negate?: boolean;
}

function stream(spec: StreamSpec): Packet[] {
  const packetMs = spec.packetMs ?? 20;
  const n = packetMs * 8;
  const packets: Packet[] = [];
  for (let i = 0; i < spec.count; i++) {
    const s = (spec.sample0 ?? 0) + i * n;
    const samples = new Int16Array(n);
    for (let k = 0; k < n; k++) samples[k] = spec.negate ? -ramp(s + k) : ramp(s + k);
    packets.push({
      seq: ((spec.seq0 ?? 0) + i) & 0xffff,
      ts: ((spec.ts0 ?? 0) + i * n) >>> 0,
      samples,
      arrival: (spec.sendMs0 ?? 0) + i * packetMs + (spec.transit?.(i) ?? 30),
    });
  }
  return packets;
}

interface Run {
  audio: Int16Array;
  /** Stats after each tick. */
  ticks: (JitterBufferStats & { t: number; bufferedMs: number })[];
}

/** Plays `packets` into `jb` (by arrival time) with a pull every 20 ms from `fromMs`. */
function run(jb: JitterBuffer, packets: Packet[], fromMs: number, tickCount: number): Run {
  const sorted = [...packets].sort((a, b) => a.arrival - b.arrival);
  const audio = new Int16Array(tickCount * 160);
  const ticks: Run['ticks'] = [];
  let next = 0;
  for (let k = 0; k < tickCount; k++) {
    const t = fromMs + k * 20;
    while (next < sorted.length && sorted[next]!.arrival <= t) {
      const p = sorted[next++]!;
      jb.push(p.seq, p.ts, p.samples, p.arrival);
    }
    const frame = jb.pull(t);
    expect(frame.length).toBe(160);
    audio.set(frame, k * 160);
    ticks.push({ ...jb.stats, t, bufferedMs: jb.bufferedMs });
  }
  return { audio, ticks };
}

/** Packets that have arrived by `t` ms. */
const arrivedBy = (packets: Packet[], t: number): number =>
  packets.filter((p) => p.arrival <= t).length;

/** Index of the first sample that is not silence. */
function firstSound(audio: Int16Array, from = 0): number {
  for (let i = from; i < audio.length; i++) if (audio[i] !== 0) return i;
  return -1;
}

/** Samples in [from, to) that do not continue the ramp from the previous one. */
function breaks(audio: Int16Array, from: number, to: number): number {
  let count = 0;
  for (let i = Math.max(from, 1); i < to; i++) {
    if (audio[i] !== nextSample(audio[i - 1]!)) count++;
  }
  return count;
}

/** A small deterministic PRNG (mulberry32), so jitter tests are repeatable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('JitterBuffer', () => {
  it('returns silence before any audio, in a buffer reused across pulls', () => {
    const jb = new JitterBuffer();
    const a = jb.pull(0);
    expect(a.length).toBe(160);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(jb.pull(20)).toBe(a);
    expect(jb.stats.currentDelayMs).toBe(0);
  });

  it('plays an in-order steady stream without gaps at close to the minimum delay', () => {
    const jb = new JitterBuffer();
    const packets = stream({ count: 500, transit: () => 37 });
    const { audio, ticks } = run(jb, packets, 13, 500);
    const start = firstSound(audio);
    expect(start).toBeLessThan(3 * 160); // initial fill: about the target delay
    expect(audio[start]).toBe(ramp(0));
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    const s = jb.stats;
    expect(s).toMatchObject({
      received: arrivedBy(packets, ticks.at(-1)!.t),
      late: 0,
      lost: 0,
      concealed: 0,
      overflowDropped: 0,
      droppedFrames: 0,
      insertedFrames: 0,
    });
    expect(s.targetDelayMs).toBeGreaterThanOrEqual(20);
    expect(s.targetDelayMs).toBeLessThanOrEqual(25);
    for (const t of ticks.slice(5)) expect(t.currentDelayMs).toBeCloseTo(s.targetDelayMs, 6);
  });

  it('plays packets reordered within the delay window in timestamp order', () => {
    const jb = new JitterBuffer();
    // From the 10th packet on, every odd packet overtakes the even one before it.
    const packets = stream({ count: 400, transit: (i) => (i >= 10 && i % 2 === 1 ? 5 : 30) });
    const { audio, ticks } = run(jb, packets, 7, 399);
    const start = firstSound(audio);
    expect(audio[start]).toBe(ramp(0));
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    expect(jb.stats).toMatchObject({ late: 0, lost: 0, concealed: 0, insertedFrames: 0 });
    expect(jb.stats.received).toBe(arrivedBy(packets, ticks.at(-1)!.t));
  });

  it('ignores duplicates, even ten copies of every packet', () => {
    const jb = new JitterBuffer();
    const once = stream({ count: 200, transit: () => 25 });
    const packets = once.flatMap((p) =>
      Array.from({ length: 10 }, (_, k) => ({ ...p, arrival: p.arrival + k * 0.1 })),
    );
    const { audio } = run(jb, packets, 0, 200);
    const start = firstSound(audio);
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    const arrived = arrivedBy(packets, 3980);
    expect(jb.stats).toMatchObject({ received: arrived / 10, duplicates: (arrived * 9) / 10 });
    expect(jb.stats).toMatchObject({ late: 0, lost: 0 });
    expect(jb.bufferedMs).toBeLessThanOrEqual(40);
  });

  it('turns 30 ms packets into 20 ms frames with no gap', () => {
    const jb = new JitterBuffer();
    const packets = stream({ count: 300, packetMs: 30, transit: () => 30 });
    const { audio } = run(jb, packets, 3, 440);
    const start = firstSound(audio);
    expect(audio[start]).toBe(ramp(0));
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    expect(jb.stats).toMatchObject({ late: 0, lost: 0, concealed: 0, insertedFrames: 0 });
    expect(jb.stats.targetDelayMs).toBeLessThanOrEqual(25);
  });

  it('accepts 10, 40 and 60 ms packets too', () => {
    for (const packetMs of [10, 40, 60]) {
      const jb = new JitterBuffer();
      const count = Math.floor(6000 / packetMs);
      const packets = stream({ count, packetMs, transit: () => 12 });
      const { audio } = run(jb, packets, 0, 290);
      const start = firstSound(audio);
      expect(audio[start]).toBe(ramp(0));
      expect(breaks(audio, start + 1, audio.length)).toBe(0);
      expect(jb.stats).toMatchObject({ late: 0, concealed: 0 });
    }
  });

  it('conceals one lost frame with a fading copy, then plays silence, never old audio', () => {
    const jb = new JitterBuffer();
    // 3 s of audio (the ring has wrapped), 5 packets lost, then 2 s more.
    const packets = stream({ count: 250, transit: () => 37 }).filter(
      (p) => p.seq < 150 || p.seq >= 155,
    );
    // Ticks at 20k - 1 put frame boundaries on packet boundaries (37 + 22 ms after sending).
    const { audio } = run(jb, packets, -1, 250);
    const lastBefore = audio.lastIndexOf(ramp(150 * 160 - 1));
    expect(lastBefore % 160).toBe(159);
    const prev = audio.subarray(lastBefore - 159, lastBefore + 1);
    const concealed = audio.subarray(lastBefore + 1, lastBefore + 161);
    // A copy of the previous frame, fading out.
    for (let i = 0; i < 160; i++) {
      expect(Math.abs(concealed[i]!)).toBeLessThanOrEqual(Math.abs(prev[i]!));
    }
    expect(concealed[0]).toBe(prev[0]);
    expect(Math.abs(concealed[159]!)).toBeLessThan(Math.abs(prev[159]!) / 100);
    // Then silence until the audio after the gap.
    const silence = audio.subarray(lastBefore + 161, lastBefore + 801);
    expect(silence.every((v) => v === 0)).toBe(true);
    expect(audio[lastBefore + 801]).toBe(ramp(155 * 160));
    expect(breaks(audio, lastBefore + 802, audio.length)).toBe(0);
    expect(jb.stats).toMatchObject({ lost: 5, concealed: 1, late: 0 });
  });

  it('plays silence while the sender sends nothing, and resumes on time', () => {
    const jb = new JitterBuffer();
    // 2 s of audio, 3 s of nothing (hold), 2 s more; timestamps keep the sender's clock.
    const packets = stream({ count: 350, transit: () => 20 }).filter(
      (p) => p.seq < 100 || p.seq >= 250,
    );
    // Ticks at 20k + 2 put frame boundaries on packet boundaries (20 + 22 ms after sending).
    const { audio, ticks } = run(jb, packets, 2, 350);
    const end = audio.indexOf(ramp(100 * 160 - 1));
    // One faded frame at most, then nothing but silence for the rest of the hold.
    expect(audio.subarray(end + 161, end + 150 * 160 + 1).every((v) => v === 0)).toBe(true);
    const resume = firstSound(audio, end + 161);
    expect(audio[resume]).toBe(ramp(250 * 160));
    expect(breaks(audio, resume + 1, audio.length)).toBe(0);
    expect(ticks.at(-1)!.currentDelayMs).toBeCloseTo(jb.stats.targetDelayMs, 6);
    expect(jb.stats).toMatchObject({ late: 0, concealed: 1, insertedFrames: 0, droppedFrames: 0 });
  });

  it('grows the delay under 0-60 ms jitter with almost no late packets, then shrinks it', () => {
    const jb = new JitterBuffer();
    const rnd = random(42);
    // 30 s of uniform 0-60 ms jitter (heavily reordered), then 40 s of a steady network.
    const packets = stream({ count: 3500, transit: (i) => 40 + (i < 1500 ? rnd() * 60 : 0) });
    const { audio, ticks } = run(jb, packets, 11, 3500);

    const atMs = (ms: number) => ticks[Math.round(ms / 20)]!;
    const jittery = atMs(29_900);
    expect(jittery.targetDelayMs).toBeGreaterThanOrEqual(60);
    expect(jittery.targetDelayMs).toBeLessThanOrEqual(100);
    expect(jittery.currentDelayMs).toBeGreaterThanOrEqual(60);
    // A few packets are late while the delay grows from the minimum; after that, none.
    expect(jittery.late / jittery.received).toBeLessThan(0.02);
    expect(jittery.late - atMs(5_000).late).toBeLessThanOrEqual(1);
    expect(jittery.lost).toBe(0);

    const steady = ticks.at(-1)!;
    expect(steady.targetDelayMs).toBeLessThanOrEqual(25);
    expect(steady.currentDelayMs).toBeLessThanOrEqual(steady.targetDelayMs + 15);
    expect(steady.late).toBe(jittery.late);
    // Adjustments are single frames; the last 10 s play without a break.
    const from = (3500 - 500) * 160;
    expect(breaks(audio, from, audio.length)).toBe(0);
    expect(steady.droppedFrames).toBeGreaterThanOrEqual(2);
    expect(steady.insertedFrames).toBeGreaterThanOrEqual(2);
  });

  it('drops a late packet and raises the target at once', () => {
    const jb = new JitterBuffer();
    // One packet held up 150 ms in a steady stream.
    const packets = stream({ count: 200, transit: (i) => (i === 100 ? 180 : 30) });
    const { ticks } = run(jb, packets, 0, 200);
    const before = ticks.findIndex((t) => t.late > 0);
    expect(ticks[before - 1]!.targetDelayMs).toBeLessThanOrEqual(25);
    expect(ticks[before]!.targetDelayMs).toBeGreaterThanOrEqual(150);
    // Growth is one frame per tick, starting immediately.
    expect(ticks[before]!.insertedFrames).toBe(1);
    expect(ticks[before + 3]!.insertedFrames).toBe(4);
    expect(jb.stats).toMatchObject({ late: 1, lost: 0 });
  });

  it('keeps a flood at 10x the packet rate within the cap, then recovers', () => {
    const jb = new JitterBuffer();
    // 2 s normal; 2 s of a packet every 2 ms (20 s of audio); 7 s normal again.
    const normal1 = stream({ count: 100, transit: () => 30 });
    const flood = stream({ count: 1000, seq0: 100, ts0: 100 * 160, sample0: 100 * 160 }).map(
      (p, i) => ({ ...p, arrival: 2000 + i * 2 + 30 }),
    );
    const normal2 = stream({
      count: 350,
      seq0: 1100,
      ts0: 1100 * 160,
      sample0: 1100 * 160,
      sendMs0: 4000,
      transit: () => 30,
    });
    const { audio, ticks } = run(jb, [...normal1, ...flood, ...normal2], 0, 550);
    for (const t of ticks) {
      expect(t.bufferedMs).toBeLessThanOrEqual(500);
      expect(t.currentDelayMs).toBeLessThanOrEqual(500);
    }
    // Most of the flood is skipped: the delay never builds up.
    expect(jb.stats.droppedFrames).toBeGreaterThan(800);
    // A few seconds after the flood (the ramp is never quiet, so those were
    // forced single-frame skips), normal playout at normal delay.
    const end = ticks.at(-1)!;
    expect(end.currentDelayMs).toBeLessThanOrEqual(end.targetDelayMs + 15);
    expect(breaks(audio, 450 * 160, audio.length)).toBe(0);
  });

  it('drops what a burst would put past the cap', () => {
    const jb = new JitterBuffer();
    // 1 s of audio, then 3 s of it arriving all at once (a sender replaying a backlog).
    const first = stream({ count: 50, transit: () => 30 });
    const burst = stream({ count: 150, seq0: 50, ts0: 50 * 160, sample0: 50 * 160 }).map((p) => ({
      ...p,
      arrival: 1010,
    }));
    const { ticks } = run(jb, [...first, ...burst], 0, 100);
    for (const t of ticks) {
      expect(t.bufferedMs).toBeLessThanOrEqual(500);
      expect(t.currentDelayMs).toBeLessThanOrEqual(500);
    }
    expect(jb.stats.overflowDropped).toBeGreaterThan(0);
    expect(jb.stats.received).toBe(200);
  });

  it('plays straight through the 32-bit timestamp wrap', () => {
    const jb = new JitterBuffer();
    const packets = stream({ count: 300, ts0: 2 ** 32 - 800, seq0: 65_500, transit: () => 30 });
    const { audio } = run(jb, packets, 4, 300);
    const start = firstSound(audio);
    expect(audio[start]).toBe(ramp(0));
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    expect(jb.stats).toMatchObject({ late: 0, lost: 0, resyncs: 0, concealed: 0 });
  });

  it('re-anchors quickly when the sender restarts with new numbering', () => {
    const jb = new JitterBuffer();
    const a = stream({ count: 150, ts0: 1000, seq0: 100, transit: () => 30 });
    const b = stream({
      count: 150,
      ts0: 3_000_000_000,
      seq0: 40_000,
      sample0: 7000,
      sendMs0: 3000,
      transit: () => 30,
      negate: true,
    });
    const { audio } = run(jb, [...a, ...b], 0, 300);
    const startB = audio.indexOf(-ramp(7000));
    expect(startB).toBeGreaterThan(0);
    // Heard about the target delay after its first packet (arriving at 3030 ms), not later.
    expect(startB / 8).toBeLessThan(3030 + 25 + 40);
    expect(breaks(audio, startB + 1, audio.length)).toBe(0);
    expect(jb.stats).toMatchObject({ resyncs: 1, late: 0, lost: 0 });
  });

  it('ignores one stray packet far off the timeline', () => {
    const jb = new JitterBuffer();
    const packets = stream({ count: 200, transit: () => 30 });
    const stray = { ...packets[50]!, seq: 9, ts: 123_456_789, arrival: packets[50]!.arrival + 1 };
    const { audio } = run(jb, [...packets, stray], 0, 200);
    const start = firstSound(audio);
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    expect(jb.stats.resyncs).toBe(0);
  });

  it('re-anchors when the timestamp stood still through a pause', () => {
    const jb = new JitterBuffer();
    // 1 s of audio, a 400 ms pause in which the sender's timestamp did not advance.
    const a = stream({ count: 50, transit: () => 30 });
    const b = stream({ count: 100, seq0: 50, ts0: 50 * 160, sample0: 50 * 160, sendMs0: 1400 });
    const { audio } = run(jb, [...a, ...b], 0, 150);
    const resumed = firstSound(audio, audio.indexOf(ramp(50 * 160 - 1)) + 161);
    expect(audio[resumed]).toBeGreaterThan(ramp(50 * 160));
    // Packets in the first 300 ms after the pause are late; then it re-anchors.
    expect(resumed / 8).toBeLessThan(1430 + 300 + 45);
    expect(breaks(audio, resumed + 1, audio.length)).toBe(0);
    expect(jb.stats.resyncs).toBe(1);
    expect(jb.stats.targetDelayMs).toBeLessThanOrEqual(25);
  });

  it('reset() forgets the old source so a new one plays at once', () => {
    const jb = new JitterBuffer();
    const a = stream({ count: 50, ts0: 5000, seq0: 7, transit: () => 30 });
    run(jb, a, 0, 50);
    jb.reset();
    // New SSRC: numbering and timestamps unrelated to the old ones, but close.
    const b = stream({ count: 50, ts0: 5000 + 160, seq0: 30_000, sendMs0: 1000, negate: true });
    const { audio } = run(jb, b, 1000, 50);
    const start = firstSound(audio);
    expect(audio[start]).toBe(-ramp(0));
    expect(start / 8).toBeLessThan(60);
    expect(breaks(audio, start + 1, audio.length)).toBe(0);
    expect(jb.stats.resyncs).toBe(0);
  });
});
