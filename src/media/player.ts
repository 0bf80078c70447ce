import { FRAME_SAMPLES } from './rtp-session.ts';

interface Item {
  samples: Int16Array;
  offset: number;
  interruptible: boolean;
  /** Music on hold: starts over at the end until stopped or interrupted. */
  loop: boolean;
  done: (completed: boolean) => void;
}

/**
 * A queue of prompts for one call, read 20 ms at a time by the media clock.
 * Interruptible prompts stop when the caller presses a key ("press star at
 * any time"); others play to the end.
 */
export class Player {
  private readonly queue: Item[] = [];

  get playing(): boolean {
    return this.queue.length > 0;
  }

  /** Queues audio; the promise says whether it played to the end (false: interrupted or stopped). */
  enqueue(
    samples: Int16Array,
    opts: { interruptible?: boolean; loop?: boolean } = {},
  ): Promise<boolean> {
    if (opts.loop && samples.length === 0) return Promise.resolve(true);
    // Music on hold gives way to anything said: a prompt queued behind an
    // endless loop would never play. Whoever wants the music back restarts it.
    if (!opts.loop) {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        if (this.queue[i]!.loop) this.queue.splice(i, 1)[0]!.done(false);
      }
    }
    return new Promise((done) =>
      this.queue.push({
        samples,
        offset: 0,
        interruptible: opts.interruptible ?? true,
        loop: opts.loop ?? false,
        done,
      }),
    );
  }

  /** Fills `out` with the next 20 ms; returns false (and silence) when nothing is queued. */
  next(out: Int16Array): boolean {
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.queue.length) {
      const item = this.queue[0]!;
      const n = Math.min(FRAME_SAMPLES - filled, item.samples.length - item.offset);
      out.set(item.samples.subarray(item.offset, item.offset + n), filled);
      item.offset += n;
      filled += n;
      if (item.offset >= item.samples.length) {
        if (item.loop) {
          item.offset = 0;
          continue;
        }
        this.queue.shift();
        item.done(true);
      }
    }
    if (filled < FRAME_SAMPLES) out.fill(0, filled);
    return filled > 0;
  }

  /** A key was pressed: drop interruptible prompts up to the first that isn't. */
  interrupt(): void {
    while (this.queue.length && this.queue[0]!.interruptible) this.queue.shift()!.done(false);
  }

  /** Drops everything (the call ended or moved on). */
  stop(): void {
    for (const item of this.queue.splice(0)) item.done(false);
  }
}
