import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { openStore } from './store/open.ts';
import { AdminService } from './admin/service.ts';
import { ensureOrganization } from './admin/organizations.ts';
import { authenticate, createToken } from './admin/tokens.ts';
import { createAccount, preparePassword } from './admin/accounts.ts';
import { SessionStore } from './admin/sessions.ts';
import { buildApi } from './api/server.ts';
import {
  createMetrics,
  registerCallMetrics,
  registerConferenceMetrics,
  registerQueueMetrics,
} from './api/metrics.ts';
import { startCallPlane } from './calls/call-plane.ts';
import { answerAsEcho, ECHO_USER } from './calls/echo.ts';
import { MediaClock } from './media/media-clock.ts';
import { EventBus } from './events/bus.ts';
import { MeetingRegistry } from './conference/registry.ts';
import { PromptLibrary } from './prompts/library.ts';
import { PromptOverrides } from './prompts/overrides.ts';
import { MeetingService } from './meetings/service.ts';
import { MigrationWorker } from './meetings/migrations.ts';
import { dialInPagePath } from './api/routes/dialin-page.ts';
import { SpeechRenderer } from './attendant/speech-renderer.ts';
import { CallDirectory } from './attendant/directory.ts';
import { Attendant } from './attendant/attendant.ts';
import { AttemptLimiter, DEFAULT_LIMITS } from './attendant/attempt-limiter.ts';
import { WebhookDispatcher } from './events/webhooks.ts';
import { CallRecorder } from './events/call-records.ts';
import type { CallEngine } from './calls/engine.ts';
import type { Db } from './store/db.ts';
import { MailDelivery, smtpTransport } from './mail/delivery.ts';

import { VERSION } from './version.ts';

/** Where the command line finds the running service and its first token. */
export const SERVICE_FILE = 'service.json';
export const CREDENTIALS_FILE = 'credentials.json';

export interface RunningService {
  url: string;
  db: Db;
  admin: AdminService;
  calls: CallEngine;
  bus: EventBus;
  meetings: MeetingRegistry;
  attendant: Attendant;
  /** Set only on the start that created the organization's first token. */
  firstToken: string | undefined;
  close(): Promise<void>;
}

/**
 * Starts the service: store (migrated), organization, first administrator
 * token, HTTP API. Tests start it in-process; `npm start` runs it from bin/.
 */
export async function startService(
  config: Config,
  log: Logger = createLogger(config.logLevel),
): Promise<RunningService> {
  let ready = false;
  /** Where the service is reached (known once it listens; links in invites use it). */
  let url = '';
  const publicUrl = () => url;
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const { org } = await ensureOrganization(db, config.orgName);
  // Emails: always queued in the outbox; delivered only when an SMTP server is configured.
  const mail = config.smtpUrl
    ? new MailDelivery({
        db,
        log: log.child({ part: 'mail' }),
        transport: smtpTransport(config.smtpUrl),
        defaultFrom: config.mailFrom,
        backoffMs: config.mailRetry.backoffMs,
        maxAttempts: config.mailRetry.maxAttempts,
        leaseMs: config.mailRetry.leaseMs,
      })
    : undefined;
  const migrations = new MigrationWorker({
    db,
    log: log.child({ part: 'meeting-migrations' }),
    quarantineDays: config.quarantineDays,
    ...config.migrationRetry,
  });
  const admin = new AdminService({
    db,
    log,
    quarantineDays: config.quarantineDays,
    // After a change commits: emails go out and meeting migrations start at once.
    committed: () => {
      mail?.kick();
      migrations.kick();
    },
  });
  const metrics = createMetrics();

  let firstToken: string | undefined;
  const tokens = await db.query('select 1 from api_tokens where org_id = $1 limit 1', [org.id]);
  if (!tokens.length) {
    firstToken = (await db.tx((q) => createToken(q, { orgId: org.id, name: 'system' }, 'admin')))
      .token;
  }

  if (config.adminBootstrap) await bootstrapAccount(db, org.id, config.adminBootstrap, log);

  const prompts = new PromptLibrary();
  const promptOverrides = new PromptOverrides(db, prompts);
  await promptOverrides.load();
  const bus = new EventBus();
  const meetings = new MeetingRegistry();
  const webhooks = new WebhookDispatcher({ db, bus, log: log.child({ part: 'webhooks' }) });
  const callRecords = new CallRecorder({ db, bus, log: log.child({ part: 'call-records' }) });
  const api = await buildApi({
    meetings,
    events: { bus, db, webhooks, streams: { heartbeatMs: config.eventsHeartbeatMs } },
    prompts: { overrides: promptOverrides, library: prompts },
    mail: { db, admin, defaultFrom: config.mailFrom, kick: mail && (() => mail.kick()) },
    schedule: new MeetingService(
      {
        db,
        log,
        quarantineDays: config.quarantineDays,
        committed: () => migrations.kick(),
      },
      (orgId) => `${publicUrl()}${dialInPagePath(orgId)}`,
    ),
    admin,
    log,
    metrics,
    version: VERSION,
    isReady: () => ready,
    sessions: {
      store: new SessionStore(db, config.sessionIdleMinutes),
      cookieSecure: config.cookieSecure,
    },
    trustProxy: config.trustProxy,
    authenticate: async (token) => {
      const who = await authenticate(db, token);
      return who && { orgId: who.orgId, name: who.name };
    },
  });
  const mediaClock = new MediaClock();
  const calls = await startCallPlane({
    mediaClock,
    sip: config.sip,
    rtpPorts: config.rtpPorts,
    advertisedAddress: config.publicAddress,
    trusted: config.sipTrusted,
    untrusted: config.sipUntrusted,
    maxCalls: config.maxCalls,
    credentials: config.sipCredentials,
    realm: config.sipRealm,
    log: log.child({ plane: 'call' }),
  });
  const attendant = new Attendant({
    directory: new CallDirectory(db),
    meetings,
    speech: new SpeechRenderer(prompts),
    mediaClock,
    publish: (e) => bus.publish(e),
    log: log.child({ plane: 'attendant' }),
    languages: prompts.languages(),
    limiter: new AttemptLimiter({
      ...DEFAULT_LIMITS,
      perCaller: config.guessLimits.perCaller,
      overall: config.guessLimits.overallPerMinute,
    }),
  });
  calls.on('call', (call) => {
    if (call.dialled === ECHO_USER) answerAsEcho(call);
    else void attendant.handle(call);
  });
  registerCallMetrics(metrics, () => calls.snapshot());
  registerConferenceMetrics(metrics, () => ({
    meetings: meetings.count,
    participants: meetings.participants,
    attendantCalls: attendant.stats.calls,
    lockouts: attendant.stats.lockouts,
  }));
  registerQueueMetrics(metrics, async () =>
    (
      await db.query<{ state: string; n: string | number }>(
        'select state, count(*) as n from webhook_deliveries group by state',
      )
    ).map((r) => ({ state: r.state, n: Number(r.n) })),
  );
  await api.listen({ host: config.http.host, port: config.http.port });
  const addr = api.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  const host =
    config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  writeFileSync(
    join(config.dataDir, SERVICE_FILE),
    JSON.stringify({ url, pid: process.pid }, null, 2),
  );
  if (firstToken) {
    // The store keeps only the token's hash; this file, readable by its owner
    // alone, is how the local command line signs in without being told.
    writeFileSync(
      join(config.dataDir, CREDENTIALS_FILE),
      JSON.stringify({ url, token: firstToken }, null, 2),
      { mode: 0o600 },
    );
  }
  ready = true;
  log.info(
    { url, sip: `${config.sip.host}:${calls.port}`, store: db.kind, organization: org.name },
    'dialbridge ready',
  );

  return {
    url,
    db,
    admin,
    calls,
    bus,
    meetings,
    attendant,
    firstToken,
    async close() {
      ready = false;
      meetings.endAll();
      await api.close();
      await calls.close();
      // After the call plane, so the last calls' records are written.
      await webhooks.close();
      await callRecords.close();
      await mail?.close();
      await migrations.close();
      await db.close();
    },
  };
}

/**
 * DIALBRIDGE_ADMIN_USER/DIALBRIDGE_ADMIN_PASSWORD: the first administrator
 * account, made at start when no account of that name exists (an existing
 * one, and its password, are left alone).
 */
async function bootstrapAccount(
  db: Db,
  orgId: string,
  creds: { username: string; password: string },
  log: Logger,
): Promise<void> {
  const prepared = await preparePassword(creds, {
    username: 'DIALBRIDGE_ADMIN_USER',
    password: 'DIALBRIDGE_ADMIN_PASSWORD',
  });
  const created = await db.tx(async (q) => {
    const [exists] = await q.query('select 1 from admin_accounts where username = $1', [
      prepared.username,
    ]);
    if (exists) return false;
    await createAccount(q, { orgId, name: 'system' }, prepared);
    return true;
  });
  if (created) log.info({ username: prepared.username }, 'administrator account created');
}
