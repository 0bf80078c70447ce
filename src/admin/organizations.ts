import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { applySettings, withDefaults, type OrgSettings } from './settings.ts';
import { ValidationError } from '../errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './context.ts';

export interface Organization {
  id: string;
  name: string;
  domain: string | null;
}

/** The organization a fresh install starts with; created once, found afterwards. */
export async function ensureOrganization(
  q: Queryable,
  name: string,
): Promise<{ org: Organization; created: boolean }> {
  const existing = await q.query<Organization>(
    'select id, name, domain from organizations order by created_at limit 1',
  );
  if (existing[0]) return { org: existing[0], created: false };
  const org = { id: randomUUID(), name, domain: null };
  await q.query('insert into organizations (id, name, domain) values ($1, $2, $3)', [
    org.id,
    org.name,
    org.domain,
  ]);
  return { org, created: true };
}

export async function getOrganization(q: Queryable, orgId: string): Promise<Organization> {
  const rows = await q.query<Organization>(
    'select id, name, domain from organizations where id = $1',
    [orgId],
  );
  if (!rows[0]) throw new ValidationError('organization', 'does not exist', orgId);
  return rows[0];
}

const ORG_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export async function updateOrganization(
  q: Queryable,
  actor: Actor,
  patch: { name?: string; domain?: string | null },
): Promise<Organization> {
  const before = await getOrganization(q, actor.orgId);
  if (patch.name !== undefined && !ORG_NAME.test(patch.name)) {
    throw new ValidationError(
      'name',
      'must be 1-63 letters, digits or dashes (it prefixes license names, e.g. contoso:MCOMEETADV)',
      patch.name,
    );
  }
  if (patch.domain !== undefined && patch.domain !== null && !DOMAIN.test(patch.domain)) {
    throw new ValidationError('domain', 'must be a DNS domain such as contoso.com', patch.domain);
  }
  const after = { ...before, ...patch };
  await q.query('update organizations set name = $2, domain = $3 where id = $1', [
    before.id,
    after.name,
    after.domain,
  ]);
  await audit(
    q,
    actor,
    'organization.update',
    before.id,
    [
      { field: 'name', old: before.name, new: after.name },
      { field: 'domain', old: before.domain, new: after.domain },
    ].filter((c) => c.old !== c.new),
  );
  return after;
}

export async function readSettings(q: Queryable, orgId: string): Promise<OrgSettings> {
  const rows = await q.query<{ settings: Record<string, unknown> }>(
    'select settings from org_settings where org_id = $1',
    [orgId],
  );
  return withDefaults(rows[0]?.settings);
}

/** Validates the whole change first; writes nothing unless every value is good. */
export async function writeSettings(
  q: Queryable,
  actor: Actor,
  patch: Record<string, unknown>,
): Promise<OrgSettings> {
  const before = await readSettings(q, actor.orgId);
  const after = applySettings(before, patch);
  await q.query(
    `insert into org_settings (org_id, settings) values ($1, $2)
     on conflict (org_id) do update set settings = excluded.settings`,
    [actor.orgId, JSON.stringify(after)],
  );
  const changes = (Object.keys(after) as (keyof OrgSettings)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => ({ field: k, old: before[k], new: after[k] }));
  await audit(q, actor, 'settings.set', 'TenantSettings', changes);
  return after;
}

/** Removing the settings restores every default. */
export async function removeSettings(q: Queryable, actor: Actor): Promise<OrgSettings> {
  const before = await readSettings(q, actor.orgId);
  await q.query('delete from org_settings where org_id = $1', [actor.orgId]);
  const after = withDefaults(undefined);
  const changes = (Object.keys(after) as (keyof OrgSettings)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => ({ field: k, old: before[k], new: after[k] }));
  await audit(q, actor, 'settings.remove', 'TenantSettings', changes);
  return after;
}
