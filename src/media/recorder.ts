import { FRAME_SAMPLES } from './rtp-session.ts';

export interface RecordOptions {
  /** Longest recording kept (the name prompt allows 5 s). */
  maxMs: number;
  /** Frames whose RMS is below this count as silence (about -45 dBFS by default). */
  silenceRms?: number;
  /** Silence kept around the speech so words are not cut. */
  padMs?: number;
}

/**
 * Records a caller (their name, for announcements): keeps at most maxMs and
 * trims leading and trailing silence, so "Amos Marble" is played, not the
 * second of breathing before it.
 */
export class Recorder {
  private readonly buf: Int16Array;
  private length = 0;

  constructor(private readonly opts: RecordOptions) {
    this.buf = new Int16Array(Math.ceil((opts.maxMs * 8) / FRAME_SAMPLES) * FRAME_SAMPLES);
  }

  get full(): boolean {
    return this.length >= this.buf.length;
  }

  get durationMs(): number {
    return this.length / 8;
  }

  push(frame: Int16Array): void {
    const n = Math.min(frame.length, this.buf.length - this.length);
    this.buf.set(frame.subarray(0, n), this.length);
    this.length += n;
  }

  /** The recording with silence trimmed; empty when nothing but silence was heard. */
  finish(): Int16Array {
    const threshold = this.opts.silenceRms ?? 180;
    const pad = Math.round(((this.opts.padMs ?? 100) * 8) / FRAME_SAMPLES) * FRAME_SAMPLES;
    const frames = Math.ceil(this.length / FRAME_SAMPLES);
    let first = -1;
    let last = -1;
    for (let f = 0; f < frames; f++) {
      const start = f * FRAME_SAMPLES;
      const end = Math.min(start + FRAME_SAMPLES, this.length);
      let sum = 0;
      for (let i = start; i < end; i++) sum += this.buf[i]! * this.buf[i]!;
      if (Math.sqrt(sum / (end - start)) >= threshold) {
        if (first < 0) first = f;
        last = f;
      }
    }
    if (first < 0) return new Int16Array(0);
    const from = Math.max(0, first * FRAME_SAMPLES - pad);
    const to = Math.min(this.length, (last + 1) * FRAME_SAMPLES + pad);
    return this.buf.slice(from, to);
  }
}
