import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { SessionStore, addressKey } from '../src/admin/sessions.ts';
import { startTestService, type CliResult, type TestService } from './support/service.ts';
import { STORES, type StoreKind } from './support/stores.ts';
import { registerAdminCenter, WEB_DIST } from '../src/api/routes/admin-center.ts';

/**
 * The admin center's server side: accounts, sessions (cookie, CSRF, expiry,
 * sign-in limits), the static app, the users directory and the audit log,
 * through the real service over HTTP and the real command line.
 */

const PASSWORD = 'quiet-harbor-7391';
const BIN = join(import.meta.dirname, '../bin/dialbridge.js');

/** The admin center bundle; built here when missing (npm install normally does it). */
function ensureWebBuilt(): void {
  if (existsSync(join(WEB_DIST, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:web'], {
    cwd: join(import.meta.dirname, '..'),
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`npm run build:web failed: ${r.stderr}${r.stdout}`);
}

interface Reply {
  status: number;
  json: any;
  headers: Headers;
  text: string;
}

async function request(
  url: string,
  method: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, headers: res.headers, text };
}

/** A signed-in browser: the session cookie and the CSRF token from the sign-in reply. */
interface Browser {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: any;
  call(method: string, path: string, body?: unknown, csrf?: string | null): Promise<Reply>;
}

async function signIn(
  t: TestService,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Browser> {
  const r = await request(`${t.url}/api/v1/session`, 'POST', { body, headers });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  const setCookie = r.headers.get('set-cookie') ?? '';
  const m = /dialbridge_session=([^;]+)/.exec(setCookie);
  expect(m).not.toBeNull();
  const cookie = `dialbridge_session=${m![1]}`;
  const csrf = r.json.csrfToken as string;
  return {
    cookie,
    csrf,
    setCookie,
    body: r.json,
    call: (method, path, b, c = csrf) =>
      request(t.url + path, method, {
        body: b,
        headers: { cookie, ...(c === null ? {} : { 'x-csrf-token': c }) },
      }),
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(STORES)('administrator accounts and sessions on %s', (kind: StoreKind) => {
  let t: TestService;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    t = await startTestService(kind, pino({ level: 'debug' }, sink), {
      DIALBRIDGE_ADMIN_USER: 'Alice',
      DIALBRIDGE_ADMIN_PASSWORD: PASSWORD,
      DIALBRIDGE_SESSION_IDLE_MINUTES: '30',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates the bootstrap account at start, once, and lists accounts without their passwords', async () => {
    const list = await t.api('GET', '/api/v1/admin-accounts');
    expect(list.status).toBe(200);
    expect(list.json).toEqual([
      expect.objectContaining({ username: 'alice', disabled: false, lastSignInAt: null }),
    ]);
    expect(JSON.stringify(list.json)).not.toMatch(/scrypt|password/i);
    const [row] = await t.service.db.query<{ password_hash: string }>(
      'select password_hash from admin_accounts',
    );
    expect(row!.password_hash).toMatch(/^scrypt\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
  });

  it('signs in with username and password: the body, and an HttpOnly SameSite=Strict cookie, not Secure over http', async () => {
    const b = await signIn(t, { username: 'ALICE', password: PASSWORD });
    const org = (await t.api('GET', '/api/v1/organization')).json;
    expect(b.body).toEqual({
      user: { name: 'alice', kind: 'account' },
      organization: { id: org.id, name: org.name },
      csrfToken: expect.stringMatching(/^[\w-]{32,}$/),
    });
    const flags = b.setCookie.split(';').map((s) => s.trim().toLowerCase());
    expect(flags).toContain('httponly');
    expect(flags).toContain('samesite=strict');
    expect(flags).toContain('path=/');
    expect(flags).not.toContain('secure');
    // X-Forwarded-Proto is not believed without DIALBRIDGE_TRUST_PROXY.
    const forwarded = await signIn(
      t,
      { username: 'alice', password: PASSWORD },
      { 'x-forwarded-proto': 'https' },
    );
    expect(forwarded.setCookie.toLowerCase()).not.toContain('secure');

    const again = await b.call('GET', '/api/v1/session');
    expect(again.status).toBe(200);
    expect(again.json).toEqual(b.body);
    expect(again.headers.get('set-cookie')).toBeNull();
    const accounts = await b.call('GET', '/api/v1/admin-accounts');
    expect(accounts.json[0].lastSignInAt).not.toBeNull();
  });

  it('signs in with an administrator token in the body, never from an Authorization header', async () => {
    const b = await signIn(t, { token: t.token });
    expect(b.body.user).toEqual({ name: 'admin', kind: 'token' });
    // A browser resends cached Basic credentials on its own, even with another site's form.
    for (const authorization of [
      `Bearer ${t.token}`,
      `Basic ${Buffer.from(`admin:${t.token}`).toString('base64')}`,
    ]) {
      const r = await request(`${t.url}/api/v1/session`, 'POST', { headers: { authorization } });
      expect(r.status).toBe(401);
      expect(r.headers.get('set-cookie') ?? '').not.toMatch(/dialbridge_session=[^;]/);
    }
    expect((await b.call('GET', '/api/v1/settings')).status).toBe(200);
  });

  it('refuses wrong credentials with 401 and the same message whatever was wrong, and no cookie', async () => {
    const replies = await Promise.all(
      [
        { username: 'alice', password: PASSWORD + 'x' },
        { username: 'nobody', password: PASSWORD },
        { token: 'dbt_wrong' },
        {},
      ].map((body) => request(`${t.url}/api/v1/session`, 'POST', { body })),
    );
    for (const r of replies) {
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthorized');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(replies[0]!.json.error.message).toBe(replies[1]!.json.error.message);
    expect(replies[0]!.json.error.message).not.toMatch(/password|username|user/i);
    expect((await request(`${t.url}/api/v1/session`, 'GET')).status).toBe(401);
    const mixed = await request(`${t.url}/api/v1/session`, 'POST', {
      body: { username: 'alice', password: PASSWORD, token: t.token },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.json.error.field).toBe('token');
  });

  it('keeps only hashes: the session id as SHA-256, the password as scrypt; neither in the audit log', async () => {
    const b = await signIn(t, { username: 'alice', password: PASSWORD });
    const id = b.cookie.split('=')[1]!;
    const rows = await t.service.db.query<Record<string, unknown>>('select * from admin_sessions');
    expect(rows.map((r) => r.id_hash)).toContain(sha256(id));
    const dump = JSON.stringify([
      rows,
      await t.service.db.query('select * from admin_accounts'),
      await t.service.db.query('select * from audit_log'),
    ]);
    expect(dump).not.toContain(id);
    expect(dump).not.toContain(PASSWORD);
  });

  it('expires a session idle longer than DIALBRIDGE_SESSION_IDLE_MINUTES, and refreshes one in use', async () => {
    const b = await signIn(t, { username: 'alice', password: PASSWORD });
    const idHash = sha256(b.cookie.split('=')[1]!);
    const [s] = await t.service.db.query<{ minutes: string | number }>(
      `select extract(epoch from expires_at - last_seen_at) / 60 as minutes from admin_sessions where id_hash = $1`,
      [idHash],
    );
    expect(Number(s!.minutes)).toBeCloseTo(30, 1);
    // In use: last seen 10 minutes ago, 1 minute left; a request pushes expiry back to 30 minutes.
    await t.service.db.query(
      `update admin_sessions set last_seen_at = now() - interval '10 minutes', expires_at = now() + interval '1 minute' where id_hash = $1`,
      [idHash],
    );
    expect((await b.call('GET', '/api/v1/settings')).status).toBe(200);
    const [after] = await t.service.db.query<{ left: string | number }>(
      `select extract(epoch from expires_at - now()) / 60 as left from admin_sessions where id_hash = $1`,
      [idHash],
    );
    expect(Number(after!.left)).toBeGreaterThan(29);
    // Idle past its expiry: gone.
    await t.service.db.query(
      `update admin_sessions set expires_at = now() - interval '1 second' where id_hash = $1`,
      [idHash],
    );
    expect((await b.call('GET', '/api/v1/settings')).status).toBe(401);
    expect((await b.call('GET', '/api/v1/session')).status).toBe(401);
  });

  it('ends the sessions of a removed account and of a revoked token at once', async () => {
    expect(
      (await t.api('POST', '/api/v1/admin-accounts', { username: 'carol', password: PASSWORD }))
        .status,
    ).toBe(201);
    const carol = await signIn(t, { username: 'carol', password: PASSWORD });
    expect((await carol.call('GET', '/api/v1/settings')).status).toBe(200);
    const removed = await t.api('DELETE', '/api/v1/admin-accounts/carol');
    expect(removed.status).toBe(200);
    expect((await carol.call('GET', '/api/v1/settings')).status).toBe(401);
    expect(
      (
        await request(`${t.url}/api/v1/session`, 'POST', {
          body: { username: 'carol', password: PASSWORD },
        })
      ).status,
    ).toBe(401);

    const made = await t.api('POST', '/api/v1/tokens', { name: 'short-lived' });
    const viaToken = await signIn(t, { token: made.json.token });
    expect((await viaToken.call('GET', '/api/v1/settings')).status).toBe(200);
    await t.api('DELETE', `/api/v1/tokens/${made.json.id}`);
    expect((await viaToken.call('GET', '/api/v1/settings')).status).toBe(401);
  });

  it('validates accounts: username and password rules name the field; a taken username is a conflict; audited as who made it', async () => {
    const cases: [unknown, unknown, string, RegExp][] = [
      ['', PASSWORD, 'username', /letters, digits/],
      ['bad name', PASSWORD, 'username', /letters, digits/],
      ['dave', 'short-pass1', 'password', /at least 12/],
      ['dave', 'dave-is-my-secret', 'password', /username/],
      ['dave', 'aaaaaaaaaaaaaaaa', 'password', /4 different/],
    ];
    for (const [username, password, field, rule] of cases) {
      const r = await t.api('POST', '/api/v1/admin-accounts', { username, password });
      expect(r.status, `${String(username)} ${String(password)}`).toBe(400);
      expect(r.json.error.field).toBe(field);
      expect(r.json.error.message).toMatch(rule);
      expect(r.json.error.message).not.toContain(String(password));
    }
    const dup = await t.api('POST', '/api/v1/admin-accounts', {
      username: 'Alice',
      password: PASSWORD,
    });
    expect(dup.status).toBe(409);
    expect(dup.json.error.field).toBe('username');
    expect((await t.api('DELETE', '/api/v1/admin-accounts/nobody')).status).toBe(404);

    const b = await signIn(t, { username: 'alice', password: PASSWORD });
    expect(
      (await b.call('POST', '/api/v1/admin-accounts', { username: 'erin', password: PASSWORD }))
        .status,
    ).toBe(201);
    const audit = await t.api('GET', '/api/v1/audit?target=erin');
    expect(audit.json).toEqual([
      expect.objectContaining({
        actor: 'alice',
        action: 'account.create',
        field: 'Password',
        oldValue: null,
        newValue: '*****',
      }),
    ]);
  });

  it('never logs a password, not even one typed in the username box', async () => {
    const typo = 'harbor-quiet-1937';
    for (const body of [
      { username: typo, password: 'x' },
      { username: 'alice', password: typo },
      { username: 'alice', password: PASSWORD },
    ])
      await request(`${t.url}/api/v1/session`, 'POST', { body });
    await t.cli(['accounts', 'list']);
    const logs = logLines.join('');
    expect(logs).toContain('admin center sign-in refused');
    expect(logs).not.toContain(typo);
    expect(logs).not.toContain(PASSWORD);
  });

  it('counts sign-in failures per address: IPv4 as is, IPv6 per /64', () => {
    expect(addressKey('192.0.2.9')).toBe('192.0.2.9');
    expect(addressKey('::ffff:192.0.2.9')).toBe('192.0.2.9');
    expect(addressKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('limits repeated failed sign-ins per username (429), even with the right password afterwards', async () => {
    await t.api('POST', '/api/v1/admin-accounts', { username: 'frank', password: PASSWORD });
    for (let i = 0; i < 10; i++) {
      const r = await request(`${t.url}/api/v1/session`, 'POST', {
        body: { username: 'frank', password: `wrong-password-${i}` },
      });
      expect(r.status).toBe(401);
    }
    const locked = await request(`${t.url}/api/v1/session`, 'POST', {
      body: { username: 'Frank', password: PASSWORD },
    });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // From another address frank still signs in: one stranger cannot lock him out.
    const elsewhere = new SessionStore(t.service.db, 30);
    for (let i = 0; i < 10; i++)
      expect(
        (await elsewhere.signIn({ username: 'frank', password: `no-${i}` }, '2001:db8:1:2::7')).ok,
      ).toBe(false);
    expect(
      await elsewhere.signIn({ username: 'frank', password: PASSWORD }, '2001:db8:1:2:ffff::1'),
    ).toMatchObject({ ok: false, reason: 'limited' }); // the same /64
    expect(
      await elsewhere.signIn({ username: 'frank', password: PASSWORD }, '192.0.2.9'),
    ).toMatchObject({ ok: true });
    // Another username from the same address is not locked by frank's failures.
    expect(
      (
        await request(`${t.url}/api/v1/session`, 'POST', {
          body: { username: 'alice', password: PASSWORD },
        })
      ).status,
    ).toBe(200);
  });
});

describe('admin center: CSRF, sign-out, events, audit (PGlite)', () => {
  let t: TestService;
  let alice: Browser;

  beforeAll(async () => {
    t = await startTestService('pglite', undefined, {
      DIALBRIDGE_ADMIN_USER: 'alice',
      DIALBRIDGE_ADMIN_PASSWORD: PASSWORD,
      DIALBRIDGE_EVENTS_HEARTBEAT_MS: '1000',
    });
    alice = await signIn(t, { username: 'alice', password: PASSWORD });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a change made with the cookie but without the CSRF token, or with a wrong one (403), and changes nothing', async () => {
    for (const csrf of [null, '', 'wrong', alice.csrf.slice(0, -1) + 'x']) {
      const post = await alice.call(
        'POST',
        '/api/v1/users',
        { UserPrincipalName: 'mallory@contoso.com', DisplayName: 'Mallory' },
        csrf,
      );
      expect(post.status, String(csrf)).toBe(403);
      expect(post.json.error.code).toBe('forbidden');
      expect(post.json.error.message).toMatch(/CSRF/);
      const patch = await alice.call('PATCH', '/api/v1/settings', { PinLength: 9 }, csrf);
      expect(patch.status).toBe(403);
    }
    expect((await t.api('GET', '/api/v1/users/mallory@contoso.com')).status).toBe(404);
    expect((await t.api('GET', '/api/v1/settings')).json.PinLength).toBe(5);
    // A token needs no CSRF token: it is not sent by the browser on its own.
    expect((await t.api('PATCH', '/api/v1/settings', { PinLength: 5 })).status).toBe(200);
    // Another session's CSRF token does not fit this session.
    const other = await signIn(t, { token: t.token });
    expect(
      (await alice.call('PATCH', '/api/v1/settings', { PinLength: 9 }, other.csrf)).status,
    ).toBe(403);
  });

  it('with the CSRF token the change is made, and the audit log says the account did it', async () => {
    const post = await alice.call('POST', '/api/v1/users', {
      UserPrincipalName: 'amos.marble@contoso.com',
      DisplayName: 'Amos Marble',
    });
    expect(post.status).toBe(201);
    const patch = await alice.call('PATCH', '/api/v1/settings', { PinLength: 7 });
    expect(patch.status).toBe(200);
    const audit = await alice.call('GET', '/api/v1/audit?limit=10');
    const pin = audit.json.find((e: any) => e.field === 'PinLength');
    expect(pin).toMatchObject({ actor: 'alice', oldValue: '5', newValue: '7' });
    expect(pin.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const user = audit.json.find((e: any) => e.action === 'user.create');
    expect(user).toMatchObject({ actor: 'alice', target: 'amos.marble@contoso.com' });
    // A token sign-in is attributed to the token's name.
    const viaToken = await signIn(t, { token: t.token });
    await viaToken.call('PATCH', '/api/v1/settings', { PinLength: 6 });
    const last = await t.api('GET', '/api/v1/audit?limit=1');
    expect(last.json[0]).toMatchObject({ actor: 'admin', field: 'PinLength', newValue: '6' });
  });

  it('pages the audit log with limit and offset, and with a before cursor', async () => {
    const all = (await t.api('GET', '/api/v1/audit?limit=1000')).json as { id: number }[];
    expect(all.length).toBeGreaterThan(5);
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const second = (await t.api('GET', '/api/v1/audit?limit=2&offset=2')).json as { id: number }[];
    expect(second.map((e) => e.id)).toEqual(ids.slice(2, 4));
    const cursor = (await t.api('GET', `/api/v1/audit?limit=3&before=${ids[1]}`)).json as {
      id: number;
    }[];
    expect(cursor.map((e) => e.id)).toEqual(ids.slice(2, 5));
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['offset=-1', 'offset'],
      ['before=x', 'before'],
    ]) {
      const r = await t.api('GET', `/api/v1/audit?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.field).toBe(field);
    }
  });

  it('streams events to a browser with the cookie alone (EventSource cannot send headers)', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${t.url}/api/v1/events`, {
      headers: { cookie: alice.cookie, accept: 'text/event-stream' },
      signal: ctl.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    ctl.abort();
    const anon = await fetch(`${t.url}/api/v1/events`, {
      headers: { cookie: 'dialbridge_session=nope' },
    });
    expect(anon.status).toBe(401);
    // A page's script gets no Basic challenge (the browser would pop up its own login).
    expect(anon.headers.get('www-authenticate')).not.toMatch(/Basic/);
    await anon.body?.cancel();
  });

  it('ends an open event stream at the next heartbeat once its session is signed out', async () => {
    const b = await signIn(t, { username: 'alice', password: PASSWORD });
    const res = await fetch(`${t.url}/api/v1/events`, {
      headers: { cookie: b.cookie, accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let ended = false;
    const read = (async () => {
      while (!(await reader.read()).done);
      ended = true;
    })();
    await new Promise((r) => setTimeout(r, 1500));
    expect(ended).toBe(false); // a good session's stream stays open across heartbeats
    expect((await b.call('DELETE', '/api/v1/session')).status).toBe(204);
    await Promise.race([
      read,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the stream outlived its session')), 5000),
      ),
    ]);
    expect(ended).toBe(true);
  });

  it('signs out: needs the CSRF token, then the session is gone and the cookie cleared', async () => {
    const b = await signIn(t, { username: 'alice', password: PASSWORD });
    expect((await b.call('DELETE', '/api/v1/session', undefined, null)).status).toBe(403);
    expect((await b.call('GET', '/api/v1/session')).status).toBe(200);
    const out = await b.call('DELETE', '/api/v1/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(
      /dialbridge_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/,
    );
    expect((await b.call('GET', '/api/v1/session')).status).toBe(401);
    const after = await b.call('PATCH', '/api/v1/settings', { PinLength: 8 });
    expect(after.status).toBe(401);
    expect((await t.api('GET', '/api/v1/settings')).json.PinLength).not.toBe(8);
    const rows = await t.service.db.query('select 1 from admin_sessions where id_hash = $1', [
      sha256(b.cookie.split('=')[1]!),
    ]);
    expect(rows).toHaveLength(0);
    // alice's other session is untouched.
    expect((await alice.call('GET', '/api/v1/session')).status).toBe(200);
  });

  it("a new sign-in from the same browser gets a new session id and ends the browser's previous one", async () => {
    const first = await signIn(t, { username: 'alice', password: PASSWORD });
    const second = await signIn(
      t,
      { username: 'alice', password: PASSWORD },
      { cookie: first.cookie },
    );
    expect(second.cookie).not.toBe(first.cookie);
    expect((await first.call('GET', '/api/v1/session')).status).toBe(401);
    expect((await second.call('GET', '/api/v1/session')).status).toBe(200);
  });

  it('manages accounts through the real command line: add (password from stdin), list, remove', async () => {
    const add = await cliWithInput(
      t,
      ['accounts', 'add', 'grace', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('grace');
    expect(add.stdout + add.stderr).not.toContain(PASSWORD);
    const list = await t.cliJson<{ username: string }[]>(['accounts', 'list']);
    expect(list.map((a) => a.username)).toEqual(['alice', 'grace']);
    await signIn(t, { username: 'grace', password: PASSWORD });

    const short = await cliWithInput(
      t,
      ['accounts', 'add', 'heidi', '--password-stdin'],
      'short\n',
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password must be at least 12 characters/);
    const noTty = await cliWithInput(t, ['accounts', 'add', 'heidi'], '');
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--password-stdin/);

    // A new password: the old one stops working and grace's sessions end.
    const before = await signIn(t, { username: 'grace', password: PASSWORD });
    const NEW = 'another-long-passphrase-2026';
    const passwd = await cliWithInput(
      t,
      ['accounts', 'passwd', 'grace', '--password-stdin'],
      `${NEW}\n`,
    );
    expect(passwd.code, passwd.stderr).toBe(0);
    expect((await before.call('GET', '/api/v1/session')).status).toBe(401);
    const old = await request(`${t.url}/api/v1/session`, 'POST', {
      body: { username: 'grace', password: PASSWORD },
    });
    expect(old.status).toBe(401);
    const fresh = await signIn(t, { username: 'grace', password: NEW });
    const weak = await t.api('PATCH', '/api/v1/admin-accounts/grace', {
      password: 'grace-is-me-123',
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toMatchObject({ field: 'password' });
    expect((await fresh.call('GET', '/api/v1/session')).status).toBe(200); // nothing changed

    // Disabled: signed out, cannot sign in; enabled again: can.
    const disable = await t.cli(['accounts', 'disable', 'grace']);
    expect(disable.code, disable.stderr).toBe(0);
    expect((await fresh.call('GET', '/api/v1/session')).status).toBe(401);
    expect(
      (
        await request(`${t.url}/api/v1/session`, 'POST', {
          body: { username: 'grace', password: NEW },
        })
      ).status,
    ).toBe(401);
    expect(
      (await t.cliJson<any[]>(['accounts', 'list'])).find((a) => a.username === 'grace'),
    ).toMatchObject({ disabled: true });
    expect((await t.cli(['accounts', 'enable', 'grace'])).code).toBe(0);
    await signIn(t, { username: 'grace', password: NEW });
    const audit = (await t.api('GET', '/api/v1/audit?target=grace')).json as any[];
    expect(
      audit.filter((e) => e.action === 'account.set').map((e) => [e.field, e.newValue]),
    ).toEqual([
      ['Disabled', 'false'],
      ['Disabled', 'true'],
      ['Password', '*****'], // the audit log masks every Password value
    ]);
    expect(JSON.stringify(audit)).not.toContain(NEW);
    const bad = await t.api('PATCH', '/api/v1/admin-accounts/grace', { disabled: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('disabled');

    const remove = await t.cli(['accounts', 'remove', 'grace']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(
      (await t.cliJson<{ username: string }[]>(['accounts', 'list'])).map((a) => a.username),
    ).toEqual(['alice']);
    const gone = await request(`${t.url}/api/v1/session`, 'POST', {
      body: { username: 'grace', password: PASSWORD },
    });
    expect(gone.status).toBe(401);
    const missing = await t.cli(['accounts', 'remove', 'grace']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no administrator account matches 'grace'/);
  });
});

/** The real CLI with standard input (the support helper's cli() has none). */
function cliWithInput(t: TestService, args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DIALBRIDGE_URL: t.url,
        DIALBRIDGE_TOKEN: t.token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('the admin center page and the https cookie rules', () => {
  let t: TestService;
  let proxied: TestService;
  let secure: TestService;

  beforeAll(async () => {
    ensureWebBuilt();
    const env = { DIALBRIDGE_ADMIN_USER: 'alice', DIALBRIDGE_ADMIN_PASSWORD: PASSWORD };
    [t, proxied, secure] = await Promise.all([
      startTestService('pglite', undefined, env),
      startTestService('pglite', undefined, { ...env, DIALBRIDGE_TRUST_PROXY: 'true' }),
      startTestService('pglite', undefined, { ...env, DIALBRIDGE_COOKIE_SECURE: 'true' }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([t?.close(), proxied?.close(), secure?.close()]);
  });

  it('serves index.html at / without a token, with a strict Content-Security-Policy', async () => {
    const r = await request(`${t.url}/`, 'GET', { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.text).toContain('<div id="root"></div>');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    // The bundle itself contains no inline script for the policy to block.
    expect(r.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(r.text)![1]!;
    const js = await request(t.url + script, 'GET');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
  });

  it('answers client-side routes with index.html; the API, docs and metrics stay as they were', async () => {
    for (const path of ['/users', '/bridge', '/audit/entries?x=1']) {
      const r = await request(t.url + path, 'GET', { headers: { accept: 'text/html,*/*' } });
      expect(r.status, path).toBe(200);
      expect(r.text, path).toContain('<div id="root"></div>');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    const nope = await t.api('GET', '/api/v1/nope');
    expect(nope.status).toBe(404);
    expect(nope.json.error.code).toBe('not_found');
    const nopeHtml = await request(`${t.url}/api/v1/nope`, 'GET', {
      headers: { accept: 'text/html', authorization: `Bearer ${t.token}` },
    });
    expect(nopeHtml.status).toBe(404);
    expect(nopeHtml.json.error.code).toBe('not_found');
    for (const path of ['/api/v1/settings', '/metrics', '/docs', '/openapi.json']) {
      const r = await request(t.url + path, 'GET', { headers: { accept: 'text/html' } });
      expect(r.status, path).toBe(401);
    }
    // Not asking for HTML: a JSON 404, not the page.
    const json = await request(`${t.url}/users`, 'GET', {
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(404);
    expect(json.json.error.code).toBe('not_found');
    // Not a way out of web/dist.
    const traversal = await request(`${t.url}/%2e%2e/package.json`, 'GET');
    expect(traversal.status).toBe(404);
    // Only GET: other methods on page paths still need a token.
    expect((await request(`${t.url}/users`, 'POST', { body: {} })).status).toBe(401);
  });

  it('says how to build the admin center when web/dist is missing (503)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dialbridge-noweb-'));
    const app = Fastify();
    await registerAdminCenter(app, empty);
    const r = await app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toMatch(/text\/plain/);
    expect(r.body).toContain('npm run build:web');
    const route = await app.inject({
      method: 'GET',
      url: '/users',
      headers: { accept: 'text/html' },
    });
    expect(route.statusCode).toBe(503);
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('marks the cookie Secure over https: X-Forwarded-Proto from a trusted proxy, or DIALBRIDGE_COOKIE_SECURE', async () => {
    const creds = { username: 'alice', password: PASSWORD };
    const viaProxy = await signIn(proxied, creds, { 'x-forwarded-proto': 'https' });
    expect(viaProxy.setCookie.split(';').map((s) => s.trim())).toContain('Secure');
    const plain = await signIn(proxied, creds);
    expect(plain.setCookie).not.toMatch(/Secure/);
    const always = await signIn(secure, creds);
    expect(always.setCookie.split(';').map((s) => s.trim())).toContain('Secure');
  });
});

describe('the users directory (GET /api/v1/directory/users)', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService('pglite');
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await t.api(method, path, body);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.json)}`).toBeLessThan(300);
      return r.json;
    };
    await ok('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
    await ok('POST', '/api/v1/bridges', { Name: 'Conference Bridge' });
    await ok('POST', '/api/v1/service-numbers', {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    const people = [
      ['amos.marble', 'Amos Marble'],
      ['beth.novak', 'Beth Novak'],
      ['carlos.okafor', 'Carlos Okafor'],
      ['dana.petrov', 'Dana Petrov'],
      ['eli.quinn', 'Eli Quinn'],
      ['fatima.rossi', 'Fatima Rossi'],
    ];
    for (const [name, display] of people)
      await ok('POST', '/api/v1/users', {
        UserPrincipalName: `${name}@contoso.com`,
        DisplayName: display,
      });
    // Built-in: Amos, Beth, Carlos (licensed). Third-party: Dana, Eli. None: Fatima (unlicensed).
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: [
        'amos.marble@contoso.com',
        'beth.novak@contoso.com',
        'carlos.okafor@contoso.com',
      ],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    await ok('PUT', '/api/v1/users/dana.petrov@contoso.com/acp', {
      Name: 'Zeta Conferencing',
      TollNumber: '+18005550111',
      TollFreeNumbers: ['+18885550122'],
      ParticipantPasscode: '99887766',
    });
    await ok('PUT', '/api/v1/users/eli.quinn@contoso.com/acp', {
      Name: 'Acme Audio',
      TollNumber: '+18005550199',
      ParticipantPasscode: '11223344',
    });
    // Another organization's users never show.
    const other = await ok('POST', '/api/v1/organizations', { name: 'fabrikam' });
    await t.api(
      'POST',
      '/api/v1/users',
      { UserPrincipalName: 'zed@fabrikam.com', DisplayName: 'Aaron Zed' },
      other.token,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (qs = '') => {
    const r = await t.api('GET', `/api/v1/directory/users${qs ? `?${qs}` : ''}`);
    expect(r.status, `${qs}: ${JSON.stringify(r.json)}`).toBe(200);
    return r.json as { total: number; items: any[] };
  };
  const names = (p: { items: any[] }) => p.items.map((u) => u.displayName);

  it('lists every user of the organization with provider, conference ID, default numbers and license', async () => {
    const page = await list();
    expect(page.total).toBe(6);
    expect(names(page)).toEqual([
      'Amos Marble',
      'Beth Novak',
      'Carlos Okafor',
      'Dana Petrov',
      'Eli Quinn',
      'Fatima Rossi',
    ]);
    const amos = page.items[0];
    const dialIn = (await t.api('GET', '/api/v1/dialin-users/amos.marble@contoso.com')).json;
    expect(amos).toEqual({
      identity: 'amos.marble@contoso.com',
      displayName: 'Amos Marble',
      userPrincipalName: 'amos.marble@contoso.com',
      email: 'amos.marble@contoso.com',
      provider: 'BuiltIn',
      conferenceId: dialIn.ConferenceId,
      tollNumber: '+14255550100',
      tollFreeNumber: null,
      licensed: true,
      allowTollFreeDialIn: dialIn.AllowTollFreeDialIn,
      bridgeName: 'Conference Bridge',
    });
    expect(amos.conferenceId).toMatch(/^[1-9]\d{6}$/);
    expect(page.items[3]).toEqual({
      identity: 'dana.petrov@contoso.com',
      displayName: 'Dana Petrov',
      userPrincipalName: 'dana.petrov@contoso.com',
      email: 'dana.petrov@contoso.com',
      provider: 'Zeta Conferencing',
      conferenceId: '99887766',
      tollNumber: '+18005550111',
      tollFreeNumber: '+18885550122',
      licensed: false,
    });
    expect(page.items[5]).toMatchObject({
      provider: null,
      conferenceId: null,
      tollNumber: null,
      tollFreeNumber: null,
      licensed: false,
    });
  });

  it('filters by provider and license, and searches names, addresses, conference IDs and numbers', async () => {
    expect(names(await list('provider=BuiltIn'))).toEqual([
      'Amos Marble',
      'Beth Novak',
      'Carlos Okafor',
    ]);
    expect(names(await list('provider=ThirdParty'))).toEqual(['Dana Petrov', 'Eli Quinn']);
    expect(names(await list('provider=None'))).toEqual(['Fatima Rossi']);
    expect(names(await list('licensed=true'))).toEqual([
      'Amos Marble',
      'Beth Novak',
      'Carlos Okafor',
    ]);
    expect((await list('licensed=false')).total).toBe(3);
    expect(
      names(await list('licensed=false&provider=ThirdParty&sort=displayName&order=desc')),
    ).toEqual(['Eli Quinn', 'Dana Petrov']);
    expect(names(await list('search=NOVAK'))).toEqual(['Beth Novak']);
    expect(names(await list('search=fatima.rossi%40'))).toEqual(['Fatima Rossi']);
    expect(names(await list('search=11223344'))).toEqual(['Eli Quinn']);
    expect(names(await list(`search=${encodeURIComponent('+1 800 555 0111')}`))).toEqual([
      'Dana Petrov',
    ]);
    const carlos = (await list('search=carlos')).items[0];
    expect(names(await list(`search=${carlos.conferenceId}`))).toEqual(['Carlos Okafor']);
    expect((await list('search=%25')).total).toBe(0); // % is a character, not a wildcard
    const none = await list('search=nobody');
    expect(none).toEqual({ total: 0, items: [] });
  });

  it('sorts by each column both ways (users without a value last going up), and pages with a stable total', async () => {
    const byId = await list('sort=conferenceId');
    const ids = byId.items.map((u) => u.conferenceId);
    const present = ids.filter((v): v is string => v !== null);
    expect(present).toEqual([...present].sort());
    expect(ids.slice(present.length)).toEqual([null]);
    // Descending is the exact reverse: users without a conference ID first.
    const byIdDesc = await list('sort=conferenceId&order=desc');
    expect(byIdDesc.items.map((u) => u.conferenceId)).toEqual([...ids].reverse());

    const byProvider = await list('sort=provider');
    expect(byProvider.items.map((u) => u.provider)).toEqual([
      'Acme Audio',
      'BuiltIn',
      'BuiltIn',
      'BuiltIn',
      'Zeta Conferencing',
      null,
    ]);
    const byToll = await list('sort=tollNumber&order=desc');
    expect(byToll.items.map((u) => u.tollNumber)).toEqual([
      null,
      '+18005550199',
      '+18005550111',
      '+14255550100',
      '+14255550100',
      '+14255550100',
    ]);
    const byUpn = await list('sort=userPrincipalName&order=desc');
    expect(byUpn.items[0].userPrincipalName).toBe('fatima.rossi@contoso.com');

    const seen: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const page = await list(`limit=2&offset=${offset}&sort=displayName`);
      expect(page.total).toBe(6);
      seen.push(...names(page));
    }
    expect(seen).toEqual(names(await list()));
    // Pages past the middle are read from the other end: the same users, in the same order.
    for (const sort of ['displayName', 'conferenceId', 'provider', 'tollNumber']) {
      for (const order of ['asc', 'desc']) {
        const whole = (await list(`sort=${sort}&order=${order}`)).items.map((u) => u.identity);
        const tail = (await list(`sort=${sort}&order=${order}&offset=4&limit=5`)).items;
        expect(
          tail.map((u) => u.identity),
          `${sort} ${order}`,
        ).toEqual(whole.slice(4));
        const mid = (await list(`sort=${sort}&order=${order}&offset=3&limit=2`)).items;
        expect(
          mid.map((u) => u.identity),
          `${sort} ${order}`,
        ).toEqual(whole.slice(3, 5));
      }
    }
    expect((await list('offset=100')).items).toEqual([]);
  });

  it("follows every change to a user's provider, numbers and name (the store keeps its sort and search columns)", async () => {
    const eli = async () => (await list('search=eli.quinn')).items[0];
    await t.api('PUT', '/api/v1/users/eli.quinn@contoso.com/acp', {
      Name: 'Beta Bridge',
      ParticipantPasscode: '55443322',
    });
    expect(await eli()).toMatchObject({ provider: 'Beta Bridge', conferenceId: '55443322' });
    expect(names(await list('search=55443322'))).toEqual(['Eli Quinn']);
    expect((await list('search=11223344')).total).toBe(0);
    await t.api('DELETE', '/api/v1/users/eli.quinn@contoso.com/acp');
    expect(await eli()).toMatchObject({ provider: null, conferenceId: null, tollNumber: null });
    expect((await list('sort=provider')).items.slice(-2).map((u) => u.identity)).toEqual([
      'eli.quinn@contoso.com',
      'fatima.rossi@contoso.com',
    ]);

    await t.api('POST', '/api/v1/licenses', {
      UserPrincipalName: ['amos.marble@contoso.com'],
      RemoveLicenses: ['contoso:MCOMEETADV'],
    });
    expect((await list('search=amos')).items[0]).toMatchObject({
      provider: null,
      conferenceId: null,
      licensed: false,
    });
    await t.api('PATCH', '/api/v1/users/fatima.rossi@contoso.com', { DisplayName: 'Fatima Sato' });
    expect(names(await list('search=sato'))).toEqual(['Fatima Sato']);
    // Totals follow too: 2 built-in (licensed), 1 third-party, 3 without dial-in.
    expect((await list()).total).toBe(6);
    expect((await list('provider=BuiltIn')).total).toBe(2);
    expect((await list('provider=ThirdParty')).total).toBe(1);
    expect((await list('provider=None&licensed=false')).total).toBe(3);
    expect((await list('licensed=true')).total).toBe(2);
    expect((await t.api('DELETE', '/api/v1/users/fatima.rossi@contoso.com')).status).toBe(200);
    expect((await list()).total).toBe(5);
    expect((await list('provider=None')).total).toBe(2);
    // The kept counts fold once they pile up, without changing any total.
    const [org] = await t.service.db.query<{ id: string }>(
      `select org_id as id from users where upn = 'amos.marble@contoso.com'`,
    );
    const orgId = org!.id;
    await t.service.db.query(
      `insert into users_directory_counts (org_id, provider, licensed, delta)
       select $1, 'None', false, case when g % 2 = 0 then 1 else -1 end from generate_series(1, 600) g`,
      [orgId],
    );
    expect((await list()).total).toBe(5);
    const left = await t.service.db.query(
      'select 1 from users_directory_counts where org_id = $1',
      [orgId],
    );
    expect(left.length).toBeLessThanOrEqual(6);
    expect((await list()).total).toBe(5);
    expect((await list('provider=None&licensed=false')).total).toBe(2);
  });

  it('refuses a bad sort, order, filter or page, naming the parameter', async () => {
    for (const [qs, field] of [
      ['sort=pin', 'sort'],
      ['order=up', 'order'],
      ['provider=Skype', 'provider'],
      ['licensed=yes', 'licensed'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-5', 'offset'],
    ]) {
      const r = await t.api('GET', `/api/v1/directory/users?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.json.error.code).toBe('validation');
      expect(r.json.error.field).toBe(field);
    }
  });
});
