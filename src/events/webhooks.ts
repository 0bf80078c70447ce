import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import type { Actor } from '../admin/context.ts';
import { audit } from '../admin/audit.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { realClock, type Clock, type Timer } from '../sip/clock.ts';
import { VERSION } from '../version.ts';
import type { EventBus } from './bus.ts';
import { LIVE_EVENT_TYPES, type Delivered, type LiveEventType } from './types.ts';

/**
 * Signed webhooks. Every event of an organization becomes one delivery row
 * per matching webhook (a durable outbox: the row exists before the first
 * attempt, so a restart resumes where it stopped), and a worker POSTs it:
 *
 *   Content-Type: application/json
 *   Dialbridge-Event: participant.joined
 *   Dialbridge-Delivery: <delivery id, the same on every retry: receivers dedupe on it>
 *   Dialbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>
 *
 * A 2xx answer is delivered; anything else (3xx included: redirects are not
 * followed, so a signed body never goes where the administrator did not say)
 * is retried after WEBHOOK_BACKOFF_MS, up to WEBHOOK_MAX_ATTEMPTS attempts in
 * all, then the delivery is 'failed'. Delivery is at least once.
 */

/** Waits after the 1st, 2nd, … failed attempt; the last one repeats. */
export const WEBHOOK_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000] as const;
export const WEBHOOK_MAX_ATTEMPTS = 8;
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Attempts running at once, over all webhooks: a slow receiver does not hold up the others. */
const MAX_IN_FLIGHT = 16;
/** How long a claimed delivery is hidden from other workers beyond the attempt's timeout. */
const LEASE_MARGIN_MS = 30_000;
/** A signature older than this is refused by verifySignature (replayed requests). */
export const SIGNATURE_TOLERANCE_S = 300;

const SECRET_PREFIX = 'whsec_';

// ---------------------------------------------------------------------------
// Pure rules

/** The wait before the next attempt, after `failures` failed attempts (1 or more). */
export function retryDelay(failures: number, backoff: readonly number[] = WEBHOOK_BACKOFF_MS) {
  return backoff[Math.min(Math.max(failures, 1), backoff.length) - 1]!;
}

/** The Dialbridge-Signature header for `body` sent at unix time `t` (seconds). */
export function signature(secret: string, body: string, t: number): string {
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

/**
 * What a receiver does with a delivery: true when `header` signs `body` (the
 * raw request body, before any JSON parsing) with `secret` and is recent.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = SIGNATURE_TOLERANCE_S,
): boolean {
  if (!header) return false;
  let t: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && v) macs.push(v);
  }
  if (t === undefined || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, body, t).split('v1=')[1]!, 'hex');
  return macs.some((m) => {
    const given = Buffer.from(m, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The request body: the event with seq, at and type first, then its own fields. */
export function deliveryBody(event: Record<string, unknown>): string {
  const { seq, at, type, ...rest } = event;
  return JSON.stringify({ seq, at, type, ...rest });
}

/** A webhook's address: http or https only, no credentials in it (the signature authenticates). */
export function checkWebhookUrl(value: unknown): string {
  const rule = 'must be an http:// or https:// URL of at most 2048 characters';
  if (typeof value !== 'string' || value.length > 2048)
    throw new ValidationError('url', rule, value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('url', rule, value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError('url', rule, value);
  }
  if (url.username || url.password) {
    // Not echoed: the value holds a password.
    throw new ValidationError(
      'url',
      'must not carry a user name or password (deliveries are signed; check the signature instead)',
    );
  }
  return value;
}

/** A list of event types (for a webhook or a stream filter); missing means every type. */
export function checkEventTypes(field: string, value: unknown): LiveEventType[] {
  if (value === undefined || value === null) return [];
  const rule = `must be a list of event types from ${LIVE_EVENT_TYPES.join(', ')}`;
  if (!Array.isArray(value)) throw new ValidationError(field, rule, value);
  for (const v of value) {
    if (typeof v !== 'string' || !LIVE_EVENT_TYPES.includes(v as LiveEventType)) {
      throw new ValidationError(field, rule, v);
    }
  }
  return [...new Set(value as LiveEventType[])];
}

// ---------------------------------------------------------------------------
// The registry and the worker

export interface WebhookView {
  id: string;
  url: string;
  /** Event types it receives; empty = all. */
  events: LiveEventType[];
  enabled: boolean;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  eventSeq: number;
  eventType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
}

interface WebhookRow {
  id: string;
  url: string;
  events: LiveEventType[];
  enabled: boolean;
  created_at: string | Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_seq: number | string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  next_attempt_at: string | Date;
  state: DeliveryView['state'];
  last_status: number | null;
  last_error: string | null;
  created_at: string | Date;
  delivered_at: string | Date | null;
}

/** A delivery claimed for an attempt, with what it takes to make it. */
interface Claimed {
  id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  url: string;
  secret: string;
  webhook_id: string;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
const WEBHOOK_COLUMNS = 'id, url, events, enabled, created_at';
const webhookView = (r: WebhookRow): WebhookView => ({
  id: r.id,
  url: r.url,
  events: r.events,
  enabled: r.enabled,
  createdAt: iso(r.created_at)!,
});
const deliveryView = (r: DeliveryRow): DeliveryView => ({
  id: r.id,
  webhookId: r.webhook_id,
  eventSeq: Number(r.event_seq),
  eventType: r.event_type,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: iso(r.created_at)!,
  deliveredAt: iso(r.delivered_at),
  payload: r.payload,
});

/** What went wrong with a request, short and without the request itself. */
function failure(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } } | undefined;
  return String(e?.cause?.message ?? e?.message ?? err).slice(0, 500);
}

export interface WebhookDispatcherOptions {
  db: Db;
  bus: EventBus;
  log: Logger;
  /** Node's global fetch unless a test gives another. */
  fetch?: typeof globalThis.fetch;
  /** Wall-clock time: signatures and the outbox's due times. */
  now?: () => Date;
  /** Timers (the attempt timeout and the worker's wake-ups). */
  clock?: Clock;
  backoffMs?: readonly number[];
  maxAttempts?: number;
  timeoutMs?: number;
  /** Longest sleep between looks at the outbox (catches leases that expired, other nodes' rows). */
  maxIdleMs?: number;
}

/**
 * Webhook registry (per organization) and delivery worker. Constructing it
 * subscribes to the bus and resumes pending deliveries; close() stops it.
 */
export class WebhookDispatcher {
  private readonly db: Db;
  private readonly bus: EventBus;
  private readonly log: Logger;
  private readonly fetch: typeof globalThis.fetch;
  private readonly now: () => Date;
  private readonly clock: Clock;
  private readonly backoff: readonly number[];
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxIdleMs: number;

  private closed = false;
  /** Outbox writes, in event order. */
  private writes: Promise<void> = Promise.resolve();
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private wake: Timer | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();

  constructor(opts: WebhookDispatcherOptions) {
    this.db = opts.db;
    this.bus = opts.bus;
    this.log = opts.log;
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.now = opts.now ?? (() => new Date());
    this.clock = opts.clock ?? realClock;
    this.backoff = opts.backoffMs ?? WEBHOOK_BACKOFF_MS;
    this.maxAttempts = opts.maxAttempts ?? WEBHOOK_MAX_ATTEMPTS;
    this.timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.maxIdleMs = opts.maxIdleMs ?? 60_000;
    this.bus.on('event', this.onEvent);
    // Deliveries a previous run left pending are due now or soon.
    this.kick();
  }

  // --- registry --------------------------------------------------------------

  async list(orgId: string): Promise<WebhookView[]> {
    const rows = await this.db.query<WebhookRow>(
      `select ${WEBHOOK_COLUMNS} from webhooks where org_id = $1 order by created_at, id`,
      [orgId],
    );
    return rows.map(webhookView);
  }

  /** Adds a webhook; its signing secret is in this reply only. */
  async create(
    actor: Actor,
    input: Record<string, unknown>,
  ): Promise<WebhookView & { secret: string }> {
    const url = checkWebhookUrl(input.url);
    const events = checkEventTypes('events', input.events);
    const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.db.tx(async (q) => {
      const [row] = await q.query<WebhookRow>(
        `insert into webhooks (id, org_id, url, secret, events)
         values (gen_random_uuid()::text, $1, $2, $3, $4) returning ${WEBHOOK_COLUMNS}`,
        [actor.orgId, url, secret, JSON.stringify(events)],
      );
      await audit(q, actor, 'webhook.create', url, [
        { field: 'Events', old: null, new: events.length ? events : 'all' },
      ]);
      return row!;
    });
    return { ...webhookView(row), secret };
  }

  /** Removes a webhook with its delivery history; pending deliveries stop. */
  async remove(actor: Actor, id: unknown): Promise<WebhookView> {
    return this.db.tx(async (q) => {
      const [row] = await q.query<WebhookRow>(
        `delete from webhooks where id = $1 and org_id = $2 returning ${WEBHOOK_COLUMNS}`,
        [String(id), actor.orgId],
      );
      if (!row) throw new NotFoundError('webhook', String(id), 'id');
      await audit(q, actor, 'webhook.remove', row.url);
      return webhookView(row);
    });
  }

  /** A webhook's deliveries, newest first. */
  async deliveries(orgId: string, id: unknown, limit: number): Promise<DeliveryView[]> {
    const [hook] = await this.db.query('select 1 from webhooks where id = $1 and org_id = $2', [
      String(id),
      orgId,
    ]);
    if (!hook) throw new NotFoundError('webhook', String(id), 'id');
    const rows = await this.db.query<DeliveryRow>(
      `select * from webhook_deliveries where webhook_id = $1
       order by created_at desc, event_seq desc limit $2`,
      [String(id), limit],
    );
    return rows.map(deliveryView);
  }

  // --- outbox ----------------------------------------------------------------

  private readonly onEvent = (event: Delivered): void => {
    // Events not yet tied to an organization concern the deployment's operators only.
    if (event.orgId === undefined) return;
    this.writes = this.writes
      .then(() => this.enqueue(event, event.orgId!))
      .catch((err: unknown) =>
        this.log.error({ err, seq: event.seq, type: event.type }, 'webhook delivery not recorded'),
      );
  };

  private async enqueue(event: Delivered, orgId: string): Promise<void> {
    // One statement: the webhooks that want this event get a row each, atomically.
    const rows = await this.db.query(
      `insert into webhook_deliveries (id, webhook_id, event_seq, event_type, payload, next_attempt_at)
       select gen_random_uuid()::text, id, $2::bigint, $3::text, $4::jsonb, $5::timestamptz
       from webhooks
       where org_id = $1 and enabled and (events = '[]'::jsonb or events @> jsonb_build_array($3::text))
       returning id`,
      [orgId, event.seq, event.type, JSON.stringify(event), this.now().toISOString()],
    );
    if (rows.length) this.kick();
  }

  /** Runs the worker now (one at a time; a kick while it runs makes it go round again). */
  private kick(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.wake?.cancel();
    this.wake = undefined;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.kick();
      }
    });
  }

  /** Starts every due delivery there is room for, then sleeps until the next one is due. */
  private async pump(): Promise<void> {
    let sleep = this.maxIdleMs;
    try {
      for (;;) {
        if (this.closed) return;
        const room = MAX_IN_FLIGHT - this.inFlight.size;
        // Full: each attempt that finishes kicks the worker again.
        if (room <= 0) return;
        const batch = await this.claim(room);
        for (const d of batch) this.start(d);
        if (batch.length < room) break;
      }
      sleep = await this.untilNextDue();
    } catch (err) {
      this.log.error({ err }, 'webhook outbox unreadable; trying again later');
    }
    if (!this.closed) this.wake = this.clock.after(sleep, () => this.kick());
  }

  /**
   * Takes up to n due deliveries, pushing their due time past the attempt's
   * timeout: another worker (or this one after a crash) only sees them again
   * if the attempt never got recorded.
   */
  private async claim(n: number): Promise<Claimed[]> {
    const now = this.now().getTime();
    return this.db.query<Claimed>(
      `with due as (
         select d.id from webhook_deliveries d join webhooks w on w.id = d.webhook_id
         where d.state = 'pending' and d.next_attempt_at <= $1 and w.enabled
         order by d.next_attempt_at limit $3
         for update of d skip locked)
       update webhook_deliveries d set next_attempt_at = $2
       from due, webhooks w
       where d.id = due.id and w.id = d.webhook_id
       returning d.id, d.webhook_id, d.event_type, d.payload, d.attempts, w.url, w.secret`,
      [
        new Date(now).toISOString(),
        new Date(now + this.timeoutMs + LEASE_MARGIN_MS).toISOString(),
        n,
      ],
    );
  }

  private async untilNextDue(): Promise<number> {
    const [row] = await this.db.query<{ next: string | Date | null }>(
      `select min(d.next_attempt_at) as next from webhook_deliveries d
       join webhooks w on w.id = d.webhook_id where d.state = 'pending' and w.enabled`,
    );
    if (!row?.next) return this.maxIdleMs;
    const wait = new Date(row.next).getTime() - this.now().getTime();
    // At least a few ms, so a row another worker holds locked cannot spin us.
    return Math.min(Math.max(wait, 10), this.maxIdleMs);
  }

  private start(d: Claimed): void {
    const attempt: Promise<void> = this.attempt(d)
      .catch((err: unknown) =>
        this.log.error({ err, delivery: d.id }, 'webhook attempt not recorded'),
      )
      .finally(() => {
        this.inFlight.delete(attempt);
        this.kick();
      });
    this.inFlight.add(attempt);
  }

  private async attempt(d: Claimed): Promise<void> {
    const body = deliveryBody(d.payload);
    const t = Math.floor(this.now().getTime() / 1000);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = this.clock.after(this.timeoutMs, () =>
      abort.abort(new Error(`no answer within ${this.timeoutMs / 1000} s`)),
    );
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.fetch(d.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': `dialbridge/${VERSION}`,
          'Dialbridge-Event': d.event_type,
          'Dialbridge-Delivery': d.id,
          'Dialbridge-Signature': signature(d.secret, body, t),
        },
        body,
        redirect: 'manual',
        signal: abort.signal,
      });
      status = res.status;
      // The answer's body means nothing to us; free the connection.
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = failure(abort.signal.aborted ? abort.signal.reason : err);
    } finally {
      timeout.cancel();
      this.aborts.delete(abort);
    }
    await this.record(d, status, error);
  }

  private async record(d: Claimed, status: number | null, error: string | null): Promise<void> {
    const attempts = d.attempts + 1;
    const now = this.now();
    const state =
      error === null ? 'delivered' : attempts >= this.maxAttempts ? 'failed' : 'pending';
    const next =
      state === 'pending' ? new Date(now.getTime() + retryDelay(attempts, this.backoff)) : now;
    await this.db.query(
      `update webhook_deliveries set attempts = $2, state = $3, last_status = $4, last_error = $5,
         next_attempt_at = $6, delivered_at = $7 where id = $1`,
      [
        d.id,
        attempts,
        state,
        status,
        error,
        next.toISOString(),
        state === 'delivered' ? now.toISOString() : null,
      ],
    );
    // Never the secret, nor the URL (it may hold a token of the receiver's).
    const fields = { webhook: d.webhook_id, delivery: d.id, type: d.event_type, attempts, status };
    if (state === 'delivered') this.log.debug(fields, 'webhook delivered');
    else if (state === 'failed') this.log.warn({ ...fields, error }, 'webhook delivery failed');
    else this.log.info({ ...fields, error, retryAt: next }, 'webhook attempt failed; will retry');
  }

  /** Resolves when every event published so far is in the outbox (tests, shutdown). */
  flush(): Promise<void> {
    return this.writes;
  }

  /**
   * Stops: no new events, no new attempts. Attempts in flight are cut short
   * and recorded as failed tries, so the next start retries them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.bus.off('event', this.onEvent);
    this.wake?.cancel();
    await this.writes;
    await this.pumping;
    for (const a of this.aborts) a.abort(new Error('the service stopped during the attempt'));
    await Promise.all([...this.inFlight]);
  }
}
