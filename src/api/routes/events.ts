import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../store/db.ts';
import type { EventBus } from '../../events/bus.ts';
import { LIVE_EVENT_TYPES } from '../../events/types.ts';
import { EventStreams, type EventStreamOptions } from '../../events/sse.ts';
import { checkEventTypes, type WebhookDispatcher } from '../../events/webhooks.ts';
import { listCallRecords } from '../../events/call-records.ts';
import { ValidationError } from '../../errors.ts';
import { body, queryText, S } from '../http.ts';

export interface EventRouteDeps {
  bus: EventBus;
  db: Db;
  webhooks: WebhookDispatcher;
  /** Stream tuning, for tests. */
  streams?: EventStreamOptions;
}

// --- query-string rules: text in, checked values out, refusals name the field

function limitOf(req: FastifyRequest): number {
  const raw = queryText(req, 'limit');
  const n = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new ValidationError('limit', 'must be a whole number from 1 to 1000', raw);
  }
  return n;
}

function instantOf(req: FastifyRequest, field: 'from' | 'to'): Date | undefined {
  const raw = queryText(req, field);
  if (raw === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(t)) {
    throw new ValidationError(
      field,
      'must be an ISO 8601 date or date and time, e.g. 2025-01-31 or 2025-01-31T09:00:00Z',
      raw,
    );
  }
  return new Date(t);
}

function lastEventIdOf(req: FastifyRequest): number | undefined {
  const raw = req.headers['last-event-id'];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new ValidationError(
      'Last-Event-ID',
      'must be the whole-number id of the last event received',
      raw,
    );
  }
  return Number(raw);
}

const id = (req: FastifyRequest) => (req.params as { id: string }).id;

/** The live event stream, webhooks and call detail records; all scoped to the caller's organization. */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  const tags = ['events'];
  const streams = new EventStreams(deps.bus, deps.streams);
  // Open streams would keep the server from closing.
  app.addHook('preClose', async () => streams.close());

  app.get(
    '/api/v1/events',
    {
      schema: {
        summary: 'Live events as a server-sent event stream (text/event-stream)',
        description:
          'Each event has "id: <seq>", "event: <type>" and "data: <JSON>"; a comment every 15 s keeps the stream alive. ' +
          'Send Last-Event-ID to resume after the last event received (from a short history). ' +
          `Types: ${LIVE_EVENT_TYPES.join(', ')}.`,
        tags,
        querystring: S.obj({ types: S.str('comma-separated event types; default all') }),
        headers: S.obj({ 'last-event-id': S.str('resume after this event id') }),
      },
    },
    async (req, reply) => {
      const types = queryText(req, 'types');
      const filter = types
        ? new Set(
            checkEventTypes(
              'types',
              types.split(',').map((t) => t.trim()),
            ),
          )
        : undefined;
      streams.serve(reply, {
        orgId: req.actor.orgId,
        types: filter,
        lastEventId: lastEventIdOf(req),
        stillAuthorized: req.stillAuthorized,
      });
    },
  );

  app.get(
    '/api/v1/webhooks',
    { schema: { summary: 'List webhooks (never their secrets)', tags } },
    async (req) => deps.webhooks.list(req.actor.orgId),
  );
  app.post(
    '/api/v1/webhooks',
    {
      schema: {
        summary: 'Add a webhook; its signing secret is in this reply only',
        description:
          'Each delivery is a POST of the event as JSON, signed in the Dialbridge-Signature header: ' +
          't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>. ' +
          'Non-2xx answers are retried with growing waits (5 s, 30 s, 2 min, 10 min, then hourly), 8 attempts in all.',
        tags,
        body: S.obj(
          {
            url: S.str('http:// or https:// address receiving the POSTs'),
            events: {
              ...S.strs('event types to send; default all'),
              items: { type: 'string', enum: LIVE_EVENT_TYPES },
            },
          },
          ['url'],
        ),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await deps.webhooks.create(req.actor, body(req, ['url', 'events']))),
  );
  app.delete(
    '/api/v1/webhooks/:id',
    {
      schema: {
        summary: 'Remove a webhook and its delivery history',
        tags,
        params: S.obj({ id: S.str() }, ['id']),
      },
    },
    async (req) => deps.webhooks.remove(req.actor, id(req)),
  );
  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      schema: {
        summary: "A webhook's deliveries, newest first: state, attempts, last status and error",
        tags,
        params: S.obj({ id: S.str() }, ['id']),
        querystring: S.obj({ limit: S.int('1 to 1000, default 100') }),
      },
    },
    async (req) => deps.webhooks.deliveries(req.actor.orgId, id(req), limitOf(req)),
  );

  app.get(
    '/api/v1/call-records',
    {
      schema: {
        summary: 'Call detail records, newest first',
        tags,
        querystring: S.obj({
          from: S.str('calls started at or after this time (ISO 8601)'),
          to: S.str('calls started before this time (ISO 8601)'),
          limit: S.int('1 to 1000, default 100'),
        }),
      },
    },
    async (req) => {
      const from = instantOf(req, 'from');
      const to = instantOf(req, 'to');
      if (from && to && to < from) {
        throw new ValidationError('to', 'must not be before from', queryText(req, 'to'));
      }
      return listCallRecords(deps.db, req.actor.orgId, { from, to, limit: limitOf(req) });
    },
  );
}
