/**
 * The header fields of one SIP message, in order and with their values as
 * received. Order matters for Via, Route and Record-Route, and proxies and
 * phones expect unknown headers back unchanged, so nothing is normalized but
 * the names.
 */
import { isToken } from './grammar.ts';

/** RFC 3261 §7.3.3 and later RFCs: the one-letter forms, always expanded. */
const COMPACT = new Map<string, string>([
  ['i', 'Call-ID'],
  ['m', 'Contact'],
  ['f', 'From'],
  ['t', 'To'],
  ['v', 'Via'],
  ['l', 'Content-Length'],
  ['c', 'Content-Type'],
  ['e', 'Content-Encoding'],
  ['k', 'Supported'],
  ['s', 'Subject'],
  ['o', 'Event'],
  ['r', 'Refer-To'],
  ['b', 'Referred-By'],
  ['u', 'Allow-Events'],
  ['x', 'Session-Expires'],
  ['a', 'Accept-Contact'],
  ['j', 'Reject-Contact'],
  ['d', 'Request-Disposition'],
  ['y', 'Identity'],
  ['n', 'Identity-Info'],
]);

/**
 * How known headers are written. Names are case-insensitive, but some peers
 * match them literally, so we send the spelling the RFCs use (Call-ID, CSeq,
 * WWW-Authenticate) rather than naive Title-Case.
 */
const KNOWN = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Accept-Resource-Priority',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Answer-Mode',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-ID',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Diversion',
  'Error-Info',
  'Event',
  'Expires',
  'Feature-Caps',
  'Flow-Timer',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Info-Package',
  'Join',
  'Max-Breadth',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Access-Network-Info',
  'P-Asserted-Identity',
  'P-Associated-URI',
  'P-Called-Party-ID',
  'P-Charging-Vector',
  'P-Early-Media',
  'P-Preferred-Identity',
  'P-Visited-Network-ID',
  'Path',
  'Priority',
  'Priv-Answer-Mode',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Recv-Info',
  'Refer-Sub',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Remote-Party-ID',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Resource-Priority',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Target-Dialog',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];
const CANONICAL = new Map(KNOWN.map((name) => [name.toLowerCase(), name]));

/**
 * Headers whose values are comma-separated lists, so that `Via: a, b` and two
 * Via lines mean the same. Only these are split: a comma in Date, Subject or
 * WWW-Authenticate is part of one value.
 */
const LISTS = new Set(
  [
    'Via',
    'Route',
    'Record-Route',
    'Contact',
    'Allow',
    'Supported',
    'Require',
    'Proxy-Require',
    'Unsupported',
    'Accept',
  ].map((name) => name.toLowerCase()),
);

/** The full, canonically spelled name; unknown names keep the spelling given. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT.get(lower) ?? CANONICAL.get(lower) ?? name;
}

/**
 * Split a comma-list header value on the commas that separate elements: not
 * those inside a quoted display name ("Bell, Alexander") or a URI in angle
 * brackets. Elements are trimmed; empty ones dropped.
 */
export function splitHeaderList(value: string): string[] {
  const items: string[] = [];
  let start = 0;
  let quoted = false;
  let angled = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angled = true;
    else if (c === '>') angled = false;
    else if (c === ',' && !angled) {
      items.push(value.slice(start, i));
      start = i + 1;
    }
  }
  items.push(value.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

interface Entry {
  /** Lower-cased full name, for lookups. */
  key: string;
  /** As serialized. */
  name: string;
  value: string;
}

function entry(name: string, value: string): Entry {
  if (!isToken(name)) throw new TypeError(`invalid SIP header name ${JSON.stringify(name)}`);
  // A CR or LF would let a value (a display name from a user, say) inject headers.
  if (value.includes('\r') || value.includes('\n') || value.includes('\0')) {
    throw new TypeError(`SIP header ${name} value contains CR, LF or NUL`);
  }
  const full = canonicalHeaderName(name);
  return { key: full.toLowerCase(), name: full, value };
}

export class Headers implements Iterable<[string, string]> {
  #list: Entry[] = [];

  constructor(init?: Iterable<readonly [string, string]>) {
    if (init) for (const [name, value] of init) this.append(name, value);
  }

  /** Number of header lines. */
  get size(): number {
    return this.#list.length;
  }

  /** The first value: for list headers the first element (the top Via), else the first line. */
  get(name: string): string | undefined {
    return this.getAll(name)[0];
  }

  /** Every value in order; list headers are split into their elements. */
  getAll(name: string): string[] {
    const key = canonicalHeaderName(name).toLowerCase();
    const values = this.#list.filter((e) => e.key === key).map((e) => e.value);
    return LISTS.has(key) ? values.flatMap(splitHeaderList) : values;
  }

  has(name: string): boolean {
    const key = canonicalHeaderName(name).toLowerCase();
    return this.#list.some((e) => e.key === key);
  }

  /** Replace every line of `name` with one, where the first one was (else at the end). */
  set(name: string, value: string): this {
    const e = entry(name, value);
    const at = this.#list.findIndex((x) => x.key === e.key);
    if (at < 0) {
      this.#list.push(e);
    } else {
      this.#list = this.#list.filter((x, i) => i <= at || x.key !== e.key);
      this.#list[at] = e;
    }
    return this;
  }

  /** Add a line at the end (so parsing keeps the order lines arrived in). */
  append(name: string, value: string): this {
    this.#list.push(entry(name, value));
    return this;
  }

  /** Add a line before the first of the same name (else first of all): a new top Via. */
  prepend(name: string, value: string): this {
    const e = entry(name, value);
    const first = this.#list.findIndex((x) => x.key === e.key);
    this.#list.splice(first < 0 ? 0 : first, 0, e);
    return this;
  }

  /** Remove every line of `name`; true if there was one. */
  remove(name: string): boolean {
    const key = canonicalHeaderName(name).toLowerCase();
    const before = this.#list.length;
    this.#list = this.#list.filter((e) => e.key !== key);
    return this.#list.length !== before;
  }

  /** [name, value] per line, in order, names as they will be serialized. */
  entries(): [string, string][] {
    return this.#list.map((e) => [e.name, e.value]);
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }

  clone(): Headers {
    const copy = new Headers();
    copy.#list = this.#list.map((e) => ({ ...e }));
    return copy;
  }
}
