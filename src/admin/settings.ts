import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { DEFAULT_SETTINGS, SETTING_SPECS, type OrgSettings } from './setting-specs.ts';

export * from './setting-specs.ts';

/** Names the seeds use that mean a setting of ours. */
export const SETTING_ALIASES: Record<string, keyof OrgSettings> = {
  SendEmailOverride: 'SendEmailFromOverride',
};

const SETTING_NAMES = Object.keys(SETTING_SPECS) as (keyof OrgSettings)[];

export function settingName(input: string): keyof OrgSettings | undefined {
  const lower = input.toLowerCase();
  const alias = Object.entries(SETTING_ALIASES).find(([a]) => a.toLowerCase() === lower);
  if (alias) return alias[1];
  return SETTING_NAMES.find((n) => n.toLowerCase() === lower);
}

const emailSchema = z.email();

function coerce(name: keyof OrgSettings, value: unknown): unknown {
  const spec = SETTING_SPECS[name];
  const bad = (rule: string): never => {
    throw new ValidationError(name, rule, value);
  };
  switch (spec.type) {
    case 'bool':
      if (typeof value !== 'boolean') bad('must be $true or $false');
      return value;
    case 'int': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < spec.min || n > spec.max) {
        bad(`must be a whole number from ${spec.min} to ${spec.max}`);
      }
      return n;
    }
    case 'enum': {
      const hit =
        typeof value === 'string' &&
        spec.values.find((v) => v.toLowerCase() === value.toLowerCase());
      if (!hit) bad(`must be one of ${spec.values.join(', ')}`);
      return hit;
    }
    case 'email':
      if (value === null || value === '') return null;
      if (typeof value !== 'string' || !emailSchema.safeParse(value.trim()).success) {
        bad('must be a valid email address such as amos.marble@contoso.com, or $null');
      }
      return (value as string).trim();
    case 'text':
      if (value === null || value === '') return null;
      if (typeof value !== 'string' || value.length > spec.max) {
        bad(`must be text of at most ${spec.max} characters, or $null`);
      }
      return (value as string).trim();
  }
}

/**
 * Applies a partial change to the current settings. Either the whole change is
 * valid and the new settings are returned, or a ValidationError names the first
 * bad setting and nothing is applied.
 */
export function applySettings(current: OrgSettings, patch: Record<string, unknown>): OrgSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const name = settingName(key);
    if (!name) {
      throw new ValidationError(key, `is not a setting; settings are ${SETTING_NAMES.join(', ')}`);
    }
    next[name] = coerce(name, value);
  }
  const out = next as unknown as OrgSettings;
  if (out.SendEmailFromOverride && (!out.SendEmailFromAddress || !out.SendEmailFromDisplayName)) {
    throw new ValidationError(
      'SendEmailFromOverride',
      'can be $true only when SendEmailFromAddress and SendEmailFromDisplayName are both set',
    );
  }
  return out;
}

/** Stored settings are a sparse document; missing keys take today's defaults. */
export function withDefaults(stored: Record<string, unknown> | undefined): OrgSettings {
  return { ...DEFAULT_SETTINGS, ...(stored ?? {}) } as OrgSettings;
}
