import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { applySettings, withDefaults, type OrgSettings } from './settings.ts';
import { ConflictError, DomainError, ValidationError } from '../errors.ts';
import { audit } from './audit.ts';
import type { Actor } from './context.ts';

export interface Organization {
  id: string;
  name: string;
  domain: string | null;
  /** The deployment's first organization: its administrators may add organizations. */
  operator: boolean;
}

const COLUMNS = 'id, name, domain, operator';

/** The organization a fresh install starts with; created once, found afterwards. */
export async function ensureOrganization(
  q: Queryable,
  name: string,
): Promise<{ org: Organization; created: boolean }> {
  const existing = await q.query<Organization>(
    `select ${COLUMNS} from organizations where operator`,
  );
  if (existing[0]) return { org: existing[0], created: false };
  const org = { id: randomUUID(), name: validateOrgName(name), domain: null, operator: true };
  await q.query(
    'insert into organizations (id, name, domain, operator) values ($1, $2, $3, true)',
    [org.id, org.name, org.domain],
  );
  return { org, created: true };
}

export async function getOrganization(q: Queryable, orgId: string): Promise<Organization> {
  const rows = await q.query<Organization>(`select ${COLUMNS} from organizations where id = $1`, [
    orgId,
  ]);
  if (!rows[0]) throw new ValidationError('organization', 'does not exist', orgId);
  return rows[0];
}

export async function listOrganizations(q: Queryable): Promise<Organization[]> {
  return q.query<Organization>(`select ${COLUMNS} from organizations order by created_at, name`);
}

const ORG_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function validateOrgName(name: unknown): string {
  if (typeof name !== 'string' || !ORG_NAME.test(name)) {
    throw new ValidationError(
      'name',
      'must be 1-63 letters, digits or dashes (it prefixes license names, e.g. contoso:MCOMEETADV)',
      name,
    );
  }
  return name;
}

function validateDomain(domain: unknown): string | null {
  if (domain === undefined || domain === null || domain === '') return null;
  if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
    throw new ValidationError('domain', 'must be a DNS domain such as contoso.com', domain);
  }
  return domain.toLowerCase();
}

/** A further organization (tenant); only the operator organization's administrators may add one. */
export async function createOrganization(
  q: Queryable,
  actor: Actor,
  input: { name?: unknown; domain?: unknown },
): Promise<Organization> {
  const self = await getOrganization(q, actor.orgId);
  if (!self.operator) {
    throw new DomainError(
      'Only administrators of the operator organization may add organizations.',
      'forbidden',
      'organization',
    );
  }
  const name = validateOrgName(input.name);
  const domain = validateDomain(input.domain);
  const taken = await q.query('select 1 from organizations where lower(name) = lower($1)', [name]);
  if (taken.length)
    throw new ConflictError('name', `an organization named '${name}' already exists.`);
  const org = { id: randomUUID(), name, domain, operator: false };
  await q.query('insert into organizations (id, name, domain) values ($1, $2, $3)', [
    org.id,
    name,
    domain,
  ]);
  await audit(q, actor, 'organization.create', name, [{ field: 'domain', old: null, new: domain }]);
  return org;
}

export async function updateOrganization(
  q: Queryable,
  actor: Actor,
  patch: { name?: unknown; domain?: unknown },
): Promise<Organization> {
  const before = await getOrganization(q, actor.orgId);
  const after = {
    ...before,
    name: patch.name === undefined ? before.name : validateOrgName(patch.name),
    domain: patch.domain === undefined ? before.domain : validateDomain(patch.domain),
  };
  const clash = await q.query(
    'select 1 from organizations where lower(name) = lower($1) and id <> $2',
    [after.name, before.id],
  );
  if (clash.length)
    throw new ConflictError('name', `an organization named '${after.name}' already exists.`);
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
