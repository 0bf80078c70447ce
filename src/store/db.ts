/**
 * The one interface the rest of the code uses to reach the store. Two adapters
 * implement it: PGlite (embedded, default) and node-postgres (DATABASE_URL).
 * SQL is plain PostgreSQL with $1-style parameters, so both run the same text.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; it commits when fn resolves and rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
