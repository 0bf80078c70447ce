/**
 * Parameter binding: matches tokens against a cmdlet definition the way
 * PowerShell does (case-insensitive names, unambiguous prefixes, named
 * before positional) and converts each value to its parameter's type.
 */
import { closest } from './suggest.ts';
import { tokenize, tokenizeArgv } from './tokenize.ts';
import type { ParamToken, Token, ValueItem, ValueToken } from './tokenize.ts';
import { CmdletError } from './types.ts';
import type { Bound, CmdletDef, ParamDef, Value } from './types.ts';

/**
 * Binds a command line (one string) or shell argv (already split) to a
 * cmdlet in `catalog`. Throws CmdletError, naming the parameter by its
 * canonical spelling, for anything PowerShell would refuse.
 */
export function bind(line: string | readonly string[], catalog: readonly CmdletDef[]): Bound {
  const tokens = typeof line === 'string' ? tokenize(line) : tokenizeArgv(line);
  const [head, ...rest] = tokens;
  if (head === undefined) throw new CmdletError('No command given: expected a cmdlet name.');
  const cmdlet = resolveCmdlet(head, catalog);

  const params: Record<string, Value> = {};
  const given = new Set<ParamDef>();
  const positional: { token: ValueToken; afterSwitch?: ParamDef }[] = [];

  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] as Token;
    if (token.kind === 'value') {
      // A word right after a bare switch was probably meant as its value;
      // remember the switch so a leftover word can be explained.
      const before = rest[i - 1];
      const prior =
        before?.kind === 'param' && !before.colon ? findParam(cmdlet, before.name) : undefined;
      positional.push(prior?.type === 'switch' ? { token, afterSwitch: prior } : { token });
      continue;
    }

    const def = resolveParam(cmdlet, token, rest);
    if (given.has(def)) {
      throw new CmdletError(`Parameter -${def.name} was given more than once.`, def.name);
    }
    given.add(def);

    if (token.inline) {
      params[def.name] = convert(def, token.inline);
    } else if (def.type === 'switch' && !token.colon) {
      // A switch never takes the next word: `-SendEmail foo` leaves foo positional.
      params[def.name] = true;
    } else {
      const next = rest[i + 1];
      if (next?.kind !== 'value') {
        throw new CmdletError(`Missing value for parameter -${def.name}.`, def.name);
      }
      params[def.name] = convert(def, next);
      i++;
    }
  }

  // PowerShell binds named parameters first; positional values then fill the
  // positional slots that are still free, in position order.
  const slots = cmdlet.params
    .filter((p) => p.position !== undefined && !given.has(p))
    .sort((a, b) => (a.position as number) - (b.position as number));
  for (const { token, afterSwitch } of positional) {
    const slot = slots.shift();
    if (slot === undefined) {
      const shown = token.items.map((it) => it.text).join(',');
      const hint = afterSwitch
        ? ` -${afterSwitch.name} is a switch and takes no value; write -${afterSwitch.name}:$false to turn it off.`
        : '';
      throw new CmdletError(`Unexpected argument '${shown}'.${hint}`, afterSwitch?.name);
    }
    params[slot.name] = convert(slot, token);
  }

  return { cmdlet, params };
}

// ---------------------------------------------------------------------------
// Names

function spellings(def: { name: string; aliases?: string[] }): string[] {
  return [def.name, ...(def.aliases ?? [])];
}

function resolveCmdlet(head: Token, catalog: readonly CmdletDef[]): CmdletDef {
  if (head.kind === 'param') {
    throw new CmdletError(`Expected a cmdlet name first, not the parameter '-${head.name}'.`);
  }
  const name = head.items.map((it) => it.text).join(',');
  const wanted = name.toLowerCase();
  const found = catalog.find((c) => spellings(c).some((s) => s.toLowerCase() === wanted));
  if (found) return found;

  const suggestion = closest(name, catalog.flatMap(spellings));
  throw new CmdletError(
    `Unknown cmdlet '${name}'.` + (suggestion ? ` Did you mean ${suggestion}?` : ''),
    undefined,
    suggestion,
  );
}

/**
 * Exact name or alias first (so `-SendEmail` is not ambiguous with
 * `-SendEmailToAddress`), then a unique prefix of any spelling. Returns the
 * candidates when the prefix is ambiguous, undefined when nothing matches.
 */
function lookupParam(cmdlet: CmdletDef, name: string): ParamDef | ParamDef[] | undefined {
  const wanted = name.toLowerCase();
  if (wanted === '') return undefined;
  const exact = cmdlet.params.find((p) => spellings(p).some((s) => s.toLowerCase() === wanted));
  if (exact) return exact;
  const matches = cmdlet.params.filter((p) =>
    spellings(p).some((s) => s.toLowerCase().startsWith(wanted)),
  );
  if (matches.length === 0) return undefined;
  return matches.length === 1 ? matches[0] : matches;
}

function findParam(cmdlet: CmdletDef, name: string): ParamDef | undefined {
  const found = lookupParam(cmdlet, name);
  return Array.isArray(found) ? undefined : found;
}

function resolveParam(cmdlet: CmdletDef, token: ParamToken, all: readonly Token[]): ParamDef {
  const found = lookupParam(cmdlet, token.name);
  if (found !== undefined && !Array.isArray(found)) return found;
  if (found !== undefined) {
    const names = found.map((p) => `-${p.name}`).join(', ');
    throw new CmdletError(
      `Parameter '-${token.name}' is ambiguous for ${cmdlet.name}: it could be ${names}.`,
    );
  }
  const suggestion = suggestParam(cmdlet, token.name, all);
  throw new CmdletError(
    `Unknown parameter '-${token.name}' for ${cmdlet.name}.` +
      (suggestion ? ` Did you mean ${suggestion}?` : ''),
    undefined,
    suggestion,
  );
}

/**
 * What an unknown parameter was probably meant to be. Docs and scripts are
 * often pasted with the `-Identity` dropped and a dash left on the user
 * (`-amos.marble`); a name with '.' or '@' in it is a user, not a typo of a
 * parameter, so while -Identity is still unused that is the better guess.
 */
function suggestParam(cmdlet: CmdletDef, name: string, all: readonly Token[]): string | undefined {
  const identity = cmdlet.params.find((p) => p.name.toLowerCase() === 'identity');
  const identityGiven = all.some(
    (t) => t.kind === 'param' && findParam(cmdlet, t.name) === identity,
  );
  if (identity && !identityGiven && /[.@]/.test(name)) return `-${identity.name} ${name}`;

  // `--Identity` from GNU habits: compare without the extra dashes.
  const match = closest(
    name.replace(/^[-\u2013\u2014\u2015]+/, ''),
    cmdlet.params.flatMap(spellings),
  );
  const def = match === undefined ? undefined : findParam(cmdlet, match);
  return def && `-${def.name}`;
}

// ---------------------------------------------------------------------------
// Values

/** An item after PowerShell's automatic variables have been recognised. */
type Literal = { kind: 'bool'; value: boolean } | { kind: 'null' } | { kind: 'text'; text: string };

function literal(def: ParamDef, it: ValueItem, source: ValueToken['source']): Literal {
  if (!it.quoted) {
    const lower = it.text.toLowerCase();
    if (lower === '$true') return { kind: 'bool', value: true };
    if (lower === '$false') return { kind: 'bool', value: false };
    if (lower === '$null') return { kind: 'null' };
    // A pasted script line (`-Identity $user`) refers to variables we do not
    // have. From argv a `$` survived the shell's own quoting, so it is literal.
    if (source === 'line' && /^\$[A-Za-z_][\w:]*$/.test(it.text)) {
      throw new CmdletError(
        `-${def.name}: variables such as '${it.text}' are not supported; give the value itself.`,
        def.name,
      );
    }
  }
  return { kind: 'text', text: it.text };
}

/**
 * The one item a scalar parameter takes. A comma list on a line is an error,
 * as in PowerShell; from argv only string[] parameters split on commas, so
 * the element is taken whole.
 */
function single(def: ParamDef, token: ValueToken): ValueItem {
  const [first] = token.items;
  if (token.items.length === 1 && first) return first;
  if (token.source === 'argv') return { text: token.text, quoted: true };
  throw new CmdletError(
    `-${def.name} takes a single value, not a list; quote it if the comma is part of the value.`,
    def.name,
  );
}

function convert(def: ParamDef, token: ValueToken): Value {
  switch (def.type) {
    case 'string':
      return toText(def, literal(def, single(def, token), token.source));
    case 'int':
      return toInt(def, literal(def, single(def, token), token.source));
    case 'bool':
    case 'switch':
      return toBool(def, literal(def, single(def, token), token.source));
    case 'string[]':
      return toList(def, token);
  }
}

function toText(def: ParamDef, value: Literal): string | null {
  if (value.kind === 'null') return null;
  if (value.kind === 'bool') {
    throw new CmdletError(`-${def.name} must be a string, not $${value.value}.`, def.name);
  }
  return value.text;
}

function toInt(def: ParamDef, value: Literal): number | null {
  if (value.kind === 'null') return null;
  const n = value.kind === 'text' && /^-?\d+$/.test(value.text) ? Number(value.text) : NaN;
  if (!Number.isSafeInteger(n)) {
    const shown = value.kind === 'text' ? `'${value.text}'` : `$${value.value}`;
    throw new CmdletError(`-${def.name} must be an integer (got ${shown}).`, def.name);
  }
  return n;
}

const TRUE_WORDS = ['$true', 'true', '1'];
const FALSE_WORDS = ['$false', 'false', '0'];

function toBool(def: ParamDef, value: Literal): boolean {
  if (value.kind === 'bool') return value.value;
  // Quoted spellings are accepted too: `"$true"` is what PowerShell would expand it to.
  const lower = value.kind === 'text' ? value.text.toLowerCase() : '';
  if (TRUE_WORDS.includes(lower)) return true;
  if (FALSE_WORDS.includes(lower)) return false;
  // Includes the docs' own notation `$true|$false`, which is a placeholder, not a value.
  const shown = value.kind === 'text' ? `'${value.text}'` : '$null';
  throw new CmdletError(`-${def.name} must be $true or $false (got ${shown}).`, def.name);
}

function toList(def: ParamDef, token: ValueToken): string[] | null {
  const [first] = token.items;
  if (token.items.length === 1 && first && literal(def, first, token.source).kind === 'null') {
    return null;
  }
  return token.items.map((it) => {
    if (!it.quoted && it.text === '') {
      throw new CmdletError(
        `-${def.name} has an empty element in the list '${token.text}'.`,
        def.name,
      );
    }
    const value = literal(def, it, token.source);
    if (value.kind !== 'text') {
      const shown = value.kind === 'bool' ? `$${value.value}` : '$null';
      throw new CmdletError(`-${def.name} must be a list of strings, not ${shown}.`, def.name);
    }
    return value.text;
  });
}
