import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db, Queryable } from '../store/db.ts';
import type { Actor } from './context.ts';
import { audit } from './audit.ts';
import { verifyAccount } from './accounts.ts';
import { authenticate as authenticateToken } from './tokens.ts';
import { getOrganization } from './organizations.ts';
import { AttemptLimiter } from '../attendant/attempt-limiter.ts';

/**
 * Admin center sessions. Signing in (with an account's username and password,
 * or with an administrator API token) makes a session: a random id the
 * browser keeps in an HttpOnly cookie — the store keeps only its SHA-256 —
 * and a CSRF token the page sends back in x-csrf-token on every change.
 * A session ends when signed out, when idle longer than the idle limit, or
 * when its account is removed or disabled or its token revoked.
 */

export const SESSION_COOKIE = 'dialbridge_session';

export interface SessionInfo {
  user: { name: string; kind: 'account' | 'token' };
  organization: { id: string; name: string };
  csrfToken: string;
}

export interface Session {
  actor: Actor;
  kind: 'account' | 'token';
  csrfToken: string;
}

interface SessionRow {
  id_hash: string;
  org_id: string;
  kind: 'account' | 'token';
  name: string;
  csrf_token: string;
  stale: boolean;
}

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  if (typeof presented !== 'string' || !presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Failed sign-ins are counted in sliding 15-minute windows, and beyond a limit
 * the sign-in is refused without checking the credentials until the window
 * passes (a success does not clear the count, so guessing cannot be
 * interleaved with one's own good password):
 * - per username from one address: 10 — guessing from one place stops soon;
 * - per address, any usernames: 50;
 * - per username from everywhere: 100 — distributed guessing stops too, while
 *   locking someone out now takes failures from at least 10 addresses, not
 *   one stranger's ten tries. Token sign-in is never locked by a username.
 * IPv6 addresses count per /64 (one host usually has a whole /64 to choose from).
 */
export const SIGN_IN_LIMITS = {
  perUsernameAndAddress: 10,
  perAddress: 50,
  perUsername: 100,
  windowMs: 15 * 60_000,
};

/** The address a limit counts: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')
    .concat('::/64');
}

export type SignInResult =
  | { ok: true; id: string; info: SessionInfo }
  | { ok: false; reason: 'invalid' | 'limited'; retryAfterS?: number };

export class SessionStore {
  private readonly byPair: AttemptLimiter;
  private readonly byAddress: AttemptLimiter;
  private readonly byUsername: AttemptLimiter;

  constructor(
    private readonly db: Db,
    /** Idle minutes before a session expires. */
    readonly idleMinutes: number,
    private readonly now: () => number = Date.now,
  ) {
    const common = { windowMs: SIGN_IN_LIMITS.windowMs, overall: 1e9, overallWindowMs: 60_000 };
    this.byPair = new AttemptLimiter({
      ...common,
      perCaller: SIGN_IN_LIMITS.perUsernameAndAddress,
    });
    this.byAddress = new AttemptLimiter({ ...common, perCaller: SIGN_IN_LIMITS.perAddress });
    this.byUsername = new AttemptLimiter({ ...common, perCaller: SIGN_IN_LIMITS.perUsername });
  }

  /** Signs in with a username and password, or with an API token; address is the client's. */
  async signIn(
    creds: { username: string; password: string } | { token: string },
    address: string,
  ): Promise<SignInResult> {
    const now = this.now();
    const from = addressKey(address);
    const userKey = 'username' in creds ? creds.username.trim().toLowerCase() : undefined;
    const pairKey = userKey === undefined ? undefined : `${userKey}\n${from}`;
    if (
      this.byAddress.check(from, now) !== 'allowed' ||
      (pairKey !== undefined && this.byPair.check(pairKey, now) !== 'allowed') ||
      (userKey !== undefined && this.byUsername.check(userKey, now) !== 'allowed')
    ) {
      return {
        ok: false,
        reason: 'limited',
        retryAfterS: Math.ceil(SIGN_IN_LIMITS.windowMs / 1000),
      };
    }
    // Counted before the (slow) check and refunded on success, so many
    // attempts at once cannot all slip under the limit while in flight.
    this.byAddress.fail(from, now);
    if (pairKey !== undefined) this.byPair.fail(pairKey, now);
    if (userKey !== undefined) this.byUsername.fail(userKey, now);
    let who: { orgId: string; name: string; kind: 'account' | 'token'; ref: string } | undefined;
    if ('username' in creds) {
      const account = await verifyAccount(this.db, creds.username, creds.password);
      if (account)
        who = { orgId: account.org_id, name: account.username, kind: 'account', ref: account.id };
    } else {
      const token = await authenticateToken(this.db, creds.token);
      if (token) who = { orgId: token.orgId, name: token.name, kind: 'token', ref: token.id };
    }
    if (!who) return { ok: false, reason: 'invalid' };
    this.byAddress.refund(from);
    if (pairKey !== undefined) this.byPair.refund(pairKey);
    if (userKey !== undefined) this.byUsername.refund(userKey);
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const actor = { orgId: who.orgId, name: who.name };
    await this.db.tx(async (q) => {
      await q.query(`delete from admin_sessions where expires_at < now()`);
      await q.query(
        `insert into admin_sessions (id_hash, org_id, kind, account_id, token_id, name, csrf_token, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8))`,
        [
          hash(id),
          who.orgId,
          who.kind,
          who.kind === 'account' ? who.ref : null,
          who.kind === 'token' ? who.ref : null,
          who.name,
          csrfToken,
          this.idleMinutes,
        ],
      );
      if (who.kind === 'account')
        await q.query('update admin_accounts set last_sign_in_at = now() where id = $1', [who.ref]);
      await audit(q, actor, 'session.sign-in', who.name, [
        { field: 'SignIn', old: null, new: who.kind === 'account' ? 'password' : 'token' },
      ]);
    });
    return { ok: true, id, info: await this.info(actor, who.kind, csrfToken) };
  }

  /**
   * The live session a cookie value stands for, or undefined. Refreshes its
   * idle expiry (at most once a minute, so reading is rarely a write).
   */
  /**
   * The live session with this id, or undefined. `touch` (the default) counts
   * it as activity; a long-lived event stream re-checking its session does not.
   */
  async find(id: string | undefined, touch = true): Promise<Session | undefined> {
    if (!id || id.length > 128) return undefined;
    const [r] = await this.db.query<SessionRow>(
      `select s.id_hash, s.org_id, s.kind, s.name, s.csrf_token,
              s.last_seen_at < now() - interval '60 seconds' as stale
       from admin_sessions s
       left join admin_accounts a on a.id = s.account_id
       left join api_tokens t on t.id = s.token_id
       where s.id_hash = $1 and s.expires_at > now()
         and (s.kind <> 'account' or (a.id is not null and not a.disabled))
         and (s.kind <> 'token' or (t.id is not null and t.revoked_at is null))`,
      [hash(id)],
    );
    if (!r) return undefined;
    if (touch && r.stale) {
      await this.db.query(
        `update admin_sessions set last_seen_at = now(), expires_at = now() + make_interval(mins => $2)
         where id_hash = $1`,
        [r.id_hash, this.idleMinutes],
      );
    }
    return { actor: { orgId: r.org_id, name: r.name }, kind: r.kind, csrfToken: r.csrf_token };
  }

  async info(actor: Actor, kind: 'account' | 'token', csrfToken: string): Promise<SessionInfo> {
    const org = await getOrganization(this.db, actor.orgId);
    return {
      user: { name: actor.name, kind },
      organization: { id: org.id, name: org.name },
      csrfToken,
    };
  }

  /** Forgets a session without a trace in the audit log (replaced by a new sign-in). */
  async discard(id: string): Promise<void> {
    if (id.length <= 128)
      await this.db.query('delete from admin_sessions where id_hash = $1', [hash(id)]);
  }

  /** Ends the session (sign-out). */
  async signOut(id: string, session: Session): Promise<void> {
    await this.db.tx(async (q: Queryable) => {
      await q.query('delete from admin_sessions where id_hash = $1', [hash(id)]);
      await audit(q, session.actor, 'session.sign-out', session.actor.name);
    });
  }
}
