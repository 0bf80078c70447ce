import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/clock.ts';
import { DigitCollector } from './digit-collector.ts';

const ID = { maxDigits: 8, terminator: '#', firstDigitMs: 10_000, interDigitMs: 5_000 };

async function settle<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 0))]);
}

describe('collecting keypad digits', () => {
  it('ends on the pound key, which is not part of the entry', async () => {
    const clock = new ManualClock();
    const c = new DigitCollector(ID, clock);
    for (const d of '8271964') expect(c.push(d)).toBe(false);
    expect(c.push('#')).toBe(true);
    expect(await c.result).toEqual({ digits: '8271964', reason: 'terminator' });
    expect(clock.pending()).toBe(0);
  });

  it('ends at the maximum length without waiting for the terminator', async () => {
    const c = new DigitCollector({ ...ID, maxDigits: 3 }, new ManualClock());
    c.push('1');
    c.push('2');
    expect(c.push('3')).toBe(true);
    expect(await c.result).toEqual({ digits: '123', reason: 'max' });
  });

  it('gives 10 s for the first digit and 5 s between digits', async () => {
    const clock = new ManualClock();
    const c = new DigitCollector(ID, clock);
    clock.advance(9_999);
    expect(await settle(c.result)).toBe('pending');
    c.push('4');
    clock.advance(4_999);
    c.push('2');
    clock.advance(4_999);
    expect(await settle(c.result)).toBe('pending');
    clock.advance(1);
    expect(await c.result).toEqual({ digits: '42', reason: 'timeout' });
  });

  it('times out empty when nobody types, and ignores digits after it ended', async () => {
    const clock = new ManualClock();
    const c = new DigitCollector(ID, clock);
    clock.advance(10_000);
    expect(c.push('1')).toBe(false);
    expect(await c.result).toEqual({ digits: '', reason: 'timeout' });
  });

  it('stops when cancelled (the caller hung up)', async () => {
    const clock = new ManualClock();
    const c = new DigitCollector(ID, clock);
    c.push('7');
    c.cancel();
    expect(await c.result).toEqual({ digits: '7', reason: 'cancelled' });
    expect(clock.pending()).toBe(0);
  });
});
