import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit, type Change } from './audit.ts';
import { hashPin, verifyPin } from './pin.ts';

/**
 * Administrator accounts: a username and password that sign in to the admin
 * center (POST /api/v1/session), as an alternative to an API token. Usernames
 * are unique across the deployment (sign-in names no organization); each
 * account belongs to one organization. Passwords are kept only as a salted
 * scrypt hash (the same scheme as leader PINs) and never logged or audited.
 */

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;

export interface AccountView {
  username: string;
  createdAt: string;
  lastSignInAt: string | null;
  disabled: boolean;
}

export interface AccountRow {
  id: string;
  org_id: string;
  username: string;
  password_hash: string;
  disabled: boolean;
  created_at: string;
  last_sign_in_at: string | null;
}

const iso = (v: string | null) => (v ? new Date(v).toISOString() : null);
export const accountView = (r: AccountRow): AccountView => ({
  username: r.username,
  createdAt: iso(r.created_at)!,
  lastSignInAt: iso(r.last_sign_in_at),
  disabled: r.disabled,
});

/** Usernames are compared case-insensitively: stored lower-case. */
export function validateUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9._@-]{0,63}$/i.test(value.trim())) {
    throw new ValidationError(
      field,
      'must be 1 to 64 letters, digits or . _ @ -, starting with a letter or digit',
      value,
    );
  }
  return value.trim().toLowerCase();
}

/** The rule only; the value is never echoed back, since it is a password. */
export function validatePassword(value: unknown, username?: string, field = 'password'): string {
  if (typeof value !== 'string')
    throw new ValidationError(field, `must be text of ${PASSWORD_MIN} characters or more`);
  if ([...value].length < PASSWORD_MIN)
    throw new ValidationError(field, `must be at least ${PASSWORD_MIN} characters long`);
  if (value.length > PASSWORD_MAX)
    throw new ValidationError(field, `must be at most ${PASSWORD_MAX} characters long`);
  if (username && value.toLowerCase().includes(username.toLowerCase()))
    throw new ValidationError(field, 'must not contain the username');
  if (new Set(value).size < 4)
    throw new ValidationError(field, 'must use at least 4 different characters');
  return value;
}

/** The slow part (scrypt), done before the transaction so the store is not held. */
export async function preparePassword(
  input: { username?: unknown; password?: unknown },
  fields = { username: 'username', password: 'password' },
): Promise<{ username: string; hash: string }> {
  const username = validateUsername(input.username, fields.username);
  const password = validatePassword(input.password, username, fields.password);
  return { username, hash: await hashPin(password) };
}

export async function createAccount(
  q: Queryable,
  actor: Actor,
  prepared: { username: string; hash: string },
): Promise<AccountView> {
  const [existing] = await q.query('select 1 from admin_accounts where username = $1', [
    prepared.username,
  ]);
  if (existing)
    throw new ConflictError('username', `an administrator account '${prepared.username}' exists`);
  const [row] = await q.query<AccountRow>(
    `insert into admin_accounts (id, org_id, username, password_hash) values ($1, $2, $3, $4) returning *`,
    [randomUUID(), actor.orgId, prepared.username, prepared.hash],
  );
  await audit(q, actor, 'account.create', prepared.username, [
    { field: 'Password', old: null, new: 'set' },
  ]);
  return accountView(row!);
}

export async function listAccounts(q: Queryable, orgId: string): Promise<AccountView[]> {
  const rows = await q.query<AccountRow>(
    'select * from admin_accounts where org_id = $1 order by username',
    [orgId],
  );
  return rows.map(accountView);
}

/** Removes the account; its sessions go with it (on delete cascade), so it is signed out at once. */
export async function removeAccount(
  q: Queryable,
  actor: Actor,
  username: unknown,
): Promise<AccountView> {
  const name = typeof username === 'string' ? username.trim().toLowerCase() : '';
  const [row] = await q.query<AccountRow>(
    'delete from admin_accounts where org_id = $1 and username = $2 returning *',
    [actor.orgId, name],
  );
  if (!row) throw new NotFoundError('administrator account', String(username), 'username');
  await audit(q, actor, 'account.remove', row.username);
  return accountView(row);
}

/**
 * Set-style change of an account: a new password (hashed before the
 * transaction, `hash`), or disabling/enabling it. A new password or disabling
 * ends the account's sessions, the way a password change does anywhere:
 * whoever had the old one is signed out.
 */
export async function updateAccount(
  q: Queryable,
  actor: Actor,
  username: unknown,
  change: { hash?: string; disabled?: boolean },
): Promise<AccountView> {
  const name = typeof username === 'string' ? username.trim().toLowerCase() : '';
  const [row] = await q.query<AccountRow>(
    'select * from admin_accounts where org_id = $1 and username = $2 for update',
    [actor.orgId, name],
  );
  if (!row) throw new NotFoundError('administrator account', String(username), 'username');
  const changes: Change[] = [];
  if (change.hash !== undefined) changes.push({ field: 'Password', old: 'set', new: 'changed' });
  if (change.disabled !== undefined && change.disabled !== row.disabled)
    changes.push({ field: 'Disabled', old: row.disabled, new: change.disabled });
  const [next] = await q.query<AccountRow>(
    `update admin_accounts set password_hash = coalesce($2, password_hash),
       disabled = coalesce($3, disabled) where id = $1 returning *`,
    [row.id, change.hash ?? null, change.disabled ?? null],
  );
  if (change.hash !== undefined || change.disabled === true)
    await q.query('delete from admin_sessions where account_id = $1', [row.id]);
  if (changes.length) await audit(q, actor, 'account.set', row.username, changes);
  return accountView(next!);
}

// A hash of a password nobody has, checked when the username is unknown, so a
// wrong username costs the same time as a wrong password.
let decoy: Promise<string> | undefined;

/** The enabled account these credentials open, or undefined (whatever was wrong). */
export async function verifyAccount(
  q: Queryable,
  username: string,
  password: string,
): Promise<AccountRow | undefined> {
  const [row] = await q.query<AccountRow>(
    'select * from admin_accounts where username = $1 and not disabled',
    [username.trim().toLowerCase()],
  );
  if (!row || password.length > PASSWORD_MAX) {
    await verifyPin(password.slice(0, PASSWORD_MAX), await (decoy ??= hashPin(randomUUID())));
    return undefined;
  }
  return (await verifyPin(password, row.password_hash)) ? row : undefined;
}
