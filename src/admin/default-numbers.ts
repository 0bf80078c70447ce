import type { Actor } from './context.ts';
import { audit } from './audit.ts';
import { canonicalNumber } from './phone-number.ts';
import { validateType } from './service-numbers.ts';
import { ValidationError } from '../errors.ts';
import { queueUserEmail } from '../mail/outbox.ts';
import { requestMigration } from '../meetings/migrations.ts';
import type { Queryable } from '../store/db.ts';

export interface MoveDefaultNumberInput {
  FromNumber?: unknown;
  ToNumber?: unknown;
  NumberType?: unknown;
  RescheduleMeetings?: unknown;
}

export interface MoveDefaultNumberResult {
  NumberType: 'Toll' | 'TollFree';
  FromNumber: string;
  ToNumber: string;
  /** Users whose default number moved. */
  Moved: string[];
  /** Users on FromNumber who could not move, and why. */
  Skipped: { User: string; Reason: string }[];
  RescheduleMeetings: boolean;
}

/**
 * Set-CsOnlineDialInConferencingUserDefaultNumber: every user of the
 * organization whose default toll (or toll-free) number is FromNumber gets
 * ToNumber, which must be of that type and on their bridge (users on another
 * bridge are listed as skipped). Each moved user gets the "changed" email;
 * with -RescheduleMeetings their future meetings are migrated at once.
 */
export async function moveDefaultNumber(
  q: Queryable,
  actor: Actor,
  input: MoveDefaultNumberInput,
): Promise<MoveDefaultNumberResult> {
  if (input.NumberType === undefined)
    throw new ValidationError('NumberType', 'is required: Toll or TollFree');
  const type = validateType(input.NumberType, 'NumberType');
  const from = canonicalNumber(input.FromNumber, 'FromNumber').e164;
  const to = canonicalNumber(input.ToNumber, 'ToNumber').e164;
  if (from === to) throw new ValidationError('ToNumber', 'must differ from FromNumber', to);
  const reschedule = input.RescheduleMeetings ?? false;
  if (typeof reschedule !== 'boolean')
    throw new ValidationError('RescheduleMeetings', 'must be true or false', reschedule);
  const [target] = await q.query<{ type: string; bridge_id: string | null }>(
    'select type, bridge_id from service_numbers where number = $1 and org_id = $2',
    [to, actor.orgId],
  );
  if (!target || !target.bridge_id)
    throw new ValidationError(
      'ToNumber',
      "must be one of the organization's numbers on a bridge",
      to,
    );
  if (target.type !== type)
    throw new ValidationError(
      'ToNumber',
      type === 'Toll' ? 'must be a toll number' : 'must be a toll-free number',
      to,
    );
  const column = type === 'Toll' ? 'service_number' : 'toll_free_service_number';
  const users = await q.query<{ id: string; upn: string; bridge_id: string | null }>(
    `select id, upn, bridge_id from users
      where org_id = $1 and provider = 'BuiltIn' and ${column} = $2 order by upn`,
    [actor.orgId, from],
  );
  const result: MoveDefaultNumberResult = {
    NumberType: type,
    FromNumber: from,
    ToNumber: to,
    Moved: [],
    Skipped: [],
    RescheduleMeetings: reschedule,
  };
  for (const u of users) {
    if (u.bridge_id !== target.bridge_id) {
      result.Skipped.push({ User: u.upn, Reason: `${to} is not on this user's bridge` });
      continue;
    }
    await q.query(`update users set ${column} = $2 where id = $1`, [u.id, to]);
    await audit(q, actor, 'dialin.default-number', u.upn, [
      { field: type === 'Toll' ? 'ServiceNumber' : 'TollFreeServiceNumber', old: from, new: to },
    ]);
    await queueUserEmail(q, actor.orgId, u.id, { kind: 'changed' });
    if (reschedule) await requestMigration(q, actor.orgId, u.id, 'DialInChanged', true);
    result.Moved.push(u.upn);
  }
  return result;
}
