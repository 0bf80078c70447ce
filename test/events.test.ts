import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http, { type IncomingHttpHeaders } from 'node:http';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../src/store/db.ts';
import type { Actor } from '../src/admin/context.ts';
import { AdminService } from '../src/admin/service.ts';
import { ensureOrganization } from '../src/admin/organizations.ts';
import { authenticate, createToken } from '../src/admin/tokens.ts';
import { buildApi } from '../src/api/server.ts';
import { createMetrics } from '../src/api/metrics.ts';
import { registerEventRoutes } from '../src/api/routes/events.ts';
import { EventBus } from '../src/events/bus.ts';
import { CallRecorder } from '../src/events/call-records.ts';
import { verifySignature, WebhookDispatcher } from '../src/events/webhooks.ts';
import type { LiveEvent, ParticipantView } from '../src/events/types.ts';
import { freshStore, STORES } from './support/stores.ts';

const log = pino({ level: 'silent' });
const BIN = join(import.meta.dirname, '../bin/dialbridge.js');

async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A webhook receiver: a real HTTP server answering each POST with answer(n) (n counts from 1). */
async function receiver(answer: (n: number) => number | 'hang' = () => 200) {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const a = answer(got.length);
      if (a === 'hang') return;
      res.statusCode = a;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    got,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/dialbridge`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

const participant = (id: string, leader: boolean): ParticipantView => ({
  id,
  caller: '+1425555****',
  named: false,
  leader,
  muted: false,
  handRaised: false,
  inLobby: false,
  talking: false,
  joinedAt: '2025-01-31T09:00:05.000Z',
});

describe.each(STORES)('events, webhooks and call records on %s', (kind) => {
  let db: Db;
  let bus: EventBus;
  let webhooks: WebhookDispatcher;
  let recorder: CallRecorder;
  let app: FastifyInstance;
  let base: string;
  let contoso: Actor;
  let fabrikam: Actor;
  let token: string;
  let fabrikamToken: string;
  let closed = false;

  beforeAll(async () => {
    db = await freshStore(kind);
    const { org } = await ensureOrganization(db, 'contoso');
    contoso = { orgId: org.id, name: 'test' };
    const admin = new AdminService({ db, log, quarantineDays: 90 });
    const other = await admin.createOrganization(contoso, { name: 'fabrikam' });
    fabrikam = { orgId: other.organization.id, name: 'test' };
    fabrikamToken = other.token;
    token = (await db.tx((q) => createToken(q, contoso, 'events'))).token;

    bus = new EventBus();
    // Fast retries so a failed attempt comes back within the test.
    webhooks = new WebhookDispatcher({ db, bus, log, backoffMs: [50], timeoutMs: 2000 });
    recorder = new CallRecorder({ db, bus, log });
    app = await buildApi({
      admin,
      log,
      metrics: createMetrics(),
      version: 'test',
      isReady: () => true,
      authenticate: async (t) => {
        const who = await authenticate(db, t);
        return who && { orgId: who.orgId, name: who.name };
      },
    });
    registerEventRoutes(app, { bus, db, webhooks, streams: { heartbeatMs: 100 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (!closed) await app?.close();
    await webhooks?.close();
    await recorder?.close();
    await db?.close();
  });
  afterEach(async () => {
    await db.query('delete from webhooks');
  });

  async function api(method: string, path: string, body?: unknown, tok = token) {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${tok}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  const callStarted = (
    callId: string,
    orgId: string | undefined = contoso.orgId,
  ): Extract<LiveEvent, { type: 'call.started' }> => ({
    type: 'call.started',
    orgId,
    callId,
    dialled: '+14255550100',
    caller: '+1425555****',
  });

  /** A store, organization and bus of its own: no other dispatcher can pick its deliveries up. */
  async function ownStore() {
    const own = await freshStore(kind);
    const { org } = await ensureOrganization(own, 'contoso');
    return { db: own, bus: new EventBus(), actor: { orgId: org.id, name: 'test' } as Actor };
  }

  async function deliveries(hookId: string) {
    const r = await api('GET', `/api/v1/webhooks/${hookId}/deliveries`);
    expect(r.status).toBe(200);
    return r.json as any[];
  }

  it('adds a webhook (secret shown once) and delivers matching events, signed, to a real receiver', async () => {
    const rx = await receiver();
    try {
      const created = await api('POST', '/api/v1/webhooks', {
        url: rx.url,
        events: ['call.started'],
      });
      expect(created.status).toBe(201);
      const secret = created.json.secret as string;
      expect(secret).toMatch(/^whsec_/);
      expect(created.json).toMatchObject({ url: rx.url, events: ['call.started'], enabled: true });
      const list = await api('GET', '/api/v1/webhooks');
      expect(list.json).toHaveLength(1);
      expect(JSON.stringify(list.json)).not.toContain(secret);
      expect((await api('GET', '/api/v1/webhooks', undefined, fabrikamToken)).json).toEqual([]);

      bus.publish(callStarted('call-other-org', fabrikam.orgId));
      bus.publish({ ...callStarted('call-no-org'), orgId: undefined });
      const published = bus.publish(callStarted('call-1'));
      bus.publish({
        type: 'call.ended',
        orgId: contoso.orgId,
        callId: 'call-1',
        reason: 'hangup',
        durationMs: 1000,
        meetingId: undefined,
      });
      await until('the delivery', () => rx.got.length === 1);
      const [req] = rx.got;
      expect(req!.headers['content-type']).toBe('application/json');
      expect(req!.headers['dialbridge-event']).toBe('call.started');
      const header = req!.headers['dialbridge-signature'] as string;
      expect(verifySignature(secret, req!.body, header)).toBe(true);
      // The scheme as the README tells receivers to check it.
      const t = /t=(\d+)/.exec(header)![1]!;
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(10);
      const mac = createHmac('sha256', secret).update(`${t}.${req!.body}`).digest('hex');
      expect(header).toBe(`t=${t},v1=${mac}`);
      const body = JSON.parse(req!.body);
      expect(Object.keys(body).slice(0, 3)).toEqual(['seq', 'at', 'type']);
      expect(body).toMatchObject({
        seq: published.seq,
        at: published.at,
        type: 'call.started',
        callId: 'call-1',
        orgId: contoso.orgId,
      });

      await until('the delivery recorded', async () => {
        const ds = await deliveries(created.json.id);
        return ds.length === 1 && ds[0].state === 'delivered';
      });
      const [d, ...more] = await deliveries(created.json.id);
      expect(more).toEqual([]);
      expect(d).toMatchObject({
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        eventSeq: published.seq,
      });
      expect(req!.headers['dialbridge-delivery']).toBe(d.id);
      expect(JSON.stringify(await db.query('select * from webhook_deliveries'))).not.toContain(
        secret,
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(rx.got).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it('retries a receiver that answers 500, then records the delivery as delivered', async () => {
    const rx = await receiver((n) => (n === 1 ? 500 : 200));
    try {
      const hook = (await api('POST', '/api/v1/webhooks', { url: rx.url })).json;
      bus.publish(callStarted('call-2'));
      await until('two attempts', () => rx.got.length === 2);
      expect(rx.got[0]!.headers['dialbridge-delivery']).toBe(
        rx.got[1]!.headers['dialbridge-delivery'],
      );
      expect(rx.got[0]!.body).toBe(rx.got[1]!.body);
      for (const r of rx.got) {
        expect(
          verifySignature(hook.secret, r.body, r.headers['dialbridge-signature'] as string),
        ).toBe(true);
      }
      await until('delivered', async () => (await deliveries(hook.id))[0]?.state === 'delivered');
      expect((await deliveries(hook.id))[0]).toMatchObject({
        attempts: 2,
        lastStatus: 200,
        lastError: null,
        nextAttemptAt: null,
      });
    } finally {
      await rx.close();
    }
  });

  it('gives up after the last attempt, with the last status and error', async () => {
    const own = await ownStore();
    const rx = await receiver(() => 503);
    const fail = new WebhookDispatcher({ ...own, log, backoffMs: [10], maxAttempts: 3 });
    try {
      const hook = await fail.create(own.actor, { url: rx.url });
      own.bus.publish(callStarted('call-3', own.actor.orgId));
      const state = async () => (await fail.deliveries(own.actor.orgId, hook.id, 10))[0];
      await until('failed', async () => (await state())?.state === 'failed');
      expect(rx.got).toHaveLength(3);
      expect(await state()).toMatchObject({
        attempts: 3,
        lastStatus: 503,
        lastError: 'HTTP 503',
        nextAttemptAt: null,
      });
    } finally {
      await fail.close();
      await rx.close();
      await own.db.close();
    }
  });

  it('resumes a pending delivery after a restart over the same store', async () => {
    const { db: store, bus: ownBus, actor } = await ownStore();
    let hang = true;
    const rx = await receiver(() => (hang ? 'hang' : 200));
    try {
      const first = new WebhookDispatcher({ db: store, bus: ownBus, log, backoffMs: [300] });
      const hook = await first.create(actor, { url: rx.url });
      ownBus.publish(callStarted('call-4', actor.orgId));
      await until('the first attempt', () => rx.got.length === 1);
      // Stopping cuts the attempt short and records it as a failed try.
      await first.close();
      const [row] = await store.query<any>('select * from webhook_deliveries');
      expect(row).toMatchObject({ state: 'pending', attempts: 1, last_status: null });
      expect(row.last_error).toMatch(/stopped/);
      await new Promise((r) => setTimeout(r, 400));
      expect(rx.got).toHaveLength(1);

      hang = false;
      const second = new WebhookDispatcher({ db: store, bus: ownBus, log, backoffMs: [300] });
      try {
        await until('the retry', () => rx.got.length === 2);
        expect(rx.got[1]!.headers['dialbridge-delivery']).toBe(row.id);
        expect(
          verifySignature(
            hook.secret,
            rx.got[1]!.body,
            rx.got[1]!.headers['dialbridge-signature'] as string,
          ),
        ).toBe(true);
        await until('delivered', async () => {
          const [r] = await store.query<any>('select state from webhook_deliveries');
          return r.state === 'delivered';
        });
      } finally {
        await second.close();
      }
    } finally {
      await rx.close();
      await store.close();
    }
  });

  it('keeps a call detail record from call.started, participant.joined and call.ended', async () => {
    bus.publish({ ...callStarted('cdr-1'), orgId: undefined });
    bus.publish({
      type: 'meeting.started',
      orgId: contoso.orgId,
      meeting: {
        id: 'meeting-1',
        orgId: contoso.orgId,
        organizerId: 'user-amos',
        organizerName: 'Amos Marble',
        idKind: 'static',
        started: true,
        locked: false,
        announcements: true,
        startedAt: '2025-01-31T09:00:04.000Z',
        participants: [],
      },
    });
    bus.publish({
      type: 'participant.joined',
      orgId: contoso.orgId,
      meetingId: 'meeting-1',
      participant: participant('cdr-1', true),
    });
    bus.publish({
      type: 'call.ended',
      orgId: contoso.orgId,
      callId: 'cdr-1',
      reason: 'caller hung up',
      durationMs: 65_432,
      meetingId: 'meeting-1',
    });
    // A call that never reached an organization: recorded, shown to no organization.
    bus.publish({ ...callStarted('cdr-2'), orgId: undefined });
    bus.publish({
      type: 'call.ended',
      orgId: undefined,
      callId: 'cdr-2',
      reason: 'wrong conference ID',
      durationMs: 20_000,
      meetingId: undefined,
    });
    await recorder.flush();

    const list = await api('GET', '/api/v1/call-records');
    expect(list.status).toBe(200);
    const cdr = list.json.find((r: { callId: string }) => r.callId === 'cdr-1');
    expect(cdr).toMatchObject({
      dialled: '+14255550100',
      caller: '+1425555****',
      durationMs: 65_432,
      endReason: 'caller hung up',
      meetingId: 'meeting-1',
      organizerId: 'user-amos',
      role: 'leader',
      joinedAt: '2025-01-31T09:00:05.000Z',
    });
    expect(Date.parse(cdr.endedAt)).toBeGreaterThanOrEqual(Date.parse(cdr.startedAt));
    expect(list.json.map((r: { callId: string }) => r.callId)).not.toContain('cdr-2');
    const [orphan] = await db.query<any>('select * from call_records where call_id = $1', [
      'cdr-2',
    ]);
    expect(orphan).toMatchObject({ org_id: null, end_reason: 'wrong conference ID' });

    const other = await api('GET', '/api/v1/call-records', undefined, fabrikamToken);
    expect(other.json.map((r: { callId: string }) => r.callId)).not.toContain('cdr-1');
    const future = await api('GET', '/api/v1/call-records?from=2999-01-01');
    expect(future.json).toEqual([]);
    const window = await api(
      'GET',
      `/api/v1/call-records?from=${encodeURIComponent(cdr.startedAt)}&to=2999-01-01&limit=1000`,
    );
    expect(window.json.map((r: { callId: string }) => r.callId)).toContain('cdr-1');
    // Newest first.
    const started = (await api('GET', '/api/v1/call-records')).json.map(
      (r: { startedAt: string }) => r.startedAt,
    );
    expect([...started].sort().reverse()).toEqual(started);
  });

  /** An authenticated client reading the event stream over real HTTP. */
  async function openStream(query = '', headers: Record<string, string> = {}, tok = token) {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events${query}`, {
      headers: { authorization: `Bearer ${tok}`, ...headers },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: { id: string; event: string; data: any }[] = [];
    let text = '';
    let ended = false;
    let heartbeats = 0;
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
          let i: number;
          while ((i = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, i);
            text = text.slice(i + 2);
            const fields: Record<string, string> = Object.fromEntries(
              block
                .split('\n')
                .filter((l) => !l.startsWith(':'))
                .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
            );
            if (fields.data)
              events.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data) });
            else if (block.startsWith(': heartbeat')) heartbeats++;
          }
        }
      } catch {
        /* aborted */
      }
      ended = true;
    })();
    return {
      events,
      heartbeats: () => heartbeats,
      ended: () => ended,
      close: () => abort.abort(),
    };
  }

  it('ends a stream at the next heartbeat once its token is revoked', async () => {
    const { token: short, view } = await db.tx((q) => createToken(q, contoso, 'short-lived'));
    const listeners = bus.listenerCount('event');
    const s = await openStream('', {}, short);
    await until('a heartbeat', () => s.heartbeats() > 0);
    expect(s.ended()).toBe(false);
    const revoked = await api('DELETE', `/api/v1/tokens/${view.id}`);
    expect(revoked.status).toBeLessThan(300);
    await until('the stream ended', () => s.ended());
    await until('the stream let go', () => bus.listenerCount('event') === listeners);
  });

  it('streams this organization’s events as server-sent events, and resumes from Last-Event-ID', async () => {
    const listeners = bus.listenerCount('event');
    const s = await openStream();
    expect(bus.listenerCount('event')).toBe(listeners + 1);
    const a = bus.publish(callStarted('sse-1'));
    bus.publish(callStarted('sse-other', fabrikam.orgId));
    bus.publish({ ...callStarted('sse-no-org'), orgId: undefined });
    const b = bus.publish({
      type: 'participant.left',
      orgId: contoso.orgId,
      meetingId: 'meeting-1',
      participantId: 'sse-1',
      reason: 'removed',
    });
    await until('two events', () => s.events.length >= 2);
    await until('a heartbeat', () => s.heartbeats() > 0);
    expect(s.events).toEqual([
      { id: String(a.seq), event: 'call.started', data: a },
      { id: String(b.seq), event: 'participant.left', data: b },
    ]);
    s.close();
    await until('the stream let go', () => bus.listenerCount('event') === listeners);

    // Missed while away: replayed after the last id received, then live ones follow.
    const c = bus.publish(callStarted('sse-2'));
    const resumed = await openStream('', { 'last-event-id': String(a.seq) });
    const d = bus.publish(callStarted('sse-3'));
    await until('three events', () => resumed.events.length >= 3);
    expect(resumed.events.map((e) => e.data.seq)).toEqual([b.seq, c.seq, d.seq]);
    resumed.close();

    const filtered = await openStream('?types=participant.left,call.ended', {
      'last-event-id': String(a.seq - 1),
    });
    await until('one event', () => filtered.events.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(filtered.events.map((e) => e.data.seq)).toEqual([b.seq]);
    filtered.close();
  });

  it('refuses every route without a token', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/events'],
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks'],
      ['DELETE', '/api/v1/webhooks/x'],
      ['GET', '/api/v1/webhooks/x/deliveries'],
      ['GET', '/api/v1/call-records'],
    ] as const) {
      const res = await fetch(base + path, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
  });

  it('answers bad input with 400 naming the field, and unknown webhooks with 404', async () => {
    const cases: [string, string, unknown, Record<string, string>, string][] = [
      ['POST', '/api/v1/webhooks', { url: 'ftp://example.com/x' }, {}, 'url'],
      ['POST', '/api/v1/webhooks', { url: 'not a url' }, {}, 'url'],
      ['POST', '/api/v1/webhooks', {}, {}, 'url'],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'https://example.com/', events: ['call.exploded'] },
        {},
        'events',
      ],
      [
        'POST',
        '/api/v1/webhooks',
        { url: 'https://example.com/', events: 'call.started' },
        {},
        'events',
      ],
      ['POST', '/api/v1/webhooks', { url: 'https://example.com/', secret: 'mine' }, {}, 'secret'],
      ['GET', '/api/v1/events?types=call.started,bogus', undefined, {}, 'types'],
      ['GET', '/api/v1/events', undefined, { 'last-event-id': 'yesterday' }, 'Last-Event-ID'],
      ['GET', '/api/v1/call-records?from=last%20week', undefined, {}, 'from'],
      ['GET', '/api/v1/call-records?from=2025-02-01&to=2025-01-01', undefined, {}, 'to'],
      ['GET', '/api/v1/call-records?limit=0', undefined, {}, 'limit'],
    ];
    for (const [method, path, body, headers, field] of cases) {
      const res = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as {
        error: { code: string; field: string; message: string };
      };
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(json.error).toMatchObject({ code: 'validation', field });
      expect(json.error.message).toContain(field);
    }
    expect((await api('GET', '/api/v1/webhooks')).json).toEqual([]);

    const hook = (await api('POST', '/api/v1/webhooks', { url: 'https://example.com/hook' })).json;
    for (const [method, path] of [
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
    ] as const) {
      const other = await api(method, path, undefined, fabrikamToken);
      expect(other.status).toBe(404);
      expect(other.json.error.field).toBe('id');
    }
    const removed = await api('DELETE', `/api/v1/webhooks/${hook.id}`);
    expect(removed.status).toBe(200);
    expect(removed.json.secret).toBeUndefined();
    expect((await api('DELETE', `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    const audit = await db.query<any>("select action from audit_log where action like 'webhook.%'");
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['webhook.create', 'webhook.remove']),
    );
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await api('GET', '/openapi.json')).json as { paths: Record<string, any> };
    for (const path of [
      '/api/v1/events',
      '/api/v1/webhooks',
      '/api/v1/webhooks/{id}',
      '/api/v1/webhooks/{id}/deliveries',
      '/api/v1/call-records',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
      for (const op of Object.values<any>(doc.paths[path])) expect(op.tags).toEqual(['events']);
    }
  });

  /** The real `dialbridge` command against this test's server. */
  function cli(args: string[]) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { PATH: process.env.PATH, DIALBRIDGE_URL: base, DIALBRIDGE_TOKEN: token } },
        (err, stdout, stderr) =>
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
            stdout,
            stderr,
          }),
      );
    });
  }

  it('dialbridge webhooks add|list|deliveries|remove, calls and events', async () => {
    const rx = await receiver();
    try {
      const added = await cli(['--json', 'webhooks', 'add', rx.url, '--events', 'call.started']);
      expect(added.code, added.stderr).toBe(0);
      const hook = JSON.parse(added.stdout);
      expect(hook).toMatchObject({ url: rx.url, events: ['call.started'] });
      expect(hook.secret).toMatch(/^whsec_/);
      const listed = await cli(['webhooks', 'list']);
      expect(listed.stdout).toContain(hook.id);
      expect(listed.stdout).not.toContain(hook.secret);

      const bad = await cli(['webhooks', 'add', 'ftp://example.com/']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/url must be an http/);

      bus.publish(callStarted('cli-1'));
      await until('the delivery', () => rx.got.length === 1);
      await until('delivered', async () => {
        const r = await cli(['--json', 'webhooks', 'deliveries', hook.id]);
        return JSON.parse(r.stdout)[0]?.state === 'delivered';
      });

      const calls = await cli(['--json', 'calls', '--limit', '5']);
      expect(calls.code, calls.stderr).toBe(0);
      expect(JSON.parse(calls.stdout).length).toBeLessThanOrEqual(5);

      const removed = await cli(['webhooks', 'remove', hook.id]);
      expect(removed.code, removed.stderr).toBe(0);
      expect((await cli(['webhooks', 'remove', hook.id])).code).toBe(1);
    } finally {
      await rx.close();
    }

    const listeners = bus.listenerCount('event');
    const child = spawn(process.execPath, [BIN, 'events', '--types', 'call.ended'], {
      env: { PATH: process.env.PATH, DIALBRIDGE_URL: base, DIALBRIDGE_TOKEN: token },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await until('the CLI connected', () => bus.listenerCount('event') > listeners, 15_000);
      bus.publish(callStarted('cli-2'));
      const ended = bus.publish({
        type: 'call.ended',
        orgId: contoso.orgId,
        callId: 'cli-2',
        reason: 'hangup',
        durationMs: 10,
        meetingId: undefined,
      });
      await until('a line', () => out.includes('\n'));
      expect(
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([ended]);
    } finally {
      child.kill('SIGINT');
    }
  });

  it('ends open streams when the server closes', async () => {
    const s = await openStream();
    closed = true;
    await app.close();
    await until('the stream ended', () => s.ended());
  });
});
