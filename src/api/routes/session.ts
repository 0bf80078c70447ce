import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.ts';
import { csrfMatches, SESSION_COOKIE, type SessionStore } from '../../admin/sessions.ts';
import { refuse } from '../auth.ts';
import { S } from '../http.ts';

export const SESSION_PATH = '/api/v1/session';

export interface SessionRouteDeps {
  store: SessionStore;
  /** Always mark the cookie Secure (DIALBRIDGE_COOKIE_SECURE), not only over https. */
  cookieSecure: boolean;
}

const errorSchema = S.obj({
  error: S.obj({ code: S.str(), message: S.str(), field: S.str() }),
});

const sessionSchema = S.obj({
  user: S.obj({ name: S.str(), kind: { type: 'string', enum: ['account', 'token'] } }),
  organization: S.obj({ id: S.str(), name: S.str() }),
  csrfToken: S.str('send it back in the x-csrf-token header of every POST, PATCH, PUT, DELETE'),
});

/**
 * Admin center sign-in. The session routes authenticate by themselves (the
 * server's hook lets them through): sign-in takes credentials, the others the
 * session cookie.
 */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const tags = ['session'];
  const cookieOptions = (req: FastifyRequest) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    // req.protocol believes X-Forwarded-Proto only from trusted proxies (DIALBRIDGE_TRUST_PROXY).
    secure: deps.cookieSecure || req.protocol === 'https',
  });
  const clear = (req: FastifyRequest, reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, cookieOptions(req));

  app.post(
    SESSION_PATH,
    {
      schema: {
        summary:
          'Sign in to the admin center with an account (username, password) or an administrator token; sets the HttpOnly session cookie',
        tags,
        security: [],
        body: S.obj({ username: S.str(), password: S.str(), token: S.str() }),
        response: { 200: sessionSchema, 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const creds = credentials(req);
      if (!creds) {
        return refuse(
          reply,
          'Sign in with a username and password, or with an administrator token.',
          req,
        );
      }
      const result = await deps.store.signIn(creds, req.ip);
      if (!result.ok) {
        if (result.reason === 'limited') {
          return reply
            .code(429)
            .header('retry-after', String(result.retryAfterS ?? 900))
            .send({
              error: {
                code: 'rate_limited',
                message: 'Too many failed sign-ins; wait 15 minutes and try again.',
              },
            });
        }
        // Not the username: a password typed in the wrong box must not reach the log.
        req.log.warn(
          { ip: req.ip, with: 'username' in creds ? 'password' : 'token' },
          'admin center sign-in refused',
        );
        // Never which part was wrong.
        return refuse(reply, 'The sign-in details are not valid.', req);
      }
      // A new id at every sign-in (no fixation); the browser's previous session ends.
      const previous = req.cookies[SESSION_COOKIE];
      if (previous) await deps.store.discard(previous);
      reply.setCookie(SESSION_COOKIE, result.id, cookieOptions(req));
      return reply.header('cache-control', 'no-store').send(result.info);
    },
  );

  app.get(
    SESSION_PATH,
    {
      schema: {
        summary: 'The signed-in administrator, organization and CSRF token (session cookie)',
        tags,
        response: { 200: sessionSchema, 401: errorSchema },
      },
    },
    async (req, reply) => {
      const s = await deps.store.find(req.cookies[SESSION_COOKIE]);
      if (!s) return refuse(reply, 'Not signed in.', req);
      return reply
        .header('cache-control', 'no-store')
        .send(await deps.store.info(s.actor, s.kind, s.csrfToken));
    },
  );

  app.delete(
    SESSION_PATH,
    {
      schema: {
        summary: 'Sign out: ends the session and clears the cookie (needs x-csrf-token)',
        tags,
      },
    },
    async (req, reply) => {
      const id = req.cookies[SESSION_COOKIE];
      const s = await deps.store.find(id);
      if (!s) {
        clear(req, reply);
        return refuse(reply, 'Not signed in.', req);
      }
      if (!csrfMatches(s, req.headers['x-csrf-token'])) return csrfRefusal(reply);
      await deps.store.signOut(id!, s);
      clear(req, reply);
      return reply.code(204).send();
    },
  );
}

export function csrfRefusal(reply: FastifyReply) {
  return reply.code(403).send({
    error: {
      code: 'forbidden',
      message:
        'CSRF check failed: a change made with the session cookie must carry the x-csrf-token header from the sign-in reply.',
      field: 'x-csrf-token',
    },
  });
}

/**
 * Username and password, or a token, in a JSON body only; undefined when none
 * given. An Authorization header is not taken here: a browser resends cached
 * Basic credentials (from /docs) by itself, even with another site's form.
 */
function credentials(
  req: FastifyRequest,
): { username: string; password: string } | { token: string } | undefined {
  const ct = String(req.headers['content-type'] ?? '');
  const b = req.body;
  if (b !== undefined && b !== null && b !== '') {
    // JSON only: a cross-site HTML form cannot send it, so no one can sign a
    // victim's browser in to the attacker's account (login CSRF).
    if (!/^application\/json\b/i.test(ct) || typeof b !== 'object' || Array.isArray(b))
      throw new ValidationError('body', 'must be a JSON object: {username, password} or {token}');
    const o = b as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['username', 'password', 'token'].includes(k))
        throw new ValidationError(
          k,
          'is not a field of sign-in; fields are username, password, token',
        );
    }
    if (o.token !== undefined) {
      if (o.username !== undefined || o.password !== undefined)
        throw new ValidationError(
          'token',
          'signs in alone: send a token or a username and password',
        );
      if (typeof o.token !== 'string' || !o.token)
        throw new ValidationError('token', 'must be an administrator token (text)');
      return { token: o.token };
    }
    if (o.username !== undefined || o.password !== undefined) {
      if (typeof o.username !== 'string' || !o.username.trim())
        throw new ValidationError('username', 'is required with a password');
      if (typeof o.password !== 'string' || !o.password)
        throw new ValidationError('password', 'is required with a username');
      return { username: o.username, password: o.password };
    }
  }
  return undefined;
}
