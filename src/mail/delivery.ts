import nodemailer from 'nodemailer';
import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import { renderEmail } from './templates.ts';
import { formatFrom, type OutboxRow } from './outbox.ts';

/**
 * Delivers the outbox over SMTP, at least once, in order of due time.
 *
 * Each attempt first claims one due message in its own short transaction:
 * attempts + 1 and a lease (lease_until). A crashed worker's lease simply
 * runs out, and the message is retried then. When the SMTP server accepts
 * the message, ONE update marks it sent, stamps sent_at and erases the clear
 * PIN; nothing else happens in between. A failed attempt is retried after
 * the back-off (30 s, 2 min, 10 min, 1 h, then every hour); after
 * maxAttempts the message is 'failed' with the last error, and an
 * administrator can put it back to pending.
 *
 * The window that remains: a kill between the server's "250 OK" to DATA and
 * the commit of that update (one round trip to the store) sends the message
 * again once the lease expires. Every attempt carries the same Message-ID
 * (<outbox id@dialbridge>), so such a duplicate is recognisable.
 */

/** Waits after the 1st, 2nd, … failed attempt; the last one repeats. */
export const MAIL_BACKOFF_MS = [30_000, 120_000, 600_000, 3_600_000] as const;
export const MAIL_MAX_ATTEMPTS = 10;
/** How long nodemailer waits on a silent server, per step. */
const SMTP_TIMEOUT_MS = 60_000;
/** An attempt's lease: longer than any attempt can take. */
const LEASE_MS = 3 * SMTP_TIMEOUT_MS;
const IDLE_POLL_MS = 30_000;

export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/** What the worker needs of an SMTP client; nodemailer's transport in production. */
export interface MailTransport {
  send(message: OutgoingMessage): Promise<{ messageId?: string }>;
  close(): void;
}

export function smtpTransport(url: string): MailTransport {
  const t = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(m) {
      const info = (await t.sendMail(m)) as {
        messageId?: string;
        rejected?: unknown[];
        response?: string;
      };
      if (info.rejected?.length) throw new Error(`recipient refused: ${info.response ?? ''}`);
      return { messageId: info.messageId };
    },
    close: () => t.close(),
  };
}

export function mailRetryDelay(failures: number, backoff: readonly number[] = MAIL_BACKOFF_MS) {
  return backoff[Math.min(Math.max(failures, 1), backoff.length) - 1]!;
}

export interface MailDeliveryOptions {
  db: Db;
  log: Logger;
  transport: MailTransport;
  /** The sender when the organization has no override, e.g. dialbridge@example.com. */
  defaultFrom: string;
  backoffMs?: readonly number[];
  maxAttempts?: number;
  leaseMs?: number;
  /** Wall-clock time in ms (Date.now by default); tests move it. */
  now?: () => number;
  /** false: no timers; the caller drives runOnce() (tests). */
  autoStart?: boolean;
}

export class MailDelivery {
  private readonly backoff: readonly number[];
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly o: MailDeliveryOptions) {
    this.backoff = o.backoffMs?.length ? o.backoffMs : MAIL_BACKOFF_MS;
    this.maxAttempts = o.maxAttempts ?? MAIL_MAX_ATTEMPTS;
    this.leaseMs = o.leaseMs ?? LEASE_MS;
    this.now = o.now ?? Date.now;
    if (o.autoStart !== false) this.kick();
  }

  /** Something was queued (or is due): deliver now rather than at the next poll. */
  kick(): void {
    if (this.closed || this.o.autoStart === false) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.closed) return;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      await this.runOnce();
    } catch (err) {
      this.o.log.error({ err }, 'email delivery pass failed');
    }
    if (this.closed) return;
    const wait = await this.untilNextDue().catch(() => IDLE_POLL_MS);
    this.timer = setTimeout(() => this.kick(), Math.max(50, Math.min(wait, IDLE_POLL_MS)));
    this.timer.unref();
  }

  private async untilNextDue(): Promise<number> {
    const [r] = await this.o.db.query<{ at: string | Date | null }>(
      `select min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) as at
       from email_outbox where state = 'pending'`,
    );
    return r?.at ? new Date(r.at).getTime() - this.now() : IDLE_POLL_MS;
  }

  /** Delivers every message due now, one at a time; returns how many attempts were made. */
  async runOnce(): Promise<number> {
    let n = 0;
    while (!this.closed) {
      const row = await this.claim();
      if (!row) break;
      n++;
      await this.attempt(row);
    }
    return n;
  }

  private async claim(): Promise<OutboxRow | undefined> {
    const now = new Date(this.now());
    const [row] = await this.o.db.query<OutboxRow>(
      `update email_outbox set attempts = attempts + 1, lease_until = $2
       where id = (select id from email_outbox
                   where state = 'pending' and next_attempt_at <= $1
                     and (lease_until is null or lease_until <= $1)
                   order by next_attempt_at, seq limit 1 for update skip locked)
       returning *`,
      [now.toISOString(), new Date(now.getTime() + this.leaseMs).toISOString()],
    );
    return row;
  }

  private async attempt(row: OutboxRow): Promise<void> {
    // The stored copy has the PIN masked; the one that leaves has it in clear.
    const body = row.secret
      ? renderEmail(row.kind, { ...row.data, pin: row.secret })
      : { subject: row.subject, text: row.text_body, html: row.html_body };
    const log = this.o.log.child({ email: row.id, kind: row.kind });
    let info: { messageId?: string };
    try {
      info = await this.o.transport.send({
        from: formatFrom(row, this.o.defaultFrom),
        to: row.to_address,
        subject: body.subject,
        text: body.text,
        html: body.html,
        messageId: `<${row.id}@dialbridge>`,
      });
    } catch (err) {
      const message = (err as Error).message?.slice(0, 1000) || String(err);
      const failed = row.attempts >= this.maxAttempts;
      await this.o.db.query(
        `update email_outbox set state = $2, last_error = $3, lease_until = null, next_attempt_at = $4
         where id = $1`,
        [
          row.id,
          failed ? 'failed' : 'pending',
          message,
          new Date(this.now() + mailRetryDelay(row.attempts, this.backoff)).toISOString(),
        ],
      );
      if (failed) log.error({ attempts: row.attempts, error: message }, 'email failed');
      else log.warn({ attempts: row.attempts, error: message }, 'email attempt failed; will retry');
      return;
    }
    // Accepted by the server: one statement records it and erases the clear PIN.
    await this.o.db.query(
      `update email_outbox set state = 'sent', sent_at = $2, secret = null, lease_until = null,
         last_error = null, message_id = $3 where id = $1`,
      [row.id, new Date(this.now()).toISOString(), info.messageId ?? `<${row.id}@dialbridge>`],
    );
    log.info({ attempts: row.attempts }, 'email sent');
  }

  /** Stops the worker; an attempt in progress finishes (or its lease runs out). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.o.transport.close();
  }
}
