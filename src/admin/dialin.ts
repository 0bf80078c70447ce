import type { Queryable } from '../store/db.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit, type Change } from './audit.ts';
import { allocateStaticId, claimId, releaseId } from './conference-ids.ts';
import { validateStaticId } from './conference-id.ts';
import { generatePin, hashPin, MASKED_PIN } from './pin.ts';
import { defaultBridge, findBridgeRef } from './bridges.ts';
import { canonicalNumber } from './phone-number.ts';
import { findUser, type UserRow } from './users.ts';
import type { OrgSettings } from './settings.ts';
import { z } from 'zod';
import { queueUserEmail } from '../mail/outbox.ts';
import { requestMigration } from '../meetings/migrations.ts';

/** As Get-CsOnlineDialInConferencingUser shows a user: the PIN is always masked. */
export interface DialInUserView {
  Identity: string;
  DisplayName: string;
  SipAddress: string;
  Provider: string;
  ConferenceId: string | null;
  BridgeId: string | null;
  BridgeName: string | null;
  ServiceNumber: string | null;
  TollFreeServiceNumber: string | null;
  AllowPstnOnlyMeetings: boolean;
  AllowTollFreeDialIn: boolean;
  LeaderPin: string | null;
}

export type DialInRow = UserRow & { bridge_name: string | null };

export const DIALIN_SELECT = `select u.*, b.name as bridge_name from users u left join bridges b on b.id = u.bridge_id`;

export function dialInView(u: DialInRow, clearPin?: string): DialInUserView {
  return {
    Identity: u.upn,
    DisplayName: u.display_name,
    SipAddress: u.sip_address,
    Provider: u.provider,
    ConferenceId: u.conference_id,
    BridgeId: u.bridge_id,
    BridgeName: u.bridge_name,
    ServiceNumber: u.service_number,
    TollFreeServiceNumber: u.toll_free_service_number,
    AllowPstnOnlyMeetings: u.allow_pstn_only_meetings,
    AllowTollFreeDialIn: u.allow_toll_free_dial_in,
    // The clear PIN travels only in the reply to the action that made it.
    LeaderPin: clearPin ?? (u.pin_hash ? MASKED_PIN : null),
  };
}

export async function loadDialIn(q: Queryable, userId: string): Promise<DialInRow> {
  const [row] = await q.query<DialInRow>(`${DIALIN_SELECT} where u.id = $1`, [userId]);
  return row!;
}

/** A fresh PIN and its hash, made outside any transaction since hashing is slow on purpose. */
export async function newPin(length: number): Promise<{ pin: string; hash: string }> {
  const pin = generatePin(length);
  return { pin, hash: await hashPin(pin) };
}

/**
 * Switches a user to the built-in bridge: a static conference ID, a leader PIN,
 * the organization's default bridge and its default number, and the
 * organization's current AllowPSTNOnlyMeetingsByDefault.
 */
export async function enableBuiltIn(
  q: Queryable,
  actor: Actor,
  user: UserRow,
  settings: OrgSettings,
  pin: { pin: string; hash: string },
  quarantineDays: number,
  sendEmail = false,
): Promise<void> {
  const conferenceId = await allocateStaticId(
    q,
    { orgId: actor.orgId, ownerId: user.id },
    quarantineDays,
  );
  const bridge = await defaultBridge(q, actor.orgId);
  await q.query('delete from user_acp where user_id = $1', [user.id]);
  await q.query(
    `update users set provider = 'BuiltIn', conference_id = $2, pin_hash = $3, bridge_id = $4,
       service_number = $5, toll_free_service_number = null, allow_pstn_only_meetings = $6,
       allow_toll_free_dial_in = true where id = $1`,
    [
      user.id,
      conferenceId,
      pin.hash,
      bridge?.id ?? null,
      bridge?.default_service_number ?? null,
      settings.AllowPSTNOnlyMeetingsByDefault,
    ],
  );
  await audit(q, actor, 'dialin.enable', user.upn, [
    { field: 'Provider', old: user.provider, new: 'BuiltIn' },
    { field: 'ConferenceId', old: user.conference_id, new: conferenceId },
    { field: 'LeaderPin', old: null, new: 'set' },
    { field: 'BridgeName', old: null, new: bridge?.name ?? null },
    { field: 'ServiceNumber', old: null, new: bridge?.default_service_number ?? null },
  ]);
  // The "enabled" email, with the PIN (automatic, or forced by -SendEmail).
  await queueUserEmail(q, actor.orgId, user.id, {
    kind: 'enabled',
    pin: pin.pin,
    force: sendEmail,
  });
  // Meetings scheduled before (on a bridge they lost) get dial-in again.
  await requestMigration(q, actor.orgId, user.id, 'DialInEnabled');
}

/** Leaves the built-in bridge: the ID goes to quarantine and the PIN is destroyed. */
export async function disableBuiltIn(
  q: Queryable,
  actor: Actor,
  user: UserRow,
  sendEmail = false,
): Promise<void> {
  // Queued before the update, so the email can name the conference ID that stops working.
  await queueUserEmail(q, actor.orgId, user.id, { kind: 'disabled', force: sendEmail });
  if (user.conference_id) await releaseId(q, user.conference_id);
  await q.query(
    `update users set provider = 'None', conference_id = null, pin_hash = null, bridge_id = null,
       service_number = null, toll_free_service_number = null, allow_pstn_only_meetings = false
     where id = $1`,
    [user.id],
  );
  await audit(q, actor, 'dialin.disable', user.upn, [
    { field: 'Provider', old: user.provider, new: 'None' },
    { field: 'ConferenceId', old: user.conference_id, new: null },
    { field: 'LeaderPin', old: 'set', new: null },
  ]);
  // Their future meetings lose dial-in (per-meeting IDs go to quarantine).
  await requestMigration(q, actor.orgId, user.id, 'DialInDisabled');
}

export function requireBuiltIn(user: UserRow): void {
  if (user.provider !== 'BuiltIn') {
    const why =
      user.provider === 'ThirdParty'
        ? 'uses a third-party provider'
        : 'is not enabled for dial-in conferencing';
    throw new ValidationError(
      'Identity',
      `${why}; enable the user with Enable-CsOnlineDialInConferencingUser first`,
      user.upn,
    );
  }
}

export interface SetDialInInput {
  Identity: unknown;
  ConferenceId?: unknown;
  ResetConferenceId?: unknown;
  ResetLeaderPin?: unknown;
  ServiceNumber?: unknown;
  TollFreeServiceNumber?: unknown;
  BridgeId?: unknown;
  BridgeName?: unknown;
  AllowPSTNOnlyMeetings?: unknown;
  AllowTollFreeDialIn?: unknown;
  SendEmail?: unknown;
  SendEmailToAddress?: unknown;
  Force?: unknown;
}

function bool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean')
    throw new ValidationError(field, 'must be $true or $false', value);
  return value;
}

/** Checks the parts of a Set that need no store, so a bad request fails before any work. */
export function checkSetDialIn(input: SetDialInInput): void {
  if (input.ConferenceId !== undefined && input.ResetConferenceId === true) {
    throw new ValidationError('ConferenceId', 'cannot be combined with -ResetConferenceId');
  }
  if (input.ConferenceId !== undefined) validateStaticId(input.ConferenceId);
  if (input.BridgeId !== undefined && input.BridgeName !== undefined) {
    throw new ValidationError('BridgeId', 'cannot be combined with -BridgeName');
  }
  bool(input.AllowPSTNOnlyMeetings, 'AllowPSTNOnlyMeetings');
  bool(input.AllowTollFreeDialIn, 'AllowTollFreeDialIn');
  if (input.SendEmailToAddress !== undefined) {
    if (input.SendEmail !== true) {
      throw new ValidationError(
        'SendEmailToAddress',
        'requires -SendEmail (the override applies to the email -SendEmail sends)',
      );
    }
    if (
      typeof input.SendEmailToAddress !== 'string' ||
      !z.email().safeParse(input.SendEmailToAddress).success
    ) {
      throw new ValidationError(
        'SendEmailToAddress',
        'must be a valid email address',
        input.SendEmailToAddress,
      );
    }
  }
}

/** Set-CsOnlineDialInConferencingUser. Returns the clear PIN when one was reset. */
export async function setDialInUser(
  q: Queryable,
  actor: Actor,
  input: SetDialInInput,
  pin: { pin: string; hash: string } | undefined,
  quarantineDays: number,
): Promise<{ user: UserRow; clearPin?: string; changes: Change[] }> {
  checkSetDialIn(input);
  const user = await findUser(q, actor.orgId, input.Identity);
  requireBuiltIn(user);
  const changes: Change[] = [];
  const next = { ...user };

  if (input.ConferenceId !== undefined) {
    const id = validateStaticId(input.ConferenceId);
    if (id !== user.conference_id) {
      await claimId(
        q,
        id,
        { orgId: actor.orgId, kind: 'static', ownerId: user.id },
        quarantineDays,
      );
      next.conference_id = id;
    }
  } else if (input.ResetConferenceId === true) {
    next.conference_id = await allocateStaticId(
      q,
      { orgId: actor.orgId, ownerId: user.id },
      quarantineDays,
    );
  }
  if (next.conference_id !== user.conference_id) {
    if (user.conference_id) await releaseId(q, user.conference_id);
    changes.push({ field: 'ConferenceId', old: user.conference_id, new: next.conference_id });
  }

  if (input.ResetLeaderPin === true) {
    if (!pin) throw new Error('setDialInUser: a reset needs a prepared PIN');
    next.pin_hash = pin.hash;
    changes.push({ field: 'LeaderPin', old: 'set', new: 'reset' });
  }

  const bridge = await findBridgeRef(q, actor.orgId, input);
  if (bridge) {
    if (bridge.id !== user.bridge_id) {
      next.bridge_id = bridge.id;
      changes.push({ field: 'BridgeName', old: user.bridge_id, new: bridge.name });
      // Numbers belong to bridges: numbers of the old bridge give way to the new bridge's default.
      const onNew = await q.query<{ number: string }>(
        'select number from service_numbers where bridge_id = $1',
        [bridge.id],
      );
      const set = new Set(onNew.map((n) => n.number));
      if (!next.service_number || !set.has(next.service_number))
        next.service_number = bridge.default_service_number;
      if (next.toll_free_service_number && !set.has(next.toll_free_service_number))
        next.toll_free_service_number = null;
    }
  }

  const numberOnBridge = async (value: unknown, field: string, type: 'Toll' | 'TollFree') => {
    const { e164 } = canonicalNumber(value, field);
    const [n] = await q.query<{ type: string; bridge_id: string | null }>(
      'select type, bridge_id from service_numbers where number = $1 and org_id = $2',
      [e164, actor.orgId],
    );
    if (!n || !next.bridge_id || n.bridge_id !== next.bridge_id) {
      throw new ValidationError(field, "must be a number on the user's bridge", e164);
    }
    if (n.type !== type) {
      throw new ValidationError(
        field,
        type === 'Toll' ? 'must be a toll number' : 'must be a toll-free number',
        e164,
      );
    }
    return e164;
  };
  if (input.ServiceNumber !== undefined) {
    next.service_number = await numberOnBridge(input.ServiceNumber, 'ServiceNumber', 'Toll');
  }
  if (input.TollFreeServiceNumber !== undefined) {
    next.toll_free_service_number =
      input.TollFreeServiceNumber === null || input.TollFreeServiceNumber === ''
        ? null
        : await numberOnBridge(input.TollFreeServiceNumber, 'TollFreeServiceNumber', 'TollFree');
  }
  if (next.service_number !== user.service_number) {
    changes.push({ field: 'ServiceNumber', old: user.service_number, new: next.service_number });
  }
  if (next.toll_free_service_number !== user.toll_free_service_number) {
    changes.push({
      field: 'TollFreeServiceNumber',
      old: user.toll_free_service_number,
      new: next.toll_free_service_number,
    });
  }

  const pstn = bool(input.AllowPSTNOnlyMeetings, 'AllowPSTNOnlyMeetings');
  if (pstn !== undefined && pstn !== user.allow_pstn_only_meetings) {
    next.allow_pstn_only_meetings = pstn;
    changes.push({ field: 'AllowPstnOnlyMeetings', old: user.allow_pstn_only_meetings, new: pstn });
  }
  const tollFree = bool(input.AllowTollFreeDialIn, 'AllowTollFreeDialIn');
  if (tollFree !== undefined && tollFree !== user.allow_toll_free_dial_in) {
    next.allow_toll_free_dial_in = tollFree;
    changes.push({
      field: 'AllowTollFreeDialIn',
      old: user.allow_toll_free_dial_in,
      new: tollFree,
    });
  }

  const [row] = await q.query<UserRow>(
    `update users set conference_id = $2, pin_hash = $3, bridge_id = $4, service_number = $5,
       toll_free_service_number = $6, allow_pstn_only_meetings = $7, allow_toll_free_dial_in = $8
     where id = $1 returning *`,
    [
      user.id,
      next.conference_id,
      next.pin_hash,
      next.bridge_id,
      next.service_number,
      next.toll_free_service_number,
      next.allow_pstn_only_meetings,
      next.allow_toll_free_dial_in,
    ],
  );
  await audit(q, actor, 'dialin.set', user.upn, changes);
  // Emails: the PIN reset one (it also carries the current ID and number), else a
  // "details changed" one; both automatic. -SendEmail adds the conference info, never the PIN.
  const detailsChanged = changes.some((c) =>
    ['ConferenceId', 'ServiceNumber', 'TollFreeServiceNumber'].includes(c.field),
  );
  if (input.ResetLeaderPin === true && pin) {
    await queueUserEmail(q, actor.orgId, user.id, { kind: 'pin_reset', pin: pin.pin });
  } else if (detailsChanged) {
    await queueUserEmail(q, actor.orgId, user.id, { kind: 'changed' });
  }
  // Future meetings take the new ID or numbers (AutomaticallyMigrateUserMeetings).
  if (detailsChanged || changes.some((c) => c.field === 'BridgeName'))
    await requestMigration(q, actor.orgId, user.id, 'DialInChanged');
  if (input.SendEmail === true) {
    await queueUserEmail(q, actor.orgId, user.id, {
      kind: 'conference_info',
      to: input.SendEmailToAddress as string | undefined,
    });
  }
  return { user: row!, clearPin: input.ResetLeaderPin === true ? pin?.pin : undefined, changes };
}

/** Enable-CsOnlineDialInConferencingUser: needs the license; replaces a third-party provider only when allowed. */
export async function enableDialInUser(
  q: Queryable,
  actor: Actor,
  input: { Identity: unknown; ReplaceProvider?: unknown; SendEmail?: unknown },
  settings: OrgSettings,
  pin: { pin: string; hash: string },
  quarantineDays: number,
): Promise<{ user: UserRow; clearPin?: string }> {
  const user = await findUser(q, actor.orgId, input.Identity);
  if (!user.licenses.includes(AUDIO_CONFERENCING_SKU)) {
    throw new ValidationError(
      'Identity',
      `has no audio conferencing license (${AUDIO_CONFERENCING_SKU}); assign it with Set-MsolUserLicense -AddLicenses first`,
      user.upn,
    );
  }
  if (user.provider === 'BuiltIn') return { user };
  if (
    user.provider === 'ThirdParty' &&
    input.ReplaceProvider !== true &&
    !settings.AutomaticallyReplaceAcpProvider
  ) {
    throw new ConflictError(
      'ReplaceProvider',
      `${user.upn} uses a third-party provider; pass -ReplaceProvider to replace it, or remove it with Remove-CsUserAcp.`,
    );
  }
  await enableBuiltIn(q, actor, user, settings, pin, quarantineDays, input.SendEmail === true);
  return { user: await findUser(q, actor.orgId, user.id), clearPin: pin.pin };
}

/** The audio conferencing license (the hosted service's SKU name, so pasted commands work). */
export const AUDIO_CONFERENCING_SKU = 'MCOMEETADV';
