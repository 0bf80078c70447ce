import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MeetingRegistry } from '../../conference/registry.ts';
import { ValidationError } from '../../errors.ts';
import { body, S } from '../http.ts';

const p = (req: FastifyRequest) => req.params as { meeting: string; participant?: string };
const meetingParams = S.obj({ meeting: S.str('live meeting id') }, ['meeting']);
const participantParams = S.obj(
  { meeting: S.str('live meeting id'), participant: S.str('participant (call) id') },
  ['meeting', 'participant'],
);

function flag(b: Record<string, unknown>, name: string): boolean {
  const v = b[name];
  if (typeof v !== 'boolean') throw new ValidationError(name, 'must be true or false', v);
  return v;
}

/**
 * Live control (calls.md, "Live control and events"): the meetings running
 * now with their participants (numbers masked), and admit, mute, remove,
 * lock and end. Organization-scoped: another organization's meeting is not found.
 */
export function registerLiveRoutes(app: FastifyInstance, meetings: MeetingRegistry): void {
  const tags = ['live meetings'];
  app.get(
    '/api/v1/live/meetings',
    { schema: { summary: 'Live meetings and their participants', tags } },
    (req) => meetings.list(req.actor.orgId),
  );
  app.get(
    '/api/v1/live/meetings/:meeting',
    { schema: { summary: 'One live meeting', tags, params: meetingParams } },
    (req) => meetings.view(req.actor.orgId, p(req).meeting),
  );
  app.post(
    '/api/v1/live/meetings/:meeting/admit',
    {
      schema: {
        summary: 'Admit the lobby (or one participant): starts the meeting as the leader would',
        tags,
        params: meetingParams,
        body: S.obj({ ParticipantId: S.str('admit only this caller') }),
      },
    },
    (req) => {
      const b = req.body === undefined ? {} : body(req, ['ParticipantId']);
      const one = b.ParticipantId;
      if (one !== undefined && typeof one !== 'string')
        throw new ValidationError('ParticipantId', 'must be a participant id', one);
      return meetings.admit(req.actor.orgId, p(req).meeting, one);
    },
  );
  app.post(
    '/api/v1/live/meetings/:meeting/lock',
    {
      schema: {
        summary: 'Lock (new callers are turned away) or unlock',
        tags,
        params: meetingParams,
        body: S.obj({ Locked: S.bool() }, ['Locked']),
      },
    },
    (req) => meetings.lock(req.actor.orgId, p(req).meeting, flag(body(req, ['Locked']), 'Locked')),
  );
  app.delete(
    '/api/v1/live/meetings/:meeting',
    { schema: { summary: 'End the meeting for everyone', tags, params: meetingParams } },
    async (req, reply) => {
      meetings.end(req.actor.orgId, p(req).meeting);
      return reply.code(204).send();
    },
  );
  app.post(
    '/api/v1/live/meetings/:meeting/participants/:participant/mute',
    {
      schema: {
        summary: 'Mute or unmute a participant',
        tags,
        params: participantParams,
        body: S.obj({ Muted: S.bool() }, ['Muted']),
      },
    },
    (req) =>
      meetings.mute(
        req.actor.orgId,
        p(req).meeting,
        p(req).participant!,
        flag(body(req, ['Muted']), 'Muted'),
      ),
  );
  app.delete(
    '/api/v1/live/meetings/:meeting/participants/:participant',
    {
      schema: { summary: 'Remove a participant from the meeting', tags, params: participantParams },
    },
    (req) => meetings.remove(req.actor.orgId, p(req).meeting, p(req).participant!),
  );
}
