import { ValidationError } from '../errors.ts';

export interface Language {
  code: string;
  name: string;
  nativeName: string;
}

/**
 * Languages the auto attendant speaks. The prompt set generated under prompts/
 * covers exactly these; a service number's languages must come from this list.
 */
export const LANGUAGES: readonly Language[] = [
  { code: 'en-US', name: 'English (United States)', nativeName: 'English (United States)' },
  { code: 'en-GB', name: 'English (United Kingdom)', nativeName: 'English (United Kingdom)' },
  { code: 'de-DE', name: 'German (Germany)', nativeName: 'Deutsch (Deutschland)' },
  { code: 'fr-FR', name: 'French (France)', nativeName: 'français (France)' },
  { code: 'es-ES', name: 'Spanish (Spain)', nativeName: 'español (España)' },
  { code: 'it-IT', name: 'Italian (Italy)', nativeName: 'italiano (Italia)' },
  { code: 'pt-BR', name: 'Portuguese (Brazil)', nativeName: 'português (Brasil)' },
  { code: 'nl-NL', name: 'Dutch (Netherlands)', nativeName: 'Nederlands (Nederland)' },
  { code: 'ja-JP', name: 'Japanese (Japan)', nativeName: '日本語 (日本)' },
  { code: 'zh-CN', name: 'Chinese (Simplified, China)', nativeName: '中文 (中国)' },
];

export const DEFAULT_LANGUAGE = 'en-US';
export const MAX_SECONDARY_LANGUAGES = 4;

/** Case-insensitive match to a supported code, returning the canonical spelling. */
export function language(code: unknown, field: string): string {
  const hit =
    typeof code === 'string' &&
    LANGUAGES.find((l) => l.code.toLowerCase() === code.trim().toLowerCase());
  if (!hit) {
    throw new ValidationError(
      field,
      `must be a supported language (${LANGUAGES.map((l) => l.code).join(', ')})`,
      code,
    );
  }
  return hit.code;
}

/** Secondary languages: at most four, distinct, none equal to the primary; order kept. */
export function secondaryLanguages(
  codes: unknown,
  primary: string,
  field = 'SecondaryLanguages',
): string[] {
  const list = codes === null || codes === undefined ? [] : Array.isArray(codes) ? codes : [codes];
  const out = list.map((c) => language(c, field));
  if (out.length > MAX_SECONDARY_LANGUAGES) {
    throw new ValidationError(field, `may list at most ${MAX_SECONDARY_LANGUAGES} languages`, out);
  }
  if (new Set(out).size !== out.length)
    throw new ValidationError(field, 'may not list a language twice', out);
  if (out.includes(primary)) {
    throw new ValidationError(field, `may not include the primary language ${primary}`, out);
  }
  return out;
}
