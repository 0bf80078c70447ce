/**
 * "Did you mean ...?" for mistyped cmdlet and parameter names.
 */
import { distance } from 'fastest-levenshtein';

/**
 * Shortest side a containment match needs: below this, a fragment such as
 * "id" or "e" is contained in half the catalog and says nothing.
 */
const MIN_CONTAINED_LENGTH = 3;

/**
 * The candidate closest to `input`, compared case-insensitively, or
 * undefined when nothing is close enough to be worth suggesting.
 *
 * A candidate that contains the input, or is contained in it (a truncated or
 * over-long name: "Email" for "SendEmail"), is preferred over a merely
 * similar one and is accepted however many characters it adds. Otherwise the
 * edit distance may be at most max(3, 40% of the input's length). Ties go to
 * the earlier candidate, so catalog order decides.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  if (needle === '') return undefined;

  let best: { candidate: string; contained: boolean; distance: number } | undefined;
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase();
    const contained =
      Math.min(hay.length, needle.length) >= MIN_CONTAINED_LENGTH &&
      (hay.includes(needle) || needle.includes(hay));
    const d = distance(needle, hay);
    const better =
      best === undefined ||
      (contained && !best.contained) ||
      (contained === best.contained && d < best.distance);
    if (better) best = { candidate, contained, distance: d };
  }

  if (best === undefined) return undefined;
  if (best.contained) return best.candidate;
  return best.distance <= Math.max(3, needle.length * 0.4) ? best.candidate : undefined;
}
