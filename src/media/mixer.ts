/**
 * Conference mixing: each 20 ms tick, every participant hears the sum of
 * everyone else (N-1 mixing).
 *
 * The cost is O(N) per tick, not O(N^2): the unmuted inputs are summed once
 * into an Int32 accumulator, and each participant's mix is that sum minus
 * their own input. Int32 cannot overflow below 65536 full-scale talkers.
 *
 * Overload is handled per listener, since each hears a different sum. When
 * a mix would leave the int16 range, a limiter scales it: the gain needed is
 * computed from the frame's peak (a frame is 20 ms of lookahead for free),
 * applied at once when it must come down (fast attack, so nothing clips and
 * nothing wraps), and ramped back up across frames with a 400 ms time constant
 * (slow release, so the level does not pump between syllables). While the gain
 * is 1 and nothing overloads, the output is the plain integer sum, and a
 * listener with no more than one other speaker gets that speaker's samples
 * untouched: a single voice can never overload, and the limiter is reset so
 * that a release still in progress cannot color it.
 *
 * Nothing is allocated per tick: the accumulator and every participant's
 * buffers are made once.
 */

import { dbm0ToAmplitude } from './tone.ts';

const FRAME = 160;
const FRAME_MS = 20;
const INT16_MAX = 32767;
const INT16_MIN = -32768;
/** More participants than this could overflow the Int32 accumulator. */
const MAX_PARTICIPANTS = 65535;

/** Release time constant of the limiter. */
const RELEASE_MS = 400;
/** Fraction of the remaining distance to unity gain recovered per frame. */
const RELEASE_PER_FRAME = 1 - Math.exp(-FRAME_MS / RELEASE_MS);
/** Within this of unity (0.01 dB) the release is complete. */
const UNITY_SNAP = 1e-3;

/** Frame energy (sum of squares) of a -40 dBm0 sine: quieter than this is not talking. */
const TALK_ENERGY = (dbm0ToAmplitude(-40) ** 2 / 2) * FRAME;
/** Frames "talking" stays on after the voice drops (300 ms), so the roster doesn't flicker. */
const TALK_HANGOVER = 15;

/** What a muted participant contributes: subtracting it leaves the whole sum. */
const SILENCE = new Int16Array(FRAME);

export class Participant {
  /** Not heard by the others while true; still hears them. */
  muted = false;
  /** This tick's 160 samples from the participant; fill before mix(). */
  readonly input = new Int16Array(FRAME);
  /** What the participant hears this tick; valid after mix() until the next one. */
  readonly output = new Int16Array(FRAME);
  /** Set by mix(): heard talking (frame over -40 dBm0, held 300 ms). Always false while muted. */
  talking = false;
  /** Set by mix(): the limiter's gain on this participant's output, 1 when it is not limiting. */
  gain = 1;
  /** Frames of talk hangover left. */
  private hangover = 0;

  constructor(readonly id: string) {}

  /** Copies one frame (exactly 160 samples) into `input`. */
  setInput(frame: Int16Array): void {
    if (frame.length !== FRAME) {
      throw new RangeError(`a frame is ${FRAME} samples, got ${frame.length}`);
    }
    this.input.set(frame);
  }

  /** Updates `talking` from this tick's input energy; called by the mixer. */
  updateTalking(energy: number): void {
    if (this.muted) {
      this.talking = false;
      this.hangover = 0;
    } else if (energy > TALK_ENERGY) {
      this.talking = true;
      this.hangover = TALK_HANGOVER;
    } else if (this.hangover > 0) {
      this.hangover--;
    } else {
      this.talking = false;
    }
  }
}

export class ConferenceMixer {
  private readonly list: Participant[] = [];
  private readonly byId = new Map<string, Participant>();
  private readonly sum = new Int32Array(FRAME);

  get size(): number {
    return this.list.length;
  }

  get(id: string): Participant | undefined {
    return this.byId.get(id);
  }

  /** Adds a participant (unmuted, silent). Throws if `id` is already in the mix. */
  add(id: string): Participant {
    if (this.byId.has(id)) throw new Error(`participant ${id} is already in the mix`);
    if (this.list.length >= MAX_PARTICIPANTS) throw new RangeError('too many participants');
    const p = new Participant(id);
    this.list.push(p);
    this.byId.set(id, p);
    return p;
  }

  /** Removes a participant; returns whether it was there. */
  remove(id: string): boolean {
    const p = this.byId.get(id);
    if (!p) return false;
    this.byId.delete(id);
    // Order does not matter to the mix: swap with the last one and pop.
    const i = this.list.indexOf(p);
    const last = this.list.pop()!;
    if (last !== p) this.list[i] = last;
    return true;
  }

  /** Mixes one tick: reads every `input`, writes every `output`. */
  mix(): void {
    const list = this.list;
    const n = list.length;
    const sum = this.sum;
    sum.fill(0);

    let speakers = 0;
    for (let k = 0; k < n; k++) {
      const p = list[k]!;
      if (p.muted) {
        p.updateTalking(0);
        continue;
      }
      speakers++;
      const x = p.input;
      let energy = 0;
      for (let i = 0; i < FRAME; i++) {
        const v = x[i]!;
        sum[i] = sum[i]! + v;
        energy += v * v;
      }
      p.updateTalking(energy);
    }

    for (let k = 0; k < n; k++) {
      const p = list[k]!;
      const own = p.muted ? SILENCE : p.input;
      const others = p.muted ? speakers : speakers - 1;
      const out = p.output;
      if (others <= 1) {
        // One voice (or none) fits int16 as it is: pass it through bit-exact.
        if (others === 0) out.fill(0);
        else for (let i = 0; i < FRAME; i++) out[i] = sum[i]! - own[i]!;
        p.gain = 1;
        continue;
      }
      // Write the plain mix, tracking its range; redo it with gain only if needed.
      let hi = 0;
      let lo = 0;
      for (let i = 0; i < FRAME; i++) {
        const v = sum[i]! - own[i]!;
        out[i] = v;
        if (v > hi) hi = v;
        else if (v < lo) lo = v;
      }
      if (hi <= INT16_MAX && lo >= INT16_MIN && p.gain === 1) continue;
      this.limit(p, own, hi, lo);
    }
  }

  /** Rewrites `p.output` as the mix times the limiter's gain for this frame. */
  private limit(p: Participant, own: Int16Array, hi: number, lo: number): void {
    let need = 1;
    if (hi > INT16_MAX) need = INT16_MAX / hi;
    if (lo < INT16_MIN && INT16_MIN / lo < need) need = INT16_MIN / lo;
    const g0 = p.gain;
    const sum = this.sum;
    const out = p.output;
    if (need <= g0) {
      // Attack: the whole frame at the gain its peak needs, so no sample overloads.
      for (let i = 0; i < FRAME; i++) out[i] = Math.round((sum[i]! - own[i]!) * need);
      p.gain = need;
      return;
    }
    // Release: ramp up across the frame towards unity, never past what this
    // frame's peak allows (every gain in the ramp is at most g1 <= need).
    let g1 = g0 + (1 - g0) * RELEASE_PER_FRAME;
    if (g1 > need) g1 = need;
    if (need >= 1 && g1 > 1 - UNITY_SNAP) g1 = 1;
    const step = (g1 - g0) / FRAME;
    let g = g0;
    for (let i = 0; i < FRAME; i++) {
      g += step;
      out[i] = Math.round((sum[i]! - own[i]!) * (g < g1 ? g : g1));
    }
    p.gain = g1;
  }
}
