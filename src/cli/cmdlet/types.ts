/**
 * The cmdlet catalog and the result of binding a command line against it.
 * Names follow PowerShell: a cmdlet has parameters, a parameter has a type,
 * and binding turns words typed by an administrator into typed values.
 */

export type ParamType = 'string' | 'int' | 'bool' | 'switch' | 'string[]';

export interface ParamDef {
  /** Canonical spelling; error messages and `Bound.params` keys use it verbatim. */
  name: string;
  type: ParamType;
  aliases?: string[];
  /** Slot for values given without a parameter name, counted from 0. */
  position?: number;
  description?: string;
}

export interface CmdletDef {
  name: string;
  aliases?: string[];
  params: ParamDef[];
  description?: string;
}

/** `null` is what `$null` binds to: Set- cmdlets use it to clear a setting. */
export type Value = string | number | boolean | string[] | null;

export interface Bound {
  cmdlet: CmdletDef;
  /** Only parameters the line actually gave, keyed by `ParamDef.name`. */
  params: Record<string, Value>;
}

/**
 * Anything wrong with what the administrator typed. `field` is the canonical
 * parameter name when one parameter is to blame; `suggestion` is text that
 * can be shown or pasted as-is (also repeated at the end of the message).
 */
export class CmdletError extends Error {
  // Plain fields rather than parameter properties, so the file also runs
  // under Node's type stripping (which rejects parameter properties).
  readonly field: string | undefined;
  readonly suggestion: string | undefined;

  constructor(message: string, field?: string, suggestion?: string) {
    super(message);
    this.name = 'CmdletError';
    this.field = field;
    this.suggestion = suggestion;
  }
}
