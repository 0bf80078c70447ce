/**
 * The Damm check digit (H. Michael Damm, 2004): one table of a totally
 * anti-symmetric quasigroup of order 10. It detects every single-digit error
 * and every transposition of adjacent digits, so a caller who mistypes a
 * per-meeting ID is told at once instead of reaching someone else's meeting.
 */
const TABLE = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

function interim(digits: string): number {
  let row = 0;
  for (const ch of digits) {
    const d = ch.charCodeAt(0) - 48;
    if (d < 0 || d > 9) throw new RangeError(`not a digit: '${ch}'`);
    row = TABLE[row]![d]!;
  }
  return row;
}

/** The digit to append to `digits`. */
export function dammDigit(digits: string): string {
  return String(interim(digits));
}

/** Whether the last digit of `digits` is the Damm check digit of the rest. */
export function dammValid(digits: string): boolean {
  return /^\d+$/.test(digits) && interim(digits) === 0;
}
