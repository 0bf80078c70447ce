import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ValidationError } from '../errors.ts';

export interface CanonicalNumber {
  /** +E.164, the one form stored and compared. */
  e164: string;
  /** ISO 3166 country of the number, when the numbering plan tells. */
  country: string | undefined;
}

/**
 * Accepts E.164 with or without '+', or a tel: URI, tolerating the separators
 * people paste (spaces, dashes, dots, parentheses), and returns one canonical form.
 */
export function canonicalNumber(input: unknown, field = 'Identity'): CanonicalNumber {
  const raw = typeof input === 'number' ? String(input) : typeof input === 'string' ? input : '';
  let s = raw
    .trim()
    .replace(/^tel:/i, '')
    .replace(/[\s().-]/g, '');
  if (/^\d/.test(s)) s = `+${s}`;
  const rule = 'must be a phone number in E.164 form, such as +14255550100 or tel:+14255550100';
  if (!/^\+[1-9]\d{6,14}$/.test(s)) throw new ValidationError(field, rule, input);
  const parsed = parsePhoneNumberFromString(s);
  if (!parsed || !parsed.isValid()) {
    throw new ValidationError(field, `${rule}, valid in its country's numbering plan`, input);
  }
  return { e164: parsed.number, country: parsed.country };
}
