import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage, SipParseError, type SipMessage } from './message.ts';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, SipStreamFramer } from './stream-framer.ts';

const FIXTURES = new URL('../../test/fixtures/sip/', import.meta.url);
const validNames = readdirSync(FIXTURES).filter((f) => f.endsWith('.sip') && !f.startsWith('bad-'));

function fixture(name: string): Buffer {
  return Buffer.from(readFileSync(new URL(name, FIXTURES), 'utf8').replace(/\n/g, '\r\n'), 'utf8');
}

const valid = validNames.map(fixture);

const OPTIONS = Buffer.from(
  [
    'OPTIONS sip:bridge@203.0.113.5 SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKtcp1',
    'To: <sip:bridge@203.0.113.5>',
    'From: <sip:alice@example.com>;tag=a1',
    'Call-ID: tcp-1@192.0.2.1',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);

/** The same request with a declared body, without the body's bytes. */
function withLength(length: number | string): Buffer {
  return Buffer.from(OPTIONS.toString().replace('Content-Length: 0', `Content-Length: ${length}`));
}

function summary(m: SipMessage) {
  return { kind: m.kind, headers: m.headers.entries(), body: m.body.toString('latin1') };
}

function pushError(framer: SipStreamFramer, chunk: Buffer): SipParseError {
  try {
    framer.push(chunk);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('expected a SipParseError');
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunks(data: Buffer, rand: () => number, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('SipStreamFramer', () => {
  it('returns a message that arrives whole', () => {
    const framer = new SipStreamFramer();
    const [msg, ...rest] = framer.push(fixture('invite-baresip.sip'));
    expect(rest).toEqual([]);
    expect(msg).toMatchObject({ kind: 'request', method: 'INVITE' });
    expect(msg!.body.length).toBe(314);
    expect(framer.buffered).toBe(0);
  });

  it('returns several messages from one chunk, skipping keep-alives between them', () => {
    const framer = new SipStreamFramer();
    const stream = Buffer.concat([
      Buffer.from('\r\n\r\n'),
      fixture('invite-baresip.sip'),
      Buffer.from('\r\n'),
      fixture('ok-200-invite.sip'),
      Buffer.from('\r\n\r\n\r\n'),
      fixture('info-dtmf-relay.sip'),
    ]);
    const msgs = framer.push(stream);
    expect(msgs.map((m) => (m.kind === 'request' ? m.method : m.status))).toEqual([
      'INVITE',
      200,
      'INFO',
    ]);
    expect(msgs[2]!.body.toString()).toBe('Signal=5\r\nDuration=160\r\n');
  });

  it('holds partial messages until the rest arrives', () => {
    const framer = new SipStreamFramer();
    const invite = fixture('invite-baresip.sip');
    const headEnd = invite.indexOf('\r\n\r\n') + 4;
    expect(framer.push(invite.subarray(0, 100))).toEqual([]);
    expect(framer.push(invite.subarray(100, headEnd - 1))).toEqual([]);
    expect(framer.push(invite.subarray(headEnd - 1, headEnd + 10))).toEqual([]);
    expect(framer.buffered).toBe(headEnd + 10);
    const [msg] = framer.push(
      Buffer.concat([invite.subarray(headEnd + 10), invite.subarray(0, 20)]),
    );
    expect(summary(msg!)).toEqual(summary(parseMessage(invite)));
    expect(framer.buffered).toBe(20);
  });

  it('gives the same messages whether bytes come one at a time or in random chunks', () => {
    const stream = Buffer.concat(valid.flatMap((m) => [m, Buffer.from('\r\n\r\n')]));
    const expected = valid.map((m) => summary(parseMessage(m)));

    const byByte = new SipStreamFramer();
    const got: SipMessage[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...byByte.push(stream.subarray(i, i + 1)));
    expect(got.map(summary)).toEqual(expected);

    const rand = mulberry32(5626);
    for (let round = 0; round < 20; round++) {
      const framer = new SipStreamFramer();
      const msgs = chunks(stream, rand, 700).flatMap((c) => framer.push(c));
      expect(msgs.map(summary)).toEqual(expected);
      expect(framer.buffered).toBe(0);
    }
  });

  it('frames messages whose header lines end in bare LF', () => {
    const lf = Buffer.from(OPTIONS.toString().replace(/\r\n/g, '\n'));
    const msgs = new SipStreamFramer().push(Buffer.concat([lf, lf]));
    expect(msgs).toHaveLength(2);
    expect(msgs[0]!.headers.get('Call-ID')).toBe('tcp-1@192.0.2.1');
  });

  it('keeps only what is pending: keep-alives are dropped as they come', () => {
    const framer = new SipStreamFramer();
    for (let i = 0; i < 10_000; i++) expect(framer.push(Buffer.from('\r\n\r\n'))).toEqual([]);
    expect(framer.buffered).toBe(0);
  });

  it('copes with a large body trickling in a byte at a time', () => {
    const body = Buffer.alloc(200_000, 'x');
    const stream = Buffer.concat([withLength(body.length), body]);
    const framer = new SipStreamFramer();
    const msgs: SipMessage[] = [];
    for (let i = 0; i < stream.length; i++) msgs.push(...framer.push(stream.subarray(i, i + 1)));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.body.equals(body)).toBe(true);
  });

  it('refuses a header block without Content-Length, saying whether it was a request', () => {
    const noLength = Buffer.from(OPTIONS.toString().replace('Content-Length: 0\r\n', ''));
    const err = pushError(new SipStreamFramer(), noLength);
    expect(err.message).toMatch(/missing Content-Length/);
    expect(err).toMatchObject({ isRequest: true, method: 'OPTIONS' });
    expect(err.headers?.get('Call-ID')).toBe('tcp-1@192.0.2.1');
  });

  it.each([
    ['abc', /bad Content-Length/],
    ['-5', /bad Content-Length/],
  ])('refuses Content-Length %s', (value, message) => {
    expect(pushError(new SipStreamFramer(), withLength(value)).message).toMatch(message);
  });

  it('refuses two Content-Length headers, however spelled', () => {
    const two = Buffer.from(
      OPTIONS.toString().replace('Content-Length: 0', 'Content-Length: 0\r\nl: 5'),
    );
    expect(pushError(new SipStreamFramer(), two).message).toMatch(/more than one Content-Length/);
  });

  it('refuses a body over 1 MiB as soon as the headers say so', () => {
    const framer = new SipStreamFramer();
    const err = pushError(framer, withLength(MAX_BODY_BYTES + 1));
    expect(err.message).toMatch(/larger than/);
    expect(err).toMatchObject({ isRequest: true, replyWith: 513 });
    // A body of exactly the limit is fine.
    const ok = new SipStreamFramer();
    const msgs = ok.push(Buffer.concat([withLength(MAX_BODY_BYTES), Buffer.alloc(MAX_BODY_BYTES)]));
    expect(msgs[0]!.body.length).toBe(MAX_BODY_BYTES);
  });

  it('refuses a header block over 64 KiB without buffering more than that', () => {
    const framer = new SipStreamFramer();
    framer.push(Buffer.from('OPTIONS sip:bridge@203.0.113.5 SIP/2.0\r\n'));
    const filler = Buffer.from(`X-Filler: ${'y'.repeat(1000)}\r\n`);
    let err: SipParseError | undefined;
    let pushed = 0;
    while (!err && pushed < 10 * MAX_HEADER_BYTES) {
      try {
        framer.push(filler);
        pushed += filler.length;
        expect(framer.buffered).toBeLessThanOrEqual(MAX_HEADER_BYTES);
      } catch (e) {
        if (!(e instanceof SipParseError)) throw e;
        err = e;
      }
    }
    expect(err?.message).toMatch(/header block larger than/);
    expect(pushed).toBeLessThanOrEqual(MAX_HEADER_BYTES);
    // Failed for good, the framer lets go of what it held.
    expect(framer.buffered).toBe(0);
  });

  it('refuses a complete header block over 64 KiB', () => {
    const big = Buffer.from(
      OPTIONS.toString().replace(
        'Content-Length: 0',
        `X-Big: ${'z'.repeat(MAX_HEADER_BYTES)}\r\nContent-Length: 0`,
      ),
    );
    expect(pushError(new SipStreamFramer(), big).message).toMatch(/header block larger than/);
  });

  it('refuses garbage as soon as the first line is in', () => {
    const framer = new SipStreamFramer();
    expect(framer.push(Buffer.from('GET / HTTP'))).toEqual([]);
    expect(pushError(framer, Buffer.from('/1.1\r\nHost: x\r\n')).message).toMatch(
      /not a SIP start line/,
    );
  });

  it('refuses binary junk without waiting for a line end', () => {
    const err = pushError(new SipStreamFramer(), Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    expect(err.message).toMatch(/binary data/);
  });

  it('passes on parse errors of a framed message, with what the 400 needs', () => {
    const noCallId = Buffer.from(OPTIONS.toString().replace('Call-ID: tcp-1@192.0.2.1\r\n', ''));
    const err = pushError(new SipStreamFramer(), noCallId);
    expect(err.message).toMatch(/missing Call-ID/);
    expect(err.isRequest).toBe(true);
    expect(err.headers?.get('CSeq')).toBe('1 OPTIONS');
  });

  it('stays failed after an error: the stream has lost its framing', () => {
    const framer = new SipStreamFramer();
    const first = pushError(framer, Buffer.from('\x00\x01\x02'));
    expect(pushError(framer, OPTIONS)).toBe(first);
  });

  it('throws nothing but SipParseError on mutated streams in random chunks', () => {
    const rand = mulberry32(3261);
    const pick = (n: number) => Math.floor(rand() * n);
    for (let n = 0; n < 1000; n++) {
      let stream = Buffer.concat([valid[n % valid.length]!, valid[(n + 1) % valid.length]!]);
      for (let k = 1 + pick(3); k > 0; k--) {
        const at = pick(stream.length);
        if (rand() < 0.5) stream[at] = pick(256);
        else stream = Buffer.concat([stream.subarray(0, at), stream.subarray(at + 1 + pick(8))]);
      }
      const framer = new SipStreamFramer();
      try {
        for (const c of chunks(stream, rand, 300)) framer.push(c);
      } catch (err) {
        if (!(err instanceof SipParseError)) throw new Error(`case ${n}: ${String(err)}`);
      }
      expect(framer.buffered).toBeLessThanOrEqual(MAX_HEADER_BYTES + MAX_BODY_BYTES);
    }
  });
});
