import { randomInt } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** Static conference IDs are exactly 7 digits and never start with 0 (the seeds fix the length). */
export const STATIC_ID_LENGTH = 7;

export function generateStaticId(): string {
  return String(randomInt(10 ** (STATIC_ID_LENGTH - 1), 10 ** STATIC_ID_LENGTH));
}

export function validateStaticId(value: unknown, field = 'ConferenceId'): string {
  const s =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^[1-9]\d{6}$/.test(s)) {
    throw new ValidationError(field, 'must be exactly 7 digits and may not start with 0', value);
  }
  return s;
}
