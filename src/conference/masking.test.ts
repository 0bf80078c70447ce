import { describe, expect, it } from 'vitest';
import { maskCaller } from './masking.ts';

describe('caller masking', () => {
  it('masks the middle of a number, says only its last digits', () => {
    for (const mask of ['MaskedForExternalUsers', 'MaskedForAllUsers'] as const) {
      expect(maskCaller('+14255550123', mask)).toEqual({
        display: '+1425XXXXX23',
        spoken: { prefix: 'caller-ending-in', digits: '23' },
      });
    }
  });

  it('shows and says the whole number with NoMasking', () => {
    expect(maskCaller('tel:+14255550123', 'NoMasking')).toEqual({
      display: '+14255550123',
      spoken: { prefix: 'caller', digits: '14255550123' },
    });
  });

  it('leaves non-numbers alone and names the unknown caller', () => {
    expect(maskCaller('alice', 'MaskedForAllUsers')).toEqual({
      display: 'alice',
      spoken: undefined,
    });
    expect(maskCaller(undefined, 'NoMasking').display).toBe('Anonymous');
    expect(maskCaller('12345', 'MaskedForExternalUsers').display).toBe('XXX45');
  });
});
