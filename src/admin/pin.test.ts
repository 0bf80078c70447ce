import { describe, expect, it } from 'vitest';
import { generatePin, hashPin, isTrivialPin, verifyPin } from './pin.ts';

describe('leader PINs', () => {
  it.each(['11111', '0000', '12345', '98765', '89012', '21098', '121212', '9090'])(
    'treats %s as trivial',
    (pin) => {
      expect(isTrivialPin(pin)).toBe(true);
    },
  );
  it.each(['13579', '80413', '5520', '271828182845'])('accepts %s', (pin) => {
    expect(isTrivialPin(pin)).toBe(false);
  });

  it('generates digits of the asked length, never trivial, and not always the same', () => {
    for (const length of [4, 5, 7, 12]) {
      const seen = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const pin = generatePin(length);
        expect(pin).toMatch(new RegExp(`^\\d{${length}}$`));
        expect(isTrivialPin(pin)).toBe(false);
        seen.add(pin);
      }
      expect(seen.size).toBeGreaterThan(length === 4 ? 250 : 295);
    }
  });

  it('hashes with a fresh salt each time and verifies only the right PIN', async () => {
    const a = await hashPin('80413');
    const b = await hashPin('80413');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toContain('80413');
    expect(await verifyPin('80413', a)).toBe(true);
    expect(await verifyPin('80414', a)).toBe(false);
    expect(await verifyPin('80413', 'garbage')).toBe(false);
  });
});
