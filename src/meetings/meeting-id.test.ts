import { describe, expect, it } from 'vitest';
import { dammDigit, dammValid } from './damm.ts';
import { formatForDialing, generateMeetingId, isMeetingId } from './meeting-id.ts';

describe('Damm check digit', () => {
  it('matches the published example (572 → 4)', () => {
    expect(dammDigit('572')).toBe('4');
    expect(dammValid('5724')).toBe(true);
    expect(dammValid('5727')).toBe(false);
  });

  it('catches every single-digit error and every adjacent transposition', () => {
    for (let n = 0; n < 300; n++) {
      const id = generateMeetingId();
      expect(isMeetingId(id)).toBe(true);
      for (let i = 0; i < id.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === id[i]) continue;
          const wrong = id.slice(0, i) + d + id.slice(i + 1);
          expect(dammValid(wrong), `${id} → ${wrong}`).toBe(false);
        }
        if (i + 1 < id.length && id[i] !== id[i + 1]) {
          const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
          expect(dammValid(swapped), `${id} → ${swapped}`).toBe(false);
        }
      }
    }
  });
});

describe('per-meeting IDs', () => {
  it('are 8 digits, never start with 0, and are random', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateMeetingId));
    expect(ids.size).toBeGreaterThan(990);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{7}$/);
    expect(isMeetingId('1234567')).toBe(false); // a static ID's length
  });

  it('are grouped for reading with the pound key', () => {
    expect(formatForDialing('93907123')).toBe('939 071 23#');
    expect(formatForDialing('8271964')).toBe('827 196 4#');
  });
});
