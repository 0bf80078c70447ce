import type { Queryable } from '../store/db.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit } from './audit.ts';
import { canonicalNumber } from './phone-number.ts';
import { DEFAULT_LANGUAGE, language, secondaryLanguages } from './languages.ts';
import { findBridgeRef, type BridgeRow } from './bridges.ts';

export type NumberType = 'Toll' | 'TollFree';

export interface ServiceNumberRow {
  number: string;
  org_id: string;
  bridge_id: string | null;
  type: NumberType;
  city: string;
  country: string | null;
  shared: boolean;
  primary_language: string;
  secondary_languages: string[];
}

/** As Get-CsOnlineDialInConferencingServiceNumber shows a number. */
export interface ServiceNumberView {
  Number: string;
  Type: NumberType;
  City: string;
  Country: string | null;
  Shared: boolean;
  BridgeId: string | null;
  BridgeName: string | null;
  PrimaryLanguage: string;
  SecondaryLanguages: string[];
}

export function serviceNumberView(
  n: ServiceNumberRow & { bridge_name?: string | null },
): ServiceNumberView {
  return {
    Number: n.number,
    Type: n.type,
    City: n.city,
    Country: n.country,
    Shared: n.shared,
    BridgeId: n.bridge_id,
    BridgeName: n.bridge_name ?? null,
    PrimaryLanguage: n.primary_language,
    SecondaryLanguages: n.secondary_languages,
  };
}

/** The language callers hear first on a number from a country, before anyone sets one. */
const COUNTRY_LANGUAGE: Record<string, string> = {
  US: 'en-US',
  CA: 'en-US',
  GB: 'en-GB',
  IE: 'en-GB',
  AU: 'en-GB',
  DE: 'de-DE',
  AT: 'de-DE',
  CH: 'de-DE',
  FR: 'fr-FR',
  BE: 'fr-FR',
  LU: 'fr-FR',
  ES: 'es-ES',
  IT: 'it-IT',
  BR: 'pt-BR',
  NL: 'nl-NL',
  JP: 'ja-JP',
  CN: 'zh-CN',
};

export function defaultLanguageFor(country: string | null | undefined): string {
  return (country && COUNTRY_LANGUAGE[country]) || DEFAULT_LANGUAGE;
}

export function validateType(value: unknown, field = 'Type'): NumberType {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (s === 'toll') return 'Toll';
  if (s === 'tollfree' || s === 'toll-free') return 'TollFree';
  throw new ValidationError(field, 'must be Toll or TollFree', value);
}

function validateCity(value: unknown): string {
  if (typeof value !== 'string' || !value.trim() || value.length > 128) {
    throw new ValidationError('City', 'must be 1 to 128 characters', value);
  }
  return value.trim();
}

const SELECT = `select n.*, b.name as bridge_name from service_numbers n left join bridges b on b.id = n.bridge_id`;

export async function findNumber(
  q: Queryable,
  orgId: string,
  identity: unknown,
  field = 'Identity',
) {
  const { e164 } = canonicalNumber(identity, field);
  const rows = await q.query<ServiceNumberRow & { bridge_name: string | null }>(
    `${SELECT} where n.number = $1 and n.org_id = $2`,
    [e164, orgId],
  );
  if (!rows[0]) throw new NotFoundError('service number', e164, field);
  return rows[0];
}

export async function listNumbers(
  q: Queryable,
  orgId: string,
  filter: { bridgeId?: string; city?: string; type?: NumberType },
) {
  return q.query<ServiceNumberRow & { bridge_name: string | null }>(
    `${SELECT} where n.org_id = $1 and ($2::text is null or n.bridge_id = $2)
       and ($3::text is null or lower(n.city) = lower($3)) and ($4::text is null or n.type = $4)
     order by n.country nulls last, n.city, n.number`,
    [orgId, filter.bridgeId ?? null, filter.city ?? null, filter.type ?? null],
  );
}

/** New-CsOnlineDialInConferencingServiceNumber: the number joins the bridge when one is named. */
export async function createNumber(
  q: Queryable,
  actor: Actor,
  input: {
    Identity: unknown;
    Type: unknown;
    City: unknown;
    BridgeName?: unknown;
    BridgeId?: unknown;
    Shared?: unknown;
    PrimaryLanguage?: unknown;
    SecondaryLanguages?: unknown;
  },
): Promise<ServiceNumberRow> {
  const { e164, country } = canonicalNumber(input.Identity);
  const type = validateType(input.Type);
  const city = validateCity(input.City);
  const shared = input.Shared === true;
  if (shared && input.SecondaryLanguages !== undefined) {
    throw new ValidationError(
      'SecondaryLanguages',
      'can be set on dedicated numbers only, not on a shared number',
    );
  }
  const primary =
    input.PrimaryLanguage === undefined
      ? defaultLanguageFor(country)
      : language(input.PrimaryLanguage, 'PrimaryLanguage');
  const secondary = secondaryLanguages(input.SecondaryLanguages, primary);
  const bridge = await findBridgeRef(q, actor.orgId, input);
  const taken = await q.query('select 1 from service_numbers where number = $1', [e164]);
  if (taken.length) throw new ConflictError('Identity', `service number ${e164} already exists.`);
  await q.query(
    `insert into service_numbers (number, org_id, type, city, country, shared, primary_language, secondary_languages)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e164, actor.orgId, type, city, country ?? null, shared, primary, JSON.stringify(secondary)],
  );
  await audit(q, actor, 'number.create', e164, [
    { field: 'Type', old: null, new: type },
    { field: 'City', old: null, new: city },
    { field: 'Shared', old: null, new: shared },
    { field: 'PrimaryLanguage', old: null, new: primary },
    { field: 'SecondaryLanguages', old: null, new: secondary },
  ]);
  if (bridge) await attach(q, actor, e164, bridge);
  return (await findNumber(q, actor.orgId, e164)) as ServiceNumberRow;
}

/** Puts a number on a bridge; the first toll number a bridge gets becomes its default. */
async function attach(
  q: Queryable,
  actor: Actor,
  number: string,
  bridge: BridgeRow,
): Promise<void> {
  await q.query('update service_numbers set bridge_id = $2 where number = $1', [number, bridge.id]);
  const changes = [{ field: 'BridgeName', old: null as unknown, new: bridge.name as unknown }];
  const [n] = await q.query<{ type: string }>(
    'select type from service_numbers where number = $1',
    [number],
  );
  if (!bridge.default_service_number && n?.type === 'Toll') {
    await q.query('update bridges set default_service_number = $2 where id = $1', [
      bridge.id,
      number,
    ]);
    await audit(q, actor, 'bridge.set', bridge.name, [
      { field: 'DefaultServiceNumber', old: null, new: number },
    ]);
  }
  await audit(q, actor, 'number.register', number, changes);
}

export async function registerNumber(
  q: Queryable,
  actor: Actor,
  input: { Identity: unknown; BridgeName?: unknown; BridgeId?: unknown },
): Promise<ServiceNumberRow> {
  const n = await findNumber(q, actor.orgId, input.Identity);
  const bridge = await findBridgeRef(q, actor.orgId, input);
  if (!bridge) {
    throw new ValidationError(
      'BridgeName',
      'is required: name the bridge to register the number on',
    );
  }
  if (n.bridge_id === bridge.id) return n;
  if (n.bridge_id) {
    throw new ConflictError(
      'Identity',
      `${n.number} is registered on bridge '${n.bridge_name}'; unregister it there first.`,
    );
  }
  await attach(q, actor, n.number, bridge);
  return findNumber(q, actor.orgId, n.number);
}

/**
 * Takes a number off its bridge. The bridge's default number goes only with
 * -RemoveDefaultServiceNumber, and never while users still have it as their
 * default: they would be left with a number that reaches nothing.
 */
export async function unregisterNumber(
  q: Queryable,
  actor: Actor,
  input: {
    Identity: unknown;
    BridgeName?: unknown;
    BridgeId?: unknown;
    RemoveDefaultServiceNumber?: unknown;
  },
): Promise<ServiceNumberRow> {
  const n = await findNumber(q, actor.orgId, input.Identity);
  if (!n.bridge_id)
    throw new ValidationError('Identity', 'is not registered on any bridge', n.number);
  const bridge = await findBridgeRef(q, actor.orgId, input);
  if (bridge && bridge.id !== n.bridge_id) {
    throw new ValidationError(
      'BridgeName',
      `does not match: ${n.number} is registered on bridge '${n.bridge_name}'`,
      bridge.name,
    );
  }
  const [users] = await q.query<{ count: number }>(
    'select count(*)::int as count from users where service_number = $1 or toll_free_service_number = $1',
    [n.number],
  );
  if (users && users.count > 0) {
    throw new ConflictError(
      'Identity',
      `${n.number} is the default number of ${users.count} user(s); give them another default number first.`,
    );
  }
  const [b] = await q.query<{ name: string; default_service_number: string | null }>(
    'select name, default_service_number from bridges where id = $1',
    [n.bridge_id],
  );
  if (b?.default_service_number === n.number) {
    if (input.RemoveDefaultServiceNumber !== true) {
      throw new ConflictError(
        'Identity',
        `${n.number} is the default number of bridge '${b.name}'; pass -RemoveDefaultServiceNumber or set another default first.`,
      );
    }
    await q.query('update bridges set default_service_number = null where id = $1', [n.bridge_id]);
    await audit(q, actor, 'bridge.set', b.name, [
      { field: 'DefaultServiceNumber', old: n.number, new: null },
    ]);
  }
  await q.query('update service_numbers set bridge_id = null where number = $1', [n.number]);
  await audit(q, actor, 'number.unregister', n.number, [
    { field: 'BridgeName', old: n.bridge_name, new: null },
  ]);
  return findNumber(q, actor.orgId, n.number);
}

/** Set-CsOnlineDialInConferencingServiceNumber: languages, on dedicated numbers only. */
export async function setNumberLanguages(
  q: Queryable,
  actor: Actor,
  input: {
    Identity: unknown;
    PrimaryLanguage?: unknown;
    SecondaryLanguages?: unknown;
    RestoreDefaultLanguages?: unknown;
  },
): Promise<ServiceNumberRow> {
  const n = await findNumber(q, actor.orgId, input.Identity);
  const restore = input.RestoreDefaultLanguages === true;
  if (restore && (input.PrimaryLanguage !== undefined || input.SecondaryLanguages !== undefined)) {
    throw new ValidationError(
      'RestoreDefaultLanguages',
      'cannot be combined with -PrimaryLanguage or -SecondaryLanguages',
    );
  }
  if (!restore && input.PrimaryLanguage === undefined && input.SecondaryLanguages === undefined) {
    throw new ValidationError(
      'PrimaryLanguage',
      'or -SecondaryLanguages or -RestoreDefaultLanguages is required',
    );
  }
  if (n.shared && !restore) {
    throw new ValidationError(
      'Identity',
      'is a shared number; languages can be changed on dedicated numbers only',
      n.number,
    );
  }
  const primary = restore
    ? defaultLanguageFor(n.country)
    : input.PrimaryLanguage === undefined
      ? n.primary_language
      : language(input.PrimaryLanguage, 'PrimaryLanguage');
  const secondary = restore
    ? []
    : input.SecondaryLanguages === undefined
      ? n.secondary_languages.filter((l) => l !== primary)
      : secondaryLanguages(input.SecondaryLanguages, primary);
  await q.query(
    'update service_numbers set primary_language = $2, secondary_languages = $3 where number = $1',
    [n.number, primary, JSON.stringify(secondary)],
  );
  const changes = [];
  if (primary !== n.primary_language)
    changes.push({ field: 'PrimaryLanguage', old: n.primary_language, new: primary });
  if (JSON.stringify(secondary) !== JSON.stringify(n.secondary_languages)) {
    changes.push({ field: 'SecondaryLanguages', old: n.secondary_languages, new: secondary });
  }
  await audit(q, actor, 'number.set', n.number, changes);
  return findNumber(q, actor.orgId, n.number);
}
