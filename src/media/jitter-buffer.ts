/**
 * Adaptive playout (jitter) buffer for one RTP audio source at 8 kHz: packets
 * of any size go in as they arrive, 20 ms frames come out on the media clock.
 *
 * Samples are placed by RTP timestamp into a ring (with a presence flag per
 * sample), not queued by arrival, so reordering, duplicates and packet sizes
 * that do not divide 20 ms (SIPp's 30 ms captures) need no special cases.
 * Flags are cleared as samples are played or skipped, which is what keeps
 * stale audio from ever being replayed when the ring comes round again.
 *
 * Timing model. For each packet the transit time is arrival minus
 * timestamp/8 (in ms, on whatever origins the two clocks have). `base` is
 * the smallest recent transit: a packet's first sample cannot arrive before
 * `timestamp/8 + base`. The frame starting at `playTs` is played at
 * `nowMs = playTs/8 + base + delay`; `delay` is the playout delay. A frame
 * needs its last sample, which is in a packet starting at most 159 samples
 * later, so a packet stream whose transit varies by J ms needs
 * `delay >= J + 20` for every packet size and alignment; the target is that,
 * with J the 97th percentile of recent transit minus base, kept in an
 * exponentially forgetting histogram (NetEq's approach: a percentile copes with
 * uniform or heavy-tailed jitter, where RFC 3550's mean deviation
 * underestimates the tail).
 *
 * Adaptation moves the playout point by whole frames, one per pull at most:
 * it holds the playout point (inserting a concealment or silent frame) to grow
 * the delay, and skips a frame to shrink it. Growth starts at once, since
 * packets are being lost to lateness; shrinking waits for a quiet frame (or
 * gives up waiting after a second of continuous sound), and since the
 * histogram forgets slowly, the target itself comes down over several
 * seconds. A late packet also adds a heavy weight to the histogram so one
 * late packet raises the target immediately rather than after the tail has
 * slowly filled up. Only a delay more than 100 ms over the target (a caller
 * that stopped pulling, a flood) is cut in one skip.
 *
 * The buffer never holds more than the cap (500 ms) ahead of the playout
 * point; packets beyond it are dropped. A packet 1 s or more off the
 * timeline is a stray or a new timeline (sender restart): a second one near
 * it confirms the jump and the buffer re-anchors there. Packets all outside
 * the window for 300 ms also re-anchor it (a timeline that moved less).
 *
 * Nothing is allocated per packet or per frame; all state is preallocated in
 * the constructor (reset() re-creates only the sequence tracker).
 */

import { SequenceTracker } from './rtp-packet.ts';
import { dbm0ToAmplitude } from './tone.ts';

/** Samples per ms at 8 kHz. */
const PER_MS = 8;
/** Playout frame: 20 ms. */
const FRAME = 160;
const FRAME_MS = FRAME / PER_MS;

/** Histogram of transit above base: 2 ms buckets up to 256 ms, the last one open-ended. */
const BUCKET_MS = 2;
const BUCKETS = 128;
/** The target covers all but this fraction of recent transit deviations (97th percentile). */
const TAIL = 0.03;
/**
 * Weight a late packet adds to its bucket, as a fraction of the histogram's
 * total: more than TAIL, so the percentile reaches that bucket at once.
 */
const LATE_BOOST = 0.04;
/** Time constant of the histogram's forgetting, in ms of audio received. */
const HISTORY_MS = 5000;
/** Weights grow instead of old ones decaying; rescale before they overflow. */
const RENORMALIZE_ABOVE = 1e100;

/**
 * How fast `base` may rise with no new minimum, in ms per ms: 1000 ppm, ten
 * times worse than any real sender's clock drift, which `base` must follow.
 */
const BASE_CREEP = 0.001;
/** Longest gap between packets credited to the creep, so a long hold doesn't move base much. */
const CREEP_GAP_MS = 100;

/** Grow (insert a frame) when the delay is this far below the target. */
const GROW_BELOW_MS = 10;
/**
 * Shrink (skip a frame) when the delay is this far above the target. With
 * GROW_BELOW_MS the two leave more than a frame of dead band, so one
 * adjustment can never trigger the opposite one.
 */
const SHRINK_ABOVE_MS = 15;
/** Further above the target than this, skip straight to it (a stalled caller, a flood). */
const JUMP_ABOVE_MS = 100;
/**
 * Pulls to wait for a quiet frame before skipping a frame of sound anyway:
 * a second normally, a fifth of one when the delay is two frames or more too
 * long (after a burst, say), which still drops no more than 10% of the audio.
 */
const FORCE_SHRINK_AFTER = 50;
const FORCE_SHRINK_FAR_AFTER = 10;
/** A frame quieter than a -40 dBm0 sine (RMS) may be skipped without being missed. */
const QUIET_ENERGY = (dbm0ToAmplitude(-40) ** 2 / 2) * FRAME;

/**
 * Packets outside the window (late, or beyond the cap) for this long of
 * arrival time, with none in it, mean the sender's timeline moved by less
 * than a "far" jump (a timestamp that stopped during a pause, say):
 * re-anchor rather than drop everything from now on. A burst after a network
 * stall arrives within a few ms, so it never lasts this long.
 */
const OUTSIDE_RESYNC_MS = 300;
/** Packets at least this far from the playout point are a new timeline (a jump). */
const FAR_MS = 1000;
/** Audio kept from the first packet of an unconfirmed jump: 240 ms, longer packets are cut. */
const STASH_SAMPLES = 1920;

const NO_SAMPLES = new Int16Array(0);
const NO_FLAGS = new Uint8Array(0);

export interface JitterBufferOptions {
  /** Lowest target delay, ms. Default 20. */
  minDelayMs?: number;
  /** Highest target delay, ms. Default 200. */
  maxDelayMs?: number;
  /** Most audio held ahead of the playout point, ms. Default 500. */
  capacityMs?: number;
}

export interface JitterBufferStats {
  /** Packets pushed, not counting duplicates. */
  received: number;
  /** Packets whose sequence number had already been received; ignored. */
  duplicates: number;
  /**
   * Packets that arrived after their first sample's playout time. Those
   * entirely behind the playout point are dropped; of one that straddles it,
   * the part still ahead is kept.
   */
  late: number;
  /**
   * Packets that never arrived (sequence-number gaps, RFC 3550 cumulative
   * loss). Together with `late`, the packets that were never played.
   */
  lost: number;
  /** Frames played as a faded copy of the previous frame (concealment). */
  concealed: number;
  /** Packets dropped because they would have put more than the cap in the buffer. */
  overflowDropped: number;
  /** Frames skipped to bring the delay down (a jump counts every frame it skips). */
  droppedFrames: number;
  /** Frames inserted (playout held) to bring the delay up. */
  insertedFrames: number;
  /** Times the buffer re-anchored on a new timeline (jumps, persistent misses; not reset()). */
  resyncs: number;
  /** Playout delay of the last frame pulled, ms (see the file comment); 0 before any audio. */
  currentDelayMs: number;
  /** Delay the buffer is steering towards, ms. */
  targetDelayMs: number;
}

export class JitterBuffer {
  /** Counters and delays; updated in place, never replaced. */
  readonly stats: JitterBufferStats = {
    received: 0,
    duplicates: 0,
    late: 0,
    lost: 0,
    concealed: 0,
    overflowDropped: 0,
    droppedFrames: 0,
    insertedFrames: 0,
    resyncs: 0,
    currentDelayMs: 0,
    targetDelayMs: 0,
  };

  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly capSamples: number;
  private readonly farSamples: number;
  private readonly mask: number;

  /**
   * The ring, allocated by the first packet: a call that never sends audio
   * (a trunk's probe, a caller who hangs up during the greeting) costs no
   * 24 KB of buffers, which at hundreds of calls a second is GC pressure.
   */
  private data: Int16Array = NO_SAMPLES;
  private present: Uint8Array = NO_FLAGS;
  private readonly ringSize: number;
  /** The frame returned by pull(). */
  private readonly out = new Int16Array(FRAME);
  /** The last frame that carried audio, for concealment. */
  private readonly prev = new Int16Array(FRAME);
  private lastWasAudio = false;

  /**
   * Timestamps below are "extended": RTP timestamps unwrapped relative to
   * the playout point, as plain numbers (exact up to 2^53). They restart
   * from the raw timestamp at every anchor.
   */
  private anchored = false;
  /** Set at anchoring: the first pull fixes playTs from its clock. */
  private needSync = false;
  /** Extended timestamp of the packet anchored on. */
  private anchorTs = 0;
  /** Extended timestamp of the next sample to play. Always an integer. */
  private playTs = 0;
  /** Extended timestamp just past the furthest sample buffered. */
  private highestEnd = 0;
  /** Smallest recent transit (arrival ms - timestamp / 8). */
  private base = 0;
  private lastArrivalMs = 0;

  private readonly hist = new Float64Array(BUCKETS);
  private histTotal = 0;
  private histWeight = 1;
  private targetDirty = true;
  private targetMs: number;

  /** Pulls spent waiting for a quiet frame to skip. */
  private shrinkWait = 0;

  /** A run of packets outside the window (late or over the cap) and when it began. */
  private outsideRun = false;
  private outsideSinceMs = 0;

  /** First packet of a possible jump, kept until a second one confirms it. */
  private jumpPending = false;
  private jumpTs = 0;
  private jumpArrivalMs = 0;
  private jumpLength = 0;
  private stash: Int16Array = NO_SAMPLES;

  private seqs = new SequenceTracker();
  /** Loss counted by sequence trackers before the current one restarted. */
  private lostCarried = 0;

  constructor(opts: JitterBufferOptions = {}) {
    this.minDelayMs = opts.minDelayMs ?? 20;
    this.maxDelayMs = opts.maxDelayMs ?? 200;
    const capacityMs = opts.capacityMs ?? 500;
    if (!(this.minDelayMs >= 0 && this.maxDelayMs >= this.minDelayMs)) {
      throw new RangeError('need 0 <= minDelayMs <= maxDelayMs');
    }
    // The cap must leave room for the largest delay plus a packet or two.
    if (!(capacityMs >= this.maxDelayMs + 3 * FRAME_MS)) {
      throw new RangeError('capacityMs must exceed maxDelayMs by at least 60 ms');
    }
    this.capSamples = Math.round(capacityMs * PER_MS);
    this.farSamples = Math.max(FAR_MS * PER_MS, 2 * this.capSamples);
    // Everything written lies in [playTs, playTs + cap), so a ring longer than
    // that never holds two live samples in one slot.
    let size = 1;
    while (size < this.capSamples + FRAME) size *= 2;
    this.mask = size - 1;
    this.ringSize = size;
    this.hist[0] = 1; // until packets say otherwise, assume no jitter
    this.histTotal = 1;
    this.targetMs = this.computeTarget();
    this.stats.targetDelayMs = this.targetMs;
  }

  /** Audio buffered ahead of the playout point, ms (up to the furthest sample, gaps included). */
  get bufferedMs(): number {
    if (!this.anchored) return 0;
    const ahead = this.highestEnd - this.playTs;
    return ahead > 0 ? ahead / PER_MS : 0;
  }

  /**
   * Forgets the source: buffered audio and timing (the next packet anchors
   * afresh). For a new SSRC or a sender known to have restarted. Counters,
   * and the jitter history (a property of the network path), are kept.
   */
  reset(): void {
    this.anchored = false;
    this.needSync = false;
    this.present.fill(0);
    this.jumpPending = false;
    this.outsideRun = false;
    this.shrinkWait = 0;
    this.lostCarried += Math.max(0, this.seqs.lost);
    this.seqs = new SequenceTracker();
    this.stats.lost = this.lostCarried;
  }

  /**
   * Adds one packet's decoded audio. `samples` is read during the call only.
   * `arrivalMs` must be on the same clock as pull()'s `nowMs`.
   */
  push(seq: number, rtpTimestamp: number, samples: Int16Array, arrivalMs: number): void {
    const n = samples.length;
    if (n === 0) return;
    const ts = rtpTimestamp >>> 0;
    const stats = this.stats;

    const lostBefore = this.seqs.lost;
    const kind = this.seqs.update(seq, ts, arrivalMs * PER_MS);
    if (kind === 'duplicate') {
      stats.duplicates++;
      return;
    }
    // The tracker starts over on a new numbering; keep what it counted so far.
    if (kind === 'reset') this.lostCarried += Math.max(0, lostBefore);
    stats.received++;
    stats.lost = this.lostCarried + Math.max(0, this.seqs.lost);

    if (!this.anchored) this.anchor(ts, arrivalMs);
    let offset = this.offsetOf(ts);
    if (offset >= this.farSamples || offset + n <= -this.farSamples) {
      if (!this.confirmJump(ts, samples, arrivalMs)) return;
      offset = this.offsetOf(ts);
    } else {
      this.jumpPending = false;
      const outside = offset + n > this.capSamples || offset + n <= 0;
      if (!outside) {
        this.outsideRun = false;
      } else if (!this.outsideRun) {
        this.outsideRun = true;
        this.outsideSinceMs = arrivalMs;
      } else if (arrivalMs - this.outsideSinceMs >= OUTSIDE_RESYNC_MS) {
        stats.resyncs++;
        this.anchor(ts, arrivalMs);
        offset = this.offsetOf(ts);
      }
    }

    if (offset + n > this.capSamples) {
      // Checked before observe(): audio we drop must not pull base down and
      // so inflate the delay estimate of what we keep.
      stats.overflowDropped++;
      return;
    }
    const late = offset < 0;
    this.observe(this.playTs + offset, n, arrivalMs, late);
    if (late) {
      stats.late++;
      if (offset + n <= 0) return;
    }
    this.write(offset, samples, n);
  }

  /**
   * The next 20 ms (160 samples) of audio, for the media clock's tick at
   * `nowMs`. Pass each tick's nominal time (a clock catching up after a
   * stall should pass the times it missed, not the same time repeatedly).
   * The returned buffer is reused: copy or consume it before the next pull.
   */
  pull(nowMs: number): Int16Array {
    const out = this.out;
    const stats = this.stats;
    if (!this.anchored) {
      out.fill(0);
      this.lastWasAudio = false;
      stats.currentDelayMs = 0;
      return out;
    }
    if (this.targetDirty) {
      this.targetMs = this.computeTarget();
      stats.targetDelayMs = this.targetMs;
      this.targetDirty = false;
    }
    const target = this.targetMs;

    if (this.needSync) {
      // The first tick after anchoring puts the anchor packet exactly at the
      // target delay on this clock.
      // Not past the anchor packet, though: after a confirmed jump that packet
      // may already be a tick old, and the next tick would cut its start.
      let want = Math.round((nowMs - this.base - target) * PER_MS);
      if (want > this.anchorTs) want = this.anchorTs;
      if (want > this.playTs) this.clear(this.playTs, want - this.playTs);
      this.playTs = want;
      this.needSync = false;
    }

    let delay = nowMs - this.base - this.playTs / PER_MS;
    const excess = delay - target;
    if (excess > JUMP_ABOVE_MS) {
      const skip = Math.round(excess * PER_MS);
      this.clear(this.playTs, skip);
      this.playTs += skip;
      delay -= skip / PER_MS;
      stats.droppedFrames += Math.ceil(skip / FRAME);
      this.shrinkWait = 0;
    } else if (excess > SHRINK_ABOVE_MS) {
      const patience =
        excess > SHRINK_ABOVE_MS + 2 * FRAME_MS ? FORCE_SHRINK_FAR_AFTER : FORCE_SHRINK_AFTER;
      if (this.isQuiet(this.playTs) || ++this.shrinkWait >= patience) {
        this.clear(this.playTs, FRAME);
        this.playTs += FRAME;
        delay -= FRAME_MS;
        stats.droppedFrames++;
        this.shrinkWait = 0;
      }
    } else {
      this.shrinkWait = 0;
      if (excess < -GROW_BELOW_MS) {
        // Hold the playout point: this tick plays no buffered audio, and a
        // packet still on its way gets 20 ms more to arrive.
        out.fill(0);
        this.conceal();
        stats.insertedFrames++;
        stats.currentDelayMs = delay;
        return out;
      }
    }

    const data = this.data;
    const present = this.present;
    const mask = this.mask;
    const start = this.playTs & mask;
    let got = 0;
    for (let i = 0; i < FRAME; i++) {
      const j = (start + i) & mask;
      if (present[j]) {
        out[i] = data[j]!;
        present[j] = 0;
        got++;
      } else {
        out[i] = 0;
      }
    }
    this.playTs += FRAME;
    if (got > 0) {
      this.prev.set(out);
      this.lastWasAudio = true;
    } else {
      this.conceal();
    }
    stats.currentDelayMs = delay;
    return out;
  }

  /** Signed distance in samples from the playout point to `ts`, across the 2^32 wrap. */
  private offsetOf(ts: number): number {
    return (ts - (this.playTs >>> 0)) | 0;
  }

  /** Starts a new timeline at this packet: nothing buffered, base from its transit. */
  private anchor(ts: number, arrivalMs: number): void {
    this.anchored = true;
    this.needSync = true;
    if (!this.data.length) {
      this.data = new Int16Array(this.ringSize);
      this.present = new Uint8Array(this.ringSize);
    } else {
      this.present.fill(0);
    }
    this.anchorTs = ts;
    this.playTs = ts - Math.round(this.targetMs * PER_MS);
    this.highestEnd = this.playTs;
    this.base = arrivalMs - ts / PER_MS;
    this.lastArrivalMs = arrivalMs;
    this.outsideRun = false;
    this.shrinkWait = 0;
  }

  /**
   * A packet far from the playout point: a stray, or the sender's new
   * timeline. The first is stashed; a second one near it confirms the jump,
   * and the buffer re-anchors on the first and keeps its audio. Returns
   * whether it re-anchored (the caller then places this packet).
   */
  private confirmJump(ts: number, samples: Int16Array, arrivalMs: number): boolean {
    if (this.jumpPending) {
      const apart = (ts - this.jumpTs) | 0;
      if (apart < this.farSamples && apart > -this.farSamples) {
        this.jumpPending = false;
        this.stats.resyncs++;
        this.anchor(this.jumpTs, this.jumpArrivalMs);
        const offset = this.offsetOf(this.jumpTs);
        this.write(offset, this.stash, Math.min(this.jumpLength, this.capSamples - offset));
        return true;
      }
    }
    this.jumpPending = true;
    this.jumpTs = ts;
    this.jumpArrivalMs = arrivalMs;
    const n = Math.min(samples.length, STASH_SAMPLES);
    if (!this.stash.length) this.stash = new Int16Array(STASH_SAMPLES);
    for (let i = 0; i < n; i++) this.stash[i] = samples[i]!;
    this.jumpLength = n;
    return false;
  }

  /** Feeds one packet's transit into base and the jitter histogram. */
  private observe(tsExt: number, n: number, arrivalMs: number, late: boolean): void {
    let gap = arrivalMs - this.lastArrivalMs;
    if (gap > 0) {
      this.lastArrivalMs = arrivalMs;
      if (gap > CREEP_GAP_MS) gap = CREEP_GAP_MS;
      this.base += gap * BASE_CREEP;
    }
    const transit = arrivalMs - tsExt / PER_MS;
    if (transit < this.base) this.base = transit;
    const rel = transit - this.base;
    // No target can cover this packet; recording it would only pin the
    // target at the maximum (a sender whose timestamp stood still during a
    // pause looks like this until the buffer re-anchors on it).
    if (rel >= this.maxDelayMs) return;

    // Exponential forgetting by audio duration, done by growing the weight
    // of new packets rather than decaying all buckets every packet.
    this.histWeight *= Math.exp(n / (HISTORY_MS * PER_MS));
    let b = (rel / BUCKET_MS) | 0;
    if (b >= BUCKETS) b = BUCKETS - 1;
    const hist = this.hist;
    hist[b] = hist[b]! + this.histWeight;
    this.histTotal += this.histWeight;
    if (late) {
      const boost = LATE_BOOST * this.histTotal;
      hist[b] = hist[b]! + boost;
      this.histTotal += boost;
    }
    if (this.histWeight > RENORMALIZE_ABOVE) {
      const scale = 1 / this.histWeight;
      for (let i = 0; i < BUCKETS; i++) hist[i] = hist[i]! * scale;
      this.histTotal *= scale;
      this.histWeight = 1;
    }
    this.targetDirty = true;
  }

  /** Frame time plus the 97th percentile of transit above base, within [min, max]. */
  private computeTarget(): number {
    const hist = this.hist;
    const threshold = TAIL * this.histTotal;
    let acc = 0;
    let b = BUCKETS - 1;
    for (; b > 0; b--) {
      acc += hist[b]!;
      if (acc > threshold) break;
    }
    const ms = FRAME_MS + (b + 1) * BUCKET_MS;
    return ms < this.minDelayMs ? this.minDelayMs : ms > this.maxDelayMs ? this.maxDelayMs : ms;
  }

  /** Copies `count` samples of `src` to `offset` samples past the playout point (offset may be negative: the part behind is skipped). */
  private write(offset: number, src: Int16Array, count: number): void {
    const first = offset < 0 ? -offset : 0;
    const data = this.data;
    const present = this.present;
    const mask = this.mask;
    const start = (this.playTs + offset) & mask;
    for (let i = first; i < count; i++) {
      const j = (start + i) & mask;
      data[j] = src[i]!;
      present[j] = 1;
    }
    const end = this.playTs + offset + count;
    if (end > this.highestEnd) this.highestEnd = end;
  }

  /** Marks `count` samples from extended timestamp `from` as not present. */
  private clear(from: number, count: number): void {
    const size = this.mask + 1;
    if (count >= size) {
      this.present.fill(0);
      return;
    }
    const start = from & this.mask;
    const end = start + count;
    if (end <= size) {
      this.present.fill(0, start, end);
    } else {
      this.present.fill(0, start, size);
      this.present.fill(0, 0, end - size);
    }
  }

  /** Whether the frame at `from` is quiet enough (missing samples count as silence) to skip. */
  private isQuiet(from: number): boolean {
    const data = this.data;
    const present = this.present;
    const mask = this.mask;
    const start = from & mask;
    let energy = 0;
    for (let i = 0; i < FRAME; i++) {
      const j = (start + i) & mask;
      if (present[j]) {
        const v = data[j]!;
        energy += v * v;
      }
    }
    return energy < QUIET_ENERGY;
  }

  /**
   * Fills `out` (already zeroed) for a frame with no audio: right after real
   * audio, a copy of the last frame fading linearly to zero, which hides a
   * single lost packet better than a hole; after that, silence.
   */
  private conceal(): void {
    if (!this.lastWasAudio) return;
    this.lastWasAudio = false;
    const out = this.out;
    const prev = this.prev;
    for (let i = 0; i < FRAME; i++) out[i] = ((prev[i]! * (FRAME - i)) / FRAME) | 0;
    this.stats.concealed++;
  }
}
