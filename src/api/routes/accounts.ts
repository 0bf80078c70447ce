import type { FastifyInstance } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import { body, S } from '../http.ts';

const account = S.obj({
  username: S.str(),
  createdAt: S.str(),
  lastSignInAt: { type: 'string', nullable: true },
  disabled: S.bool(),
});

/** Administrator accounts: who may sign in to the admin center with a password. */
export function registerAccountRoutes(app: FastifyInstance, admin: AdminService): void {
  const tags = ['session'];
  app.get(
    '/api/v1/admin-accounts',
    {
      schema: {
        summary: "The organization's administrator accounts (never their passwords)",
        tags,
        response: { 200: { type: 'array', items: account } },
      },
    },
    (req) => admin.listAccounts(req.actor),
  );
  app.post(
    '/api/v1/admin-accounts',
    {
      schema: {
        summary:
          'Add an administrator account (password: 12 characters or more, not containing the username)',
        tags,
        body: S.obj({ username: S.str(), password: S.str() }, ['username', 'password']),
        response: { 201: account },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await admin.createAccount(req.actor, body(req, ['username', 'password']))),
  );
  app.patch(
    '/api/v1/admin-accounts/:username',
    {
      schema: {
        summary:
          "Change an administrator account's password, or disable/enable it; either ends its sessions",
        tags,
        params: S.obj({ username: S.str() }, ['username']),
        body: S.obj({ password: S.str(), disabled: S.bool() }),
        response: { 200: account },
      },
    },
    (req) =>
      admin.updateAccount(
        req.actor,
        (req.params as { username: string }).username,
        body(req, ['password', 'disabled']),
      ),
  );
  app.delete(
    '/api/v1/admin-accounts/:username',
    {
      schema: {
        summary: 'Remove an administrator account; its sessions end at once',
        tags,
        params: S.obj({ username: S.str() }, ['username']),
        response: { 200: account },
      },
    },
    (req) => admin.removeAccount(req.actor, (req.params as { username: string }).username),
  );
}
