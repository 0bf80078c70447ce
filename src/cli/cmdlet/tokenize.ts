/**
 * Turns what an administrator typed into parameter and value tokens, the way
 * PowerShell reads a command in argument mode. Two entry points: `tokenize`
 * for a whole line (pasted from Microsoft docs, typed at a prompt) and
 * `tokenizeArgv` for words the operating-system shell has already split.
 *
 * Tokens carry no types: whether `7` is an int or a string, or whether
 * `a,b` is a list, is decided later by the parameter it binds to.
 */
import { CmdletError } from './types.ts';

/** One element of a value; a value written as `a, "b c"` has two. */
export interface ValueItem {
  text: string;
  /**
   * Any part of it was quoted or backtick-escaped. Quoted text is always
   * literal: `'-x'` is not a parameter, `"$true"` is not a boolean.
   */
  quoted: boolean;
}

export interface ValueToken {
  kind: 'value';
  /** More than one item means the words were joined by commas into a list. */
  items: ValueItem[];
  /**
   * `argv` values were split by a shell that already handled quoting, so
   * their commas only make a list for a `string[]` parameter; any other
   * parameter takes `text` as it came.
   */
  source: 'line' | 'argv';
  /** As typed: the slice of the line (quotes included) or the argv element(s). */
  text: string;
}

export interface ParamToken {
  kind: 'param';
  /** Without the leading dash; not yet resolved against any cmdlet. */
  name: string;
  /** `-Name:` was written. Without `inline` the next token is the value, even for a switch. */
  colon: boolean;
  /** The value of `-Name:value`. */
  inline?: ValueToken;
}

export type Token = ParamToken | ValueToken;

/**
 * Word processors and web pages turn hyphens into dashes and straight quotes
 * into curly ones; PowerShell accepts all of these, so pasted lines work.
 */
const DASHES = '-\u2013\u2014\u2015';
const DOUBLE_QUOTES = '"\u201C\u201D\u201E';
const SINGLE_QUOTES = "'\u2018\u2019\u201A\u201B";

/** `-5`, `-1.5`, `-.5`, `-2e3`: a negative number is a value, not a parameter. */
const NEGATIVE_NUMBER = /^[-\u2013\u2014\u2015](\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Escapes PowerShell gives special meaning inside double quotes and barewords. */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

// ---------------------------------------------------------------------------
// Lexing a line: words and commas

interface Segment {
  text: string;
  quoted: boolean;
}

/** Adjacent quoted and unquoted runs form one word: `a"b c"` is `ab c`. */
interface Word {
  kind: 'word';
  segments: Segment[];
  start: number;
  end: number;
}

interface Comma {
  kind: 'comma';
  start: number;
}

type Lexeme = Word | Comma;

function lex(line: string): Lexeme[] {
  const out: Lexeme[] = [];
  let word: Word | undefined;
  let i = 0;

  const append = (text: string, quoted: boolean, at: number): void => {
    word ??= { kind: 'word', segments: [], start: at, end: at };
    const last = word.segments[word.segments.length - 1];
    // An empty quoted string still opens a segment: `""` is a value.
    if (last && last.quoted === quoted && text !== '') last.text += text;
    else word.segments.push({ text, quoted });
  };
  const endWord = (): void => {
    if (word) {
      word.end = i;
      out.push(word);
      word = undefined;
    }
  };

  while (i < line.length) {
    const c = line[i] as string;

    if (c === '`') {
      // Line continuation. Trailing blanks after the backtick are forgiven
      // (PowerShell would not) because they are invisible in a paste.
      const continuation = /^`[ \t]*(\r?\n|$)/.exec(line.slice(i));
      if (continuation) {
        endWord();
        i += continuation[0].length;
      } else {
        const next = line[i + 1] as string;
        append(ESCAPES[next] ?? next, true, i);
        i += 2;
      }
    } else if (/\s/.test(c)) {
      endWord();
      i++;
    } else if (c === ',') {
      endWord();
      out.push({ kind: 'comma', start: i });
      i++;
    } else if (c === '#' && word === undefined) {
      while (i < line.length && line[i] !== '\n') i++;
    } else if (DOUBLE_QUOTES.includes(c) || SINGLE_QUOTES.includes(c)) {
      const start = i;
      const [text, after] = readQuoted(line, i);
      append(text, true, start);
      i = after;
    } else {
      append(c, false, i);
      i++;
    }
  }
  endWord();
  return out;
}

/** Reads the string opened at `start`; returns its text and the index after the closing quote. */
function readQuoted(line: string, start: number): [string, number] {
  const quotes = DOUBLE_QUOTES.includes(line[start] as string) ? DOUBLE_QUOTES : SINGLE_QUOTES;
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const c = line[i] as string;
    if (quotes === DOUBLE_QUOTES && c === '`' && i + 1 < line.length) {
      const next = line[i + 1] as string;
      text += ESCAPES[next] ?? next;
      i += 2;
    } else if (quotes.includes(c)) {
      // A doubled quote is a literal quote; a single one closes the string.
      const next = line[i + 1];
      if (next !== undefined && quotes.includes(next)) {
        text += c;
        i += 2;
      } else {
        return [text, i + 1];
      }
    } else {
      text += c;
      i++;
    }
  }
  const kind = quotes === DOUBLE_QUOTES ? 'double' : 'single';
  throw new CmdletError(
    `Missing closing ${kind} quote for the string starting at character ${start + 1}.`,
  );
}

// ---------------------------------------------------------------------------
// Words to tokens

function startsWithDash(text: string): boolean {
  return text !== '' && DASHES.includes(text[0] as string);
}

/** Negative numbers are written with whatever dash was pasted; normalise it to a minus. */
function item(text: string, quoted: boolean): ValueItem {
  return { text: !quoted && NEGATIVE_NUMBER.test(text) ? '-' + text.slice(1) : text, quoted };
}

function wordItem(word: Word): ValueItem {
  return item(
    word.segments.map((s) => s.text).join(''),
    word.segments.some((s) => s.quoted),
  );
}

/**
 * A word is a parameter when it starts with an unquoted dash and is not a
 * negative number or a lone dash. Returns the name and, for `-Name:value`,
 * the segments after the colon (possibly none, for `-Name:` alone).
 */
function splitParam(word: Word): { name: string; inline?: Segment[] } | undefined {
  const [first, ...rest] = word.segments;
  if (!first || first.quoted || !startsWithDash(first.text)) return undefined;
  const whole = wordItem(word);
  if (whole.text.length === 1 || NEGATIVE_NUMBER.test(whole.text)) return undefined;

  const colon = first.text.indexOf(':');
  if (colon < 0) return { name: whole.text.slice(1) };
  const tail = first.text.slice(colon + 1);
  const inline = tail === '' ? rest : [{ text: tail, quoted: false }, ...rest];
  return { name: first.text.slice(1, colon), inline };
}

/** `--` alone ends parameters: every later word is a value, as in PowerShell. */
function isEndOfParameters(word: Word): boolean {
  return word.segments.length === 1 && !word.segments[0]?.quoted && word.segments[0]?.text === '--';
}

/** Tokenizes one command line. Throws CmdletError for unbalanced quotes and stray commas. */
export function tokenize(line: string): Token[] {
  const lexemes = lex(line);
  const tokens: Token[] = [];
  let i = 0;

  /**
   * Builds a value from a first item and then every `, word` that follows:
   * commas bind adjacent words into one list, spaces around them or not.
   */
  const value = (first: ValueItem, start: number, end: number): ValueToken => {
    const items = [first];
    while (lexemes[i]?.kind === 'comma') {
      const comma = lexemes[i] as Comma;
      const next = lexemes[i + 1];
      if (next?.kind !== 'word') {
        throw new CmdletError(`Missing list element after ',' at character ${comma.start + 1}.`);
      }
      items.push(wordItem(next));
      end = next.end;
      i += 2;
    }
    return { kind: 'value', items, source: 'line', text: line.slice(start, end) };
  };

  let parametersEnded = false;
  while (i < lexemes.length) {
    const lexeme = lexemes[i++] as Lexeme;
    if (lexeme.kind === 'comma') {
      throw new CmdletError(
        `Unexpected ',' at character ${lexeme.start + 1}: a list needs a value before each comma.`,
      );
    }
    if (!parametersEnded && isEndOfParameters(lexeme)) {
      parametersEnded = true;
      continue;
    }
    const param = parametersEnded ? undefined : splitParam(lexeme);
    if (!param) {
      tokens.push(value(wordItem(lexeme), lexeme.start, lexeme.end));
    } else if (param.inline === undefined) {
      tokens.push({ kind: 'param', name: param.name, colon: false });
    } else if (param.inline.length === 0) {
      tokens.push({ kind: 'param', name: param.name, colon: true });
    } else {
      const inlineText = param.inline.map((s) => s.text).join('');
      const first = item(
        inlineText,
        param.inline.some((s) => s.quoted),
      );
      // The colon sits in the word's first, unquoted run, so the first ':'
      // from the word's start is the one that ended the name.
      const start = lexeme.start + line.slice(lexeme.start).indexOf(':') + 1;
      tokens.push({
        kind: 'param',
        name: param.name,
        colon: true,
        inline: value(first, start, lexeme.end),
      });
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------
// argv

function argvValue(text: string): ValueToken {
  // Empty items are kept here: a trailing or leading comma means the list
  // continues in the neighbouring element (`en-US, fr-FR` unquoted in bash).
  const items = text.split(',').map((part) => item(part, false));
  return { kind: 'value', items, source: 'argv', text };
}

/** A literal the shell delivered with blanks inside: one string, never split or interpreted. */
function argvLiteral(text: string): ValueToken {
  return { kind: 'value', items: [{ text, quoted: true }], source: 'argv', text };
}

function argvToken(element: string, parametersEnded: boolean): Token {
  if (/\s/.test(element)) {
    // `-Name:"Amos Marble"` arrives from the shell as `-Name:Amos Marble`:
    // still a parameter, with the blank-containing rest as its literal value.
    const named = parametersEnded ? null : /^[-\u2013\u2014\u2015]([^\s:]+):(.*)$/s.exec(element);
    if (named) {
      return {
        kind: 'param',
        name: named[1] as string,
        colon: true,
        inline: argvLiteral(named[2] as string),
      };
    }
    return argvLiteral(element);
  }
  const isParam =
    !parametersEnded &&
    startsWithDash(element) &&
    element.length > 1 &&
    !NEGATIVE_NUMBER.test(element);
  if (!isParam) return argvValue(element);

  const colon = element.indexOf(':');
  if (colon < 0) return { kind: 'param', name: element.slice(1), colon: false };
  const tail = element.slice(colon + 1);
  const name = element.slice(1, colon);
  return tail === ''
    ? { kind: 'param', name, colon: true }
    : { kind: 'param', name, colon: true, inline: argvValue(tail) };
}

/** The value a following element could continue: a value token or a `-Name:value`. */
function trailingValue(token: Token | undefined): ValueToken | undefined {
  return token?.kind === 'value' ? token : token?.inline;
}

const danglingEnd = (v: ValueToken): boolean =>
  v.items.length > 1 &&
  v.items[v.items.length - 1]?.text === '' &&
  !v.items[v.items.length - 1]?.quoted;
const danglingStart = (v: ValueToken): boolean =>
  v.items.length > 1 && v.items[0]?.text === '' && !v.items[0]?.quoted;

/**
 * Tokenizes argv as delivered by a shell: each element is one token. Dashes,
 * `-Name:value`, `$true`/`$false`/`$null` and commas are still interpreted
 * (the administrator is typing PowerShell syntax), but quoting is not: the
 * shell has already removed it, and an element with blanks inside was quoted
 * and so is one literal string.
 */
export function tokenizeArgv(argv: readonly string[]): Token[] {
  const tokens: Token[] = [];
  let parametersEnded = false;
  for (const element of argv) {
    if (!parametersEnded && element === '--') {
      parametersEnded = true;
      continue;
    }
    const token = argvToken(element, parametersEnded);
    const previous = trailingValue(tokens[tokens.length - 1]);
    if (
      token.kind === 'value' &&
      previous !== undefined &&
      (danglingEnd(previous) || danglingStart(token))
    ) {
      // `en-US,` `fr-FR` (or `en-US` `,fr-FR`): one list split by the shell.
      if (danglingEnd(previous)) previous.items.pop();
      previous.items.push(...(danglingStart(token) ? token.items.slice(1) : token.items));
      previous.text += ' ' + token.text;
      continue;
    }
    tokens.push(token);
  }
  return tokens;
}
