/**
 * Parsers for the header values the stack itself must understand (RFC 3261
 * §19, §20, §25): SIP/SIPS/tel URIs, name-addr (From, To, Contact, Route),
 * Via and CSeq. Everything else is kept as text in `Headers`.
 *
 * The parsers accept the linear whitespace RFC 3261 allows around `;`, `=`,
 * `/` and `:` (RFC 4475 sends it everywhere) but nothing the grammar forbids
 * that would change meaning. Every failure is a SipParseError, never a
 * TypeError, because these run on bytes from anyone on the network.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Headers } from './headers.ts';

export interface SipParseErrorOptions {
  isRequest?: boolean;
  replyWith?: 400 | 505 | 513;
  method?: string;
  headers?: Headers;
}

/**
 * Anything that is not valid SIP. Defined here rather than in message.ts
 * (which re-exports it) because this file is the bottom of the parser import
 * graph: message.ts uses these parsers, so defining it there would make an
 * import cycle.
 */
export class SipParseError extends Error {
  /** The start line was a request line, so the sender is owed a response. */
  readonly isRequest: boolean;
  /** The status to answer such a request with: 505 for an unsupported SIP version, 513 for too big, else 400. */
  readonly replyWith: 400 | 505 | 513;
  /** The request method, when the start line got that far. */
  readonly method?: string;
  /** The headers, when they parsed: a 400 must copy Via, From, To, Call-ID and CSeq. */
  readonly headers?: Headers;

  constructor(message: string, options: SipParseErrorOptions = {}) {
    super(message);
    this.name = 'SipParseError';
    this.isRequest = options.isRequest ?? false;
    this.replyWith = options.replyWith ?? 400;
    if (options.method !== undefined) this.method = options.method;
    if (options.headers !== undefined) this.headers = options.headers;
  }
}

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  /** Unescaped. For tel: URIs, the telephone number (there is no host). */
  user?: string;
  /** Unescaped. */
  password?: string;
  /** Lower-cased; an IPv6 address keeps its brackets ("[2001:db8::1]"); '' for tel:. */
  host: string;
  port?: number;
  /** Names lower-cased (they are case-insensitive), values unescaped; null for `;lr`. */
  params: Map<string, string | null>;
  /** The `?name=value&…` part, unescaped. */
  headers: Map<string, string>;
}

/** From, To, Contact, Route, Record-Route, Refer-To… values. */
export interface NameAddr {
  /** Unquoted and unescaped. */
  displayName?: string;
  /** As written between the angle brackets (or the bare addr-spec), not yet parsed. */
  uri: string;
  /** Header parameters (`tag`, `expires`, `q`…): names lower-cased, values as written (quotes kept). */
  params: Map<string, string | null>;
}

export interface Via {
  /** Upper-cased: UDP, TCP, TLS, WS, WSS, SCTP. */
  transport: string;
  /** As written; an IPv6 address keeps its brackets. */
  host: string;
  port?: number;
  /** Names lower-cased; `rport` without a value is null. */
  params: Map<string, string | null>;
}

const TOKEN_CHARS = new Set("-.!%*_+`'~");
const UNRESERVED_MARKS = "-_.!~*'()";

function isAlnum(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

function isTokenChar(c: string): boolean {
  return isAlnum(c) || TOKEN_CHARS.has(c);
}

/** RFC 3261 `token`: methods, header names, parameter names, transports. */
export function isToken(s: string): boolean {
  if (s === '') return false;
  for (const c of s) if (!isTokenChar(c)) return false;
  return true;
}

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Quote a value for an error message, short enough for a log line. */
function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/** A read position over one header value, with the errors naming what was being read. */
class Cursor {
  i = 0;
  constructor(
    readonly s: string,
    readonly what: string,
  ) {}

  get done(): boolean {
    return this.i >= this.s.length;
  }

  peek(): string | undefined {
    return this.s[this.i];
  }

  skipWs(): void {
    while (isWs(this.s[this.i])) this.i++;
  }

  takeWhile(ok: (c: string) => boolean): string {
    const start = this.i;
    while (this.i < this.s.length && ok(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }

  expect(c: string): void {
    if (this.s[this.i] !== c) this.fail(`expected '${c}'`);
    this.i++;
  }

  /** A quoted-string, returned with its quotes and escapes as written. */
  quoted(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '"') return this.s.slice(start, ++this.i);
      else this.i++;
    }
    return this.fail('unterminated quoted string');
  }

  fail(problem: string): never {
    throw new SipParseError(`bad ${this.what} ${show(this.s)}: ${problem}`);
  }
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/gs, '$1');
}

// A generic-param value: token, host (IPv6 in `received` has colons) or quoted-string.
function isParamValueChar(c: string): boolean {
  return c > ' ' && c !== '\x7f' && !';,"<>='.includes(c);
}

/**
 * `*( SEMI name [ EQUAL value ] )` with the whitespace RFC 3261 allows around
 * SEMI and EQUAL. A trailing or doubled `;` is skipped: harmless, and some
 * phones send it. The first of a repeated parameter wins.
 */
function parseParams(cur: Cursor): Map<string, string | null> {
  const params = new Map<string, string | null>();
  for (;;) {
    cur.skipWs();
    if (cur.done) return params;
    if (cur.peek() !== ';') cur.fail(`unexpected ${show(cur.peek()!)}`);
    cur.i++;
    cur.skipWs();
    if (cur.done || cur.peek() === ';') continue;
    const name = cur.takeWhile(isTokenChar);
    if (name === '') cur.fail('bad parameter name');
    cur.skipWs();
    let value: string | null = null;
    if (cur.peek() === '=') {
      cur.i++;
      cur.skipWs();
      value = cur.peek() === '"' ? cur.quoted() : cur.takeWhile(isParamValueChar);
      if (value === '') cur.fail(`parameter ${name} has an empty value`);
    }
    const key = name.toLowerCase();
    if (!params.has(key)) params.set(key, value);
  }
}

function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

function isHostChar(c: string): boolean {
  return isAlnum(c) || c === '.' || c === '-' || c === '_';
}

/**
 * host [":" port]. Hostnames are checked label by label rather than with one
 * regular expression so hostile input can't make the match backtrack.
 * `wsAroundColon`: Via's sent-by allows LWS around the colon; URIs don't.
 */
function parseHostPort(cur: Cursor, wsAroundColon: boolean): { host: string; port?: number } {
  let host: string;
  if (cur.peek() === '[') {
    const end = cur.s.indexOf(']', cur.i);
    if (end < 0) cur.fail("missing ']' after IPv6 address");
    if (!isIPv6(cur.s.slice(cur.i + 1, end))) cur.fail('bad IPv6 address');
    host = cur.s.slice(cur.i, end + 1);
    cur.i = end + 1;
  } else {
    host = cur.takeWhile(isHostChar);
    if (host === '') cur.fail('missing host');
    const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
    if (labels.some((l) => l === '')) cur.fail(`bad host ${show(host)}`);
  }
  const afterHost = cur.i;
  if (wsAroundColon) cur.skipWs();
  if (cur.peek() !== ':') {
    cur.i = afterHost;
    return { host };
  }
  cur.i++;
  if (wsAroundColon) cur.skipWs();
  const digits = cur.takeWhile((c) => c >= '0' && c <= '9');
  const port = Number(digits);
  if (digits === '' || digits.length > 5 || port < 1 || port > 65535) cur.fail('bad port');
  return { host, port };
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

/** Percent-decode to bytes, then read them as UTF-8 (so %C3%A9 is é). */
function unescapePart(s: string, cur: Cursor): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) cur.fail('bad % escape');
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// What each URI part may hold unescaped, beyond alphanumerics and the marks (RFC 3261 §25.1).
// The grammar lets a user part hold '?', but we escape it so that it can't be
// mistaken for the start of the `?headers` (which parseUri looks for first).
const USER_SAFE = UNRESERVED_MARKS + '&=+$,;/';
const PASSWORD_SAFE = UNRESERVED_MARKS + '&=+$,';
const PARAM_SAFE = UNRESERVED_MARKS + '[]/:&+$';
const HEADER_SAFE = UNRESERVED_MARKS + '[]/?:+$';
const TEL_SAFE = '-.()*#+';

function escapePart(s: string, safe: string): string {
  let out = '';
  for (const c of s) {
    if (isAlnum(c) || safe.includes(c)) {
      out += c;
    } else {
      for (const b of Buffer.from(c, 'utf8')) {
        out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

function hasIllegalUriChar(s: string): boolean {
  for (const c of s) {
    if (c <= ' ' || c === '\x7f' || c === '<' || c === '>' || c === '"') return true;
  }
  return false;
}

/** `;name[=value]` pairs of a URI: no whitespace, escapes decoded, first one wins. */
function parseUriParams(s: string, cur: Cursor): Map<string, string | null> {
  const params = new Map<string, string | null>();
  for (const piece of s.split(';')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = unescapePart(eq < 0 ? piece : piece.slice(0, eq), cur).toLowerCase();
    if (name === '') cur.fail('empty URI parameter name');
    if (!params.has(name)) params.set(name, eq < 0 ? null : unescapePart(piece.slice(eq + 1), cur));
  }
  return params;
}

/**
 * sip:, sips: (RFC 3261 §19.1) and tel: (RFC 3966) URIs. Other schemes are
 * refused, so a caller can answer 416 Unsupported URI Scheme.
 */
export function parseUri(s: string): SipUri {
  // Annotated so TypeScript narrows after `cur.fail(…)`, which never returns.
  const cur: Cursor = new Cursor(s, 'URI');
  if (s === '') cur.fail('empty');
  if (hasIllegalUriChar(s)) cur.fail('contains whitespace or a character URIs may not hold');
  const colon = s.indexOf(':');
  if (colon <= 0) cur.fail('missing scheme');
  const scheme = s.slice(0, colon).toLowerCase();
  const rest = s.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest, cur);
  if (scheme !== 'sip' && scheme !== 'sips') cur.fail(`unsupported URI scheme ${show(scheme)}`);

  // The userinfo ends at the last '@' before any '?': a raw '@' only ever
  // delimits it (elsewhere it must be escaped). The grammar also allows a raw
  // '?' in the user part, but no one sends one, and taking the first '?' as the
  // start of the `?headers` keeps Replaces=…%40… and friends unambiguous.
  const question = rest.indexOf('?');
  const at = rest.lastIndexOf('@', question < 0 ? rest.length : question - 1);
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const pw = userinfo.indexOf(':');
    const user = pw < 0 ? userinfo : userinfo.slice(0, pw);
    if (user === '') cur.fail('empty user part');
    uri.user = unescapePart(user, cur);
    if (pw >= 0) uri.password = unescapePart(userinfo.slice(pw + 1), cur);
  }
  const hostCur = new Cursor(rest, 'URI');
  hostCur.i = at + 1;
  const { host, port } = parseHostPort(hostCur, false);
  uri.host = host.toLowerCase();
  if (port !== undefined) uri.port = port;

  const tail = rest.slice(hostCur.i);
  const q = tail.indexOf('?');
  const paramPart = q < 0 ? tail : tail.slice(0, q);
  if (paramPart !== '' && paramPart[0] !== ';') {
    cur.fail(`unexpected ${show(paramPart[0]!)} after host`);
  }
  uri.params = parseUriParams(paramPart, cur);
  if (q >= 0) {
    for (const piece of tail.slice(q + 1).split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      const name = unescapePart(eq < 0 ? piece : piece.slice(0, eq), cur);
      if (name === '') cur.fail('empty URI header name');
      if (!uri.headers.has(name)) {
        uri.headers.set(name, eq < 0 ? '' : unescapePart(piece.slice(eq + 1), cur));
      }
    }
  }
  return uri;
}

/** tel:+1-201-555-0123;ext=1234. The number goes in `user`, as dialled numbers do for sip:. */
function parseTel(rest: string, cur: Cursor): SipUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (number === '') cur.fail('empty telephone number');
  for (const c of number) {
    if (!isHex(c) && !TEL_SAFE.includes(c) && c !== '%') cur.fail('bad telephone number');
  }
  if (rest.includes('?')) cur.fail('tel: URIs have no headers');
  const params = parseUriParams(semi < 0 ? '' : rest.slice(semi + 1), cur);
  return { scheme: 'tel', user: unescapePart(number, cur), host: '', params, headers: new Map() };
}

export function formatUri(u: SipUri): string {
  const params = [...u.params]
    .map(
      ([k, v]) =>
        `;${escapePart(k, PARAM_SAFE)}${v === null ? '' : `=${escapePart(v, PARAM_SAFE)}`}`,
    )
    .join('');
  if (u.scheme === 'tel') return `tel:${escapePart(u.user ?? '', TEL_SAFE)}${params}`;
  let out = `${u.scheme}:`;
  if (u.user !== undefined) {
    out += escapePart(u.user, USER_SAFE);
    if (u.password !== undefined) out += `:${escapePart(u.password, PASSWORD_SAFE)}`;
    out += '@';
  }
  out += bracketHost(u.host);
  if (u.port !== undefined) out += `:${u.port}`;
  out += params;
  const headers = [...u.headers].map(
    ([k, v]) => `${escapePart(k, HEADER_SAFE)}=${escapePart(v, HEADER_SAFE)}`,
  );
  if (headers.length > 0) out += `?${headers.join('&')}`;
  return out;
}

// Tolerate a bare IPv6 address from code that built the structure by hand.
function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function checkAddrUri(uri: string, cur: Cursor): void {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) cur.fail('not a URI');
  if (hasIllegalUriChar(uri)) cur.fail('URI contains whitespace or a character URIs may not hold');
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') parseUri(uri);
}

/**
 * `"Display" <uri>;params`, `Display <uri>;params` or a bare addr-spec
 * `uri;params`. In the bare form the URI ends at the first ';' and what
 * follows are header parameters (RFC 3261 §20.10), which is why a URI with
 * its own parameters must be written in angle brackets.
 *
 * Unquoted display names are taken as written up to the '<': the grammar
 * wants tokens, but phones send commas and UTF-8 there, and a display name is
 * only ever shown, never acted on.
 */
export function parseNameAddr(s: string): NameAddr {
  const cur = new Cursor(s, 'name-addr');
  cur.skipWs();
  if (cur.done) cur.fail('empty');
  let displayName: string | undefined;
  if (cur.peek() === '"') {
    displayName = unquote(cur.quoted());
    cur.skipWs();
    if (cur.peek() !== '<') cur.fail("expected '<' after the display name");
  } else {
    // A '<' after a ';' or '"' is inside a parameter of a bare addr-spec
    // (`sip:a@b;+sip.instance="<urn:…>"`), not the start of a name-addr.
    let lt = cur.i;
    while (lt < s.length && !'<;"'.includes(s[lt]!)) lt++;
    if (s[lt] === '<') {
      const text = s.slice(cur.i, lt).trim();
      if ([...text].some((c) => c < ' ' && c !== '\t')) cur.fail('bad display name');
      if (text !== '') displayName = text;
      cur.i = lt;
    }
  }
  let uri: string;
  if (cur.peek() === '<') {
    const gt = s.indexOf('>', cur.i);
    if (gt < 0) cur.fail("missing '>'");
    // Whitespace just inside the brackets is forbidden but harmless; mature stacks trim it.
    uri = s.slice(cur.i + 1, gt).trim();
    cur.i = gt + 1;
  } else {
    uri = cur.takeWhile((c) => c !== ';' && !isWs(c));
  }
  checkAddrUri(uri, cur);
  const params = parseParams(cur);
  const out: NameAddr = { uri, params };
  // `""` says no more than no display name at all.
  if (displayName) out.displayName = displayName;
  return out;
}

/** Always the name-addr form: angle brackets are never wrong, the bare form sometimes is. */
export function formatNameAddr(n: NameAddr): string {
  const name =
    n.displayName !== undefined && n.displayName !== ''
      ? `"${n.displayName.replace(/["\\]/g, '\\$&')}" `
      : '';
  return `${name}<${n.uri}>${formatParams(n.params)}`;
}

/** One via-parm: `SIP / 2.0 / UDP host[:port];params` (callers split the comma list with `getAll`). */
export function parseVia(s: string): Via {
  const cur = new Cursor(s, 'Via');
  cur.skipWs();
  const protocol = cur.takeWhile(isTokenChar);
  cur.skipWs();
  cur.expect('/');
  cur.skipWs();
  const version = cur.takeWhile(isTokenChar);
  cur.skipWs();
  cur.expect('/');
  cur.skipWs();
  const transport = cur.takeWhile(isTokenChar);
  if (protocol.toUpperCase() !== 'SIP' || version !== '2.0') {
    cur.fail(`unsupported protocol ${show(`${protocol}/${version}`)}`);
  }
  if (transport === '') cur.fail('missing transport');
  if (!isWs(cur.peek())) cur.fail('expected a space before sent-by');
  cur.skipWs();
  const { host, port } = parseHostPort(cur, true);
  const params = parseParams(cur);
  const via: Via = { transport: transport.toUpperCase(), host, params };
  if (port !== undefined) via.port = port;
  return via;
}

export function formatVia(v: Via): string {
  const port = v.port === undefined ? '' : `:${v.port}`;
  return `SIP/2.0/${v.transport.toUpperCase()} ${bracketHost(v.host)}${port}${formatParams(v.params)}`;
}

/** `1*DIGIT LWS Method`; RFC 3261 §8.1.1.5 caps the number below 2**31. */
export function parseCSeq(s: string): { seq: number; method: string } {
  const m = /^[ \t]*(\d{1,10})[ \t]+([^ \t]+)[ \t]*$/.exec(s);
  if (!m) throw new SipParseError(`bad CSeq ${show(s)}: expected "<number> <method>"`);
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) throw new SipParseError(`bad CSeq ${show(s)}: number is 2**31 or more`);
  if (!isToken(m[2]!)) throw new SipParseError(`bad CSeq ${show(s)}: bad method`);
  return { seq, method: m[2]! };
}

/** A Via branch: the RFC 3261 magic cookie, then 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('hex')}`;
}

/** A From/To tag: 64 random bits (RFC 3261 §19.3 asks for at least 32). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}
