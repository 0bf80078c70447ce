import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * How a request presented its token. A browser that once answered a Basic
 * prompt (to read /docs) sends those credentials again on its own, even on a
 * form another site posts; so Basic is for reading only, and changes need
 * Bearer (which only a script that holds the token can send) or the admin
 * center's session with its CSRF token.
 */
export function presentedScheme(req: FastifyRequest): 'bearer' | 'basic' | undefined {
  const scheme = req.headers.authorization?.split(' ', 1)[0]?.toLowerCase();
  return scheme === 'bearer' || scheme === 'basic' ? scheme : undefined;
}

/**
 * The token a request presents: "Authorization: Bearer <token>", or HTTP Basic
 * with the token as password (so a browser can open /docs after a login prompt).
 */
export function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const [scheme, value] = h.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}

/**
 * 401. Offers HTTP Basic only to clients that are not a page's script: a
 * browser answers "Basic" with its own login dialog, which the admin center
 * (fetch with Sec-Fetch-Mode: cors/same-origin, or a session cookie) must not get.
 */
export function refuse(reply: FastifyReply, message: string, req?: FastifyRequest) {
  const mode = req?.headers['sec-fetch-mode'];
  const fromPage = (mode !== undefined && mode !== 'navigate') || !!req?.headers.cookie;
  return reply
    .code(401)
    .header(
      'www-authenticate',
      fromPage
        ? 'Bearer realm="dialbridge"'
        : 'Bearer realm="dialbridge", Basic realm="dialbridge"',
    )
    .send({ error: { code: 'unauthorized', message } });
}
