import { join } from 'node:path';
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** PostgreSQL when a URL is given, otherwise PGlite in dataDir/pglite (or in memory). */
export async function openStore(opts: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  const db = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl)
    : await openPglite(opts.dataDir ? join(opts.dataDir, 'pglite') : undefined);
  await migrate(db);
  return db;
}
