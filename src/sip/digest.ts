import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HTTP Digest authentication for SIP (RFC 3261 22, RFC 2617 with qop=auth).
 * Nonces are stateless: a timestamp signed with a per-process key, so a
 * challenge survives no restart but needs no table, and expires.
 */
const NONCE_TTL_MS = 5 * 60_000;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface DigestCredentials {
  /** username → password */
  [username: string]: string;
}

export class DigestAuthenticator {
  private readonly key = randomBytes(32);

  constructor(
    readonly realm: string,
    private readonly users: DigestCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return Object.keys(this.users).length > 0;
  }

  private sign(ts: string): string {
    return createHmac('sha256', this.key).update(ts).digest('base64url').slice(0, 22);
  }

  /** The WWW-Authenticate value for a 401. */
  challenge(stale = false): string {
    const ts = this.now().toString(36);
    const nonce = `${ts}.${this.sign(ts)}`;
    return `Digest realm="${this.realm}", nonce="${nonce}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /**
   * Checks an Authorization header against the request's method and URI.
   * 'stale' means right credentials on an expired nonce (the phone retries at once).
   */
  verify(header: string | undefined, method: string): 'ok' | 'missing' | 'bad' | 'stale' {
    if (!header || !/^Digest\s/i.test(header)) return 'missing';
    const p = parseParams(header.replace(/^Digest\s+/i, ''));
    const { username, realm, nonce, uri, response } = p;
    if (!username || !nonce || !uri || !response || realm !== this.realm) return 'bad';
    const password = Object.hasOwn(this.users, username) ? this.users[username] : undefined;
    if (password === undefined) return 'bad';
    const [ts, sig] = nonce.split('.');
    if (!ts || !sig || sig !== this.sign(ts)) return 'bad';
    const ha1 = md5(`${username}:${realm}:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const expected =
      p.qop === 'auth'
        ? md5(`${ha1}:${nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:auth:${ha2}`)
        : md5(`${ha1}:${nonce}:${ha2}`);
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'bad';
    if (this.now() - parseInt(ts, 36) > NONCE_TTL_MS) return 'stale';
    return 'ok';
  }
}

/** key=value, key="quoted, value" pairs of a Digest header. */
export function parseParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/** What a phone computes; used by tests and by anything of ours that must authenticate. */
export function digestResponse(opts: {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  cnonce?: string;
  nc?: string;
}): string {
  const ha1 = md5(`${opts.username}:${opts.realm}:${opts.password}`);
  const ha2 = md5(`${opts.method}:${opts.uri}`);
  const cnonce = opts.cnonce ?? 'abc123';
  const nc = opts.nc ?? '00000001';
  const response = md5(`${ha1}:${opts.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${opts.username}", realm="${opts.realm}", nonce="${opts.nonce}", uri="${opts.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}
