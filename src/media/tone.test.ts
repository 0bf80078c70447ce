import { describe, expect, it } from 'vitest';
import {
  DBM0_PEAK,
  TONES,
  ToneGenerator,
  amplitudeToDbm0,
  dbm0ToAmplitude,
  generateTone,
  type ToneSpec,
} from './tone.ts';

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/** Magnitude of the DFT of `x` at `f` Hz, normalized so a sine of amplitude A gives A. */
function magnitudeAt(x: Int16Array, f: number, rate = 8000): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < x.length; n++) {
    re += x[n]! * Math.cos((2 * Math.PI * f * n) / rate);
    im -= x[n]! * Math.sin((2 * Math.PI * f * n) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

function frames(gen: ToneGenerator, count: number): Int16Array {
  const out = new Int16Array(count * gen.frameSamples);
  for (let i = 0; i < count; i++) out.set(gen.next(), i * gen.frameSamples);
  return out;
}

describe('levels', () => {
  it('puts 0 dBm0 3.14 dB below full scale', () => {
    expect(DBM0_PEAK).toBeCloseTo(22_826.4, 1);
    expect(dbm0ToAmplitude(3.14)).toBeCloseTo(32767, 6);
    expect(dbm0ToAmplitude(-20)).toBeCloseTo(DBM0_PEAK / 10, 6);
    expect(amplitudeToDbm0(dbm0ToAmplitude(-13))).toBeCloseTo(-13, 9);
  });

  it('generates a sine of the requested level', () => {
    for (const level of [0, -10, -30]) {
      const x = generateTone({ frequencies: [1000], levelDbm0: level }, 1000);
      expect(rms(x) * Math.SQRT2).toBeCloseTo(dbm0ToAmplitude(level), -1);
      expect(amplitudeToDbm0(rms(x) * Math.SQRT2)).toBeCloseTo(level, 1);
    }
  });

  it('sets each component of a dual tone to its own level', () => {
    const x = generateTone({ frequencies: [697, 1209], levelDbm0: [-10, -16] }, 1000);
    expect(amplitudeToDbm0(magnitudeAt(x, 697))).toBeCloseTo(-10, 1);
    expect(amplitudeToDbm0(magnitudeAt(x, 1209))).toBeCloseTo(-16, 1);
    expect(magnitudeAt(x, 941)).toBeLessThan(5);
  });

  it('saturates instead of wrapping when components add past full scale', () => {
    const x = generateTone({ frequencies: [500, 700, 900], levelDbm0: 3 }, 100);
    expect(Math.max(...x)).toBe(32767);
    expect(Math.min(...x)).toBe(-32768);
  });
});

describe('ToneGenerator', () => {
  it('produces 20 ms frames by default', () => {
    expect(new ToneGenerator({ frequencies: [440], levelDbm0: -10 }).next().length).toBe(160);
    const wide = new ToneGenerator({ frequencies: [440], levelDbm0: -10 }, { sampleRate: 16000 });
    expect(wide.next().length).toBe(320);
  });

  it('is phase continuous across frames and matches a direct sine', () => {
    for (const spec of [
      { frequencies: [1000], levelDbm0: -6 },
      { frequencies: [440, 480], levelDbm0: -10 },
      { frequencies: [350, 440, 620], levelDbm0: [-10, -12, -14] },
    ] satisfies ToneSpec[]) {
      const x = frames(new ToneGenerator(spec), 500); // 10 s
      const levels = spec.frequencies.map((_, i) =>
        typeof spec.levelDbm0 === 'number' ? spec.levelDbm0 : spec.levelDbm0[i]!,
      );
      let worst = 0;
      for (let n = 0; n < x.length; n++) {
        let ref = 0;
        spec.frequencies.forEach((f, i) => {
          ref += dbm0ToAmplitude(levels[i]!) * Math.sin((2 * Math.PI * f * n) / 8000);
        });
        worst = Math.max(worst, Math.abs(x[n]! - Math.round(ref)));
      }
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('keeps its amplitude over a long run', () => {
    const gen = new ToneGenerator({ frequencies: [1004], levelDbm0: -3 });
    const buf = new Int16Array(160);
    for (let i = 0; i < 30_000; i++) gen.next(buf); // 10 minutes
    const tail = frames(gen, 50);
    expect(amplitudeToDbm0(magnitudeAt(tail, 1004))).toBeCloseTo(-3, 2);
  });

  it('writes into a caller buffer', () => {
    const gen = new ToneGenerator({ frequencies: [440], levelDbm0: -10 });
    const buf = new Int16Array(200);
    const f = gen.next(buf);
    expect(f.buffer).toBe(buf.buffer);
    expect(f.length).toBe(160);
    expect(() => gen.next(new Int16Array(100))).toThrow(RangeError);
  });

  it('follows a cadence sample-exactly, each burst starting at phase zero', () => {
    const gen = new ToneGenerator(TONES.ringbackUK); // 400 on, 200 off, 400 on, 2000 off
    const x = frames(gen, 2 * 150 + 10); // two 3 s cycles and a bit
    const on = (n: number): boolean => {
      const t = (n / 8) % 3000;
      return t < 400 || (t >= 600 && t < 1000);
    };
    for (const start of [0, 600 * 8, 3000 * 8, 3600 * 8]) {
      expect(x[start]).toBe(0); // sin(0)
      expect(x.subarray(start, start + 3200).some((v) => Math.abs(v) > 1000)).toBe(true);
    }
    for (let n = 0; n < x.length; n++) {
      if (!on(n) && x[n] !== 0) expect.fail(`sample ${n} should be silent`);
    }
    // The "on" parts have the tone's power, the "off" parts none.
    const burst = x.subarray(0, 3200);
    expect(amplitudeToDbm0(magnitudeAt(burst, 400))).toBeCloseTo(-19, 0);
  });

  it('handles cadence boundaries inside a frame and zero-length segments', () => {
    const gen = new ToneGenerator({ frequencies: [1000], levelDbm0: -10, cadence: [5, 0, 5, 10] });
    const x = frames(gen, 4); // 80 ms: 10 ms on, 10 ms off, repeated
    for (let n = 0; n < x.length; n++) {
      const inOn = (n / 8) % 20 < 10;
      if (!inOn && x[n] !== 0) expect.fail(`sample ${n} should be silent`);
    }
    expect(rms(x.subarray(0, 80))).toBeGreaterThan(1000);
    expect(rms(x.subarray(160, 240))).toBeGreaterThan(1000);
  });

  it('starts over on reset', () => {
    const gen = new ToneGenerator(TONES.busyUS);
    const a = gen.next().slice();
    gen.next();
    gen.reset();
    expect([...gen.next()]).toEqual([...a]);
  });

  it('refuses impossible tones', () => {
    expect(() => new ToneGenerator({ frequencies: [], levelDbm0: 0 })).toThrow(RangeError);
    expect(() => new ToneGenerator({ frequencies: [4000], levelDbm0: 0 })).toThrow(RangeError);
    expect(() => new ToneGenerator({ frequencies: [440, 480], levelDbm0: [-1] })).toThrow(
      RangeError,
    );
    expect(() => new ToneGenerator({ frequencies: [440], levelDbm0: 0, cadence: [100] })).toThrow(
      RangeError,
    );
    expect(() => new ToneGenerator({ frequencies: [440], levelDbm0: 0, cadence: [0, 0] })).toThrow(
      RangeError,
    );
  });
});

describe('generateTone', () => {
  it('returns exactly the requested duration', () => {
    expect(generateTone({ frequencies: [440], levelDbm0: -10 }, 45).length).toBe(360);
    expect(generateTone({ frequencies: [440], levelDbm0: -10 }, 0).length).toBe(0);
  });

  it('ships call-progress tones at their frequencies', () => {
    const x = generateTone(TONES.dialUS, 1000);
    expect(amplitudeToDbm0(magnitudeAt(x, 350))).toBeCloseTo(-13, 1);
    expect(amplitudeToDbm0(magnitudeAt(x, 440))).toBeCloseTo(-13, 1);
    expect(
      generateTone(TONES.ringbackUS, 2500)
        .subarray(16000)
        .every((v) => v === 0),
    ).toBe(true);
  });
});
