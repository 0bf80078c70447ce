/**
 * Limits guessing of conference IDs and PINs (quality.md, "guessing IDs and
 * PINs"): failed attempts are counted per calling number and across the
 * whole bridge in sliding windows. A calling number over its limit is locked
 * out for the window; when the whole bridge is over its limit (many numbers
 * guessing at once), every further attempt is refused until the rate falls.
 * Pure: the time comes in with each call.
 */

export interface AttemptLimits {
  /** Failed attempts one calling number may make within `windowMs`. */
  perCaller: number;
  /** Failed attempts all callers together may make within `overallWindowMs`. */
  overall: number;
  windowMs: number;
  overallWindowMs: number;
}

/**
 * 10 failures per number in 15 minutes; 80 a minute for the whole bridge.
 * At the overall limit, finding one given 8-digit per-meeting ID takes on
 * average (10^8 / 2) / (80 * 525,600 a year) ≈ 1.2 years (quality.md asks for
 * more than one); bench/guessing.ts computes the table. Honest mistypes are
 * far below either limit.
 */
export const DEFAULT_LIMITS: AttemptLimits = {
  perCaller: 10,
  overall: 80,
  windowMs: 15 * 60_000,
  overallWindowMs: 60_000,
};

export type LimitVerdict = 'allowed' | 'caller-locked' | 'overall-locked';

export class AttemptLimiter {
  private readonly byCaller = new Map<string, number[]>();
  private overall: number[] = [];

  constructor(private readonly limits: AttemptLimits = DEFAULT_LIMITS) {}

  /** May this caller try now? Asked before each lookup. */
  check(caller: string, now: number): LimitVerdict {
    this.prune(now);
    if ((this.byCaller.get(caller)?.length ?? 0) >= this.limits.perCaller) return 'caller-locked';
    if (this.overall.length >= this.limits.overall) return 'overall-locked';
    return 'allowed';
  }

  /** Records a failed attempt; returns the verdict for the next one. */
  fail(caller: string, now: number): LimitVerdict {
    let list = this.byCaller.get(caller);
    if (!list) this.byCaller.set(caller, (list = []));
    list.push(now);
    this.overall.push(now);
    return this.check(caller, now);
  }

  /**
   * Takes back the newest attempt of this caller. Attempts are counted before
   * the (slow) check and refunded when it succeeds, so many calls at once
   * cannot all slip under the limit while the checks are in flight.
   */
  refund(caller: string): void {
    const list = this.byCaller.get(caller);
    const t = list?.pop();
    if (t === undefined) return;
    if (!list!.length) this.byCaller.delete(caller);
    const i = this.overall.lastIndexOf(t);
    if (i >= 0) this.overall.splice(i, 1);
  }

  /** Distinct calling numbers with failures still counted (for metrics and tests). */
  get tracked(): number {
    return this.byCaller.size;
  }

  private prune(now: number): void {
    const since = now - this.limits.windowMs;
    for (const [caller, list] of this.byCaller) {
      while (list.length && list[0]! <= since) list.shift();
      if (!list.length) this.byCaller.delete(caller);
    }
    const overallSince = now - this.limits.overallWindowMs;
    if (this.overall.length && this.overall[0]! <= overallSince)
      this.overall = this.overall.filter((t) => t > overallSince);
  }
}
