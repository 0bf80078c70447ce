import type { Queryable } from '../store/db.ts';
import { ValidationError } from '../errors.ts';

/**
 * The admin center's users directory: every user of the organization —
 * on the built-in bridge, on a third-party provider, or without dial-in —
 * with their provider, conference ID, default numbers and license, one page
 * at a time, fast at 100,000 users (bench/directory.ts measures it).
 */

export const DIRECTORY_SORTS = [
  'displayName',
  'userPrincipalName',
  'conferenceId',
  'provider',
  'tollNumber',
] as const;
export type DirectorySort = (typeof DIRECTORY_SORTS)[number];
export const DIRECTORY_PROVIDERS = ['BuiltIn', 'ThirdParty', 'None'] as const;

export interface DirectoryQuery {
  search?: unknown;
  provider?: unknown;
  licensed?: unknown;
  sort?: unknown;
  order?: unknown;
  limit?: unknown;
  offset?: unknown;
}

export interface DirectoryUser {
  identity: string;
  displayName: string;
  userPrincipalName: string;
  email: string;
  /** 'BuiltIn', the third-party provider's name, or null without dial-in. */
  provider: string | null;
  conferenceId: string | null;
  tollNumber: string | null;
  tollFreeNumber: string | null;
  licensed: boolean;
  /** Built-in users only. */
  allowTollFreeDialIn?: boolean;
  /** Built-in users only. */
  bridgeName?: string | null;
}

export interface DirectoryPage {
  total: number;
  items: DirectoryUser[];
}

interface Checked {
  search: string | null;
  provider: (typeof DIRECTORY_PROVIDERS)[number] | null;
  licensed: boolean | null;
  sort: DirectorySort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

function choice<T extends string>(
  field: string,
  value: unknown,
  choices: readonly T[],
): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const hit = choices.find(
    (c) => typeof value === 'string' && c.toLowerCase() === value.toLowerCase(),
  );
  if (!hit) throw new ValidationError(field, `must be one of ${choices.join(', ')}`, value);
  return hit;
}

function whole(field: string, value: unknown, dflt: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return dflt;
  const n =
    typeof value === 'number' ? value : /^\d{1,9}$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`, value);
  return n;
}

/** Checks the query before any store work; every refusal names the parameter. */
export function checkDirectoryQuery(input: DirectoryQuery): Checked {
  let search: string | null = null;
  if (input.search !== undefined && input.search !== null && input.search !== '') {
    if (typeof input.search !== 'string' || input.search.length > 256)
      throw new ValidationError('search', 'must be text of at most 256 characters', input.search);
    search = input.search.trim().toLowerCase() || null;
  }
  const licensedRaw = choice('licensed', input.licensed, ['true', 'false'] as const);
  return {
    search,
    provider: choice('provider', input.provider, DIRECTORY_PROVIDERS) ?? null,
    licensed: licensedRaw === undefined ? null : licensedRaw === 'true',
    sort: choice('sort', input.sort, DIRECTORY_SORTS) ?? 'displayName',
    order: choice('order', input.order, ['asc', 'desc'] as const) ?? 'asc',
    limit: whole('limit', input.limit, 50, 1, 500),
    offset: whole('offset', input.offset, 0, 0, 100_000_000),
  };
}

/**
 * Sort keys, all indexed with the organization (migration 7). The provider,
 * conference ID and toll number shown depend on the provider (a third-party
 * user's come from user_acp), so triggers keep them in users.dir_* columns.
 * The user principal name breaks ties (it is unique), so paging is stable.
 * Descending is the exact reverse of ascending: users without a value come
 * last going up and first going down.
 */
const ORDER: Record<DirectorySort, string[]> = {
  displayName: ['u.display_name', 'u.upn'],
  userPrincipalName: ['u.upn'],
  conferenceId: ['u.dir_conference_id', 'u.upn'],
  provider: ['u.dir_provider', 'u.display_name', 'u.upn'],
  tollNumber: ['u.dir_toll_number', 'u.upn'],
};

interface Row {
  id: string;
  upn: string;
  display_name: string;
  email: string;
  provider: 'BuiltIn' | 'ThirdParty' | 'None';
  dir_licensed: boolean;
  allow_toll_free_dial_in: boolean;
  bridge_name: string | null;
  dir_provider: string | null;
  dir_conference_id: string | null;
  dir_toll_number: string | null;
  toll_free_number: string | null;
}

/**
 * Three queries whatever the page: the total, the page's user ids (from an
 * index), and those users' details. A page past the
 * middle is read from the other end, so no page walks more than half the list.
 */
export async function listDirectory(
  q: Queryable,
  orgId: string,
  input: DirectoryQuery,
): Promise<DirectoryPage> {
  const c = checkDirectoryQuery(input);
  const params: unknown[] = [orgId];
  const where = ['u.org_id = $1'];
  if (c.provider) {
    params.push(c.provider);
    where.push(`u.provider = $${params.length}`);
  }
  if (c.licensed !== null) where.push(`u.dir_licensed = ${c.licensed}`);
  if (c.search) {
    // dir_search holds the lower-cased name, addresses, conference ID and
    // numbers (pg_trgm indexes it); a number or ID is searched without its
    // formatting ("+1 (425) 555-0100" finds +14255550100).
    const digits = c.search.replace(/[\s().+-]/g, '');
    const term = /^\d+$/.test(digits) && /\d/.test(c.search) ? digits : c.search;
    params.push(`%${term.replace(/[%_\\]/g, '\\$&')}%`);
    where.push(`u.dir_search like $${params.length}`);
  }
  const filter = where.join(' and ');
  // Without a search, the total comes from the user counts the store keeps
  // per organization, provider and license (migration 7), not from counting
  // 100,000 rows.
  const total = c.search
    ? Number(
        (
          await q.query<{ n: string | number }>(
            `select count(*) as n from users u where ${filter}`,
            params,
          )
        )[0]!.n,
      )
    : await countUsers(q, orgId, c.provider, c.licensed);
  if (c.offset >= total) return { total, items: [] };

  const reverse = c.offset > total / 2;
  const dir = (c.order === 'asc') !== reverse ? 'asc' : 'desc';
  const limit = reverse ? Math.min(c.limit, total - c.offset) : c.limit;
  const offset = reverse ? Math.max(0, total - c.offset - c.limit) : c.offset;
  const ids = await q.query<{ id: string }>(
    `select u.id from users u where ${filter}
     order by ${ORDER[c.sort].map((k) => `${k} ${dir}`).join(', ')}
     limit ${limit} offset ${offset}`,
    params,
  );
  if (reverse) ids.reverse();
  const rows = await q.query<Row>(
    `select u.id, u.upn, u.display_name, u.email, u.provider, u.dir_licensed, u.allow_toll_free_dial_in,
            b.name as bridge_name, u.dir_provider, u.dir_conference_id, u.dir_toll_number,
            case u.provider when 'BuiltIn' then u.toll_free_service_number
                            when 'ThirdParty' then a.toll_free_numbers->>0 end as toll_free_number
     from users u
     left join bridges b on b.id = u.bridge_id
     left join user_acp a on a.user_id = u.id
     where u.id = any($1::text[])`,
    [ids.map((r) => r.id)],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    total,
    items: ids.flatMap((r) => {
      const row = byId.get(r.id);
      return row ? [directoryUser(row)] : [];
    }),
  };
}

/**
 * The users of an organization by provider and license: the sum of the
 * changes the store's triggers record (one row per statement that adds,
 * removes or moves users). Once they pile up they are folded into one row per
 * group; folding deletes exactly the rows it sums, so concurrent folds agree.
 */
async function countUsers(
  q: Queryable,
  orgId: string,
  provider: string | null,
  licensed: boolean | null,
): Promise<number> {
  const groups = await q.query<{ provider: string; licensed: boolean; n: string; rows: string }>(
    `select provider, licensed, sum(delta) as n, count(*) as rows
     from users_directory_counts where org_id = $1 group by 1, 2`,
    [orgId],
  );
  if (groups.reduce((a, g) => a + Number(g.rows), 0) > FOLD_AFTER) {
    await q.query(
      `with folded as (delete from users_directory_counts where org_id = $1
                       returning provider, licensed, delta)
       insert into users_directory_counts (org_id, provider, licensed, delta)
       select $1, provider, licensed, sum(delta) from folded group by 1, 2, 3`,
      [orgId],
    );
  }
  return groups
    .filter(
      (g) =>
        (provider === null || g.provider === provider) &&
        (licensed === null || g.licensed === licensed),
    )
    .reduce((a, g) => a + Number(g.n), 0);
}

const FOLD_AFTER = 500;

function directoryUser(r: Row): DirectoryUser {
  const builtIn = r.provider === 'BuiltIn';
  return {
    identity: r.upn,
    displayName: r.display_name,
    userPrincipalName: r.upn,
    email: r.email,
    provider: r.dir_provider,
    conferenceId: r.dir_conference_id,
    tollNumber: r.dir_toll_number,
    tollFreeNumber: r.toll_free_number,
    licensed: r.dir_licensed,
    ...(builtIn
      ? { allowTollFreeDialIn: r.allow_toll_free_dial_in, bridgeName: r.bridge_name }
      : {}),
  };
}
