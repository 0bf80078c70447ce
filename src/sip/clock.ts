/**
 * Time as the SIP and media layers see it. Everything time-dependent takes a
 * Clock, so tests drive timers deterministically instead of sleeping.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  after(ms: number, fn: () => void): Timer;
}

export const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  private t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): Timer {
    const entry = { at: this.t + ms, fn, id: this.seq++ };
    this.queue.push(entry);
    return { cancel: () => (this.queue = this.queue.filter((e) => e !== entry)) };
  }

  /** Advances time, firing due timers in order (timers set while firing run too, when due). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  pending(): number {
    return this.queue.length;
  }
}
