import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit } from './audit.ts';

/**
 * Administrator API tokens. A token is 32 random bytes, so a fast hash is
 * enough to make the stored copy useless to a thief; only the hash is kept.
 */
const PREFIX = 'dbt_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface TokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  org_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);
const view = (r: TokenRow): TokenView => ({
  id: r.id,
  name: r.name,
  createdAt: iso(r.created_at)!,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

export async function createToken(
  q: Queryable,
  actor: Actor,
  name: unknown,
): Promise<{ token: string; view: TokenView }> {
  if (typeof name !== 'string' || !/^[\w .@-]{1,64}$/.test(name)) {
    throw new ValidationError('name', 'must be 1 to 64 letters, digits, spaces or . _ @ -', name);
  }
  const token = PREFIX + randomBytes(32).toString('base64url');
  const [row] = await q.query<TokenRow>(
    'insert into api_tokens (id, org_id, name, hash) values ($1, $2, $3, $4) returning *',
    [randomUUID(), actor.orgId, name, hashToken(token)],
  );
  await audit(q, actor, 'token.create', name, [{ field: 'Token', old: null, new: 'created' }]);
  return { token, view: view(row!) };
}

export async function listTokens(q: Queryable, orgId: string): Promise<TokenView[]> {
  const rows = await q.query<TokenRow>(
    'select * from api_tokens where org_id = $1 order by created_at',
    [orgId],
  );
  return rows.map(view);
}

export async function revokeToken(q: Queryable, actor: Actor, id: unknown): Promise<TokenView> {
  const rows = await q.query<TokenRow>(
    'update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 and org_id = $2 returning *',
    [typeof id === 'string' ? id : '', actor.orgId],
  );
  if (!rows[0]) throw new NotFoundError('token', String(id), 'id');
  await audit(q, actor, 'token.revoke', rows[0].name);
  return view(rows[0]);
}

/**
 * The organization and name a presented token stands for, or undefined.
 * last_used_at is written at most once a minute, so reading is not a write.
 */
export async function authenticate(
  q: Queryable,
  token: string,
): Promise<{ orgId: string; name: string; id: string } | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const [r] = await q.query<TokenRow & { stale: boolean }>(
    `select *, (last_used_at is null or last_used_at < now() - interval '60 seconds') as stale
     from api_tokens where hash = $1 and revoked_at is null`,
    [hashToken(token)],
  );
  if (!r) return undefined;
  if (r.stale) await q.query('update api_tokens set last_used_at = now() where id = $1', [r.id]);
  return { orgId: r.org_id, name: r.name, id: r.id };
}
