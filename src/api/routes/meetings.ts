import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MeetingService } from '../../meetings/service.ts';
import { ValidationError } from '../../errors.ts';
import { body, queryText, S } from '../http.ts';

const FIELDS = [
  'Organizer',
  'Subject',
  'Start',
  'End',
  'TimeZone',
  'AnnounceEntryExit',
  'AllowPstnOnly',
] as const;
const meetingBody = S.obj({
  Organizer: S.str('the organizer: UPN, SIP address or display name'),
  Subject: S.str(),
  Start: S.str('ISO 8601, e.g. 2026-12-07T15:00:00Z'),
  End: S.str('ISO 8601, after Start, at most 24 h later'),
  TimeZone: S.str('IANA time zone for the invite (default UTC)'),
  AnnounceEntryExit: { type: ['boolean', 'null'], description: 'null: the organization setting' },
  AllowPstnOnly: { type: ['boolean', 'null'], description: "null: the organizer's setting" },
});
const id = (req: FastifyRequest) => (req.params as { identity: string }).identity;

/** Scheduled meetings with their dial-in blocks. */
export function registerMeetingRoutes(app: FastifyInstance, meetings: MeetingService): void {
  const tags = ['meetings'];
  app.get(
    '/api/v1/meetings',
    {
      schema: {
        summary: 'Scheduled meetings, soonest first',
        tags,
        querystring: S.obj({
          organizer: S.str(),
          includeCancelled: S.str('true to include cancelled meetings'),
          limit: S.str('at most 1000, default 100'),
        }),
      },
    },
    (req) => {
      const limit = queryText(req, 'limit');
      if (limit !== undefined && !/^\d+$/.test(limit))
        throw new ValidationError('limit', 'must be a whole number from 1 to 1000', limit);
      return meetings.list(req.actor, {
        organizer: queryText(req, 'organizer'),
        includeCancelled: queryText(req, 'includeCancelled') === 'true',
        limit: limit === undefined ? undefined : Number(limit),
      });
    },
  );
  app.post(
    '/api/v1/meetings',
    { schema: { summary: 'Schedule a meeting', tags, body: meetingBody } },
    async (req, reply) =>
      reply.code(201).send(await meetings.schedule(req.actor, body(req, FIELDS))),
  );
  app.get(
    '/api/v1/meetings/:identity',
    { schema: { summary: 'One meeting with its dial-in block', tags, params: S.identity } },
    (req) => meetings.get(req.actor, id(req)),
  );
  app.post(
    '/api/v1/meeting-migrations',
    {
      schema: {
        summary: "Start-CsExMeetingMigration: bring a user's future meetings up to date now",
        tags,
        body: S.obj(
          {
            Identity: S.str('the user'),
            SourceMeetingType: S.str('All (the only kind here)'),
            TargetMeetingType: S.str('Current (the only kind here)'),
          },
          ['Identity'],
        ),
      },
    },
    async (req, reply) => {
      const b = body(req, ['Identity', 'SourceMeetingType', 'TargetMeetingType']);
      // The hosted service migrates between meeting products; here there is one kind.
      if (b.SourceMeetingType !== undefined && b.SourceMeetingType !== 'All')
        throw new ValidationError('SourceMeetingType', "must be 'All'", b.SourceMeetingType);
      if (b.TargetMeetingType !== undefined && b.TargetMeetingType !== 'Current')
        throw new ValidationError('TargetMeetingType', "must be 'Current'", b.TargetMeetingType);
      return reply.code(201).send(await meetings.startMigration(req.actor, b.Identity));
    },
  );
  app.get(
    '/api/v1/meeting-migrations',
    {
      schema: {
        summary: 'Get-CsMeetingMigrationStatus: migrations, newest first (or counts per state)',
        tags,
        querystring: S.obj({
          identity: S.str(),
          state: S.str('Pending, InProgress, Succeeded or Failed'),
          summaryOnly: S.str('true for counts per state'),
        }),
      },
    },
    (req) =>
      meetings.migrations(req.actor, {
        identity: queryText(req, 'identity'),
        state: queryText(req, 'state'),
        summaryOnly: queryText(req, 'summaryOnly') === 'true',
      }),
  );
  app.get(
    '/api/v1/meetings/:identity/invite.ics',
    {
      schema: {
        summary: 'The meeting invite as iCalendar (text/calendar; a CANCEL once cancelled)',
        tags,
        params: S.identity,
      },
    },
    async (req, reply) =>
      reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="invite.ics"')
        .send(await meetings.invite(req.actor, id(req))),
  );
  app.patch(
    '/api/v1/meetings/:identity',
    {
      schema: {
        summary: 'Change subject, times, time zone or options (the conference ID stays)',
        tags,
        params: S.identity,
        body: meetingBody,
      },
    },
    (req) => meetings.update(req.actor, id(req), body(req, FIELDS)),
  );
  app.delete(
    '/api/v1/meetings/:identity',
    {
      schema: {
        summary: 'Cancel a meeting: its own conference ID stops working at once',
        tags,
        params: S.identity,
      },
    },
    (req) => meetings.cancel(req.actor, id(req)),
  );
}
