import type { FastifyInstance } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import { DIRECTORY_PROVIDERS, DIRECTORY_SORTS } from '../../admin/directory.ts';
import { queryText, S } from '../http.ts';

const nullableStr = { type: 'string', nullable: true };

/** The admin center's Dial-in users page: every user of the organization, one page at a time. */
export function registerDirectoryUserRoutes(app: FastifyInstance, admin: AdminService): void {
  app.get(
    '/api/v1/directory/users',
    {
      schema: {
        summary:
          'Every user (built-in bridge, third-party provider, none) with provider, conference ID, default numbers and license; search, filter, sort, page',
        tags: ['users'],
        querystring: S.obj({
          search: S.str(
            'part of the display name, user principal name, email, conference ID or number',
          ),
          provider: { type: 'string', enum: [...DIRECTORY_PROVIDERS] },
          licensed: { type: 'string', enum: ['true', 'false'] },
          sort: { type: 'string', enum: [...DIRECTORY_SORTS], default: 'displayName' },
          order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        }),
        response: {
          200: S.obj({
            total: S.int(),
            items: {
              type: 'array',
              items: S.obj({
                identity: S.str(),
                displayName: S.str(),
                userPrincipalName: S.str(),
                email: S.str(),
                provider: {
                  ...nullableStr,
                  description: "'BuiltIn', the provider's name, or null",
                },
                conferenceId: nullableStr,
                tollNumber: nullableStr,
                tollFreeNumber: nullableStr,
                licensed: S.bool(),
                allowTollFreeDialIn: S.bool('built-in users only'),
                bridgeName: { ...nullableStr, description: 'built-in users only' },
              }),
            },
          }),
        },
      },
    },
    (req) =>
      admin.directoryUsers(req.actor, {
        search: queryText(req, 'search'),
        provider: queryText(req, 'provider'),
        licensed: queryText(req, 'licensed'),
        sort: queryText(req, 'sort'),
        order: queryText(req, 'order'),
        limit: queryText(req, 'limit'),
        offset: queryText(req, 'offset'),
      }),
  );
}
