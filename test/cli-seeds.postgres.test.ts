import { cliSeedsSuite } from './suites/cli-seeds.ts';

// One file per store so the two run in parallel.
cliSeedsSuite('postgres');
