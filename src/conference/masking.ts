import type { OrgSettings } from '../admin/setting-specs.ts';

export type MaskType = OrgSettings['MaskPstnNumbersType'];

/**
 * How a caller's number shows in rosters, events and records, and how it is
 * said in announcements. Callers reach us from outside the organization, and
 * rosters reach integrations, so every masked setting masks both; only
 * NoMasking shows and says the whole number.
 *
 * A masked number keeps its first four and last two digits
 * (+14255550123 → +1425XXXXX23) and is said as "a caller whose number ends
 * in 2 3". A caller identity that is not a phone number (a softphone's user
 * name) is shown as it is, since it reveals no number.
 */
export interface MaskedCaller {
  display: string;
  /** Digits to say after the 'caller' prompt (NoMasking), or after 'caller-ending-in' (masked). */
  spoken: { prefix: 'caller' | 'caller-ending-in'; digits: string } | undefined;
}

export function maskCaller(identity: string | undefined, mask: MaskType): MaskedCaller {
  const raw = (identity ?? '').replace(/^tel:/i, '');
  const digits = raw.replace(/[\s().-]/g, '');
  if (!/^\+?\d{5,15}$/.test(digits)) {
    return { display: raw || 'Anonymous', spoken: undefined };
  }
  const plus = digits.startsWith('+') ? '+' : '';
  const d = digits.replace(/^\+/, '');
  if (mask === 'NoMasking') return { display: plus + d, spoken: { prefix: 'caller', digits: d } };
  const shown =
    d.length > 6
      ? d.slice(0, 4) + 'X'.repeat(d.length - 6) + d.slice(-2)
      : 'X'.repeat(d.length - 2) + d.slice(-2);
  return { display: plus + shown, spoken: { prefix: 'caller-ending-in', digits: d.slice(-2) } };
}
