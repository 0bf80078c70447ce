import { describe, expect, it } from 'vitest';
import { ConferenceMixer, type Participant } from './mixer.ts';
import { ToneGenerator, amplitudeToDbm0 } from './tone.ts';

/** Amplitude of the component of `x` at `f` Hz (Goertzel), so a sine of amplitude A gives A. */
function amplitudeAt(x: Int16Array, f: number, rate = 8000): number {
  const w = (2 * Math.PI * f) / rate;
  const coef = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < x.length; n++) {
    const s0 = x[n]! + coef * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coef * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / x.length;
}

function energy(x: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return e;
}

/** A tone source at a given peak amplitude. */
function tone(frequency: number, amplitude: number): ToneGenerator {
  return new ToneGenerator({ frequencies: [frequency], levelDbm0: amplitudeToDbm0(amplitude) });
}

/** A deterministic noise source (mulberry32), uniform in [-amplitude, amplitude]. */
function noise(seed: number, amplitude: number): (frame: Int16Array) => void {
  let a = seed >>> 0;
  return (frame) => {
    for (let i = 0; i < frame.length; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      frame[i] = Math.round((u * 2 - 1) * amplitude);
    }
  };
}

/** Samples of `out` that do not have the sign of `ideal` or are louder than it (wrapped). */
function wrapped(out: Int16Array, ideal: Float64Array): number {
  let bad = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    const s = ideal[i]!;
    if ((v !== 0 && Math.sign(v) !== Math.sign(s)) || Math.abs(v) > Math.abs(s)) bad++;
  }
  return bad;
}

/**
 * Runs `ticks` mixes, calling `fill` for each participant's input first, and
 * returns everything each participant heard, concatenated.
 */
function record(
  mixer: ConferenceMixer,
  people: Participant[],
  ticks: number,
  fill: (p: Participant, index: number, tick: number) => void,
): Int16Array[] {
  const heard = people.map(() => new Int16Array(ticks * 160));
  for (let t = 0; t < ticks; t++) {
    people.forEach((p, i) => fill(p, i, t));
    mixer.mix();
    people.forEach((p, i) => heard[i]!.set(p.output, t * 160));
  }
  return heard;
}

describe('ConferenceMixer', () => {
  // Tones on exact 25 Hz bins of a 320-sample window, so each is orthogonal to the others.
  const freq = (k: number) => 25 * (k + 4);

  for (const count of [2, 3, 5, 100]) {
    it(`lets each of ${count} participants hear everyone else and not themselves`, () => {
      const mixer = new ConferenceMixer();
      const people = Array.from({ length: count }, (_, k) => mixer.add(`p${k}`));
      // Loud enough to measure, quiet enough that N-1 of them never overload.
      const amp = Math.min(3000, Math.floor(30_000 / Math.max(1, count - 1)));
      const gens = people.map((_, k) => tone(freq(k), amp));
      const heard = record(mixer, people, 2, (p, k) => gens[k]!.next(p.input));
      for (let me = 0; me < count; me++) {
        for (let k = 0; k < count; k++) {
          const a = amplitudeAt(heard[me]!, freq(k));
          if (k === me) expect(a).toBeLessThan(amp * 0.01);
          else expect(Math.abs(a - amp) / amp).toBeLessThan(0.02);
        }
        expect(people[me]!.gain).toBe(1);
      }
    });
  }

  it('leaves a muted participant out of the others’ mix, but lets them hear', () => {
    const mixer = new ConferenceMixer();
    const people = [0, 1, 2, 3].map((k) => mixer.add(`p${k}`));
    people[2]!.muted = true;
    const gens = people.map((_, k) => tone(freq(k), 2000));
    const heard = record(mixer, people, 2, (p, k) => gens[k]!.next(p.input));
    for (const me of [0, 1, 3]) {
      expect(amplitudeAt(heard[me]!, freq(2))).toBeLessThan(20);
      for (const k of [0, 1, 3]) {
        if (k !== me) expect(amplitudeAt(heard[me]!, freq(k))).toBeCloseTo(2000, -2);
      }
    }
    for (const k of [0, 1, 3]) expect(amplitudeAt(heard[2]!, freq(k))).toBeCloseTo(2000, -2);
    expect(amplitudeAt(heard[2]!, freq(2))).toBeLessThan(20);
    expect(people[2]!.talking).toBe(false);
    expect(people[0]!.talking).toBe(true);
  });

  it('passes a single other speaker through bit-exact, even at full scale', () => {
    const mixer = new ConferenceMixer();
    const a = mixer.add('a');
    const b = mixer.add('b');
    const sa = noise(1, 32768);
    const sb = noise(2, 32768);
    for (let t = 0; t < 20; t++) {
      sa(a.input);
      sb(b.input);
      mixer.mix();
      expect(a.output).toEqual(b.input);
      expect(b.output).toEqual(a.input);
    }
    // A third who is muted hears both; the two still hear only each other, exactly.
    const c = mixer.add('c');
    c.muted = true;
    noise(3, 32768)(c.input);
    sa(a.input);
    sb(b.input);
    mixer.mix();
    expect(a.output).toEqual(b.input);
    expect(b.output).toEqual(a.input);
  });

  it('gives silence to someone alone, or with only muted company', () => {
    const mixer = new ConferenceMixer();
    const a = mixer.add('a');
    noise(4, 10_000)(a.input);
    mixer.mix();
    expect(a.output.every((v) => v === 0)).toBe(true);
    const b = mixer.add('b');
    b.muted = true;
    noise(5, 10_000)(b.input);
    mixer.mix();
    expect(a.output.every((v) => v === 0)).toBe(true);
    expect(b.output).toEqual(a.input);
  });

  it('passes a quiet conversation unchanged', () => {
    const mixer = new ConferenceMixer();
    const people = [0, 1, 2, 3, 4].map((k) => mixer.add(`p${k}`));
    const sources = people.map((_, k) => noise(10 + k, 3000));
    for (let t = 0; t < 50; t++) {
      people.forEach((p, k) => sources[k]!(p.input));
      mixer.mix();
      for (const p of people) {
        const want = new Int16Array(160);
        for (let i = 0; i < 160; i++) {
          let s = 0;
          for (const q of people) if (q !== p) s += q.input[i]!;
          want[i] = s;
        }
        expect(p.output).toEqual(want);
        expect(p.gain).toBe(1);
      }
    }
  });

  it('limits two full-scale talkers in phase without wrapping and with little distortion', () => {
    const mixer = new ConferenceMixer();
    const a = mixer.add('a');
    const b = mixer.add('b');
    const listener = mixer.add('listener');
    // 440 Hz does not sample its own peak every frame, so the frame peaks (and the gain) vary.
    const ga = tone(440, 32767);
    const gb = tone(440, 32767);
    const ticks = 50; // 1 s: exactly 440 cycles
    const heard = record(mixer, [a, b, listener], ticks, (p) => {
      if (p === a) ga.next(a.input);
      else if (p === b) gb.next(b.input);
      else p.input.fill(0);
    });
    const out = heard[2]!;
    const ideal = new Float64Array(out.length); // the true sum, beyond int16
    const hardClipped = new Float64Array(out.length);
    const ref = tone(440, 32767);
    for (let t = 0; t < ticks; t++) {
      const frame = ref.next();
      for (let i = 0; i < 160; i++) {
        const s = 2 * frame[i]!;
        ideal[t * 160 + i] = s;
        hardClipped[t * 160 + i] = Math.max(-32768, Math.min(32767, s));
      }
    }
    // No wrap: every sample has the sign of the true sum and is no louder than it.
    expect(wrapped(out, ideal)).toBe(0);
    // Full scale after the limiter, and nearly all the energy still in the 440 Hz tone.
    const fundamental = amplitudeAt(out, 440);
    expect(fundamental).toBeGreaterThan(32767 * 0.97);
    const residual = 1 - (((fundamental * fundamental) / 2) * out.length) / energy(out);
    expect(residual).toBeLessThan(0.001); // better than -30 dB
    // Hard clipping the same sum would leave about 5% of its energy in distortion.
    const clipFund = amplitudeAt(Int16Array.from(hardClipped), 440);
    const clipResidual = 1 - (((clipFund * clipFund) / 2) * out.length) / energy(hardClipped);
    expect(clipResidual).toBeGreaterThan(50 * residual);
    expect(listener.gain).toBeLessThan(0.51);
    expect(listener.gain).toBeGreaterThan(0.49);
    // The talkers each hear only the other: untouched.
    expect(a.gain).toBe(1);
    expect(b.gain).toBe(1);
  });

  it('never wraps with many loud talkers', () => {
    const mixer = new ConferenceMixer();
    const people = Array.from({ length: 6 }, (_, k) => mixer.add(`p${k}`));
    const sources = people.map((_, k) => noise(20 + k, 32768));
    for (let t = 0; t < 30; t++) {
      people.forEach((p, k) => sources[k]!(p.input));
      mixer.mix();
      for (const p of people) {
        const ideal = new Float64Array(160);
        for (const q of people) {
          if (q !== p) for (let i = 0; i < 160; i++) ideal[i] = ideal[i]! + q.input[i]!;
        }
        expect(wrapped(p.output, ideal)).toBe(0);
        expect(p.gain).toBeLessThan(1);
      }
    }
  });

  it('attacks at once and releases slowly, then is exact again', () => {
    const mixer = new ConferenceMixer();
    const people = [0, 1, 2].map((k) => mixer.add(`p${k}`));
    const loud = people.map((_, k) => tone(freq(k), 30_000));
    const quiet = people.map((_, k) => tone(freq(k), 1000));
    record(mixer, people, 5, (p, k) => loud[k]!.next(p.input));
    const limited = people[0]!.gain;
    expect(limited).toBeLessThan(0.6);
    record(mixer, people, 1, (p, k) => quiet[k]!.next(p.input));
    expect(people[0]!.gain).toBeGreaterThan(limited);
    expect(people[0]!.gain).toBeLessThan(limited + 0.1);
    // Back to unity in well under three seconds, and the plain sum after that.
    record(mixer, people, 125, (p, k) => quiet[k]!.next(p.input));
    expect(people[0]!.gain).toBe(1);
    const [p0, p1, p2] = people as [Participant, Participant, Participant];
    quiet.forEach((g, k) => g.next(people[k]!.input));
    mixer.mix();
    for (let i = 0; i < 160; i++) expect(p0.output[i]).toBe(p1.input[i]! + p2.input[i]!);
    // Loud again: the first loud frame is already limited.
    loud.forEach((g, k) => g.next(people[k]!.input));
    mixer.mix();
    expect(p0.gain).toBeLessThan(0.6);
  });

  it('is exact with one other speaker even while the limiter was releasing', () => {
    const mixer = new ConferenceMixer();
    const people = [0, 1, 2].map((k) => mixer.add(`p${k}`));
    const loud = people.map((_, k) => tone(freq(k), 30_000));
    record(mixer, people, 3, (p, k) => loud[k]!.next(p.input));
    expect(people[0]!.gain).toBeLessThan(1);
    people[2]!.muted = true;
    loud.forEach((g, k) => g.next(people[k]!.input));
    mixer.mix();
    expect(people[0]!.output).toEqual(people[1]!.input);
    expect(people[1]!.output).toEqual(people[0]!.input);
  });

  it('tracks talking with a hangover', () => {
    const mixer = new ConferenceMixer();
    const a = mixer.add('a');
    const b = mixer.add('b');
    const voice = tone(300, 2000);
    const hiss = noise(7, 30); // about -60 dBm0: line noise, not talk
    const talking: boolean[] = [];
    for (let t = 0; t < 40; t++) {
      if (t < 10) voice.next(a.input);
      else hiss(a.input);
      hiss(b.input);
      mixer.mix();
      talking.push(a.talking);
      expect(b.talking).toBe(false);
    }
    expect(talking.slice(0, 25).every(Boolean)).toBe(true); // 10 talking + 15 hangover
    expect(talking.slice(25).some(Boolean)).toBe(false);
    voice.next(a.input);
    a.muted = true;
    mixer.mix();
    expect(a.talking).toBe(false);
  });

  it('keeps its buffers across ticks and manages the roster', () => {
    const mixer = new ConferenceMixer();
    const a = mixer.add('a');
    const b = mixer.add('b');
    const c = mixer.add('c');
    const buffers = [a, b, c].map((p) => [p.input, p.output]);
    for (let t = 0; t < 5; t++) mixer.mix();
    [a, b, c].forEach((p, k) => {
      expect(p.input).toBe(buffers[k]![0]);
      expect(p.output).toBe(buffers[k]![1]);
    });
    expect(() => mixer.add('b')).toThrow(/already/);
    expect(() => a.setInput(new Int16Array(80))).toThrow(RangeError);
    expect(mixer.size).toBe(3);
    expect(mixer.get('b')).toBe(b);
    expect(mixer.remove('a')).toBe(true);
    expect(mixer.remove('a')).toBe(false);
    expect(mixer.get('a')).toBeUndefined();
    expect(mixer.size).toBe(2);
    const frame = new Int16Array(160).fill(1234);
    b.setInput(frame);
    c.input.fill(0);
    mixer.mix();
    expect(c.output).toEqual(frame);
    expect(b.output.every((v) => v === 0)).toBe(true);
  });
});
