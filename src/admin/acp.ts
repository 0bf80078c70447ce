import { z } from 'zod';
import type { Queryable } from '../store/db.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit, diff, type Change } from './audit.ts';
import { canonicalNumber } from './phone-number.ts';
import { findUser } from './users.ts';

/** A third-party audio conferencing provider's details for one user (Set-CsUserAcp). */
export interface AcpView {
  Identity: string;
  Name: string;
  Domain: string | null;
  TollNumber: string;
  TollFreeNumbers: string[];
  ParticipantPasscode: string;
  Url: string | null;
}

export interface AcpRow {
  user_id: string;
  name: string;
  domain: string | null;
  toll_number: string;
  toll_free_numbers: string[];
  participant_passcode: string;
  url: string | null;
}

function view(upn: string, r: AcpRow): AcpView {
  return {
    Identity: upn,
    Name: r.name,
    Domain: r.domain,
    TollNumber: r.toll_number,
    TollFreeNumbers: r.toll_free_numbers,
    ParticipantPasscode: r.participant_passcode,
    Url: r.url,
  };
}

export interface AcpInput {
  Identity: unknown;
  Name?: unknown;
  Domain?: unknown;
  TollNumber?: unknown;
  TollFreeNumbers?: unknown;
  ParticipantPasscode?: unknown;
  Url?: unknown;
}

const text = (v: unknown, field: string, max = 256): string => {
  if (typeof v !== 'string' || !v.trim() || v.length > max)
    throw new ValidationError(field, `must be 1 to ${max} characters`, v);
  return v.trim();
};

/** Checks one user's provider fields; used by Set-CsUserAcp (first refusal) and the CSV import (every refusal). */
export function validateAcp(input: AcpInput, current?: AcpRow): Omit<AcpRow, 'user_id'> {
  const { value, errors } = checkAcp(input, current);
  if (errors[0]) throw errors[0];
  return value!;
}

/**
 * The same rules as validateAcp, but every field is checked and every refusal
 * returned (in field order), so a bulk import can report them all at once.
 * A field left undefined keeps its current value.
 */
export function checkAcp(
  input: AcpInput,
  current?: Omit<AcpRow, 'user_id'>,
): { value?: Omit<AcpRow, 'user_id'>; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const check = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(err);
      return fallback;
    }
  };
  const name = check(() => {
    const n = input.Name !== undefined ? text(input.Name, 'Name') : current?.name;
    if (!n) throw new ValidationError('Name', "is required: the provider's name");
    return n;
  }, '');
  const domain = check(() => {
    if (input.Domain === undefined) return current?.domain ?? null;
    const d = input.Domain === null || input.Domain === '' ? null : text(input.Domain, 'Domain');
    if (d && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(d)) {
      throw new ValidationError('Domain', 'must be a DNS domain such as provider.example', d);
    }
    return d;
  }, null);
  const toll = check(() => {
    const t =
      input.TollNumber !== undefined
        ? canonicalNumber(input.TollNumber, 'TollNumber').e164
        : current?.toll_number;
    if (!t) throw new ValidationError('TollNumber', 'is required: the toll number callers dial');
    return t;
  }, '');
  const tollFree = check(() => {
    if (input.TollFreeNumbers === undefined) return current?.toll_free_numbers ?? [];
    const list =
      input.TollFreeNumbers === null
        ? []
        : Array.isArray(input.TollFreeNumbers)
          ? input.TollFreeNumbers
          : [input.TollFreeNumbers];
    return list.map((n) => canonicalNumber(n, 'TollFreeNumbers').e164);
  }, []);
  const passcode = check(() => {
    let p = current?.participant_passcode;
    if (input.ParticipantPasscode !== undefined) {
      const v =
        typeof input.ParticipantPasscode === 'number'
          ? String(input.ParticipantPasscode)
          : input.ParticipantPasscode;
      if (typeof v !== 'string' || !/^\d{1,20}$/.test(v.trim())) {
        throw new ValidationError(
          'ParticipantPasscode',
          'must be 1 to 20 digits, as issued by the provider',
          input.ParticipantPasscode,
        );
      }
      p = v.trim();
    }
    if (!p)
      throw new ValidationError(
        'ParticipantPasscode',
        'is required: the conference ID the provider issued',
      );
    return p;
  }, '');
  const url = check(() => {
    if (input.Url === undefined) return current?.url ?? null;
    const u = input.Url === null || input.Url === '' ? null : text(input.Url, 'Url', 2048);
    if (u && !z.url({ protocol: /^https?$/ }).safeParse(u).success) {
      throw new ValidationError('Url', 'must be an http or https URL', u);
    }
    return u;
  }, null);
  if (errors.length) return { errors };
  return {
    value: {
      name,
      domain,
      toll_number: toll,
      toll_free_numbers: tollFree,
      participant_passcode: passcode,
      url,
    },
    errors,
  };
}

export async function getAcp(q: Queryable, orgId: string, identity: unknown): Promise<AcpView> {
  const user = await findUser(q, orgId, identity);
  const [row] = await q.query<AcpRow>('select * from user_acp where user_id = $1', [user.id]);
  if (!row) throw new NotFoundError('third-party provider for user', user.upn);
  return view(user.upn, row);
}

export async function listAcp(q: Queryable, orgId: string): Promise<AcpView[]> {
  const rows = await q.query<AcpRow & { upn: string }>(
    'select a.*, u.upn from user_acp a join users u on u.id = a.user_id where u.org_id = $1 order by u.upn',
    [orgId],
  );
  return rows.map((r) => view(r.upn, r));
}

/**
 * A user has one provider at a time: a user on the built-in bridge must be
 * disabled first (Disable-CsOnlineDialInConferencingUser), as the seeds say.
 */
export async function setAcp(q: Queryable, actor: Actor, input: AcpInput): Promise<AcpView> {
  const user = await findUser(q, actor.orgId, input.Identity);
  if (user.provider === 'BuiltIn') {
    throw new ValidationError(
      'Identity',
      'uses the built-in bridge; remove it first with Disable-CsOnlineDialInConferencingUser',
      user.upn,
    );
  }
  const [current] = await q.query<AcpRow>('select * from user_acp where user_id = $1', [user.id]);
  const next = validateAcp(input, current);
  await q.query(
    `insert into user_acp (user_id, name, domain, toll_number, toll_free_numbers, participant_passcode, url)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (user_id) do update set name = excluded.name, domain = excluded.domain,
       toll_number = excluded.toll_number, toll_free_numbers = excluded.toll_free_numbers,
       participant_passcode = excluded.participant_passcode, url = excluded.url`,
    [
      user.id,
      next.name,
      next.domain,
      next.toll_number,
      JSON.stringify(next.toll_free_numbers),
      next.participant_passcode,
      next.url,
    ],
  );
  await q.query(`update users set provider = 'ThirdParty' where id = $1`, [user.id]);
  // The audit log names fields as Set-CsUserAcp's parameters, not as columns.
  const changes = diff(current ? { ...current, user_id: undefined } : {}, { ...next }).map(
    (c): Change => ({ ...c, field: ACP_PARAM[c.field as keyof typeof ACP_PARAM] ?? c.field }),
  );
  if (user.provider !== 'ThirdParty')
    changes.unshift({ field: 'Provider', old: user.provider, new: 'ThirdParty' });
  await audit(q, actor, 'acp.set', user.upn, changes);
  return view(user.upn, { user_id: user.id, ...next });
}

const ACP_PARAM = {
  name: 'Name',
  domain: 'Domain',
  toll_number: 'TollNumber',
  toll_free_numbers: 'TollFreeNumbers',
  participant_passcode: 'ParticipantPasscode',
  url: 'Url',
} as const;

export async function removeAcp(q: Queryable, actor: Actor, identity: unknown): Promise<void> {
  const user = await findUser(q, actor.orgId, identity);
  const rows = await q.query('delete from user_acp where user_id = $1 returning user_id', [
    user.id,
  ]);
  if (!rows.length) throw new NotFoundError('third-party provider for user', user.upn);
  await q.query(`update users set provider = 'None' where id = $1`, [user.id]);
  await audit(q, actor, 'acp.remove', user.upn, [
    { field: 'Provider', old: 'ThirdParty', new: 'None' },
  ]);
}
