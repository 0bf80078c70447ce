import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminService } from '../../admin/service.ts';
import { body, queryText, S } from '../http.ts';
import { SET_DIALIN_USER_FIELDS } from '../../admin/fields.ts';

const identity = (req: FastifyRequest) => (req.params as { identity: string }).identity;
const params = S.identity;

/** Users, licenses, dial-in users and third-party providers. */
export function registerDirectoryRoutes(app: FastifyInstance, admin: AdminService): void {
  const ut = ['users'];
  app.get(
    '/api/v1/users',
    {
      schema: {
        summary: 'Get-MsolUser: list users',
        tags: ut,
        querystring: S.obj({ search: S.str(), limit: S.int(), offset: S.int() }),
      },
    },
    (req) =>
      admin.listUsers(req.actor, {
        search: queryText(req, 'search'),
        limit: queryText(req, 'limit'),
        offset: queryText(req, 'offset'),
      }),
  );
  app.post(
    '/api/v1/users',
    {
      schema: {
        summary: 'New-MsolUser',
        tags: ut,
        body: S.obj(
          {
            UserPrincipalName: S.str(),
            DisplayName: S.str(),
            UsageLocation: S.str('two-letter country'),
          },
          ['UserPrincipalName', 'DisplayName'],
        ),
      },
    },
    async (req, reply) => {
      const b = body(req, ['UserPrincipalName', 'DisplayName', 'UsageLocation']);
      return reply.code(201).send(
        await admin.createUser(req.actor, {
          UserPrincipalName: b.UserPrincipalName,
          DisplayName: b.DisplayName,
          UsageLocation: b.UsageLocation,
        }),
      );
    },
  );
  app.get(
    '/api/v1/users/:identity',
    { schema: { summary: 'Get-MsolUser -UserPrincipalName', tags: ut, params } },
    (req) => admin.getUser(req.actor, identity(req)),
  );
  app.patch(
    '/api/v1/users/:identity',
    {
      schema: {
        summary: 'Set-MsolUser',
        tags: ut,
        params,
        body: S.obj({ DisplayName: S.str(), UsageLocation: S.str() }),
      },
    },
    (req) =>
      admin.updateUser(req.actor, identity(req), body(req, ['DisplayName', 'UsageLocation'])),
  );
  app.delete(
    '/api/v1/users/:identity',
    { schema: { summary: 'Remove-MsolUser', tags: ut, params } },
    (req) => admin.removeUser(req.actor, identity(req)),
  );
  app.post(
    '/api/v1/licenses',
    {
      schema: {
        summary:
          'Set-MsolUserLicense: add or remove licenses for one or many users (all or nothing)',
        tags: ut,
        body: S.obj(
          {
            UserPrincipalName: S.strs(),
            AddLicenses: S.strs('e.g. contoso:MCOMEETADV'),
            RemoveLicenses: S.strs(),
          },
          ['UserPrincipalName'],
        ),
      },
    },
    (req) => {
      const b = body(req, ['UserPrincipalName', 'AddLicenses', 'RemoveLicenses']);
      return admin.setLicenses(req.actor, {
        UserPrincipalName: b.UserPrincipalName,
        AddLicenses: b.AddLicenses,
        RemoveLicenses: b.RemoveLicenses,
      });
    },
  );

  const dt = ['dial-in users'];
  app.get(
    '/api/v1/dialin-users',
    {
      schema: {
        summary: 'Get-CsOnlineDialInConferencingUser: users on the built-in bridge',
        tags: dt,
        querystring: S.obj({ search: S.str(), limit: S.int(), offset: S.int() }),
      },
    },
    (req) =>
      admin.listDialInUsers(req.actor, {
        search: queryText(req, 'search'),
        limit: queryText(req, 'limit'),
        offset: queryText(req, 'offset'),
      }),
  );
  app.get(
    '/api/v1/dialin-users/:identity',
    { schema: { summary: 'Get-CsOnlineDialInConferencingUser -Identity', tags: dt, params } },
    (req) => admin.getDialInUser(req.actor, identity(req)),
  );
  app.patch(
    '/api/v1/dialin-users/:identity',
    {
      schema: {
        summary: 'Set-CsOnlineDialInConferencingUser (a reset PIN is in this reply only)',
        tags: dt,
        params,
        body: S.obj({
          ConferenceId: S.str('7 digits, not starting with 0'),
          ResetConferenceId: S.bool(),
          ResetLeaderPin: S.bool(),
          ServiceNumber: S.str(),
          TollFreeServiceNumber: S.str(),
          BridgeId: S.str(),
          BridgeName: S.str(),
          AllowPSTNOnlyMeetings: S.bool(),
          AllowTollFreeDialIn: S.bool(),
          SendEmail: S.bool(),
          SendEmailToAddress: S.str(),
          Force: S.bool(),
        }),
      },
    },
    (req) =>
      admin.setDialInUser(req.actor, {
        ...body(req, SET_DIALIN_USER_FIELDS),
        Identity: identity(req),
      }),
  );
  app.post(
    '/api/v1/dialin-users/:identity/enable',
    {
      schema: {
        summary: 'Enable-CsOnlineDialInConferencingUser (the new PIN is in this reply only)',
        tags: dt,
        params,
        body: S.obj({
          ReplaceProvider: S.bool(),
          SendEmail: S.bool('send the "enabled" email even when automatic emails are off'),
        }),
      },
    },
    (req) => {
      const b = body(req, ['ReplaceProvider', 'SendEmail', 'Force']);
      return admin.enableDialInUser(req.actor, {
        Identity: identity(req),
        ReplaceProvider: b.ReplaceProvider,
        SendEmail: b.SendEmail,
      });
    },
  );
  app.post(
    '/api/v1/dialin-users/:identity/disable',
    {
      schema: {
        summary: 'Disable-CsOnlineDialInConferencingUser',
        tags: dt,
        params,
        body: S.obj({
          SendEmail: S.bool('send the "disabled" email even when automatic emails are off'),
        }),
      },
    },
    (req) => admin.disableDialInUser(req.actor, identity(req), body(req, ['SendEmail', 'Force'])),
  );
  app.post(
    '/api/v1/default-numbers/move',
    {
      schema: {
        summary:
          'Set-CsOnlineDialInConferencingUserDefaultNumber: move every user on FromNumber to ToNumber',
        tags: dt,
        body: S.obj(
          {
            FromNumber: S.str(),
            ToNumber: S.str('a number of NumberType on the users’ bridge'),
            NumberType: S.str('Toll or TollFree'),
            RescheduleMeetings: S.bool('migrate their future meetings now'),
          },
          ['FromNumber', 'ToNumber', 'NumberType'],
        ),
      },
    },
    (req) =>
      admin.moveDefaultNumber(
        req.actor,
        body(req, ['FromNumber', 'ToNumber', 'NumberType', 'RescheduleMeetings']),
      ),
  );
  app.post(
    '/api/v1/dialin-users/:identity/reset-pin',
    { schema: { summary: 'Reset the leader PIN (shown in this reply only)', tags: dt, params } },
    (req) => admin.setDialInUser(req.actor, { Identity: identity(req), ResetLeaderPin: true }),
  );
  app.post(
    '/api/v1/dialin-users/:identity/reset-conference-id',
    {
      schema: {
        summary: 'Reset the conference ID; the old one stops working at once',
        tags: dt,
        params,
      },
    },
    (req) => admin.setDialInUser(req.actor, { Identity: identity(req), ResetConferenceId: true }),
  );

  const at = ['third-party providers'];
  app.get(
    '/api/v1/acp',
    { schema: { summary: 'Get-CsUserAcp: every user with a third-party provider', tags: at } },
    (req) => admin.listAcp(req.actor),
  );
  app.get(
    '/api/v1/users/:identity/acp',
    { schema: { summary: 'Get-CsUserAcp -Identity', tags: at, params } },
    (req) => admin.getAcp(req.actor, identity(req)),
  );
  app.put(
    '/api/v1/users/:identity/acp',
    {
      schema: {
        summary: 'Set-CsUserAcp',
        tags: at,
        params,
        body: S.obj({
          Name: S.str(),
          Domain: S.str(),
          TollNumber: S.str(),
          TollFreeNumbers: S.strs(),
          ParticipantPasscode: S.str(),
          Url: S.str(),
        }),
      },
    },
    (req) =>
      admin.setAcp(req.actor, {
        ...body(req, [
          'Name',
          'Domain',
          'TollNumber',
          'TollFreeNumbers',
          'ParticipantPasscode',
          'Url',
        ]),
        Identity: identity(req),
      }),
  );
  app.delete(
    '/api/v1/users/:identity/acp',
    { schema: { summary: 'Remove-CsUserAcp', tags: at, params } },
    async (req, reply) => {
      await admin.removeAcp(req.actor, identity(req));
      return reply.code(204).send();
    },
  );
}
