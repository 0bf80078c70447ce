// How long guessing takes at the limits the attendant enforces (quality.md,
// "guessing IDs and PINs"): the expected time for an attacker calling from
// as many numbers as they like, held only by the bridge-wide and per-meeting
// limits, and for one calling number. Computed from the limits in the code,
// so a change to them changes this table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../src/attendant/attempt-limiter.ts';
import { PIN_FAILURES_PER_HOUR } from '../src/attendant/attendant.ts';

const YEAR_H = 24 * 365;
const perHourOverall = DEFAULT_LIMITS.overall * (3600_000 / DEFAULT_LIMITS.overallWindowMs);
const perHourCaller = DEFAULT_LIMITS.perCaller * (3600_000 / DEFAULT_LIMITS.windowMs);

interface Row {
  what: string;
  space: number;
  limit: string;
  perHour: number;
  years: number;
}

const rows: Row[] = [
  {
    what: '8-digit per-meeting ID, many calling numbers',
    space: 1e8,
    limit: `${DEFAULT_LIMITS.overall} failures a minute, bridge-wide`,
    perHour: perHourOverall,
    years: 0,
  },
  {
    what: '8-digit per-meeting ID, one calling number',
    space: 1e8,
    limit: `${DEFAULT_LIMITS.perCaller} failures per ${DEFAULT_LIMITS.windowMs / 60_000} min`,
    perHour: perHourCaller,
    years: 0,
  },
  {
    what: '7-digit static ID (9·10^6 possible), many calling numbers',
    space: 9e6,
    limit: `${DEFAULT_LIMITS.overall} failures a minute, bridge-wide`,
    perHour: perHourOverall,
    years: 0,
  },
  {
    what: '5-digit leader PIN (the default length), any number of callers',
    space: 1e5,
    limit: `${PIN_FAILURES_PER_HOUR} wrong PINs an hour per meeting`,
    perHour: PIN_FAILURES_PER_HOUR,
    years: 0,
  },
  {
    what: '12-digit leader PIN (the longest), any number of callers',
    space: 1e12,
    limit: `${PIN_FAILURES_PER_HOUR} wrong PINs an hour per meeting`,
    perHour: PIN_FAILURES_PER_HOUR,
    years: 0,
  },
];
// Trying each value once, the secret turns up halfway on average.
for (const r of rows) r.years = r.space / 2 / r.perHour / YEAR_H;

const fmt = (y: number) =>
  y >= 1 ? `${y.toPrecision(3)} years` : `${(y * 365).toPrecision(3)} days`;
const md = [
  '# Guessing conference IDs and PINs',
  '',
  'Expected time to find one given ID or PIN by guessing at the most the attendant allows',
  '(`src/attendant/attempt-limiter.ts`, `src/attendant/attendant.ts`; computed by `bench/guessing.ts`).',
  'Bar (quality.md): more than a year per valid 8-digit ID at the full attack rate.',
  '',
  '| secret | limit that binds | guesses an hour | expected time |',
  '| --- | --- | ---: | ---: |',
  ...rows.map((r) => `| ${r.what} | ${r.limit} | ${r.perHour} | ${fmt(r.years)} |`),
  '',
  'With several meetings running, an ID guesser hits *some* meeting sooner, in proportion to',
  'how many IDs are in use; each meeting still needs its leader PIN to start, and callers',
  'who reach a meeting that has not started wait in its lobby.',
  '',
].join('\n');
const out = join(import.meta.dirname, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'guessing.md'), md);
writeFileSync(join(out, 'guessing.json'), `${JSON.stringify({ rows }, null, 2)}\n`);
process.stdout.write(md);
