import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit } from './audit.ts';
import { canonicalNumber } from './phone-number.ts';

export interface BridgeRow {
  id: string;
  org_id: string;
  name: string;
  region: string | null;
  is_default: boolean;
  default_service_number: string | null;
}

/** As Get-CsOnlineDialInConferencingBridge shows a bridge. */
export interface BridgeView {
  Identity: string;
  Name: string;
  Region: string | null;
  IsDefault: boolean;
  DefaultServiceNumber: string | null;
  ServiceNumbers: string[];
}

export async function bridgeView(q: Queryable, b: BridgeRow): Promise<BridgeView> {
  const numbers = await q.query<{ number: string }>(
    'select number from service_numbers where bridge_id = $1 order by number',
    [b.id],
  );
  return {
    Identity: b.id,
    Name: b.name,
    Region: b.region,
    IsDefault: b.is_default,
    DefaultServiceNumber: b.default_service_number,
    ServiceNumbers: numbers.map((n) => n.number),
  };
}

function validateName(value: unknown, field = 'Name'): string {
  if (typeof value !== 'string' || !value.trim() || value.length > 128) {
    throw new ValidationError(field, 'must be 1 to 128 characters', value);
  }
  return value.trim();
}

/** A bridge by its ID or its name (case-insensitive). */
export async function findBridge(
  q: Queryable,
  orgId: string,
  identity: unknown,
  field = 'Identity',
): Promise<BridgeRow> {
  if (typeof identity !== 'string' || !identity.trim()) {
    throw new ValidationError(field, 'must name a bridge by its identity or name', identity);
  }
  const rows = await q.query<BridgeRow>(
    'select * from bridges where org_id = $1 and (id = $2 or lower(name) = lower($2))',
    [orgId, identity.trim()],
  );
  if (!rows[0]) throw new NotFoundError('bridge', identity, field);
  return rows[0];
}

/** A bridge named by -BridgeId or -BridgeName (never both), or undefined when neither is given. */
export async function findBridgeRef(
  q: Queryable,
  orgId: string,
  ref: { BridgeId?: unknown; BridgeName?: unknown },
): Promise<BridgeRow | undefined> {
  if (ref.BridgeId !== undefined && ref.BridgeName !== undefined) {
    throw new ValidationError('BridgeId', 'cannot be combined with -BridgeName');
  }
  if (ref.BridgeId !== undefined) return findBridge(q, orgId, ref.BridgeId, 'BridgeId');
  if (ref.BridgeName !== undefined) return findBridge(q, orgId, ref.BridgeName, 'BridgeName');
  return undefined;
}

export async function defaultBridge(q: Queryable, orgId: string): Promise<BridgeRow | undefined> {
  const rows = await q.query<BridgeRow>('select * from bridges where org_id = $1 and is_default', [
    orgId,
  ]);
  return rows[0];
}

export async function listBridges(q: Queryable, orgId: string): Promise<BridgeRow[]> {
  return q.query<BridgeRow>(
    'select * from bridges where org_id = $1 order by is_default desc, name',
    [orgId],
  );
}

/** The organization's first bridge becomes its default. */
export async function createBridge(
  q: Queryable,
  actor: Actor,
  input: { Name: unknown; Region?: unknown },
): Promise<BridgeRow> {
  const name = validateName(input.Name);
  const region =
    input.Region === undefined || input.Region === null
      ? null
      : validateName(input.Region, 'Region');
  const taken = await q.query(
    'select 1 from bridges where org_id = $1 and lower(name) = lower($2)',
    [actor.orgId, name],
  );
  if (taken.length) throw new ConflictError('Name', `a bridge named '${name}' already exists.`);
  const first = !(await defaultBridge(q, actor.orgId));
  const [row] = await q.query<BridgeRow>(
    'insert into bridges (id, org_id, name, region, is_default) values ($1, $2, $3, $4, $5) returning *',
    [randomUUID(), actor.orgId, name, region, first],
  );
  await audit(q, actor, 'bridge.create', name, [
    { field: 'Region', old: null, new: region },
    { field: 'IsDefault', old: null, new: first },
  ]);
  return row!;
}

/**
 * Set-CsOnlineDialInConferencingBridge. The bridge is named by Identity, or by
 * Name when Identity is absent (as the hosted service's examples do); with
 * Identity, Name renames it. The default number must be a toll number on the
 * bridge, and changing it leaves existing users' default numbers alone.
 */
export async function setBridge(
  q: Queryable,
  actor: Actor,
  input: {
    Identity?: unknown;
    Name?: unknown;
    DefaultServiceNumber?: unknown;
    SetDefault?: unknown;
  },
): Promise<BridgeRow> {
  if (input.Identity === undefined && input.Name === undefined) {
    throw new ValidationError('Identity', 'is required: name the bridge by -Identity or -Name');
  }
  const bridge = await findBridge(
    q,
    actor.orgId,
    input.Identity ?? input.Name,
    input.Identity === undefined ? 'Name' : 'Identity',
  );
  const changes = [];
  let name = bridge.name;
  if (input.Identity !== undefined && input.Name !== undefined) {
    name = validateName(input.Name);
    const clash = await q.query(
      'select 1 from bridges where org_id = $1 and lower(name) = lower($2) and id <> $3',
      [actor.orgId, name, bridge.id],
    );
    if (clash.length) throw new ConflictError('Name', `a bridge named '${name}' already exists.`);
    if (name !== bridge.name) changes.push({ field: 'Name', old: bridge.name, new: name });
  }
  let defaultNumber = bridge.default_service_number;
  if (input.DefaultServiceNumber !== undefined) {
    if (input.DefaultServiceNumber === null || input.DefaultServiceNumber === '') {
      throw new ValidationError(
        'DefaultServiceNumber',
        'must be a toll number on the bridge; a bridge always keeps a default once set',
      );
    }
    const { e164 } = canonicalNumber(input.DefaultServiceNumber, 'DefaultServiceNumber');
    const [n] = await q.query<{ type: string; bridge_id: string | null }>(
      'select type, bridge_id from service_numbers where number = $1',
      [e164],
    );
    if (!n || n.bridge_id !== bridge.id) {
      throw new ValidationError(
        'DefaultServiceNumber',
        `must be a number registered on bridge '${bridge.name}'`,
        e164,
      );
    }
    if (n.type !== 'Toll')
      throw new ValidationError(
        'DefaultServiceNumber',
        'must be a toll number, not toll-free',
        e164,
      );
    if (e164 !== defaultNumber)
      changes.push({ field: 'DefaultServiceNumber', old: defaultNumber, new: e164 });
    defaultNumber = e164;
  }
  let isDefault = bridge.is_default;
  if (input.SetDefault === true && !bridge.is_default) {
    await q.query('update bridges set is_default = false where org_id = $1 and is_default', [
      actor.orgId,
    ]);
    isDefault = true;
    changes.push({ field: 'IsDefault', old: false, new: true });
  } else if (input.SetDefault === false && bridge.is_default) {
    throw new ValidationError(
      'SetDefault',
      'can only make a bridge the default; make another bridge the default instead',
    );
  }
  const [row] = await q.query<BridgeRow>(
    'update bridges set name = $2, default_service_number = $3, is_default = $4 where id = $1 returning *',
    [bridge.id, name, defaultNumber, isDefault],
  );
  await audit(q, actor, 'bridge.set', bridge.name, changes);
  return row!;
}
