/**
 * SIP messages (RFC 3261 §7): one datagram, or one message cut from a stream
 * by SipStreamFramer, to a request or response and back.
 *
 * Strict where a mistake would change meaning (versions, lengths, the
 * headers every transaction needs), tolerant where mature stacks are: bare LF
 * line ends, runs of spaces in the start line, whitespace around the header
 * colon, folded lines, leading CRLF keep-alives. Whatever the bytes, the only
 * exception is SipParseError, because parsing runs on input from anyone.
 */
import { Headers } from './headers.ts';
import { SipParseError, isToken, parseCSeq, parseNameAddr, parseVia } from './grammar.ts';

export { SipParseError };

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: Headers;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: Headers;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

const CR = 0x0d;
const LF = 0x0a;

/** Where the header block ends: the first empty line, CRLF or bare LF. */
function findHeadEnd(data: Buffer, from: number): { headEnd: number; bodyStart: number } {
  for (let i = data.indexOf(LF, from); i >= 0; i = data.indexOf(LF, i + 1)) {
    if (data[i + 1] === LF) return { headEnd: i, bodyStart: i + 2 };
    if (data[i + 1] === CR && data[i + 2] === LF) return { headEnd: i, bodyStart: i + 3 };
  }
  // RFC 3261 wants the empty line even without a body, but a datagram is
  // whole: with it missing there is simply no body.
  return { headEnd: data.length, bodyStart: data.length };
}

function hasControlChar(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/** What is known so far, so an error can say whether (and how) to answer. */
interface Context {
  isRequest: boolean;
  method?: string;
  headers?: Headers;
}

function fail(ctx: Context, message: string, replyWith: 400 | 505 = 400): never {
  throw new SipParseError(message, { ...ctx, replyWith });
}

/** "SIP/2.0" in any case. Returns the error to report, if any. */
function checkVersion(version: string): { message: string; replyWith: 400 | 505 } | undefined {
  const m = /^SIP\/(\d{1,9})\.(\d{1,9})$/i.exec(version);
  if (!m) return { message: `malformed SIP version ${show(version)}`, replyWith: 400 };
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) {
    return { message: `unsupported SIP version ${version}`, replyWith: 505 };
  }
  return undefined;
}

type StartLine =
  | { kind: 'request'; method: string; uri: string; versionError?: ReturnType<typeof checkVersion> }
  | { kind: 'response'; status: number; reason: string };

function parseStartLine(line: string, ctx: Context): StartLine {
  if (line.trim() === '') fail(ctx, 'empty start line');
  if (hasControlChar(line)) fail(ctx, 'control character in start line');
  if (/^SIP\//i.test(line)) {
    // SIP-Version SP Status-Code SP Reason-Phrase; the reason may hold spaces or be missing.
    const m = /^(\S+) +(\S+)(?: +(.*))?$/.exec(line);
    if (!m) fail(ctx, `malformed status line ${show(line)}`);
    const versionError = checkVersion(m[1]!);
    if (versionError) fail(ctx, versionError.message);
    if (!/^\d+$/.test(m[2]!)) fail(ctx, `malformed status code ${show(m[2]!)}`);
    const status = Number(m[2]);
    if (m[2]!.length !== 3 || status < 100 || status > 699) {
      fail(ctx, `status code ${m[2]} out of range 100-699`);
    }
    return { kind: 'response', status, reason: (m[3] ?? '').trim() };
  }
  // Method SP Request-URI SP SIP-Version. Runs of spaces are tolerated (RFC 4475 §3.1.2.7).
  const parts = line.trim().split(/ +/);
  const last = parts[parts.length - 1]!;
  if (/^SIP\//i.test(last)) ctx.isRequest = true;
  if (parts.length !== 3) fail(ctx, `malformed request line ${show(line)}`);
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) fail(ctx, `invalid method ${show(method)}`);
  ctx.method = method;
  // Only the shape is checked: a well-formed URI of a scheme we don't serve
  // deserves 416, not 400, and that is the caller's call (see parseUri).
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/.test(uri)) {
    fail(ctx, `malformed Request-URI ${show(uri)}`);
  }
  return { kind: 'request', method, uri, versionError: checkVersion(version) };
}

/** Header lines, with folded continuation lines joined by one space. */
function parseHeaderLines(lines: string[], ctx: Context): Headers {
  const fields: [string, string][] = [];
  for (const line of lines) {
    if (hasControlChar(line)) fail(ctx, 'control character in header');
    if (line[0] === ' ' || line[0] === '\t') {
      const last = fields[fields.length - 1];
      if (!last) fail(ctx, 'continuation line before any header');
      const more = line.trim();
      if (more !== '') last[1] = `${last[1].trimEnd()} ${more}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) fail(ctx, `header line without a colon: ${show(line)}`);
    const name = line.slice(0, colon).trimEnd();
    if (!isToken(name)) fail(ctx, `invalid header name ${show(name)}`);
    fields.push([name, line.slice(colon + 1)]);
  }
  return new Headers(fields.map(([name, value]) => [name, value.trim()]));
}

function parseContentLength(headers: Headers, ctx: Context): number | undefined {
  const values = headers.getAll('Content-Length');
  // Two lengths could frame the body two ways: refuse rather than guess (RFC 4475 §3.1.2.11).
  if (values.length > 1) fail(ctx, 'more than one Content-Length header');
  const value = values[0];
  if (value === undefined) return undefined;
  if (/^-\s*\d+$/.test(value)) fail(ctx, `negative Content-Length ${show(value)}`);
  if (!/^\d+$/.test(value)) fail(ctx, `non-numeric Content-Length ${show(value)}`);
  return Number(value);
}

/** What every transaction needs: RFC 3261 §8.1.1 for requests, §8.1.3 and §18.1.2 for responses. */
function checkEssentials(headers: Headers, ctx: Context): void {
  for (const name of ['To', 'From', 'Call-ID', 'CSeq', 'Via']) {
    if (!headers.has(name)) fail(ctx, `missing ${name} header`);
  }
  for (const name of ['To', 'From', 'Call-ID', 'CSeq']) {
    if (headers.getAll(name).length > 1) fail(ctx, `more than one ${name} header`);
  }
  const callId = headers.get('Call-ID')!;
  if (callId === '' || /\s/.test(callId)) fail(ctx, `bad Call-ID ${show(callId)}`);
  const checked = <T>(what: string, parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      if (err instanceof SipParseError) fail(ctx, `${what} header: ${err.message}`);
      throw err;
    }
  };
  const cseq = checked('CSeq', () => parseCSeq(headers.get('CSeq')!));
  if (ctx.method !== undefined && cseq.method !== ctx.method) {
    fail(ctx, `CSeq method ${cseq.method} does not match request method ${ctx.method}`);
  }
  checked('From', () => parseNameAddr(headers.get('From')!));
  checked('To', () => parseNameAddr(headers.get('To')!));
  const vias = headers.getAll('Via');
  if (vias.length === 0) fail(ctx, 'empty Via header');
  for (const via of vias) checked('Via', () => parseVia(via));
}

/** One whole message: a UDP datagram, or a message the stream framer cut out. */
export function parseMessage(data: Buffer): SipMessage {
  const ctx: Context = { isRequest: false };
  let pos = 0;
  // CRLF keep-alives (RFC 5626 §4.4.1) may precede a message.
  while (pos < data.length && (data[pos] === CR || data[pos] === LF)) pos++;
  if (pos >= data.length) fail(ctx, 'empty message');

  const { headEnd, bodyStart } = findHeadEnd(data, pos);
  const lines = data
    .toString('utf8', pos, headEnd)
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines[lines.length - 1] === '') lines.pop();
  const start = parseStartLine(lines[0]!, ctx);

  if (start.kind === 'request' && start.versionError) {
    // Still read the headers if we can: the 505 has to copy them.
    try {
      ctx.headers = parseHeaderLines(lines.slice(1), { isRequest: true });
    } catch {
      // Unparseable too: the version is the first thing wrong.
    }
    fail(ctx, start.versionError.message, start.versionError.replyWith);
  }
  const headers = parseHeaderLines(lines.slice(1), ctx);
  ctx.headers = headers;

  const length = parseContentLength(headers, ctx);
  const available = data.length - bodyStart;
  if (length !== undefined && length > available) {
    fail(ctx, `truncated body: Content-Length is ${length} but ${available} bytes follow`);
  }
  checkEssentials(headers, ctx);

  // Bytes past Content-Length are padding or junk and are dropped (RFC 3261
  // §18.3). Copy the body so the caller's receive buffer can be reused.
  const body = Buffer.from(data.subarray(bodyStart, bodyStart + (length ?? available)));
  if (start.kind === 'request') {
    return { kind: 'request', method: start.method, uri: start.uri, headers, body };
  }
  return { kind: 'response', status: start.status, reason: start.reason, headers, body };
}

function assertNoLineBreak(what: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`SIP ${what} contains a line break`);
}

/** Bytes for the wire, with Content-Length set from the body whatever the headers said. */
export function serializeMessage(msg: SipMessage): Buffer {
  let startLine: string;
  if (msg.kind === 'request') {
    if (!isToken(msg.method)) {
      throw new TypeError(`invalid SIP method ${JSON.stringify(msg.method)}`);
    }
    if (!/^\S+$/.test(msg.uri)) {
      throw new TypeError(`invalid Request-URI ${JSON.stringify(msg.uri)}`);
    }
    startLine = `${msg.method} ${msg.uri} SIP/2.0`;
  } else {
    if (!Number.isInteger(msg.status) || msg.status < 100 || msg.status > 699) {
      throw new TypeError(`invalid SIP status ${msg.status}`);
    }
    assertNoLineBreak('reason phrase', msg.reason);
    startLine = `SIP/2.0 ${msg.status} ${msg.reason || statusReason(msg.status)}`;
  }
  const headers = msg.headers.clone().set('Content-Length', String(msg.body.length));
  let head = `${startLine}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += '\r\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), msg.body]);
}

const REASONS = new Map<number, string>([
  [100, 'Trying'],
  [180, 'Ringing'],
  [181, 'Call Is Being Forwarded'],
  [182, 'Queued'],
  [183, 'Session Progress'],
  [199, 'Early Dialog Terminated'],
  [200, 'OK'],
  [202, 'Accepted'],
  [204, 'No Notification'],
  [300, 'Multiple Choices'],
  [301, 'Moved Permanently'],
  [302, 'Moved Temporarily'],
  [305, 'Use Proxy'],
  [380, 'Alternative Service'],
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'],
  [410, 'Gone'],
  [412, 'Conditional Request Failed'],
  [413, 'Request Entity Too Large'],
  [414, 'Request-URI Too Long'],
  [415, 'Unsupported Media Type'],
  [416, 'Unsupported URI Scheme'],
  [417, 'Unknown Resource-Priority'],
  [420, 'Bad Extension'],
  [421, 'Extension Required'],
  [422, 'Session Interval Too Small'],
  [423, 'Interval Too Brief'],
  [424, 'Bad Location Information'],
  [428, 'Use Identity Header'],
  [429, 'Provide Referrer Identity'],
  [430, 'Flow Failed'],
  [433, 'Anonymity Disallowed'],
  [436, 'Bad Identity-Info'],
  [437, 'Unsupported Certificate'],
  [438, 'Invalid Identity Header'],
  [439, 'First Hop Lacks Outbound Support'],
  [440, 'Max-Breadth Exceeded'],
  [469, 'Bad Info Package'],
  [470, 'Consent Needed'],
  [480, 'Temporarily Unavailable'],
  [481, 'Call/Transaction Does Not Exist'],
  [482, 'Loop Detected'],
  [483, 'Too Many Hops'],
  [484, 'Address Incomplete'],
  [485, 'Ambiguous'],
  [486, 'Busy Here'],
  [487, 'Request Terminated'],
  [488, 'Not Acceptable Here'],
  [489, 'Bad Event'],
  [491, 'Request Pending'],
  [493, 'Undecipherable'],
  [494, 'Security Agreement Required'],
  [500, 'Server Internal Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Server Time-out'],
  [505, 'Version Not Supported'],
  [513, 'Message Too Large'],
  [555, 'Push Notification Service Not Supported'],
  [580, 'Precondition Failure'],
  [600, 'Busy Everywhere'],
  [603, 'Decline'],
  [604, 'Does Not Exist Anywhere'],
  [606, 'Not Acceptable'],
  [607, 'Unwanted'],
  [608, 'Rejected'],
]);

const CLASS_REASONS = ['', 'Provisional', 'Success', 'Redirection', 'Client Error', 'Server Error'];

/** The standard reason phrase; for an unregistered code, its class ("Client Error"). */
export function statusReason(code: number): string {
  const known = REASONS.get(code);
  if (known !== undefined) return known;
  if (code >= 600 && code <= 699) return 'Global Failure';
  return (code >= 100 && code < 600 && CLASS_REASONS[Math.floor(code / 100)]) || 'Unknown';
}
