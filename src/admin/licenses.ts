import type { Queryable } from '../store/db.ts';
import { ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { audit } from './audit.ts';
import { findUser, type UserRow } from './users.ts';
import { AUDIO_CONFERENCING_SKU, disableBuiltIn, enableBuiltIn } from './dialin.ts';
import type { OrgSettings } from './settings.ts';

export const SKUS = [AUDIO_CONFERENCING_SKU] as const;

/** "contoso:MCOMEETADV" (or the bare SKU) → the SKU, checking the organization prefix. */
export function parseSku(value: unknown, orgName: string, field: string): string {
  const valid = SKUS.map((s) => `${orgName}:${s}`).join(', ');
  if (typeof value !== 'string' || !value.trim())
    throw new ValidationError(field, `must name a license: ${valid}`, value);
  const [prefix, sku] = value.includes(':') ? value.trim().split(':', 2) : [orgName, value.trim()];
  const hit = SKUS.find((s) => s.toLowerCase() === sku!.toLowerCase());
  if (!hit || prefix!.toLowerCase() !== orgName.toLowerCase()) {
    throw new ValidationError(field, `must name a license of this organization: ${valid}`, value);
  }
  return hit;
}

export interface LicenseOutcome {
  user: UserRow;
  /** The PIN made when the license enabled dial-in; shown once, in this reply. */
  clearPin?: string;
  notes: string[];
}

/**
 * Set-MsolUserLicense for one user, inside the caller's transaction. Adding the
 * audio conferencing license enables dial-in on the built-in bridge, replacing
 * a third-party provider only when AutomaticallyReplaceAcpProvider is on;
 * removing it disables dial-in.
 */
export async function changeLicenses(
  q: Queryable,
  actor: Actor,
  identity: string,
  add: string[],
  remove: string[],
  settings: OrgSettings,
  pin: { pin: string; hash: string },
  quarantineDays: number,
): Promise<LicenseOutcome> {
  const user = await findUser(q, actor.orgId, identity, 'UserPrincipalName');
  const before = user.licenses;
  const after = [...new Set([...before.filter((s) => !remove.includes(s)), ...add])];
  const notes: string[] = [];
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    await q.query('update users set licenses = $2 where id = $1', [user.id, JSON.stringify(after)]);
    await audit(q, actor, 'license.set', user.upn, [
      { field: 'Licenses', old: before, new: after },
    ]);
  }
  let clearPin: string | undefined;
  const had = before.includes(AUDIO_CONFERENCING_SKU);
  const has = after.includes(AUDIO_CONFERENCING_SKU);
  if (!had && has) {
    if (
      user.provider === 'None' ||
      (user.provider === 'ThirdParty' && settings.AutomaticallyReplaceAcpProvider)
    ) {
      await enableBuiltIn(q, actor, user, settings, pin, quarantineDays);
      clearPin = pin.pin;
    } else if (user.provider === 'ThirdParty') {
      notes.push(
        `${user.upn} keeps its third-party provider because AutomaticallyReplaceAcpProvider is off; run Enable-CsOnlineDialInConferencingUser -ReplaceProvider to switch.`,
      );
    }
  } else if (had && !has && user.provider === 'BuiltIn') {
    await disableBuiltIn(q, actor, user);
  }
  return { user: await findUser(q, actor.orgId, user.id), clearPin, notes };
}
