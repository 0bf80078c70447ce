import { readFileSync } from 'node:fs';

/** The package version, read once; kept apart so the command line loads nothing heavy. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
