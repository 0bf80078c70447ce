import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import type { Logger } from '../log.ts';
import type { AdminService } from '../admin/service.ts';
import type { Actor } from '../admin/context.ts';
import { DomainError } from '../errors.ts';
import type { Metrics } from './metrics.ts';
import { presentedScheme, presentedToken, refuse } from './auth.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerDirectoryRoutes } from './routes/directory.ts';
import { registerNumberRoutes } from './routes/numbers.ts';
import { registerLiveRoutes } from './routes/live.ts';
import { registerEventRoutes, type EventRouteDeps } from './routes/events.ts';
import { registerPromptRoutes } from './routes/prompts.ts';
import { registerMailRoutes, type MailRouteDeps } from './routes/mail.ts';
import { registerMeetingRoutes } from './routes/meetings.ts';
import { registerDialInPage } from './routes/dialin-page.ts';
import {
  csrfRefusal,
  registerSessionRoutes,
  SESSION_PATH,
  type SessionRouteDeps,
} from './routes/session.ts';
import { registerAccountRoutes } from './routes/accounts.ts';
import { registerDirectoryUserRoutes } from './routes/directory-users.ts';
import { isAdminCenterRequest, registerAdminCenter } from './routes/admin-center.ts';
import { csrfMatches, SESSION_COOKIE } from '../admin/sessions.ts';
import { registerProviderCsvRoutes } from './routes/provider-csv.ts';
import type { MeetingService } from '../meetings/service.ts';
import type { PromptOverrides } from '../prompts/overrides.ts';
import type { PromptLibrary } from '../prompts/library.ts';
import type { MeetingRegistry } from '../conference/registry.ts';

export interface ApiDeps {
  admin: AdminService;
  log: Logger;
  metrics: Metrics;
  /** The actor a token stands for, or undefined for a bad token. */
  authenticate(token: string): Promise<Actor | undefined>;
  isReady(): boolean;
  version: string;
  /** Live meetings on this node (absent in API-only tests). */
  meetings?: MeetingRegistry;
  /** Event stream, webhooks and call records (absent in API-only tests). */
  events?: EventRouteDeps;
  /** Organizations' own prompt recordings (absent in API-only tests). */
  prompts?: { overrides: PromptOverrides; library: PromptLibrary };
  /** The email outbox (absent in API-only tests). */
  mail?: MailRouteDeps;
  /** Scheduled meetings (absent in API-only tests). */
  schedule?: MeetingService;
  /** Admin center sign-in with a session cookie (absent in API-only tests: tokens only). */
  sessions?: SessionRouteDeps;
  /** Which proxies' X-Forwarded-* headers to believe (DIALBRIDGE_TRUST_PROXY); none by default. */
  trustProxy?: boolean | string[];
  /** The built admin center; web/dist by default. */
  webRoot?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** Whether the token or session this request came with is still good (long-lived streams ask). */
    stillAuthorized?: () => Promise<boolean>;
  }
}

const STATUS: Record<DomainError['code'], number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
};

/**
 * Routes anyone may reach (and /dial-in/<org>, the public numbers page, and the
 * admin center's page and files); everything else needs an administrator token
 * or an admin center session.
 */
const PUBLIC = new Set(['/healthz']);
/** Methods a session cookie may use without the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: deps.trustProxy ?? false,
  });

  // Route schemas document the API; the domain validates, so every face gives
  // the same error naming the field and the rule.
  app.setValidatorCompiler(() => () => true);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'dialbridge administration API',
        version: deps.version,
        description:
          'Dial-in conferencing administration: settings, users, licenses, conference IDs, PINs, bridges and numbers. ' +
          'Field names follow the cmdlet parameters (PascalCase) so documentation for the hosted service applies. ' +
          'Authenticate with "Authorization: Bearer <token>" (or HTTP Basic with the token as password). ' +
          'The admin center signs in with POST /api/v1/session and then uses the HttpOnly session cookie; ' +
          'with the cookie, every POST, PATCH, PUT and DELETE must carry the x-csrf-token header from the sign-in reply.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
      security: [{ bearer: [] }, { basic: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('stillAuthorized', undefined);

  await app.register(cookie);

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC.has(path) || path.startsWith('/dial-in/')) return;
    if (deps.sessions && (path === SESSION_PATH || isAdminCenterRequest(req, path))) return;
    const token = presentedToken(req);
    if (token) {
      const actor = await deps.authenticate(token);
      if (!actor) {
        deps.metrics.errors.inc({ kind: 'unauthorized' });
        return refuse(reply, 'The token is not valid or has been revoked.', req);
      }
      if (!SAFE_METHODS.has(req.method) && presentedScheme(req) === 'basic') {
        deps.metrics.errors.inc({ kind: 'forbidden' });
        return reply.code(403).send({
          error: {
            code: 'forbidden',
            message:
              'HTTP Basic is accepted for reading only (a browser resends it by itself); send the token as "Authorization: Bearer <token>" to make changes.',
            field: 'authorization',
          },
        });
      }
      req.actor = actor;
      req.stillAuthorized = async () => (await deps.authenticate(token)) !== undefined;
      return;
    }
    const sid = deps.sessions && req.cookies[SESSION_COOKIE];
    if (sid) {
      const session = await deps.sessions!.store.find(sid);
      if (!session) {
        deps.metrics.errors.inc({ kind: 'unauthorized' });
        return refuse(
          reply,
          'The session has ended (signed out or idle too long); sign in again.',
          req,
        );
      }
      // A cookie goes with any request the browser makes, a header only with the page's own.
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(session, req.headers['x-csrf-token'])) {
        deps.metrics.errors.inc({ kind: 'forbidden' });
        return csrfRefusal(reply);
      }
      req.actor = session.actor;
      req.stillAuthorized = async () => (await deps.sessions!.store.find(sid, false)) !== undefined;
      return;
    }
    return refuse(
      reply,
      'An administrator token is required (Authorization: Bearer <token>), or sign in to the admin center.',
      req,
    );
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: req.method, route, status: reply.statusCode });
    deps.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof DomainError) {
      deps.metrics.errors.inc({ kind: err.code });
      return reply
        .code(STATUS[err.code])
        .send({ error: { code: err.code, message: err.message, field: err.field } });
    }
    const e = err as { statusCode?: number; message: string };
    if (e.statusCode && e.statusCode < 500) {
      deps.metrics.errors.inc({ kind: 'validation' });
      return reply.code(e.statusCode).send({ error: { code: 'bad_request', message: e.message } });
    }
    deps.metrics.errors.inc({ kind: 'internal' });
    req.log.error({ err }, 'request failed');
    return reply
      .code(500)
      .send({ error: { code: 'internal', message: 'Internal error; see the service log.' } });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}.` },
    }),
  );

  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) =>
    deps.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'] } },
    async (_req, reply) =>
      reply
        .header('content-type', deps.metrics.registry.contentType)
        .send(await deps.metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAdminRoutes(app, deps.admin);
  registerDirectoryRoutes(app, deps.admin);
  registerNumberRoutes(app, deps.admin);
  registerAccountRoutes(app, deps.admin);
  registerDirectoryUserRoutes(app, deps.admin);
  registerProviderCsvRoutes(app, deps.admin.providerImports);
  if (deps.meetings) registerLiveRoutes(app, deps.meetings);
  if (deps.events) registerEventRoutes(app, deps.events);
  if (deps.prompts) registerPromptRoutes(app, deps.prompts.overrides, deps.prompts.library);
  if (deps.mail) registerMailRoutes(app, deps.mail);
  if (deps.schedule) registerMeetingRoutes(app, deps.schedule);
  if (deps.events) registerDialInPage(app, deps.events.db);
  if (deps.sessions) {
    registerSessionRoutes(app, deps.sessions);
    await registerAdminCenter(app, deps.webRoot);
  }
  return app;
}
