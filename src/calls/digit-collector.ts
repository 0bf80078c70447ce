import type { Clock, Timer } from '../sip/clock.ts';

export interface CollectOptions {
  /** Stop after this many digits (the terminator not counted). */
  maxDigits: number;
  /** A key that ends the entry early ('#' for "followed by the pound key"); not included. */
  terminator?: string;
  /** Time allowed for the first digit. */
  firstDigitMs: number;
  /** Time allowed between digits. */
  interDigitMs: number;
}

export type CollectEnd = 'terminator' | 'max' | 'timeout' | 'cancelled';

export interface Collected {
  digits: string;
  reason: CollectEnd;
}

/**
 * Gathers keypad digits the way an auto attendant asks for them ("enter your
 * conference ID followed by the pound key"): ends on the terminator, on the
 * maximum length, or when the caller stops typing. Pure: digits and time
 * come in, a result comes out.
 */
export class DigitCollector {
  private digits = '';
  private timer: Timer | undefined;
  private done = false;
  readonly result: Promise<Collected>;
  private resolve!: (c: Collected) => void;

  constructor(
    private readonly opts: CollectOptions,
    private readonly clock: Clock,
  ) {
    this.result = new Promise((r) => (this.resolve = r));
    this.arm(opts.firstDigitMs);
  }

  /** Whether the entry is over (by terminator, length, timeout or cancel). */
  get finished(): boolean {
    return this.done;
  }

  /** Feeds one digit; returns true when this digit completed the entry. */
  push(digit: string): boolean {
    if (this.done) return false;
    if (this.opts.terminator !== undefined && digit === this.opts.terminator) {
      this.finish('terminator');
      return true;
    }
    this.digits += digit;
    if (this.digits.length >= this.opts.maxDigits) {
      this.finish('max');
      return true;
    }
    this.arm(this.opts.interDigitMs);
    return false;
  }

  /** The caller hung up, or the flow moved on. */
  cancel(): void {
    this.finish('cancelled');
  }

  private arm(ms: number): void {
    this.timer?.cancel();
    this.timer = this.clock.after(ms, () => this.finish('timeout'));
  }

  private finish(reason: CollectEnd): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.resolve({ digits: this.digits, reason });
  }
}
