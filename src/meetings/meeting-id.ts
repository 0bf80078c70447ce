import { randomInt } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { dammDigit, dammValid } from './damm.ts';

/** Per-meeting IDs: 7 random digits (never a leading 0) and a Damm check digit. */
export const MEETING_ID_LENGTH = 8;

export function generateMeetingId(): string {
  const body = String(randomInt(1_000_000, 10_000_000));
  return body + dammDigit(body);
}

/** Well-formed: 8 digits, no leading 0, a correct check digit. */
export function isMeetingId(value: string): boolean {
  return /^[1-9]\d{7}$/.test(value) && dammValid(value);
}

export function validateMeetingId(value: unknown, field = 'ConferenceId'): string {
  if (typeof value !== 'string' || !isMeetingId(value)) {
    throw new ValidationError(
      field,
      'must be an 8-digit per-meeting conference ID whose last digit is its check digit',
      value,
    );
  }
  return value;
}

/** For reading aloud and in invites: "939 071 23#" (groups of three, then the rest, then #). */
export function formatForDialing(id: string): string {
  return `${id.replace(/(\d{3})(?=\d)/g, '$1 ')}#`;
}
