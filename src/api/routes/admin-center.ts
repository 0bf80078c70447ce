import { existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build:web` puts the admin center (never committed). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the service, never to the admin center's client-side routes. */
const SERVICE_PREFIXES = ['/api/', '/docs', '/metrics', '/healthz', '/dial-in/', '/openapi.json'];

const reserved = (path: string) =>
  path === '/api' || SERVICE_PREFIXES.some((p) => path === p || path.startsWith(p));

/**
 * True for requests the admin center answers without a token: GET/HEAD of `/`,
 * its files, and its client-side routes (`/users`, `/bridge`, …) — only when
 * they reach its own routes, so no other route can become public by accident.
 * The page shows its own sign-in; every API call it makes is authenticated.
 */
export function isAdminCenterRequest(req: FastifyRequest, path: string): boolean {
  const route = req.routeOptions.url;
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    (route === '/' || route === '/*') &&
    !reserved(path)
  );
}

/**
 * The page's policy: scripts, styles and connections from this origin only, no
 * inline script, no plugins, never framed (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('x-content-type-options', 'nosniff');
}

const acceptsHtml = (req: FastifyRequest) => /text\/html/i.test(String(req.headers.accept ?? ''));

/**
 * Serves the admin center (web/dist) at `/`: its files, and index.html for any
 * other GET that asks for HTML outside the service's own paths, so the
 * client-side routes survive a reload. Without a build, `/` says how to make one.
 */
export async function registerAdminCenter(app: FastifyInstance, root = WEB_DIST): Promise<void> {
  // serve: false — only reply.sendFile (with ETag, Last-Modified, ranges); the routes are below.
  await app.register(fastifyStatic, { root, serve: false });
  const index = join(root, 'index.html');

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(index)) {
      return reply
        .code(503)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .send(
          'The admin center is not built. Run `npm run build:web` (npm install and npm start do it), then reload.\n',
        );
    }
    return pageHeaders(reply)
      .header('cache-control', 'no-cache')
      .sendFile('index.html', root, { cacheControl: false });
  };

  /** The file under root this path names, if it is one (never outside root, never a dotfile). */
  const fileFor = (path: string): string | undefined => {
    let rel: string;
    try {
      rel = decodeURIComponent(path).replace(/^\/+/, '');
    } catch {
      return undefined;
    }
    if (!rel || rel.split('/').some((s) => s.startsWith('.'))) return undefined;
    const abs = resolve(root, rel);
    if (!abs.startsWith(resolve(root) + sep)) return undefined;
    try {
      return statSync(abs).isFile() ? rel : undefined;
    } catch {
      return undefined;
    }
  };

  app.get('/', { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (reserved(path)) return reply.callNotFound();
    const file = fileFor(path);
    if (file && file !== 'index.html') {
      // Vite names bundle files by content hash: they never change.
      const hashed = file.startsWith('assets/');
      return pageHeaders(reply)
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(file, root, { cacheControl: false });
    }
    if (acceptsHtml(req)) return sendIndex(reply);
    return reply.callNotFound();
  });
}
