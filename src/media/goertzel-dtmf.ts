/**
 * In-band DTMF detection (ITU-T Q.23/Q.24 tones) for 8 kHz 16-bit PCM, for
 * callers whose phones or gateways send keys as audio instead of RFC 4733
 * events.
 *
 * Analysis: the Goertzel algorithm at the eight DTMF frequencies over a
 * 120-sample (15 ms) window, inside the classic 102-205 range, that slides
 * in 40-sample (5 ms) hops. Rather than re-running Goertzel over each
 * overlapping window, every 40-sample sub-block is run once and a window's
 * value is the phase-rotated sum of its three sub-blocks (a DFT is linear in
 * its input), so the per-sample cost is that of non-overlapping blocks (8
 * multiply-adds) while tone starts and ends are located to within 5 ms.
 *
 * A window is a hit for a digit when all of these hold:
 * - the strongest row and column tones are each above the minimum level;
 * - both are within 2.5% of their nominal frequency, measured from how far
 *   their phase turns from one window to the next (Q.24: accept ±1.5%,
 *   reject ±3.5%);
 * - twist: the row tone is at most 8 dB above the column ("normal" twist,
 *   the usual direction since lines attenuate the high group) and at most
 *   4 dB below it ("reverse" twist);
 * - each is 8 dB above every other tone of its group (one row, one column);
 * - the two tones carry most of the window's energy (speech, music and noise
 *   spread theirs across the band);
 * - the column tone's second harmonic is at least 12 dB below it (voiced
 *   speech is a harmonic series; a DTMF generator is not). Only the column's:
 *   the row harmonics (1394-1882 Hz) sit next to column frequencies, whose
 *   leakage would make that test reject real digits.
 *
 * Timing: a digit is reported once seven hops hit (spanning 45 ms of audio,
 * which, since windows mostly covering a tone still hit, means every tone of
 * 40 ms or more and none under about 34 ms), and the same digit again only
 * after eight hops (40 ms) that are not that digit: the 15 ms window smears
 * a gap by up to 10 ms, and a short dropout inside one long press must not
 * become two presses. A different digit needs no release.
 *
 * Talk-off is not zero, and cannot be for a detector of this kind: a vowel
 * whose pitch and formants put two strong harmonics on a row and a column
 * frequency, and little energy elsewhere, is acoustically a DTMF tone. The
 * call plane should prefer RFC 4733 events when the peer offers them.
 */

import { dbm0ToAmplitude } from './tone.ts';

const RATE = 8000;
/** Hop and sub-block length: 5 ms. */
const SUB = 40;
/** Sub-blocks per analysis window. */
const SUBS = 3;
/** Analysis window: 120 samples, 15 ms. */
const N = SUB * SUBS;

export const DTMF_ROW_FREQUENCIES: readonly number[] = [697, 770, 852, 941];
export const DTMF_COL_FREQUENCIES: readonly number[] = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

/** The [row, column] frequencies of a DTMF key, or undefined for anything else. */
export function dtmfFrequencies(digit: string): [number, number] | undefined {
  const d = digit.toUpperCase();
  if (d.length !== 1) return undefined;
  for (let r = 0; r < 4; r++) {
    const c = KEYPAD[r]!.indexOf(d);
    if (c >= 0) return [DTMF_ROW_FREQUENCIES[r]!, DTMF_COL_FREQUENCIES[c]!];
  }
  return undefined;
}

export interface InbandDtmfOptions {
  /** Minimum level of each of the two tones, dBm0. Default -36 (Q.24 asks for -30 at worst). */
  minLevelDbm0?: number;
  /** Row tone louder than column, dB. Default 8. */
  normalTwistDb?: number;
  /** Column tone louder than row, dB. Default 4. */
  reverseTwistDb?: number;
}

const FREQS = [...DTMF_ROW_FREQUENCIES, ...DTMF_COL_FREQUENCIES];
const COEF = new Float64Array(8); // 2 cos w: the Goertzel recurrence
const COS = new Float64Array(8);
const SIN = new Float64Array(8);
// e^{jwL} and e^{j2wL}: carry an older sub-block's DFT to the window's reference point.
const ROT1_RE = new Float64Array(8);
const ROT1_IM = new Float64Array(8);
const ROT2_RE = new Float64Array(8);
const ROT2_IM = new Float64Array(8);
const HARM_COEF = new Float64Array(8); // 2 cos 2w, for the second-harmonic check
for (let k = 0; k < 8; k++) {
  const w = (2 * Math.PI * FREQS[k]!) / RATE;
  COEF[k] = 2 * Math.cos(w);
  COS[k] = Math.cos(w);
  SIN[k] = Math.sin(w);
  ROT1_RE[k] = Math.cos(w * SUB);
  ROT1_IM[k] = Math.sin(w * SUB);
  ROT2_RE[k] = Math.cos(2 * w * SUB);
  ROT2_IM[k] = Math.sin(2 * w * SUB);
  HARM_COEF[k] = 2 * Math.cos(2 * w);
}

const dbPower = (db: number): number => 10 ** (db / 10);

/** Relative-peak margin within a group: 8 dB. */
const GROUP_MARGIN = dbPower(8);
/**
 * The two tones' share of the window energy, relative to a pure dual tone
 * (1.0). Tones ±1.5% off frequency still score about 0.75, noise 15 dB down
 * 0.93; a window only partly covered by a tone scores about its coverage.
 */
const ENERGY_SHARE = 0.6;
/** Largest frequency error accepted: Q.24 wants ±1.5% accepted and ±3.5% rejected. */
const MAX_FREQ_ERROR = 0.025;
/** Column second harmonic must be this far down: 12 dB. */
const HARMONIC_MARGIN = dbPower(12);
/** Hit hops to report a digit: 7, spanning 15 ms + 6 * 5 ms = 45 ms of audio. */
const ACCEPT_HOPS = 7;
/** Non-hit hops tolerated inside a run of hits (a click, leakage ripple at a limit). */
const MAX_GAP_HOPS = 1;
/** Consecutive non-hit hops before the same digit can be reported again: 40 ms. */
const RELEASE_HOPS = 8;

const NO_DIGITS: readonly string[] = Object.freeze([]);

export class InbandDtmfDetector {
  private readonly minPower: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;

  // Goertzel state for the sub-block being filled.
  private readonly s1 = new Float64Array(8);
  private readonly s2 = new Float64Array(8);
  private energy = 0;
  private fill = 0;
  // The last three sub-blocks: DFT values (relative to each one's last
  // sample), energies and samples, in ring slots.
  private readonly subRe = new Float64Array(8 * SUBS);
  private readonly subIm = new Float64Array(8 * SUBS);
  private readonly subEnergy = new Float64Array(SUBS);
  private readonly samples = new Float64Array(N);
  private slot = 0;
  private subs = 0;
  private readonly power = new Float64Array(8);
  // This window's and the previous window's DFT values, for frequency estimates.
  private winRe = new Float64Array(8);
  private winIm = new Float64Array(8);
  private prevRe = new Float64Array(8);
  private prevIm = new Float64Array(8);
  private havePrev = false;

  // Debounce state.
  private candidate = '';
  private run = 0;
  private gap = 0;
  private current = '';
  private missing = 0;

  constructor(opts: InbandDtmfOptions = {}) {
    // Goertzel power of a sine of amplitude A over the window is (A N / 2)^2.
    const a = dbm0ToAmplitude(opts.minLevelDbm0 ?? -36);
    this.minPower = ((a * N) / 2) ** 2;
    this.normalTwist = dbPower(opts.normalTwistDb ?? 8);
    this.reverseTwist = dbPower(opts.reverseTwistDb ?? 4);
  }

  /**
   * Analyses one frame (any length; 160 samples is 20 ms) and returns the
   * digits that became valid during it, usually none. The empty result is a
   * shared frozen array, so nothing is allocated per frame.
   */
  push(frame: Int16Array): readonly string[] {
    let found: string[] | undefined;
    let i = 0;
    while (i < frame.length) {
      const take = Math.min(SUB - this.fill, frame.length - i);
      const end = i + take;
      // Copy into the window's sample store (as doubles) and sum the energy.
      let e = this.energy;
      const x = this.samples;
      const base = this.slot * SUB + this.fill;
      for (let n = i, m = base; n < end; n++, m++) {
        const v = frame[n]!;
        e += v * v;
        x[m] = v;
      }
      // Four filters per pass keeps their states and coefficients in registers.
      const last = base + take;
      for (let g = 0; g < 8; g += 4) {
        const c0 = COEF[g]!;
        const c1 = COEF[g + 1]!;
        const c2 = COEF[g + 2]!;
        const c3 = COEF[g + 3]!;
        let a1 = this.s1[g]!;
        let a2 = this.s2[g]!;
        let b1 = this.s1[g + 1]!;
        let b2 = this.s2[g + 1]!;
        let d1 = this.s1[g + 2]!;
        let d2 = this.s2[g + 2]!;
        let f1 = this.s1[g + 3]!;
        let f2 = this.s2[g + 3]!;
        for (let m = base; m < last; m++) {
          const v = x[m]!;
          const a0 = v + c0 * a1 - a2;
          a2 = a1;
          a1 = a0;
          const b0 = v + c1 * b1 - b2;
          b2 = b1;
          b1 = b0;
          const d0 = v + c2 * d1 - d2;
          d2 = d1;
          d1 = d0;
          const f0 = v + c3 * f1 - f2;
          f2 = f1;
          f1 = f0;
        }
        this.s1[g] = a1;
        this.s2[g] = a2;
        this.s1[g + 1] = b1;
        this.s2[g + 1] = b2;
        this.s1[g + 2] = d1;
        this.s2[g + 2] = d2;
        this.s1[g + 3] = f1;
        this.s2[g + 3] = f2;
      }
      this.energy = e;
      this.fill += take;
      i = end;
      if (this.fill === SUB) {
        const digit = this.hop();
        if (digit) (found ??= []).push(digit);
      }
    }
    return found ?? NO_DIGITS;
  }

  /** Forgets all state, as for a new call. */
  reset(): void {
    this.s1.fill(0);
    this.s2.fill(0);
    this.energy = 0;
    this.fill = 0;
    this.slot = 0;
    this.subs = 0;
    this.havePrev = false;
    this.candidate = '';
    this.run = 0;
    this.gap = 0;
    this.current = '';
    this.missing = 0;
  }

  /** Closes a sub-block, analyses the window ending with it, and debounces. */
  private hop(): string | undefined {
    const o = this.slot * 8;
    for (let k = 0; k < 8; k++) {
      // Goertzel output y = s1 - e^{-jw} s2 = sum x[n] e^{jw(L-1-n)}.
      const s1 = this.s1[k]!;
      const s2 = this.s2[k]!;
      this.subRe[o + k] = s1 - COS[k]! * s2;
      this.subIm[o + k] = SIN[k]! * s2;
      this.s1[k] = 0;
      this.s2[k] = 0;
    }
    this.subEnergy[this.slot] = this.energy;
    this.energy = 0;
    this.fill = 0;
    const newest = this.slot;
    this.slot = (this.slot + 1) % SUBS;
    if (this.subs < SUBS) this.subs++;
    let hit = '';
    if (this.subs === SUBS) {
      hit = this.classify(newest);
      // Keep this window's values as the next hop's "previous" (swap, no copy).
      const re = this.prevRe;
      const im = this.prevIm;
      this.prevRe = this.winRe;
      this.prevIm = this.winIm;
      this.winRe = re;
      this.winIm = im;
      this.havePrev = true;
    }
    return this.debounce(hit);
  }

  private classify(newest: number): string {
    const mid = (newest + SUBS - 1) % SUBS;
    const old = (newest + SUBS - 2) % SUBS;
    const p = this.power;
    for (let k = 0; k < 8; k++) {
      const c = newest * 8 + k;
      const b = mid * 8 + k;
      const a = old * 8 + k;
      // W = Y_new + e^{jwL} Y_mid + e^{j2wL} Y_old
      const re =
        this.subRe[c]! +
        ROT1_RE[k]! * this.subRe[b]! -
        ROT1_IM[k]! * this.subIm[b]! +
        ROT2_RE[k]! * this.subRe[a]! -
        ROT2_IM[k]! * this.subIm[a]!;
      const im =
        this.subIm[c]! +
        ROT1_RE[k]! * this.subIm[b]! +
        ROT1_IM[k]! * this.subRe[b]! +
        ROT2_RE[k]! * this.subIm[a]! +
        ROT2_IM[k]! * this.subRe[a]!;
      p[k] = re * re + im * im;
      this.winRe[k] = re;
      this.winIm[k] = im;
    }

    let row = 0;
    for (let k = 1; k < 4; k++) if (p[k]! > p[row]!) row = k;
    let col = 4;
    for (let k = 5; k < 8; k++) if (p[k]! > p[col]!) col = k;
    if (p[row]! < this.minPower || p[col]! < this.minPower || !this.havePrev) return '';

    // Both tones within the frequency tolerance.
    const dr = this.frequencyOffset(row);
    const dc = this.frequencyOffset(col);
    if (Math.abs(dr) > FREQS[row]! * MAX_FREQ_ERROR) return '';
    if (Math.abs(dc) > FREQS[col]! * MAX_FREQ_ERROR) return '';
    const pr = p[row]!;
    const pc = p[col]!;

    if (pr > pc * this.normalTwist || pc > pr * this.reverseTwist) return '';
    for (let k = 0; k < 4; k++) if (k !== row && p[k]! * GROUP_MARGIN > pr) return '';
    for (let k = 4; k < 8; k++) if (k !== col && p[k]! * GROUP_MARGIN > pc) return '';
    const energy = this.subEnergy[0]! + this.subEnergy[1]! + this.subEnergy[2]!;
    if (pr + pc < ENERGY_SHARE * energy * (N / 2)) return '';
    if (this.harmonicPower(col, newest) * HARMONIC_MARGIN > pc) return '';
    return KEYPAD[row]![col - 4]!;
  }

  /**
   * Frequency offset in Hz of the tone near FREQS[k], from how far its phase
   * turned between the previous window and this one (L samples later),
   * beyond the e^{jwL} a tone exactly at FREQS[k] would turn. Unambiguous
   * within ±RATE / (2 L) = ±100 Hz.
   */
  private frequencyOffset(k: number): number {
    const wr = this.winRe[k]!;
    const wi = this.winIm[k]!;
    const pr = this.prevRe[k]!;
    const pi = this.prevIm[k]!;
    // z = W conj(W_prev) e^{-jwL}
    const zr = wr * pr + wi * pi;
    const zi = wi * pr - wr * pi;
    const c = ROT1_RE[k]!;
    const s = ROT1_IM[k]!;
    const ar = zr * c + zi * s;
    const ai = zi * c - zr * s;
    return (Math.atan2(ai, ar) * RATE) / (2 * Math.PI * SUB);
  }

  /** Goertzel power at twice FREQS[k] over the window's samples, oldest first. */
  private harmonicPower(k: number, newest: number): number {
    const c = HARM_COEF[k]!;
    let s1 = 0;
    let s2 = 0;
    for (let j = 1; j <= SUBS; j++) {
      const start = ((newest + j) % SUBS) * SUB;
      for (let n = start; n < start + SUB; n++) {
        const s0 = this.samples[n]! + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
  }

  private debounce(hit: string): string | undefined {
    if (hit && hit === this.candidate) {
      this.run++;
      this.gap = 0;
    } else if (!hit && this.candidate && this.gap < MAX_GAP_HOPS) {
      // A window spoiled by a click or by leakage ripple at a limit does not
      // restart the count; it just does not add to it.
      this.gap++;
    } else {
      this.candidate = hit;
      this.run = hit ? 1 : 0;
      this.gap = 0;
    }
    if (hit && hit === this.current) this.missing = 0;
    else if (this.current && ++this.missing >= RELEASE_HOPS) this.current = '';
    if (hit && hit !== this.current && this.run >= ACCEPT_HOPS) {
      this.current = hit;
      this.missing = 0;
      return hit;
    }
    return undefined;
  }
}
