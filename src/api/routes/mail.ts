import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import type { Db } from '../../store/db.ts';
import { getOutboxMessage, listOutbox, retryOutboxMessage } from '../../mail/outbox.ts';
import { body, queryText, S } from '../http.ts';

export interface MailRouteDeps {
  db: Db;
  admin: AdminService;
  /** The sender shown for messages without the organization's override. */
  defaultFrom: string;
  /** Delivery starts at once after a retry (absent without SMTP). */
  kick?: () => void;
}

const id = (req: FastifyRequest) => (req.params as { id: string }).id;
const idParams = S.obj({ id: S.str('outbox message id') }, ['id']);

/**
 * The email outbox (admin.md, "Emails"): what was queued, sent or failed, and
 * why. Organization-scoped. Never a PIN: the stored copies show it as *****.
 */
export function registerMailRoutes(app: FastifyInstance, deps: MailRouteDeps): void {
  const tags = ['emails'];
  app.get(
    '/api/v1/outbox',
    {
      schema: {
        summary: 'Emails to users, newest first (PINs never shown)',
        tags,
        querystring: S.obj({ state: S.str('pending, sent or failed'), limit: S.int() }),
      },
    },
    (req) =>
      listOutbox(deps.db, req.actor.orgId, deps.defaultFrom, {
        state: queryText(req, 'state'),
        limit: queryText(req, 'limit'),
      }),
  );
  app.get(
    '/api/v1/outbox/:id',
    {
      schema: { summary: 'One email with its text and HTML (PIN masked)', tags, params: idParams },
    },
    (req) => getOutboxMessage(deps.db, req.actor.orgId, id(req), deps.defaultFrom),
  );
  app.post(
    '/api/v1/outbox/:id/retry',
    { schema: { summary: 'Put a failed email back to pending', tags, params: idParams } },
    async (req) => {
      const view = await deps.db.tx((q) =>
        retryOutboxMessage(q, req.actor, id(req), deps.defaultFrom),
      );
      deps.kick?.();
      return view;
    },
  );
  app.post(
    '/api/v1/dialin-users/:identity/send-conference-info',
    {
      schema: {
        summary:
          'Email the user their conference ID and numbers (never the PIN); sent even when automatic emails are off',
        tags: ['dial-in users'],
        params: S.obj({ identity: S.str() }, ['identity']),
        body: S.obj({ SendEmailToAddress: S.str('instead of the user’s primary address') }),
      },
    },
    (req) =>
      deps.admin.setDialInUser(req.actor, {
        Identity: (req.params as { identity: string }).identity,
        SendEmail: true,
        SendEmailToAddress: body(req, ['SendEmailToAddress']).SendEmailToAddress,
      }),
  );
}
