import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';

/** The two stores every store-backed suite runs against. */
export const STORES = ['pglite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

/**
 * A fresh, migrated store. PostgreSQL gets a new database per call so suites
 * running in parallel never see each other's rows.
 */
export async function freshStore(kind: StoreKind): Promise<Db> {
  if (kind === 'pglite') return openStore({});
  return openStore({ databaseUrl: await freshDatabaseUrl() });
}

/** Empties every table but the migration record: much faster than a new store per test. */
export async function emptyStore(db: Db): Promise<void> {
  const rows = await db.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = 'public' and tablename <> 'schema_migrations'`,
  );
  await db.query(`truncate ${rows.map((r) => r.tablename).join(', ')} cascade`);
}

/** A new, empty database on the test PostgreSQL server, as a URL. */
export async function freshDatabaseUrl(): Promise<string> {
  const base = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
