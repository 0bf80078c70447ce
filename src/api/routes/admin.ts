import type { FastifyInstance } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import { SETTING_SPECS } from '../../admin/setting-specs.ts';
import { body, queryText, S } from '../http.ts';

const settingProps = Object.fromEntries(
  Object.entries(SETTING_SPECS).map(([name, spec]) => [
    name,
    spec.type === 'bool'
      ? { type: 'boolean' }
      : spec.type === 'int'
        ? { type: 'integer', minimum: spec.min, maximum: spec.max }
        : spec.type === 'enum'
          ? { type: 'string', enum: [...spec.values] }
          : { type: 'string', nullable: true },
  ]),
);

/** Organization, settings, languages, audit log and tokens. */
export function registerAdminRoutes(app: FastifyInstance, admin: AdminService): void {
  const tags = ['organization'];
  app.get('/api/v1/organization', { schema: { summary: 'The organization', tags } }, (req) =>
    admin.organization(req.actor),
  );
  app.patch(
    '/api/v1/organization',
    {
      schema: {
        summary: 'Rename the organization or set its domain',
        tags,
        body: S.obj({ name: S.str('account name; prefixes license names'), domain: S.str() }),
      },
    },
    (req) => admin.updateOrganization(req.actor, body(req, ['name', 'domain'])),
  );
  app.get(
    '/api/v1/organizations',
    {
      schema: {
        summary:
          'Organizations of the deployment (operator organization only; others see themselves)',
        tags,
      },
    },
    (req) => admin.listOrganizations(req.actor),
  );
  app.post(
    '/api/v1/organizations',
    {
      schema: {
        summary:
          'Add an organization (operator organization only); its first token is in this reply only',
        tags,
        body: S.obj({ name: S.str(), domain: S.str() }, ['name']),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await admin.createOrganization(req.actor, body(req, ['name', 'domain']))),
  );

  const st = ['settings'];
  app.get(
    '/api/v1/settings',
    { schema: { summary: 'Get-CsOnlineDialInConferencingTenantSettings', tags: st } },
    (req) => admin.getSettings(req.actor),
  );
  app.patch(
    '/api/v1/settings',
    {
      schema: {
        summary:
          'Set-CsOnlineDialInConferencingTenantSettings: change some settings (all or nothing)',
        tags: st,
        body: S.obj(settingProps),
      },
    },
    (req) =>
      admin.setSettings(req.actor, body(req, [...Object.keys(SETTING_SPECS), 'SendEmailOverride'])),
  );
  app.delete(
    '/api/v1/settings',
    {
      schema: {
        summary: 'Remove-CsOnlineDialInConferencingTenantSettings: restore every default',
        tags: st,
      },
    },
    (req) => admin.removeSettings(req.actor),
  );

  app.get(
    '/api/v1/languages',
    { schema: { summary: 'Get-CsOnlineDialInConferencingLanguagesSupported', tags: ['numbers'] } },
    () => admin.languages(),
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        summary:
          'The audit log, newest first: who (actor: account username or token name), when (at), action, target, field, oldValue, newValue',
        tags: ['operations'],
        querystring: S.obj({
          limit: S.int('1 to 1000, default 100'),
          offset: S.int('entries to skip'),
          before: S.int('only entries older than this id (the last id of the previous page)'),
          target: S.str(),
        }),
      },
    },
    (req) =>
      admin.audit(req.actor, {
        limit: queryText(req, 'limit'),
        offset: queryText(req, 'offset'),
        before: queryText(req, 'before'),
        target: queryText(req, 'target'),
      }),
  );

  const tt = ['tokens'];
  app.get(
    '/api/v1/tokens',
    { schema: { summary: 'List administrator tokens (never their values)', tags: tt } },
    (req) => admin.listTokens(req.actor),
  );
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        summary: 'Create a token; its value is in this reply only',
        tags: tt,
        body: S.obj({ name: S.str() }, ['name']),
      },
    },
    async (req, reply) => {
      const { token, view } = await admin.createToken(req.actor, body(req, ['name']).name);
      return reply.code(201).send({ ...view, token });
    },
  );
  app.delete(
    '/api/v1/tokens/:id',
    { schema: { summary: 'Revoke a token', tags: tt, params: S.obj({ id: S.str() }, ['id']) } },
    (req) => admin.revokeToken(req.actor, (req.params as { id: string }).id),
  );
}
