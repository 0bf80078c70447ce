import { describe, expect, it } from 'vitest';
import {
  DTMF_COL_FREQUENCIES,
  DTMF_ROW_FREQUENCIES,
  InbandDtmfDetector,
  dtmfFrequencies,
} from './goertzel-dtmf.ts';
import { dbm0ToAmplitude, generateTone } from './tone.ts';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.ts';

const DIGITS = '0123456789*#ABCD';
const ms = (n: number): number => Math.round(n * 8);

/** Deterministic PRNG (Park-Miller) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

function clamp16(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

/** Audio built from [kind, duration ms] pieces. */
function sequence(
  parts: ReadonlyArray<readonly [string, number]>,
  level: number | [number, number] = -10,
): Int16Array {
  const chunks = parts.map(([what, dur]) => {
    if (what === '-') return new Int16Array(ms(dur));
    return generateTone({ frequencies: dtmfFrequencies(what)!, levelDbm0: level }, dur);
  });
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** One tone with silence around it, starting `offset` samples into the first frame. */
function burst(
  frequencies: number[],
  levels: number | number[],
  durMs: number,
  offset = 0,
): Int16Array {
  const tone = generateTone({ frequencies, levelDbm0: levels }, durMs);
  const out = new Int16Array(ms(100) + offset + tone.length + ms(100));
  out.set(tone, ms(100) + offset);
  return out;
}

function detect(samples: Int16Array, frame = 160, det = new InbandDtmfDetector()): string {
  let out = '';
  for (let i = 0; i < samples.length; i += frame) {
    out += det.push(samples.subarray(i, Math.min(samples.length, i + frame))).join('');
  }
  return out;
}

function addNoise(x: Int16Array, rmsLevel: number, rand: () => number): Int16Array {
  return x.map((v) => clamp16(v + rmsLevel * gaussian(rand)));
}

describe('dtmfFrequencies', () => {
  it('knows the keypad', () => {
    expect(dtmfFrequencies('1')).toEqual([697, 1209]);
    expect(dtmfFrequencies('0')).toEqual([941, 1336]);
    expect(dtmfFrequencies('#')).toEqual([941, 1477]);
    expect(dtmfFrequencies('d')).toEqual([941, 1633]);
    expect(dtmfFrequencies('x')).toBeUndefined();
    expect(dtmfFrequencies('12')).toBeUndefined();
    expect(DTMF_ROW_FREQUENCIES).toEqual([697, 770, 852, 941]);
    expect(DTMF_COL_FREQUENCIES).toEqual([1209, 1336, 1477, 1633]);
  });
});

describe('InbandDtmfDetector: detection', () => {
  it('detects each of the 16 digits exactly once at -3 to -30 dBm0', () => {
    for (const level of [-3, -10, -20, -30]) {
      for (const d of DIGITS) {
        const x = sequence(
          [
            ['-', 60],
            [d, 100],
            ['-', 100],
          ],
          level,
        );
        expect(detect(x), `${d} at ${level} dBm0`).toBe(d);
      }
    }
  });

  it('detects a digit held for a long time once', () => {
    expect(detect(sequence([['5', 2000]]))).toBe('5');
  });

  it('detects a digit sequence with 50 ms gaps, in order', () => {
    const parts: Array<[string, number]> = [];
    for (const d of DIGITS) parts.push([d, 50], ['-', 50]);
    expect(detect(sequence(parts))).toBe(DIGITS);
  });

  it('reports a repeated digit once per press when the gap is 40 ms or more', () => {
    const presses = (gap: number): Array<[string, number]> => [
      ['7', 60],
      ['-', gap],
      ['7', 60],
      ['-', gap],
      ['7', 60],
      ['-', 100],
    ];
    expect(detect(sequence(presses(50)))).toBe('777');
    expect(detect(sequence(presses(40)))).toBe('777');
  });

  it('bridges a dropout of up to 20 ms inside one press', () => {
    for (const gap of [5, 10, 20]) {
      const x = sequence([
        ['3', 200],
        ['-', gap],
        ['3', 200],
      ]);
      expect(detect(x), `${gap} ms dropout`).toBe('3');
    }
  });

  it('reports back-to-back different digits without a gap', () => {
    expect(
      detect(
        sequence([
          ['1', 80],
          ['2', 80],
          ['3', 80],
          ['-', 50],
        ]),
      ),
    ).toBe('123');
  });

  it('accepts 40 ms tones at any alignment with the analysis hops', () => {
    for (const d of DIGITS) {
      for (let offset = 0; offset < 40; offset += 7) {
        expect(detect(burst(dtmfFrequencies(d)!, -10, 40, offset)), `${d} +${offset}`).toBe(d);
      }
    }
  });

  it('rejects short blips (< 40 ms)', () => {
    for (const dur of [5, 10, 20, 25, 30]) {
      for (const d of DIGITS) {
        for (let offset = 0; offset < 40; offset += 13) {
          expect(detect(burst(dtmfFrequencies(d)!, -10, dur, offset)), `${d} ${dur} ms`).toBe('');
        }
      }
    }
  });

  it('gives the same result whatever the frame size', () => {
    const x = sequence([
      ['-', 33],
      ['9', 70],
      ['-', 45],
      ['#', 55],
      ['-', 60],
      ['9', 45],
      ['-', 50],
    ]);
    for (const frame of [1, 7, 40, 80, 160, 240, 1000, x.length]) {
      expect(detect(x, frame), `frame ${frame}`).toBe('9#9');
    }
  });

  it('returns a shared empty result when nothing is detected', () => {
    const det = new InbandDtmfDetector();
    const a = det.push(new Int16Array(160));
    const b = det.push(new Int16Array(160));
    expect(a).toHaveLength(0);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('starts over on reset', () => {
    const det = new InbandDtmfDetector();
    const x = sequence([['8', 100]]);
    expect(detect(x, 160, det)).toBe('8');
    // Still held: a continuation is not a new press...
    expect(detect(x, 160, det)).toBe('');
    det.reset();
    // ...but after reset it is.
    expect(detect(x, 160, det)).toBe('8');
  });
});

describe('InbandDtmfDetector: levels and tolerances', () => {
  it('ignores tones below the minimum level, and honours a custom one', () => {
    const x = sequence([['6', 100]], -45);
    expect(detect(x)).toBe('');
    expect(detect(x, 160, new InbandDtmfDetector({ minLevelDbm0: -50 }))).toBe('6');
    expect(
      detect(sequence([['6', 100]], -25), 160, new InbandDtmfDetector({ minLevelDbm0: -20 })),
    ).toBe('');
  });

  it('accepts twist within limits (row up to 8 dB louder, column up to 4 dB louder)', () => {
    for (const d of DIGITS) {
      const [row, col] = dtmfFrequencies(d)!;
      expect(detect(burst([row, col], [-10, -17], 80)), `${d} normal 7 dB`).toBe(d);
      expect(detect(burst([row, col], [-13, -10], 80)), `${d} reverse 3 dB`).toBe(d);
    }
  });

  it('rejects twist out of limits', () => {
    for (const d of DIGITS) {
      const [row, col] = dtmfFrequencies(d)!;
      expect(detect(burst([row, col], [-5, -15], 80)), `${d} normal 10 dB`).toBe('');
      expect(detect(burst([row, col], [-16, -10], 80)), `${d} reverse 6 dB`).toBe('');
    }
  });

  it('honours custom twist limits', () => {
    const [row, col] = dtmfFrequencies('5')!;
    const x = burst([row, col], [-5, -15], 80);
    expect(detect(x, 160, new InbandDtmfDetector({ normalTwistDb: 12 }))).toBe('5');
    const y = burst([row, col], [-15, -10], 80);
    expect(detect(y, 160, new InbandDtmfDetector({ reverseTwistDb: 6 }))).toBe('5');
  });

  it('accepts ±1.5% frequency error and rejects ±3.5% (Q.24)', () => {
    for (const d of DIGITS) {
      const [row, col] = dtmfFrequencies(d)!;
      for (const [dr, dc] of [
        [1.015, 1.015],
        [0.985, 0.985],
        [1.015, 0.985],
      ]) {
        expect(detect(burst([row * dr!, col * dc!], -10, 80)), `${d} ${dr}/${dc}`).toBe(d);
      }
      for (const [dr, dc] of [
        [1.035, 1],
        [0.965, 1],
        [1, 1.035],
        [1, 0.965],
      ]) {
        expect(detect(burst([row * dr!, col * dc!], -10, 80)), `${d} ${dr}/${dc}`).toBe('');
      }
    }
  });

  it('still detects through G.711 µ-law and A-law at -30 dBm0', () => {
    const x = sequence(
      [...DIGITS].flatMap((d) => [[d, 60] as const, ['-', 60] as const]),
      -30,
    );
    const viaUlaw = x.map((v) => ulawToLinear[linearToUlaw(v)]!);
    const viaAlaw = x.map((v) => alawToLinear[linearToAlaw(v)]!);
    expect(detect(viaUlaw)).toBe(DIGITS);
    expect(detect(viaAlaw)).toBe(DIGITS);
  });

  it('still detects with noise 15 dB below the tones', () => {
    const rand = rng(99);
    const x = sequence(
      [...DIGITS].flatMap((d) => [[d, 60] as const, ['-', 60] as const]),
      -20,
    );
    // Each tone is -20 dBm0; noise RMS 15 dB below one tone's RMS.
    const noisy = addNoise(x, dbm0ToAmplitude(-35) / Math.SQRT2, rand);
    expect(detect(noisy)).toBe(DIGITS);
  });
});

describe('InbandDtmfDetector: rejection of non-DTMF signals', () => {
  it('ignores silence', () => {
    expect(detect(new Int16Array(ms(5000)))).toBe('');
  });

  it('ignores white noise at several levels', () => {
    const rand = rng(1);
    for (const rms of [30, 300, 3000, 10000]) {
      const x = new Int16Array(ms(5000)).map(() => clamp16(rms * gaussian(rand)));
      expect(detect(x), `noise rms ${rms}`).toBe('');
    }
  });

  it('ignores a single 1 kHz tone, and single DTMF frequencies', () => {
    for (const level of [-3, -10, -30]) {
      expect(detect(generateTone({ frequencies: [1000], levelDbm0: level }, 2000))).toBe('');
    }
    for (const f of [...DTMF_ROW_FREQUENCIES, ...DTMF_COL_FREQUENCIES]) {
      expect(detect(generateTone({ frequencies: [f], levelDbm0: -6 }, 500)), `${f} Hz`).toBe('');
    }
  });

  it('ignores a chord of three non-DTMF frequencies', () => {
    for (const chord of [
      [440, 554, 659], // A major
      [650, 1000, 1300],
      [740, 1100, 1550],
    ]) {
      expect(detect(generateTone({ frequencies: chord, levelDbm0: -10 }, 2000)), `${chord}`).toBe(
        '',
      );
    }
  });

  it('ignores two tones from the same group', () => {
    expect(detect(generateTone({ frequencies: [697, 852], levelDbm0: -10 }, 500))).toBe('');
    expect(detect(generateTone({ frequencies: [1209, 1477], levelDbm0: -10 }, 500))).toBe('');
  });

  it('ignores a dual tone under a third component carrying as much energy as the pair', () => {
    const x = generateTone({ frequencies: [697, 1209, 1000], levelDbm0: [-13, -13, -10] }, 500);
    expect(detect(x)).toBe('');
  });

  it('ignores call-progress tones', () => {
    for (const frequencies of [[350, 440], [440, 480], [480, 620], [400, 450], [425]]) {
      expect(detect(generateTone({ frequencies, levelDbm0: -10 }, 2000))).toBe('');
    }
  });

  /**
   * Voiced "speech": a harmonic series (amplitude 1/h, up to 3.8 kHz) whose
   * pitch wanders between 80 and 300 Hz, under a syllable-rate amplitude
   * envelope.
   */
  function syntheticSpeech(seconds: number, levelDbm0: number, seed: number): Int16Array {
    const rand = rng(seed);
    const n = seconds * 8000;
    const out = new Int16Array(n);
    const phase = new Float64Array(48);
    let f0 = 100 + rand() * 150;
    let target = f0;
    let syllable = 0;
    let syllableLength = 1;
    const amp = dbm0ToAmplitude(levelDbm0);
    let norm = 0;
    for (let h = 1; h < 48; h++) norm += 1 / (2 * h * h);
    for (let i = 0; i < n; i++) {
      if (i % 400 === 0) target = Math.min(300, Math.max(80, target + (rand() - 0.5) * 80));
      f0 += (target - f0) * 0.002;
      if (syllable >= syllableLength) {
        syllable = 0;
        syllableLength = 1000 + Math.floor(rand() * 2400);
      }
      const envelope = Math.sin((Math.PI * syllable) / syllableLength) ** 2;
      syllable++;
      let v = 0;
      for (let h = 1; h < 48 && f0 * h < 3800; h++) {
        phase[h] = (phase[h]! + (2 * Math.PI * f0 * h) / 8000) % (2 * Math.PI);
        v += Math.sin(phase[h]!) / h;
      }
      out[i] = clamp16((amp * envelope * v) / Math.sqrt(norm));
    }
    return out;
  }

  it('ignores synthetic speech at several levels', () => {
    for (const [level, seed] of [
      [-5, 1],
      [-15, 2],
      [-25, 3],
    ] as const) {
      expect(detect(syntheticSpeech(20, level, seed)), `speech at ${level} dBm0`).toBe('');
    }
  });

  it('ignores synthetic speech mixed with noise', () => {
    const rand = rng(5);
    const x = addNoise(syntheticSpeech(10, -15, 4), 200, rand);
    expect(detect(x)).toBe('');
  });

  it('still finds a digit dialled over speech-free noise after speech', () => {
    const speech = syntheticSpeech(3, -15, 6);
    const tone = sequence([
      ['-', 100],
      ['4', 80],
      ['-', 100],
    ]);
    const x = new Int16Array(speech.length + tone.length);
    x.set(speech);
    x.set(tone, speech.length);
    expect(detect(x)).toBe('4');
  });
});
