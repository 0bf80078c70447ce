import { describe, expect, it } from 'vitest';
import { canonicalNumber } from './phone-number.ts';

describe('service numbers in E.164', () => {
  it.each([
    ['+14255550100', '+14255550100', 'US'],
    ['14255550100', '+14255550100', 'US'],
    ['tel:+14255550100', '+14255550100', 'US'],
    ['TEL:+1 (425) 555-0100', '+14255550100', 'US'],
    ['+44 20 7123 4567', '+442071234567', 'GB'],
    ['+81.3.1234.5678', '+81312345678', 'JP'],
  ])('reads %s as %s', (input, e164, country) => {
    expect(canonicalNumber(input)).toEqual({ e164, country });
  });

  it.each(['', '555', '+0123456789', '+1425555010012345', 'abc', 'tel:', '+8008005550'])(
    'refuses %s naming the field',
    (bad) => {
      expect(() => canonicalNumber(bad, 'ServiceNumber')).toThrow(
        /^ServiceNumber must be a phone number in E\.164 form/,
      );
    },
  );
});
