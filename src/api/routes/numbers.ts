import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import { body, queryText, S } from '../http.ts';
import { NEW_SERVICE_NUMBER_FIELDS } from '../../admin/fields.ts';

const id = (req: FastifyRequest) => (req.params as { identity: string }).identity;
const params = S.identity;

/** Bridges and service numbers. */
export function registerNumberRoutes(app: FastifyInstance, admin: AdminService): void {
  const bt = ['bridges'];
  app.get(
    '/api/v1/bridges',
    { schema: { summary: 'Get-CsOnlineDialInConferencingBridge', tags: bt } },
    (req) => admin.listBridges(req.actor),
  );
  app.post(
    '/api/v1/bridges',
    {
      schema: {
        summary: 'New-CsOnlineDialInConferencingBridge',
        tags: bt,
        body: S.obj({ Name: S.str(), Region: S.str() }, ['Name']),
      },
    },
    async (req, reply) => {
      const b = body(req, ['Name', 'Region']);
      return reply
        .code(201)
        .send(await admin.createBridge(req.actor, { Name: b.Name, Region: b.Region }));
    },
  );
  app.get(
    '/api/v1/bridges/:identity',
    {
      schema: {
        summary: 'Get-CsOnlineDialInConferencingBridge -Identity (ID or name)',
        tags: bt,
        params,
      },
    },
    (req) => admin.getBridge(req.actor, id(req)),
  );
  app.patch(
    '/api/v1/bridges/:identity',
    {
      schema: {
        summary: 'Set-CsOnlineDialInConferencingBridge: rename, default number, make default',
        tags: bt,
        params,
        body: S.obj({ Name: S.str(), DefaultServiceNumber: S.str(), SetDefault: S.bool() }),
      },
    },
    (req) =>
      admin.setBridge(req.actor, {
        ...body(req, ['Name', 'DefaultServiceNumber', 'SetDefault']),
        Identity: id(req),
      }),
  );

  const nt = ['numbers'];
  app.get(
    '/api/v1/service-numbers',
    {
      schema: {
        summary: 'Get-CsOnlineDialInConferencingServiceNumber',
        tags: nt,
        querystring: S.obj({ bridge: S.str(), city: S.str(), type: S.str('Toll or TollFree') }),
      },
    },
    (req) =>
      admin.listNumbers(req.actor, {
        BridgeName: queryText(req, 'bridge'),
        City: queryText(req, 'city'),
        Type: queryText(req, 'type'),
      }),
  );
  app.post(
    '/api/v1/service-numbers',
    {
      schema: {
        summary: 'New-CsOnlineDialInConferencingServiceNumber',
        tags: nt,
        body: S.obj(
          {
            Identity: S.str('E.164, +E.164 or tel:+E.164'),
            Type: S.str('Toll or TollFree'),
            City: S.str(),
            BridgeName: S.str(),
            BridgeId: S.str(),
            Shared: S.bool(),
            PrimaryLanguage: S.str(),
            SecondaryLanguages: S.strs(),
          },
          ['Identity', 'Type', 'City'],
        ),
      },
    },
    async (req, reply) => {
      const b = body(req, NEW_SERVICE_NUMBER_FIELDS);
      return reply.code(201).send(
        await admin.createNumber(req.actor, {
          ...b,
          Identity: b.Identity,
          Type: b.Type,
          City: b.City,
        }),
      );
    },
  );
  app.get(
    '/api/v1/service-numbers/:identity',
    {
      schema: {
        summary: 'Get-CsOnlineDialInConferencingServiceNumber -Identity',
        tags: nt,
        params,
      },
    },
    (req) => admin.getNumber(req.actor, id(req)),
  );
  app.patch(
    '/api/v1/service-numbers/:identity',
    {
      schema: {
        summary: 'Set-CsOnlineDialInConferencingServiceNumber: languages (dedicated numbers only)',
        tags: nt,
        params,
        body: S.obj({
          PrimaryLanguage: S.str(),
          SecondaryLanguages: S.strs(),
          RestoreDefaultLanguages: S.bool(),
        }),
      },
    },
    (req) =>
      admin.setNumber(req.actor, {
        ...body(req, ['PrimaryLanguage', 'SecondaryLanguages', 'RestoreDefaultLanguages']),
        Identity: id(req),
      }),
  );
  app.post(
    '/api/v1/service-numbers/:identity/register',
    {
      schema: {
        summary: 'Register-CsOnlineDialInConferencingServiceNumber',
        tags: nt,
        params,
        body: S.obj({ BridgeName: S.str(), BridgeId: S.str() }),
      },
    },
    (req) =>
      admin.registerNumber(req.actor, {
        ...body(req, ['BridgeName', 'BridgeId']),
        Identity: id(req),
      }),
  );
  app.post(
    '/api/v1/service-numbers/:identity/unregister',
    {
      schema: {
        summary: 'Unregister-CsOnlineDialInConferencingServiceNumber',
        tags: nt,
        params,
        body: S.obj({
          BridgeName: S.str(),
          BridgeId: S.str(),
          RemoveDefaultServiceNumber: S.bool(),
        }),
      },
    },
    (req) =>
      admin.unregisterNumber(req.actor, {
        ...body(req, ['BridgeName', 'BridgeId', 'RemoveDefaultServiceNumber']),
        Identity: id(req),
      }),
  );
}
