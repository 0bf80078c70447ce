import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatUri,
  formatVia,
  isToken,
  newBranch,
  newTag,
  parseCSeq,
  parseNameAddr,
  parseUri,
  parseVia,
  SipParseError,
  type SipUri,
} from './grammar.ts';

function params(entries: [string, string | null][]): Map<string, string | null> {
  return new Map(entries);
}

describe('parseUri', () => {
  it('reads every part of a sip: URI', () => {
    const u = parseUri(
      'sip:alice:secretword@Atlanta.COM:5061;transport=TCP;lr?subject=project%20x&priority=urgent',
    );
    expect(u).toEqual({
      scheme: 'sip',
      user: 'alice',
      password: 'secretword',
      host: 'atlanta.com',
      port: 5061,
      params: params([
        ['transport', 'TCP'],
        ['lr', null],
      ]),
      headers: new Map([
        ['subject', 'project x'],
        ['priority', 'urgent'],
      ]),
    } satisfies SipUri);
  });

  it('reads host-only and sips: URIs, scheme in any case', () => {
    expect(parseUri('sip:proxy.example.net')).toEqual({
      scheme: 'sip',
      host: 'proxy.example.net',
      params: new Map(),
      headers: new Map(),
    });
    expect(parseUri('SIPS:bob@192.0.2.4:5061')).toMatchObject({
      scheme: 'sips',
      user: 'bob',
      port: 5061,
    });
  });

  it('reads IPv6 hosts in brackets, with and without a port', () => {
    expect(parseUri('sip:[2001:db8::1]:5060')).toMatchObject({ host: '[2001:db8::1]', port: 5060 });
    expect(parseUri('sip:alice@[2001:DB8::1];transport=udp')).toMatchObject({
      user: 'alice',
      host: '[2001:db8::1]',
      params: params([['transport', 'udp']]),
    });
    expect(parseUri('sip:[::1]').port).toBeUndefined();
  });

  it('unescapes user, password, parameters and headers', () => {
    const u = parseUri(
      'sip:%2B1%20555%C3%A9:p%40ss@h;n%61me=v%61lue%25;%6C%72?Replaces=abc%40h%3Bto-tag%3D1',
    );
    expect(u.user).toBe('+1 555é');
    expect(u.password).toBe('p@ss');
    expect(u.params).toEqual(
      params([
        ['name', 'value%'],
        ['lr', null],
      ]),
    );
    expect(u.headers.get('Replaces')).toBe('abc@h;to-tag=1');
  });

  it('keeps ; in the user part (RFC 3261 §19.1.1 telephone-subscriber)', () => {
    expect(parseUri('sip:+1-212-555-1212;postd=pp22@foo.com;user=phone')).toMatchObject({
      user: '+1-212-555-1212;postd=pp22',
      host: 'foo.com',
      params: params([['user', 'phone']]),
    });
  });

  it('reads tel: URIs, putting the number in user', () => {
    expect(parseUri('tel:+1-201-555-0123;ext=42')).toEqual({
      scheme: 'tel',
      user: '+1-201-555-0123',
      host: '',
      params: params([['ext', '42']]),
      headers: new Map(),
    });
    expect(parseUri('tel:7042;phone-context=example.com').params.get('phone-context')).toBe(
      'example.com',
    );
  });

  it.each([
    ['', /empty/],
    ['alice@example.com', /missing scheme/],
    ['http://example.com/', /unsupported URI scheme "http"/],
    ['urn:service:sos', /unsupported URI scheme/],
    ['sip:', /missing host/],
    ['sip:alice@', /missing host/],
    ['sip:@example.com', /empty user/],
    ['sip:alice@exa mple.com', /whitespace/],
    ['sip:<alice@example.com>', /character URIs may not hold/],
    ['sip:[2001:db8::1', /missing '\]'/],
    ['sip:[2001:zz8::1]', /bad IPv6/],
    ['sip:host:99999', /bad port/],
    ['sip:host:0', /bad port/],
    ['sip:host:', /bad port/],
    ['sip:host..example', /bad host/],
    ['sip:host/path', /unexpected "\/" after host/],
    ['sip:%ZZ@host', /bad % escape/],
    ['sip:user@host;=x', /empty URI parameter name/],
    ['sip:user@host?=x', /empty URI header name/],
    ['tel:', /empty telephone number/],
    ['tel:+1 555', /whitespace/],
    ['tel:+1@555', /bad telephone number/],
  ])('refuses %j', (input, message) => {
    expect(() => parseUri(input)).toThrow(SipParseError);
    expect(() => parseUri(input)).toThrow(message);
  });

  it.each([
    'sip:alice@atlanta.com',
    'sips:alice:secret@atlanta.com:5061;transport=tls?subject=hi%20there',
    'sip:+15551230000@dialbridge.example.com;user=phone',
    'sip:[2001:db8::1]:5060;lr',
    'sip:I%20dial%20in@example.org',
    'sip:sips%3Aconf%40example.com@bridge.example.net',
    'tel:+1-201-555-0123;phone-context=example.com',
  ])('formats %s back to the same URI', (text) => {
    expect(formatUri(parseUri(text))).toBe(text);
  });

  it('escapes what a part may not hold and brackets a bare IPv6 address', () => {
    const text = formatUri({
      scheme: 'sip',
      user: 'a b@c?d',
      host: '2001:db8::7',
      port: 5070,
      params: params([['x', 'a;b']]),
      headers: new Map([['Subject', 'a&b c']]),
    });
    expect(text).toBe('sip:a%20b%40c%3Fd@[2001:db8::7]:5070;x=a%3Bb?Subject=a%26b%20c');
    expect(parseUri(text)).toMatchObject({ user: 'a b@c?d', host: '[2001:db8::7]' });
  });
});

describe('parseNameAddr', () => {
  it('reads a quoted display name with escapes', () => {
    expect(
      parseNameAddr('"Bell, \\"Alec\\" \\\\ G." <sip:a.g.bell@example.com>;tag=433423'),
    ).toEqual({
      displayName: 'Bell, "Alec" \\ G.',
      uri: 'sip:a.g.bell@example.com',
      params: params([['tag', '433423']]),
    });
  });

  it('reads an unquoted display name, UTF-8 included, and none at all', () => {
    expect(parseNameAddr('Anonymous <sip:anonymous@anonymous.invalid>').displayName).toBe(
      'Anonymous',
    );
    expect(parseNameAddr('Jürgen Müller <sip:jm@example.de>').displayName).toBe('Jürgen Müller');
    expect(parseNameAddr('<sip:bob@example.com>')).toEqual({
      uri: 'sip:bob@example.com',
      params: new Map(),
    });
    expect(parseNameAddr('"" <sip:bob@example.com>').displayName).toBeUndefined();
  });

  it('gives the parameters after a bare addr-spec to the header, not the URI', () => {
    expect(parseNameAddr('sip:alice@atlanta.com;tag=88sja8x')).toEqual({
      uri: 'sip:alice@atlanta.com',
      params: params([['tag', '88sja8x']]),
    });
    // In brackets, the URI keeps its own parameters.
    expect(parseNameAddr('<sip:alice@atlanta.com;transport=tcp>;tag=1')).toEqual({
      uri: 'sip:alice@atlanta.com;transport=tcp',
      params: params([['tag', '1']]),
    });
  });

  it('accepts whitespace around everything, as RFC 4475 sends it', () => {
    const n = parseNameAddr('  "A"   <  sip:a@b  >  ;  TAG  =  x1 ; lr ;q=0.5;  ');
    expect(n).toEqual({
      displayName: 'A',
      uri: 'sip:a@b',
      params: params([
        ['tag', 'x1'],
        ['lr', null],
        ['q', '0.5'],
      ]),
    });
  });

  it('keeps quoted parameter values as written', () => {
    const n = parseNameAddr(
      '<sip:u@192.0.2.1>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1',
    );
    expect(n.params.get('+sip.instance')).toBe('"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
    expect(n.params.get('reg-id')).toBe('1');
  });

  it("doesn't mistake a '<' in an addr-spec's quoted parameter for a name-addr", () => {
    expect(parseNameAddr('sip:alice@192.0.2.1;+sip.instance="<urn:uuid:1>";expires=60')).toEqual({
      uri: 'sip:alice@192.0.2.1',
      params: params([
        ['+sip.instance', '"<urn:uuid:1>"'],
        ['expires', '60'],
      ]),
    });
  });

  it('accepts tel: and, unparsed, other schemes', () => {
    expect(parseNameAddr('<tel:+15551230000>;tag=t').uri).toBe('tel:+15551230000');
    expect(parseNameAddr('<urn:service:sos>').uri).toBe('urn:service:sos');
  });

  it.each([
    ['', /empty/],
    ['"unterminated <sip:a@b>', /unterminated quoted string/],
    ['"Name" sip:a@b', /expected '<' after the display name/],
    ['<sip:a@b', /missing '>'/],
    ['<sip:a@b> junk', /unexpected "j"/],
    ['<sip:a@b>;tag=', /empty value/],
    ['<sip:a@b>;=x', /bad parameter name/],
    ['<alice@b>', /not a URI/],
    ['<sip:a b@c>', /whitespace/],
    ['<sip:a@[::zz]>', /bad IPv6/],
    ['Na"me <sip:a@b>', /not a URI/],
    ['Bell\x01 <sip:a@b>', /bad display name/],
  ])('refuses %j', (input, message) => {
    expect(() => parseNameAddr(input)).toThrow(SipParseError);
    expect(() => parseNameAddr(input)).toThrow(message);
  });

  it('formats with brackets and a quoted, escaped display name', () => {
    const text = formatNameAddr({
      displayName: 'Say "hi" \\o/',
      uri: 'sip:a@b;transport=tcp',
      params: params([
        ['tag', 'x'],
        ['lr', null],
      ]),
    });
    expect(text).toBe('"Say \\"hi\\" \\\\o/" <sip:a@b;transport=tcp>;tag=x;lr');
    expect(parseNameAddr(text).displayName).toBe('Say "hi" \\o/');
    expect(formatNameAddr(parseNameAddr('sip:a@b;tag=1'))).toBe('<sip:a@b>;tag=1');
  });
});

describe('parseVia', () => {
  it('reads transport, sent-by and parameters', () => {
    expect(
      parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport;received=198.51.100.1'),
    ).toEqual({
      transport: 'UDP',
      host: '192.0.2.1',
      port: 5060,
      params: params([
        ['branch', 'z9hG4bK776asdhds'],
        ['rport', null],
        ['received', '198.51.100.1'],
      ]),
    });
    expect(
      parseVia('SIP/2.0/tcp proxy.example.net;branch=z9hG4bK1;rport=40000').params.get('rport'),
    ).toBe('40000');
  });

  it('reads IPv6 in sent-by and in received', () => {
    const v = parseVia('SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKa;received=2001:db8::10');
    expect(v).toMatchObject({ transport: 'TLS', host: '[2001:db8::9]', port: 5061 });
    expect(v.params.get('received')).toBe('2001:db8::10');
  });

  it('accepts the whitespace RFC 3261 allows around / : ; and =', () => {
    expect(
      parseVia('SIP  /   2.0 /UDP    192.0.2.2 : 5062 ;  branch  =   z9hG4bKx  ; rport'),
    ).toEqual({
      transport: 'UDP',
      host: '192.0.2.2',
      port: 5062,
      params: params([
        ['branch', 'z9hG4bKx'],
        ['rport', null],
      ]),
    });
  });

  it.each([
    ['SIP/3.0/UDP host', /unsupported protocol/],
    ['HTTP/2.0/UDP host', /unsupported protocol/],
    ['SIP/2.0 UDP host', /expected '\/'/],
    ['SIP/2.0/;branch=x', /missing transport/],
    ['SIP/2.0/UDP', /expected a space/],
    ['SIP/2.0/UDP ;branch=x', /missing host/],
    ['SIP/2.0/UDP host:port', /bad port/],
    ['SIP/2.0/UDP host:70000', /bad port/],
    ['SIP/2.0/UDP [::1;branch=x', /missing '\]'/],
    ['SIP/2.0/UDP host;branch=', /empty value/],
    ['SIP/2.0/UDP host;branch=a b', /unexpected "b"/],
    ['SIP/2.0/UDP a, SIP/2.0/UDP b', /unexpected ","/],
  ])('refuses %j', (input, message) => {
    expect(() => parseVia(input)).toThrow(SipParseError);
    expect(() => parseVia(input)).toThrow(message);
  });

  it('formats back', () => {
    const text = 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport';
    expect(formatVia(parseVia(text))).toBe(text);
    expect(
      formatVia({ transport: 'ws', host: '::1', params: params([['branch', 'z9hG4bKw']]) }),
    ).toBe('SIP/2.0/WS [::1];branch=z9hG4bKw');
  });
});

describe('parseCSeq', () => {
  it('reads number and method, with leading zeros and any whitespace', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq(' 0009 \t ACK ')).toEqual({ seq: 9, method: 'ACK' });
    expect(parseCSeq('2147483647 BYE').seq).toBe(2 ** 31 - 1);
  });

  it.each([
    'INVITE',
    '1',
    'INVITE 1',
    '-1 INVITE',
    '1.5 INVITE',
    '2147483648 INVITE',
    '1 INV@ITE',
    '1 INVITE x',
    '',
  ])('refuses %j', (input) => {
    expect(() => parseCSeq(input)).toThrow(SipParseError);
    expect(() => parseCSeq(input)).toThrow(/bad CSeq/);
  });
});

describe('newBranch and newTag', () => {
  it('makes RFC 3261 branches: magic cookie, then random token characters', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const branch = newBranch();
      expect(branch).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
      seen.add(branch);
    }
    expect(seen.size).toBe(1000);
  });

  it('makes tags of at least 32 random bits that are tokens', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const tag = newTag();
      expect(isToken(tag)).toBe(true);
      expect(tag.length).toBeGreaterThanOrEqual(8);
      seen.add(tag);
    }
    expect(seen.size).toBe(1000);
  });
});

describe('grammar fuzzing', () => {
  // Deterministic, so a failure can be replayed.
  let seed = 4475;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ALPHABET = 'sip:tel@[]<>";,=/ \t%?&.-+0123456789abcdefABCDEF\\zé\0';
  const SEEDS = [
    'sip:alice:pw@[2001:db8::1]:5060;transport=tcp;lr?subject=a%20b',
    '"Bell, \\"A\\"" <sip:a@b;x=y>;tag=1;+sip.instance="<urn:x>"',
    'SIP/2.0/UDP [2001:db8::9]:5061;branch=z9hG4bKa;received=2001:db8::10;rport',
    'tel:+1-201-555-0123;ext=42',
  ];

  it('throws nothing but SipParseError on 20,000 mangled values', () => {
    for (let n = 0; n < 20_000; n++) {
      const chars = [...SEEDS[n % SEEDS.length]!];
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
        const at = Math.floor(rand() * (chars.length + 1));
        const c = ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
        if (rand() < 0.5) chars.splice(at, 1, c);
        else chars.splice(at, 0, c);
      }
      const input = chars.join('');
      for (const parse of [parseUri, parseNameAddr, parseVia, parseCSeq]) {
        try {
          parse(input);
        } catch (err) {
          if (!(err instanceof SipParseError)) {
            throw new Error(
              `case ${n}: ${parse.name}(${JSON.stringify(input)}) threw ${String(err)}`,
            );
          }
        }
      }
    }
  });
});
