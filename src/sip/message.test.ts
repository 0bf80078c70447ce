import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCSeq, parseNameAddr, parseUri, parseVia } from './grammar.ts';
import { Headers, canonicalHeaderName, splitHeaderList } from './headers.ts';
import {
  parseMessage,
  serializeMessage,
  SipParseError,
  statusReason,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message.ts';

const FIXTURES = new URL('../../test/fixtures/sip/', import.meta.url);
const fixtureNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.sip'));
const validNames = fixtureNames.filter((f) => !f.startsWith('bad-'));

/** As stored: LF line ends everywhere. */
function rawFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** As a peer sends it: CRLF line ends (the fixtures' Content-Length counts them). */
function fixture(name: string): Buffer {
  return Buffer.from(rawFixture(name).replace(/\n/g, '\r\n'), 'utf8');
}

function request(name: string): SipRequest {
  const msg = parseMessage(fixture(name));
  if (msg.kind !== 'request') throw new Error(`${name} is not a request`);
  return msg;
}

function crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
}

function parseError(data: Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('expected a SipParseError, but the message parsed');
}

/** A small well-formed request to vary in the error tests. */
const BYE = `BYE sip:bridge@203.0.113.5 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbye1
To: <sip:bridge@203.0.113.5>;tag=b1
From: <sip:alice@example.com>;tag=a1
Call-ID: bye-1@192.0.2.1
CSeq: 2 BYE
Content-Length: 0

`;

function without(text: string, header: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith(`${header}:`))
    .join('\n');
}

describe('parseMessage: messages real peers send', () => {
  it('reads a softphone INVITE with SDP', () => {
    const req = request('invite-baresip.sip');
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:+15551230000@dialbridge.example.com;transport=udp');
    expect(parseUri(req.uri).user).toBe('+15551230000');
    expect(req.headers.get('Call-ID')).toBe('0a3c5e7f9b1d4c6e8a2b');
    expect(parseCSeq(req.headers.get('CSeq')!)).toEqual({ seq: 4711, method: 'INVITE' });
    const via = parseVia(req.headers.get('Via')!);
    expect(via).toMatchObject({ transport: 'UDP', host: '192.168.1.20', port: 5060 });
    expect(via.params.get('branch')).toBe('z9hG4bK5d8a7c1e4b2f');
    expect(via.params.get('rport')).toBeNull();
    const from = parseNameAddr(req.headers.get('From')!);
    expect(from.displayName).toBe('Alice Example');
    expect(from.params.get('tag')).toBe('8f1d6a0c2e3b4a59');
    const contact = parseNameAddr(req.headers.get('Contact')!);
    expect(contact.params.get('+sip.instance')).toBe(
      '"<urn:uuid:5f0b2a1e-33d3-4c5e-9b9d-6f4f1a2b3c4d>"',
    );
    expect(req.headers.getAll('Allow')).toContain('REFER');
    expect(req.headers.getAll('Supported')).toEqual(['replaces', 'norefersub', '100rel']);
    expect(req.headers.get('Content-Type')).toBe('application/sdp');
    expect(req.body.length).toBe(314);
    const sdp = req.body.toString('utf8');
    expect(sdp.startsWith('v=0\r\n')).toBe(true);
    expect(sdp).toContain('a=rtpmap:101 telephone-event/8000\r\n');
    expect(sdp.endsWith('a=sendrecv\r\n')).toBe(true);
  });

  it("reads SIPp's uac INVITE, with a bare addr-spec Contact and unquoted display names", () => {
    const req = request('invite-sipp-uac.sip');
    expect(parseNameAddr(req.headers.get('Contact')!).uri).toBe('sip:sipp@198.51.100.9:5061');
    expect(parseNameAddr(req.headers.get('From')!)).toMatchObject({
      displayName: 'sipp',
      uri: 'sip:sipp@198.51.100.9:5061',
    });
    expect(parseNameAddr(req.headers.get('To')!).displayName).toBe('7001');
    expect(req.headers.get('Subject')).toBe('Performance Test');
    expect(req.body.toString()).toContain('m=audio 6000 RTP/AVP 0\r\n');
  });

  it('reads a re-INVITE putting the call on hold', () => {
    const req = request('reinvite-sendonly.sip');
    expect(parseNameAddr(req.headers.get('To')!).params.get('tag')).toBe('db7c41e09a');
    expect(parseCSeq(req.headers.get('CSeq')!).seq).toBe(4712);
    expect(req.body.toString()).toMatch(/\r\na=sendonly\r\n$/);
  });

  it('reads ACK, BYE and CANCEL, whose CSeq names their own method', () => {
    const ack = request('ack.sip');
    expect([ack.method, ack.headers.get('CSeq')]).toEqual(['ACK', '4711 ACK']);
    const bye = request('bye.sip');
    expect([bye.method, bye.headers.get('CSeq')]).toEqual(['BYE', '4713 BYE']);
    const cancel = request('cancel.sip');
    expect([cancel.method, cancel.headers.get('CSeq')]).toEqual(['CANCEL', '4711 CANCEL']);
    // A CANCEL matches its INVITE by the top Via branch (RFC 3261 §9.2).
    const invite = request('invite-baresip.sip');
    expect(parseVia(cancel.headers.get('Via')!).params.get('branch')).toBe(
      parseVia(invite.headers.get('Via')!).params.get('branch'),
    );
    expect(cancel.headers.get('Reason')).toBe('SIP;cause=487;text="Request Terminated"');
    for (const r of [ack, bye, cancel]) expect(r.body.length).toBe(0);
  });

  it("reads a trunk's OPTIONS keep-alive without splitting Date on its comma", () => {
    const req = request('options-trunk.sip');
    expect(req.method).toBe('OPTIONS');
    expect(req.headers.get('Date')).toBe('Sun, 23 Nov 2025 18:00:00 GMT');
    expect(req.headers.getAll('Allow')).toHaveLength(11);
    expect(req.headers.getAll('Accept')).toEqual(['application/sdp']);
    expect(req.headers.get('Call-ID')).toBe('6c2d4f0a1b3e5d7f02468ace@198.51.100.20:5060');
  });

  it('reads INFO carrying application/dtmf-relay', () => {
    const req = request('info-dtmf-relay.sip');
    expect(req.headers.get('Content-Type')).toBe('application/dtmf-relay');
    expect(req.body.toString('utf8')).toBe('Signal=5\r\nDuration=160\r\n');
  });

  it('reads a 200 OK with Record-Route list and rport/received', () => {
    const res = parseMessage(fixture('ok-200-invite.sip')) as SipResponse;
    expect(res).toMatchObject({ kind: 'response', status: 200, reason: 'OK' });
    expect(res.headers.getAll('Record-Route')).toEqual([
      '<sip:edge1.example.net;lr>',
      '<sip:edge2.example.net;lr;transport=tcp>',
    ]);
    const via = parseVia(res.headers.get('Via')!);
    expect(via.params.get('rport')).toBe('5060');
    expect(via.params.get('received')).toBe('198.51.100.44');
    expect(res.body.toString()).toContain('c=IN IP4 203.0.113.5\r\n');
  });

  it.each(validNames)('%s survives serialize and parse unchanged', (name) => {
    const first = parseMessage(fixture(name));
    const again = parseMessage(serializeMessage(first));
    expect(again.headers.entries()).toEqual(first.headers.entries());
    expect(again.body.equals(first.body)).toBe(true);
    if (first.kind === 'request' && again.kind === 'request') {
      expect([again.method, again.uri]).toEqual([first.method, first.uri]);
    }
  });

  it.each(validNames)('%s parses the same with bare LF header lines', (name) => {
    const [head, ...rest] = rawFixture(name).split('\n\n');
    // Only the header block uses bare LF: the body's bytes are what Content-Length counts.
    const lf = Buffer.concat([Buffer.from(`${head}\n\n`), crlf(rest.join('\n\n'))]);
    const a = parseMessage(lf);
    const b = parseMessage(fixture(name));
    expect(a.headers.entries()).toEqual(b.headers.entries());
    expect(a.body.equals(b.body)).toBe(true);
  });
});

describe('parseMessage: RFC 4475 style torture', () => {
  it('reads the short tortuous INVITE: folding, odd case and spacing, compact forms', () => {
    const req = request('short-tortuous.sip');
    expect(parseUri(req.uri).params.get('unknownparam')).toBeNull();
    const to = parseNameAddr(req.headers.get('To')!);
    expect(to.uri).toBe('sip:7000@bridge.example.net');
    expect(to.params.get('tag')).toBe('83hd7sq');
    const from = parseNameAddr(req.headers.get('from')!);
    expect(from.displayName).toBe('Dial "In" \\ User');
    expect(from.params.get('tag')).toBe('1kd93hsd');
    expect(req.headers.get('max-forwards')).toBe('0069');
    expect(req.headers.get('Call-ID')).toBe('tortuous.83kd9s@192.0.2.10');
    expect(parseCSeq(req.headers.get('CSeq')!)).toEqual({ seq: 7, method: 'INVITE' });
    // One Via header, then a compact one holding two, in order.
    const vias = req.headers.getAll('Via').map(parseVia);
    expect(vias.map((v) => [v.transport, v.host, v.params.get('branch')])).toEqual([
      ['UDP', '192.0.2.10', 'z9hG4bKtort1'],
      ['TCP', 'relay.example.net', 'z9hG4bKtort2'],
      ['UDP', '198.51.100.7', 'z9hG4bKtort3'],
    ]);
    expect(vias[2]!.params.get('rport')).toBeNull();
    expect(req.headers.has('Subject')).toBe(true);
    expect(req.headers.get('s')).toBe('');
    expect(req.headers.get('X-Folded-Thing')).toBe('first part second part third part');
    expect(req.headers.get('X-Odd-Value')).toBe(';;,,;;,;');
    expect(req.headers.getAll('Supported')).toEqual(['timer', 'replaces']);
    const route = parseNameAddr(req.headers.get('Route')!);
    const routeUri = parseUri(route.uri);
    expect(routeUri.params.get('lr')).toBeNull();
    expect(routeUri.params.get('unknownwith')).toBe('value');
    expect(routeUri.params.get('unknown-no-value')).toBeNull();
    const contact = parseNameAddr(req.headers.get('m')!);
    expect(contact.displayName).toBe('Quoted "Contact"');
    expect([...contact.params]).toEqual([
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    expect(req.headers.get('Content-Type')).toBe('application/sdp');
    expect(req.body.length).toBe(113);
  });

  it('unescapes %-escapes in user parts and URI parameters', () => {
    const req = request('escaped-uris.sip');
    const ruri = parseUri(req.uri);
    expect(ruri.user).toBe('sips:conf@example.com');
    expect(ruri.host).toBe('bridge.example.net');
    expect(parseUri(parseNameAddr(req.headers.get('To')!).uri).user).toBe('bridge');
    expect(parseUri(parseNameAddr(req.headers.get('From')!).uri).user).toBe('I dial in');
    const contact = parseUri(parseNameAddr(req.headers.get('Contact')!).uri);
    expect(contact.user).toBe('caller');
    expect(contact.params.get('lr')).toBeNull();
    expect(contact.params.get('name')).toBe('value%41');
    expect(req.headers.get('Content-Type')).toBe('application/sdp');
  });

  it('reads compact headers, IPv6 and a Contact list with a comma in a display name', () => {
    const req = request('compact-ipv6-register.sip');
    expect(parseUri(req.uri).host).toBe('[2001:db8::10]');
    expect(parseVia(req.headers.get('Via')!)).toMatchObject({
      transport: 'TCP',
      host: '[2001:db8::20]',
      port: 5070,
    });
    const contacts = req.headers.getAll('Contact').map(parseNameAddr);
    expect(contacts.map((c) => c.displayName)).toEqual([undefined, 'Desk, Backup']);
    expect(contacts[0]!.params.get('expires')).toBe('600');
    expect(parseUri(contacts[1]!.uri)).toMatchObject({ host: '[2001:db8::21]', port: 5070 });
    expect(req.headers.getAll('Supported')).toEqual(['path', 'outbound']);
    // Compact forms go out long.
    const names = serializeMessage(req)
      .toString()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['Via', 'From', 'To', 'Call-ID', 'Contact']));
    expect(names).toEqual(expect.arrayContaining(['Supported', 'Content-Length']));
  });
});

describe('parseMessage: tolerance', () => {
  it('skips CRLF keep-alives before a message', () => {
    const msg = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n\n'), crlf(BYE)]));
    expect(msg).toMatchObject({ kind: 'request', method: 'BYE' });
  });

  it('takes the rest of a datagram as the body when Content-Length is missing', () => {
    const text = without(BYE, 'Content-Length') + 'some body';
    const msg = parseMessage(crlf(text));
    expect(msg.body.toString()).toBe('some body');
  });

  it('drops bytes past Content-Length', () => {
    const text = BYE.replace('Content-Length: 0', 'Content-Length: 4') + 'bodyJUNK';
    expect(parseMessage(crlf(text)).body.toString()).toBe('body');
  });

  it('keeps a binary body byte for byte', () => {
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const head = crlf(BYE.replace('Content-Length: 0', 'Content-Length: 256'));
    expect(parseMessage(Buffer.concat([head, body])).body.equals(body)).toBe(true);
  });

  it('accepts a datagram that ends without the empty line when there is no body', () => {
    const msg = parseMessage(crlf(BYE.trimEnd()));
    expect(msg.headers.get('Content-Length')).toBe('0');
  });

  it('accepts runs of spaces in the start line and a status line without a reason', () => {
    const req = parseMessage(
      crlf(BYE.replace('BYE sip:', 'BYE   sip:').replace('SIP/2.0\n', 'SIP/2.0  \n')),
    );
    expect(req).toMatchObject({ method: 'BYE', uri: 'sip:bridge@203.0.113.5' });
    const res = parseMessage(crlf(BYE.replace(/^.*\n/, 'SIP/2.0 486\n')));
    expect(res).toMatchObject({ kind: 'response', status: 486, reason: '' });
  });

  it('takes a reason phrase with spaces and UTF-8 as written', () => {
    const res = parseMessage(crlf(BYE.replace(/^.*\n/, 'SIP/2.0 480 Nicht verfügbar – später\n')));
    expect(res).toMatchObject({ status: 480, reason: 'Nicht verfügbar – später' });
  });

  it('accepts any whitespace around the header colon and any name case', () => {
    const msg = parseMessage(crlf(BYE.replace('Call-ID: ', 'cALL-id \t:\t ')));
    expect(msg.headers.get('Call-ID')).toBe('bye-1@192.0.2.1');
    expect(msg.headers.entries().map(([n]) => n)).toContain('Call-ID');
  });
});

describe('parseMessage: refusals', () => {
  it('refuses empty input and keep-alives alone', () => {
    expect(parseError(Buffer.alloc(0)).message).toMatch(/empty message/);
    expect(parseError(Buffer.from('\r\n\r\n')).message).toMatch(/empty message/);
  });

  it('names the missing Call-ID and keeps the headers for the 400', () => {
    const err = parseError(fixture('bad-missing-call-id.sip'));
    expect(err.message).toMatch(/missing Call-ID header/);
    expect(err).toMatchObject({ isRequest: true, replyWith: 400, method: 'BYE' });
    expect(err.headers?.get('Via')).toBe(
      'SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKnocallid;rport',
    );
  });

  it.each(['To', 'From', 'Call-ID', 'CSeq', 'Via'])('names a missing %s', (header) => {
    const err = parseError(crlf(without(BYE, header)));
    expect(err.message).toContain(`missing ${header} header`);
    expect(err.isRequest).toBe(true);
  });

  it('refuses a bad CSeq', () => {
    const err = parseError(fixture('bad-cseq.sip'));
    expect(err.message).toMatch(/CSeq/);
    expect(err.isRequest).toBe(true);
  });

  it.each([
    ['BYE', '2 INVITE'],
    ['ACK', '1 INVITE'],
    ['CANCEL', '1 INVITE'],
  ])('refuses %s with CSeq %s: the methods must match', (method, cseq) => {
    const text = BYE.replace(/^BYE /, `${method} `).replace('CSeq: 2 BYE', `CSeq: ${cseq}`);
    expect(parseError(crlf(text)).message).toMatch(
      /CSeq method INVITE does not match request method/,
    );
  });

  it('refuses a body shorter than Content-Length', () => {
    expect(parseError(fixture('bad-content-length.sip')).message).toMatch(/truncated body/);
  });

  it('refuses SIP/7.0 with 505 and still hands over the headers', () => {
    const err = parseError(fixture('bad-version.sip'));
    expect(err.message).toMatch(/unsupported SIP version SIP\/7\.0/);
    expect(err).toMatchObject({ isRequest: true, replyWith: 505, method: 'OPTIONS' });
    expect(err.headers?.get('Call-ID')).toBe('sip7-0@198.51.100.20');
  });

  it('refuses status codes outside 100-699', () => {
    const err = parseError(fixture('bad-status.sip'));
    expect(err.message).toMatch(/status code 99 out of range/);
    expect(err.isRequest).toBe(false);
    const status = (line: string) => parseError(crlf(BYE.replace(/^.*\n/, `${line}\n`))).message;
    expect(status('SIP/2.0 700 Beyond')).toMatch(/out of range/);
    expect(status('SIP/2.0 0200 OK')).toMatch(/out of range/);
    expect(status('SIP/2.0 2x0 OK')).toMatch(/malformed status code/);
    expect(status('SIP/3.0 200 OK')).toMatch(/unsupported SIP version/);
    expect(status('SIP/two 200 OK')).toMatch(/malformed SIP version/);
  });

  it.each([
    ['abc', /non-numeric Content-Length/],
    ['-1', /negative Content-Length/],
    ['1.5', /non-numeric Content-Length/],
    ['0x10', /non-numeric Content-Length/],
  ])('refuses Content-Length %s', (value, message) => {
    expect(
      parseError(crlf(BYE.replace('Content-Length: 0', `Content-Length: ${value}`))).message,
    ).toMatch(message);
  });

  it('refuses two Content-Length headers, even compact and equal', () => {
    const err = parseError(crlf(BYE.replace('Content-Length: 0', 'Content-Length: 0\nl: 0')));
    expect(err.message).toMatch(/more than one Content-Length/);
  });

  it.each(['INV@ITE', 'INVITE;', 'IN"VITE', 'INVITÉ'])('refuses the method %s', (method) => {
    const err = parseError(crlf(BYE.replace(/^BYE /, `${method} `)));
    expect(err.message).toMatch(/invalid method/);
    expect(err.isRequest).toBe(true);
  });

  it.each([
    ['a Request-URI with no scheme', 'BYE bridge@203.0.113.5 SIP/2.0', /malformed Request-URI/],
    ['a Request-URI in angle brackets', 'BYE <sip:b@h> SIP/2.0', /malformed Request-URI/],
    ['a space inside the Request-URI', 'BYE sip:b@h; lr SIP/2.0', /malformed request line/],
    ['a missing version', 'BYE sip:b@h', /malformed request line/],
  ])('refuses %s', (_what, line, message) => {
    expect(parseError(crlf(BYE.replace(/^.*\n/, `${line}\n`))).message).toMatch(message);
  });

  it.each([
    ['a header line without a colon', 'Max-Forwards 70', /without a colon/],
    ['a header name with a space', 'Max Forwards: 70', /invalid header name/],
    ['a NUL byte in a header', 'X-Nul: a\0b', /control character/],
    ['a bare CR inside a header', 'X-Cr: a\rb', /control character/],
  ])('refuses %s', (_what, line, message) => {
    expect(
      parseError(crlf(BYE.replace('Content-Length', `${line}\nContent-Length`))).message,
    ).toMatch(message);
  });

  it('refuses a continuation line before any header', () => {
    const err = parseError(crlf(BYE.replace('\nVia:', '\n  folded\nVia:')));
    expect(err.message).toMatch(/continuation line before any header/);
  });

  it.each([
    ['Via', 'SIP/2.0/UDP'],
    ['From', '"unterminated <sip:a@b>'],
    ['To', '<sip:b@h'],
    ['Call-ID', 'two words'],
    ['CSeq', '2'],
  ])('refuses a bad %s', (header, value) => {
    const text = BYE.split('\n')
      .map((l) => (l.startsWith(`${header}:`) ? `${header}: ${value}` : l))
      .join('\n');
    expect(parseError(crlf(text)).message).toMatch(new RegExp(header));
  });

  it('refuses responses without the headers a transaction needs', () => {
    const err = parseError(crlf(without(BYE.replace(/^.*\n/, 'SIP/2.0 200 OK\n'), 'CSeq')));
    expect(err.message).toMatch(/missing CSeq/);
    expect(err.isRequest).toBe(false);
  });

  it('refuses binary junk with a SipParseError', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 50; n++) {
      const junk = Buffer.from(Array.from({ length: 1 + n * 20 }, next));
      expect(() => parseMessage(junk)).toThrow(SipParseError);
    }
  });
});

describe('serializeMessage', () => {
  it('writes CRLF lines and sets Content-Length from the body', () => {
    const req = request('bye.sip');
    req.headers.set('Content-Length', '999');
    const body = Buffer.from('hello');
    const out = serializeMessage({ ...req, body }).toString();
    expect(out.startsWith('BYE sip:bridge@203.0.113.5:5060;transport=udp SIP/2.0\r\n')).toBe(true);
    expect(out).toContain('\r\nContent-Length: 5\r\n');
    expect(out).not.toContain('999');
    expect(out.endsWith('\r\n\r\nhello')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // The message itself is untouched.
    expect(req.headers.get('Content-Length')).toBe('999');
  });

  it('adds Content-Length when there was none', () => {
    const msg: SipMessage = {
      kind: 'response',
      status: 180,
      reason: '',
      headers: new Headers([['Call-ID', 'x@y']]),
      body: Buffer.alloc(0),
    };
    expect(serializeMessage(msg).toString()).toBe(
      'SIP/2.0 180 Ringing\r\nCall-ID: x@y\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('refuses what would break the start line', () => {
    const base = { headers: new Headers(), body: Buffer.alloc(0) };
    expect(() =>
      serializeMessage({ ...base, kind: 'response', status: 200, reason: 'OK\r\nX: y' }),
    ).toThrow(TypeError);
    expect(() => serializeMessage({ ...base, kind: 'response', status: 99, reason: 'x' })).toThrow(
      TypeError,
    );
    expect(() =>
      serializeMessage({ ...base, kind: 'request', method: 'BYE', uri: 'sip:a b' }),
    ).toThrow(TypeError);
    expect(() =>
      serializeMessage({ ...base, kind: 'request', method: 'B YE', uri: 'sip:a' }),
    ).toThrow(TypeError);
  });
});

describe('statusReason', () => {
  it.each([
    [100, 'Trying'],
    [180, 'Ringing'],
    [181, 'Call Is Being Forwarded'],
    [182, 'Queued'],
    [183, 'Session Progress'],
    [200, 'OK'],
    [202, 'Accepted'],
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
    [405, 'Method Not Allowed'],
    [407, 'Proxy Authentication Required'],
    [408, 'Request Timeout'],
    [415, 'Unsupported Media Type'],
    [420, 'Bad Extension'],
    [480, 'Temporarily Unavailable'],
    [481, 'Call/Transaction Does Not Exist'],
    [482, 'Loop Detected'],
    [483, 'Too Many Hops'],
    [486, 'Busy Here'],
    [487, 'Request Terminated'],
    [488, 'Not Acceptable Here'],
    [491, 'Request Pending'],
    [500, 'Server Internal Error'],
    [501, 'Not Implemented'],
    [503, 'Service Unavailable'],
    [504, 'Server Time-out'],
    [505, 'Version Not Supported'],
    [513, 'Message Too Large'],
    [603, 'Decline'],
  ])('%i is %s', (code, reason) => {
    expect(statusReason(code)).toBe(reason);
  });

  it('falls back to the class for unregistered codes', () => {
    expect(statusReason(199)).toBe('Early Dialog Terminated');
    expect(statusReason(299)).toBe('Success');
    expect(statusReason(499)).toBe('Client Error');
    expect(statusReason(699)).toBe('Global Failure');
    expect(statusReason(42)).toBe('Unknown');
  });
});

describe('Headers', () => {
  it('looks names up case-insensitively and by compact form', () => {
    const h = new Headers([
      ['i', 'abc@host'],
      ['CALL-ID', 'second@host'],
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
    ]);
    expect(h.get('call-id')).toBe('abc@host');
    expect(h.get('I')).toBe('abc@host');
    expect(h.getAll('Call-ID')).toEqual(['abc@host', 'second@host']);
    expect(h.has('Via')).toBe(true);
    expect(h.has('Route')).toBe(false);
    expect(h.entries().map(([n]) => n)).toEqual(['Call-ID', 'Call-ID', 'Via']);
  });

  it('writes the RFC spellings and keeps unknown names as given', () => {
    const names = [
      'call-id',
      'CSEQ',
      'www-authenticate',
      'content-length',
      'x-Custom-Thing',
      'rack',
    ];
    const h = new Headers(names.map((n) => [n, '1']));
    expect(h.entries().map(([n]) => n)).toEqual([
      'Call-ID',
      'CSeq',
      'WWW-Authenticate',
      'Content-Length',
      'x-Custom-Thing',
      'RAck',
    ]);
    expect(canonicalHeaderName('m')).toBe('Contact');
    expect(canonicalHeaderName('o')).toBe('Event');
  });

  it('maps every compact form', () => {
    const compact = {
      i: 'Call-ID',
      m: 'Contact',
      f: 'From',
      t: 'To',
      v: 'Via',
      l: 'Content-Length',
      c: 'Content-Type',
      e: 'Content-Encoding',
      k: 'Supported',
      s: 'Subject',
      o: 'Event',
      r: 'Refer-To',
      b: 'Referred-By',
      u: 'Allow-Events',
      x: 'Session-Expires',
      a: 'Accept-Contact',
      j: 'Reject-Contact',
      d: 'Request-Disposition',
      y: 'Identity',
      n: 'Identity-Info',
    };
    for (const [short, full] of Object.entries(compact)) {
      expect(canonicalHeaderName(short)).toBe(full);
      expect(canonicalHeaderName(short.toUpperCase())).toBe(full);
    }
  });

  it('splits list headers on commas outside quotes and angle brackets only', () => {
    const h = new Headers([
      ['Contact', '"Bell, Alexander" <sip:a@b;x=1,2>;q=0.5 , <sip:c@d>'],
      ['Contact', 'sip:e@f'],
      ['Route', '<sip:p1;lr>,<sip:p2;lr>'],
      ['Supported', ''],
      ['Subject', 'Hello, world'],
      ['WWW-Authenticate', 'Digest realm="x", nonce="y"'],
    ]);
    expect(h.getAll('Contact')).toEqual([
      '"Bell, Alexander" <sip:a@b;x=1,2>;q=0.5',
      '<sip:c@d>',
      'sip:e@f',
    ]);
    expect(h.get('Route')).toBe('<sip:p1;lr>');
    expect(h.getAll('Supported')).toEqual([]);
    expect(h.get('Subject')).toBe('Hello, world');
    expect(h.getAll('WWW-Authenticate')).toEqual(['Digest realm="x", nonce="y"']);
    expect(splitHeaderList('"a \\" , b", c')).toEqual(['"a \\" , b"', 'c']);
  });

  it('sets in place, appends at the end and prepends before the first of a name', () => {
    const h = new Headers([
      ['Via', 'v1'],
      ['To', 't'],
      ['Via', 'v2'],
      ['From', 'f'],
    ]);
    h.prepend('Via', 'v0');
    h.append('Record-Route', '<sip:rr>');
    h.set('To', 't2');
    expect(h.entries()).toEqual([
      ['Via', 'v0'],
      ['Via', 'v1'],
      ['To', 't2'],
      ['Via', 'v2'],
      ['From', 'f'],
      ['Record-Route', '<sip:rr>'],
    ]);
    h.set('v', 'only');
    expect(h.entries().filter(([n]) => n === 'Via')).toEqual([['Via', 'only']]);
    expect(h.entries()[0]).toEqual(['Via', 'only']);
    h.prepend('Route', '<sip:first>');
    expect(h.entries()[0]).toEqual(['Route', '<sip:first>']);
    expect(h.remove('VIA')).toBe(true);
    expect(h.remove('Via')).toBe(false);
    expect(h.has('Via')).toBe(false);
    expect(h.size).toBe(4);
  });

  it('clones deeply', () => {
    const a = new Headers([['To', 't']]);
    const b = a.clone();
    b.set('To', 'changed').append('From', 'f');
    expect(a.entries()).toEqual([['To', 't']]);
    expect([...b]).toEqual([
      ['To', 'changed'],
      ['From', 'f'],
    ]);
  });

  it('refuses names and values that would inject header lines', () => {
    const h = new Headers();
    expect(() => h.set('Subject', 'hi\r\nVia: evil')).toThrow(TypeError);
    expect(() => h.append('X-A', 'a\nb')).toThrow(TypeError);
    expect(() => h.append('Bad Name', 'x')).toThrow(TypeError);
    expect(() => h.append('Bad:Name', 'x')).toThrow(TypeError);
    expect(h.size).toBe(0);
  });
});

/** Deterministic, so a failure can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Bytes that matter to the grammar, so insertions hit interesting paths more often.
const SPICE = [
  '\r\n',
  '\n',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '"',
  '<',
  '>',
  '%',
  '=',
  '/',
  '[',
  ']',
  '@',
  '\\',
  '\0',
];

function mutate(data: Buffer, rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  let out = Buffer.from(data);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(out.length + 1);
    switch (pick(6)) {
      case 0: // flip bits of one byte
        if (out.length) out[Math.min(at, out.length - 1)]! ^= 1 << pick(8);
        break;
      case 1: // truncate
        out = out.subarray(0, at);
        break;
      case 2: // insert random bytes
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256))),
          out.subarray(at),
        ]);
        break;
      case 3: // insert a grammar character
        out = Buffer.concat([
          out.subarray(0, at),
          Buffer.from(SPICE[pick(SPICE.length)]!),
          out.subarray(at),
        ]);
        break;
      case 4: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + pick(16))]);
        break;
      default: // duplicate a run
        out = Buffer.concat([
          out.subarray(0, at),
          out.subarray(at, at + pick(64)),
          out.subarray(at),
        ]);
    }
  }
  return out;
}

describe('parseMessage fuzzing', () => {
  it('throws nothing but SipParseError on 5,000 mutated fixtures, and what parses round-trips', () => {
    const seed = 20251123;
    const rand = mulberry32(seed);
    const inputs = validNames.map(fixture);
    let parsed = 0;
    for (let n = 0; n < 5000; n++) {
      const input = mutate(inputs[n % inputs.length]!, rand);
      let msg: SipMessage;
      try {
        msg = parseMessage(input);
      } catch (err) {
        if (!(err instanceof SipParseError)) {
          throw new Error(
            `seed ${seed} case ${n}: ${String(err)} for ${JSON.stringify(input.toString('latin1'))}`,
          );
        }
        continue;
      }
      parsed++;
      const again = parseMessage(serializeMessage(msg));
      const withoutLength = (m: SipMessage) =>
        m.headers.entries().filter(([k]) => k !== 'Content-Length');
      expect(withoutLength(again)).toEqual(withoutLength(msg));
      expect(again.body.equals(msg.body)).toBe(true);
    }
    // Some mutations (in bodies, in unknown headers) leave a valid message; most don't.
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(5000);
  }, 30_000);
});
