import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../store/db.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit, diff } from './audit.ts';
import { releaseId } from './conference-ids.ts';

export type Provider = 'None' | 'BuiltIn' | 'ThirdParty';

/** A user as stored. */
export interface UserRow {
  id: string;
  org_id: string;
  upn: string;
  display_name: string;
  usage_location: string | null;
  email: string;
  sip_address: string;
  licenses: string[];
  provider: Provider;
  conference_id: string | null;
  pin_hash: string | null;
  bridge_id: string | null;
  service_number: string | null;
  toll_free_service_number: string | null;
  allow_pstn_only_meetings: boolean;
  allow_toll_free_dial_in: boolean;
}

/** The user as Get-MsolUser shows it. */
export interface UserView {
  ObjectId: string;
  UserPrincipalName: string;
  DisplayName: string;
  UsageLocation: string | null;
  IsLicensed: boolean;
  Licenses: string[];
  DialInProvider: Provider;
}

export function userView(u: UserRow, orgName: string): UserView {
  return {
    ObjectId: u.id,
    UserPrincipalName: u.upn,
    DisplayName: u.display_name,
    UsageLocation: u.usage_location,
    IsLicensed: u.licenses.length > 0,
    Licenses: u.licenses.map((sku) => `${orgName}:${sku}`),
    DialInProvider: u.provider,
  };
}

const upnSchema = z.email();

export function validateUpn(value: unknown, field = 'UserPrincipalName'): string {
  if (typeof value !== 'string' || !upnSchema.safeParse(value.trim()).success) {
    throw new ValidationError(
      field,
      'must be an email-style name such as amos.marble@contoso.com',
      value,
    );
  }
  return value.trim().toLowerCase();
}

function validateDisplayName(value: unknown): string {
  if (typeof value !== 'string' || !value.trim() || value.length > 256) {
    throw new ValidationError('DisplayName', 'must be 1 to 256 characters', value);
  }
  return value.trim();
}

function validateUsageLocation(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value.trim())) {
    throw new ValidationError(
      'UsageLocation',
      'must be a two-letter country code such as US',
      value,
    );
  }
  return value.trim().toUpperCase();
}

/**
 * Finds a user by what administrators type: the object ID, the user principal
 * name, the SIP address (with or without "sip:"), the display name, or the part
 * of the UPN before '@' — as long as exactly one user matches.
 */
export async function findUser(
  q: Queryable,
  orgId: string,
  identity: unknown,
  field = 'Identity',
): Promise<UserRow> {
  if (typeof identity !== 'string' || !identity.trim()) {
    throw new ValidationError(
      field,
      'must name a user (user principal name, SIP address or display name)',
      identity,
    );
  }
  const id = identity.trim();
  const lower = id.toLowerCase().replace(/^sip:/, '');
  const exact = await q.query<UserRow>(
    `select * from users where org_id = $1 and (id = $2 or upn = $3 or lower(sip_address) = 'sip:' || $3)`,
    [orgId, id, lower],
  );
  if (exact[0]) return exact[0];
  const loose = await q.query<UserRow>(
    `select * from users where org_id = $1 and (lower(display_name) = $2 or split_part(upn, '@', 1) = $2) limit 3`,
    [orgId, lower],
  );
  if (loose.length === 1) return loose[0]!;
  if (loose.length > 1) {
    throw new ConflictError(
      field,
      `'${id}' matches several users (${loose.map((u) => u.upn).join(', ')}); use the user principal name.`,
    );
  }
  throw new NotFoundError('user', id, field);
}

export async function createUser(
  q: Queryable,
  actor: Actor,
  input: { UserPrincipalName: unknown; DisplayName: unknown; UsageLocation?: unknown },
): Promise<UserRow> {
  const upn = validateUpn(input.UserPrincipalName);
  const displayName = validateDisplayName(input.DisplayName);
  const usageLocation = validateUsageLocation(input.UsageLocation);
  const taken = await q.query('select 1 from users where upn = $1', [upn]);
  if (taken.length)
    throw new ConflictError('UserPrincipalName', `a user named ${upn} already exists.`);
  const id = randomUUID();
  const [row] = await q.query<UserRow>(
    `insert into users (id, org_id, upn, display_name, usage_location, email, sip_address)
     values ($1, $2, $3, $4, $5, $3, 'sip:' || $3) returning *`,
    [id, actor.orgId, upn, displayName, usageLocation],
  );
  await audit(q, actor, 'user.create', upn, [
    { field: 'DisplayName', old: null, new: displayName },
    { field: 'UsageLocation', old: null, new: usageLocation },
  ]);
  return row!;
}

export async function updateUser(
  q: Queryable,
  actor: Actor,
  identity: unknown,
  patch: { DisplayName?: unknown; UsageLocation?: unknown },
): Promise<UserRow> {
  const user = await findUser(q, actor.orgId, identity, 'UserPrincipalName');
  const next = {
    DisplayName:
      patch.DisplayName === undefined ? user.display_name : validateDisplayName(patch.DisplayName),
    UsageLocation:
      patch.UsageLocation === undefined
        ? user.usage_location
        : validateUsageLocation(patch.UsageLocation),
  };
  const [row] = await q.query<UserRow>(
    'update users set display_name = $2, usage_location = $3 where id = $1 returning *',
    [user.id, next.DisplayName, next.UsageLocation],
  );
  await audit(
    q,
    actor,
    'user.update',
    user.upn,
    diff({ DisplayName: user.display_name, UsageLocation: user.usage_location }, next),
  );
  return row!;
}

/** Removing a user releases their conference ID into quarantine first. */
export async function removeUser(q: Queryable, actor: Actor, identity: unknown): Promise<UserRow> {
  const user = await findUser(q, actor.orgId, identity, 'UserPrincipalName');
  if (user.conference_id) await releaseId(q, user.conference_id);
  await q.query('delete from users where id = $1', [user.id]);
  await audit(q, actor, 'user.remove', user.upn);
  return user;
}

export async function listUsers(
  q: Queryable,
  orgId: string,
  opts: { search?: string; provider?: Provider; limit: number; offset: number },
): Promise<UserRow[]> {
  const search = opts.search ? `%${opts.search.toLowerCase().replace(/[%_\\]/g, '\\$&')}%` : null;
  return q.query<UserRow>(
    `select * from users where org_id = $1
       and ($2::text is null or lower(display_name) like $2 or upn like $2)
       and ($3::text is null or provider = $3)
     order by display_name, upn limit $4 offset $5`,
    [orgId, search, opts.provider ?? null, opts.limit, opts.offset],
  );
}
