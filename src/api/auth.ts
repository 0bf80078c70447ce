import type { FastifyReply, FastifyRequest } from 'fastify';

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

export function refuse(reply: FastifyReply, message: string) {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="dialbridge", Basic realm="dialbridge"')
    .send({ error: { code: 'unauthorized', message } });
}
