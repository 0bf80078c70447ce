/**
 * Tone generation: single or multi-frequency tones with an optional on/off
 * cadence, produced frame by frame (20 ms at 8 kHz by default) for comfort
 * tones such as ring-back, and for tests of the DTMF detector.
 *
 * Each component is a unit phasor rotated once per sample (four multiplies),
 * not Math.sin per sample: a ring-back tone for a thousand waiting callers is
 * sixteen million samples a second. Phase carries across frames, so frames
 * join without clicks; the phasor is renormalized once per frame so rounding
 * cannot make it drift in amplitude.
 */

/**
 * Peak amplitude of a 0 dBm0 sine in 16-bit linear PCM. G.711's maximum
 * (full-scale) sine is +3.14 dBm0 (G.711 A-law; µ-law is 3.17), so 0 dBm0
 * is 3.14 dB below 32767.
 */
export const DBM0_PEAK = 32767 * 10 ** (-3.14 / 20);

/** Peak amplitude of a sine at `levelDbm0`. */
export function dbm0ToAmplitude(levelDbm0: number): number {
  return DBM0_PEAK * 10 ** (levelDbm0 / 20);
}

/** Level in dBm0 of a sine with peak amplitude `amplitude`. */
export function amplitudeToDbm0(amplitude: number): number {
  return 20 * Math.log10(amplitude / DBM0_PEAK);
}

export interface ToneSpec {
  /** One or more frequencies in Hz, summed. */
  frequencies: readonly number[];
  /** Level of each component in dBm0 (a number for all, or one per frequency). */
  levelDbm0: number | readonly number[];
  /**
   * On/off durations in ms, alternating and starting with "on", repeated
   * forever: [2000, 4000] is North American ring-back. Absent: continuous.
   */
  cadence?: readonly number[];
}

export interface ToneOptions {
  /** Default 8000. */
  sampleRate?: number;
  /** Samples per frame; default 20 ms worth (160 at 8 kHz). */
  frameSamples?: number;
}

/** Some call-progress tones (ITU-T E.180 and national variants), per component level. */
export const TONES = {
  dialUS: { frequencies: [350, 440], levelDbm0: -13 },
  ringbackUS: { frequencies: [440, 480], levelDbm0: -19, cadence: [2000, 4000] },
  busyUS: { frequencies: [480, 620], levelDbm0: -24, cadence: [500, 500] },
  ringbackUK: { frequencies: [400, 450], levelDbm0: -19, cadence: [400, 200, 400, 2000] },
  dialEU: { frequencies: [425], levelDbm0: -13 },
  ringbackEU: { frequencies: [425], levelDbm0: -13, cadence: [1000, 4000] },
  busyEU: { frequencies: [425], levelDbm0: -13, cadence: [500, 500] },
} as const satisfies Record<string, ToneSpec>;

export class ToneGenerator {
  readonly sampleRate: number;
  readonly frameSamples: number;

  private readonly amp: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Cadence segment lengths in samples (even count: on, off, ...), empty when continuous. */
  private readonly segments: number[];
  private segment = 0;
  /** Samples left in the current cadence segment. */
  private left = 0;

  constructor(spec: ToneSpec, opts: ToneOptions = {}) {
    this.sampleRate = opts.sampleRate ?? 8000;
    this.frameSamples = opts.frameSamples ?? Math.round(this.sampleRate / 50);
    const n = spec.frequencies.length;
    if (n === 0) throw new RangeError('a tone needs at least one frequency');
    const levels = typeof spec.levelDbm0 === 'number' ? undefined : spec.levelDbm0;
    if (levels && levels.length !== n) throw new RangeError('one level per frequency');
    this.amp = new Float64Array(n);
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = spec.frequencies[i]!;
      if (!(f >= 0 && f < this.sampleRate / 2))
        throw new RangeError(`frequency ${f} Hz out of range`);
      const level = levels ? levels[i]! : (spec.levelDbm0 as number);
      this.amp[i] = dbm0ToAmplitude(level);
      const w = (2 * Math.PI * f) / this.sampleRate;
      this.cos[i] = Math.cos(w);
      this.sin[i] = Math.sin(w);
    }
    const cadence = spec.cadence ?? [];
    if (cadence.length % 2 !== 0) throw new RangeError('cadence must alternate on and off');
    this.segments = cadence.map((ms) => Math.round((ms * this.sampleRate) / 1000));
    if (this.segments.some((s) => s < 0)) throw new RangeError('negative cadence duration');
    if (cadence.length && this.segments.every((s) => s === 0)) {
      throw new RangeError('cadence has no duration');
    }
    this.reset();
  }

  /** Back to the start of the first "on" period, phase zero. */
  reset(): void {
    this.re.fill(1);
    this.im.fill(0);
    this.segment = 0;
    this.left = this.segments.length ? this.segments[0]! : Infinity;
  }

  /**
   * Writes the next frame into `out` (allocated when absent; pass one to
   * avoid allocating in the media loop) and returns the frame: a view of
   * `out` exactly `frameSamples` long.
   */
  next(out?: Int16Array): Int16Array {
    const n = this.frameSamples;
    if (out && out.length < n) throw new RangeError(`frame needs ${n} samples`);
    const frame = out ? out.subarray(0, n) : new Int16Array(n);
    let i = 0;
    while (i < n) {
      if (this.left === 0) this.advanceSegment();
      const run = Math.min(n - i, this.left);
      if (this.segment % 2 === 0) this.render(frame, i, run);
      else frame.fill(0, i, i + run);
      i += run;
      this.left -= run;
    }
    this.normalize();
    return frame;
  }

  private advanceSegment(): void {
    // Skip zero-length segments (a cadence may have a 0 ms off, say).
    do {
      this.segment = (this.segment + 1) % this.segments.length;
      this.left = this.segments[this.segment]!;
    } while (this.left === 0);
    // Each burst starts at phase zero: sin(0) = 0, so the onset does not click.
    if (this.segment % 2 === 0) {
      this.re.fill(1);
      this.im.fill(0);
    }
  }

  private render(frame: Int16Array, start: number, count: number): void {
    const k = this.amp.length;
    const end = start + count;
    if (k === 1) {
      // The common single-frequency case, kept in locals.
      let re = this.re[0]!;
      let im = this.im[0]!;
      const c = this.cos[0]!;
      const s = this.sin[0]!;
      const a = this.amp[0]!;
      for (let i = start; i < end; i++) {
        frame[i] = clamp(a * im);
        const r = re * c - im * s;
        im = re * s + im * c;
        re = r;
      }
      this.re[0] = re;
      this.im[0] = im;
      return;
    }
    if (k === 2) {
      // Dual tones (ring-back, busy, DTMF): both phasors in locals.
      let re0 = this.re[0]!;
      let im0 = this.im[0]!;
      let re1 = this.re[1]!;
      let im1 = this.im[1]!;
      const c0 = this.cos[0]!;
      const s0 = this.sin[0]!;
      const c1 = this.cos[1]!;
      const s1 = this.sin[1]!;
      const a0 = this.amp[0]!;
      const a1 = this.amp[1]!;
      for (let i = start; i < end; i++) {
        // Mix in float and round once, so component levels add exactly.
        frame[i] = clamp(a0 * im0 + a1 * im1);
        const r0 = re0 * c0 - im0 * s0;
        im0 = re0 * s0 + im0 * c0;
        re0 = r0;
        const r1 = re1 * c1 - im1 * s1;
        im1 = re1 * s1 + im1 * c1;
        re1 = r1;
      }
      this.re[0] = re0;
      this.im[0] = im0;
      this.re[1] = re1;
      this.im[1] = im1;
      return;
    }
    for (let i = start; i < end; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const re = this.re[j]!;
        const im = this.im[j]!;
        sum += this.amp[j]! * im;
        this.re[j] = re * this.cos[j]! - im * this.sin[j]!;
        this.im[j] = re * this.sin[j]! + im * this.cos[j]!;
      }
      frame[i] = clamp(sum);
    }
  }

  private normalize(): void {
    for (let j = 0; j < this.re.length; j++) {
      const m = Math.hypot(this.re[j]!, this.im[j]!);
      this.re[j] = this.re[j]! / m;
      this.im[j] = this.im[j]! / m;
    }
  }
}

function clamp(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** A whole tone of `durationMs` in one buffer (tests, prompts); not for the media loop. */
export function generateTone(spec: ToneSpec, durationMs: number, sampleRate = 8000): Int16Array {
  const total = Math.round((durationMs * sampleRate) / 1000);
  const gen = new ToneGenerator(spec, { sampleRate, frameSamples: Math.max(1, total) });
  return total > 0 ? gen.next() : new Int16Array(0);
}
