import type { Provider } from './types.ts';

export const PROVIDER_LABEL: Record<Provider, string> = {
  BuiltIn: 'dialbridge (built-in)',
  ThirdParty: 'Third-party provider',
  None: 'None',
};

/** The kind of provider a directory row names ('BuiltIn', a third-party name, or null). */
export function providerKind(p: string | null | undefined): Provider {
  if (p === 'BuiltIn') return 'BuiltIn';
  if (!p || p === 'None') return 'None';
  return 'ThirdParty';
}

/** The provider as the users table shows it (short): the third party's own name when known. */
export function providerText(p: string | null | undefined, short = false): string {
  const kind = providerKind(p);
  if (kind === 'ThirdParty' && p !== 'ThirdParty') return short ? `${p}` : `${p} (third party)`;
  return short && kind === 'BuiltIn' ? 'Built-in' : PROVIDER_LABEL[kind];
}

/** A date and time in the administrator's locale, or a dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const dash = (v: string | null | undefined): string => (v ? v : '—');

/** Query string from the values that are set. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
