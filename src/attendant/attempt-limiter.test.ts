import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from './attempt-limiter.ts';

const limits = { perCaller: 3, overall: 5, windowMs: 60_000, overallWindowMs: 10_000 };

describe('attempt limiter', () => {
  it('locks out a calling number after its failures, until the window passes', () => {
    const l = new AttemptLimiter(limits);
    expect(l.check('+14255550100', 0)).toBe('allowed');
    expect(l.fail('+14255550100', 0)).toBe('allowed');
    expect(l.fail('+14255550100', 1000)).toBe('allowed');
    expect(l.fail('+14255550100', 2000)).toBe('caller-locked');
    expect(l.check('+14255550100', 30_000)).toBe('caller-locked');
    // Another number is not affected.
    expect(l.check('+14255550199', 30_000)).toBe('allowed');
    // The first failure leaves the window at 60 s.
    expect(l.check('+14255550100', 60_001)).toBe('allowed');
  });

  it('refuses everyone when the whole bridge sees too many failures, then recovers', () => {
    const l = new AttemptLimiter(limits);
    for (let i = 0; i < 5; i++) l.fail(`+1425555010${i}`, i * 100);
    expect(l.check('+14255550999', 500)).toBe('overall-locked');
    expect(l.check('+14255550999', 10_401)).toBe('allowed');
  });

  it('forgets numbers whose failures aged out', () => {
    const l = new AttemptLimiter(limits);
    l.fail('a', 0);
    l.fail('b', 0);
    expect(l.tracked).toBe(2);
    l.check('c', 60_001);
    expect(l.tracked).toBe(0);
  });
});

describe('counting before the check', () => {
  it('a refunded attempt no longer counts, for the caller or overall', () => {
    const l = new AttemptLimiter({
      perCaller: 2,
      overall: 2,
      windowMs: 60_000,
      overallWindowMs: 60_000,
    });
    l.fail('a', 0);
    l.fail('a', 1);
    expect(l.check('a', 2)).toBe('caller-locked');
    l.refund('a');
    expect(l.check('a', 2)).toBe('allowed');
    expect(l.check('b', 2)).toBe('allowed');
    l.refund('a');
    l.refund('a'); // nothing left: no effect
    expect(l.tracked).toBe(0);
  });
});
