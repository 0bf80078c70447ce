import { describe, expect, it } from 'vitest';
import { generateStaticId, validateStaticId } from './conference-id.ts';
import { ValidationError } from '../errors.ts';

describe('static conference IDs', () => {
  it('are 7 random digits that never start with 0', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = generateStaticId();
      expect(id).toMatch(/^[1-9]\d{6}$/);
      seen.add(id);
    }
    expect(seen.size).toBeGreaterThan(1990);
  });

  it('accepts exactly 7 digits, as text or number, and refuses anything else naming the field', () => {
    expect(validateStaticId('8271964')).toBe('8271964');
    expect(validateStaticId(8271964)).toBe('8271964');
    expect(validateStaticId(' 8271964 ')).toBe('8271964');
    for (const bad of ['0271964', '827196', '82719645', '82-1964', '', null, 8.5]) {
      expect(() => validateStaticId(bad)).toThrow(ValidationError);
      expect(() => validateStaticId(bad)).toThrow(/^ConferenceId must be exactly 7 digits/);
    }
  });
});
