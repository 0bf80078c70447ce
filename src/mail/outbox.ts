import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import type { Actor } from '../admin/context.ts';
import { audit } from '../admin/audit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { readSettings } from '../admin/organizations.ts';
import { MASKED_PIN } from '../admin/pin.ts';
import { PIN_KINDS, renderEmail, type EmailData, type EmailKind } from './templates.ts';

/**
 * The email outbox. Emails are rows written in the same transaction as the
 * change that causes them (a refused or rolled-back change queues nothing);
 * the delivery worker (delivery.ts) sends them.
 *
 * PINs: the stored subject and bodies are always rendered with the PIN
 * masked, so listings, the message view and a dump of the table never show
 * it. The clear PIN of an 'enabled' or 'pin_reset' email waits in the
 * `secret` column only until the SMTP server accepts the message: the update
 * that records the acceptance also erases it.
 */

/** 'superseded': a PIN email made obsolete by a newer PIN (or by disabling) before it was sent. */
export type OutboxState = 'pending' | 'sent' | 'failed' | 'superseded';

export interface OutboxRow {
  id: string;
  org_id: string;
  user_id: string | null;
  kind: EmailKind;
  from_address: string | null;
  from_name: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  data: EmailData;
  secret: string | null;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string | Date;
  lease_until: string | Date | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string | Date;
  sent_at: string | Date | null;
}

export interface EnqueueInput {
  orgId: string;
  userId: string | null;
  kind: EmailKind;
  to: string;
  /** The organization's sender override; null = the deployment's default sender. */
  from: { address: string; name: string | null } | null;
  data: EmailData;
}

/** Queues one email inside the caller's transaction; returns its id. */
export async function enqueueEmail(q: Queryable, input: EnqueueInput): Promise<string> {
  const { pin, ...data } = input.data;
  const secret = PIN_KINDS.includes(input.kind) && pin ? pin : null;
  const masked = renderEmail(input.kind, { ...data, pin: secret ? MASKED_PIN : undefined });
  const id = randomUUID();
  if (input.userId && (secret || input.kind === 'disabled')) {
    // A newer PIN (or no PIN at all, once disabled) makes an undelivered PIN
    // email wrong and a needless copy of a secret: it is never sent, and its
    // PIN is erased now.
    await q.query(
      `update email_outbox set state = 'superseded', secret = null, lease_until = null
        where user_id = $1 and secret is not null and state in ('pending', 'failed')`,
      [input.userId],
    );
  }
  await q.query(
    `insert into email_outbox (id, org_id, user_id, kind, from_address, from_name, to_address,
       subject, text_body, html_body, data, secret)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      input.orgId,
      input.userId,
      input.kind,
      input.from?.address ?? null,
      input.from?.name ?? null,
      input.to,
      masked.subject,
      masked.text,
      masked.html,
      JSON.stringify(data),
      secret,
    ],
  );
  return id;
}

export interface UserEmailInput {
  kind: EmailKind;
  /** The clear PIN, for 'enabled' and 'pin_reset'. */
  pin?: string;
  /** -SendEmailToAddress: instead of the user's primary address. */
  to?: string;
  /** Send even when AutomaticallySendEmailsToUsers is off (an explicit -SendEmail). */
  force?: boolean;
}

/**
 * Queues an email about a user's dial-in details as they are now in this
 * transaction. The four automatic kinds follow AutomaticallySendEmailsToUsers;
 * 'conference_info' (the manual -SendEmail) is always sent. Returns the id,
 * or undefined when the settings say not to send.
 */
export async function queueUserEmail(
  q: Queryable,
  orgId: string,
  userId: string,
  input: UserEmailInput,
): Promise<string | undefined> {
  const settings = await readSettings(q, orgId);
  const automatic = input.kind !== 'conference_info';
  if (automatic && !input.force && !settings.AutomaticallySendEmailsToUsers) return undefined;
  const [u] = await q.query<{
    display_name: string;
    email: string;
    upn: string;
    conference_id: string | null;
    service_number: string | null;
    toll_free_service_number: string | null;
    allow_toll_free_dial_in: boolean;
    org_name: string;
  }>(
    `select u.display_name, u.email, u.upn, u.conference_id, u.service_number,
       u.toll_free_service_number, u.allow_toll_free_dial_in, o.name as org_name
     from users u join organizations o on o.id = u.org_id where u.id = $1 and u.org_id = $2`,
    [userId, orgId],
  );
  if (!u) throw new NotFoundError('user', userId);
  const from =
    settings.SendEmailFromOverride && settings.SendEmailFromAddress
      ? { address: settings.SendEmailFromAddress, name: settings.SendEmailFromDisplayName }
      : null;
  return enqueueEmail(q, {
    orgId,
    userId,
    kind: input.kind,
    to: input.to ?? (u.email || u.upn),
    from,
    data: {
      orgName: u.org_name,
      userName: u.display_name,
      conferenceId: u.conference_id,
      tollNumber: u.service_number,
      tollFreeNumber: u.allow_toll_free_dial_in ? u.toll_free_service_number : null,
      pin: input.pin,
      meetingsMigrated: settings.AutomaticallyMigrateUserMeetings,
    },
  });
}

// ---------------------------------------------------------------------------
// What administrators see: never a PIN.

export interface OutboxView {
  id: string;
  kind: EmailKind;
  state: OutboxState;
  to: string;
  from: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due (pending messages only). */
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
  /** The message carries a leader PIN: its stored copy shows it as *****. */
  containsPin: boolean;
}

export interface OutboxMessage extends OutboxView {
  text: string;
  html: string;
}

const iso = (v: string | Date | null): string | null =>
  v === null ? null : new Date(v).toISOString();

export function formatFrom(row: Pick<OutboxRow, 'from_address' | 'from_name'>, fallback: string) {
  if (!row.from_address) return fallback;
  return row.from_name
    ? `"${row.from_name.replace(/["\\]/g, '')}" <${row.from_address}>`
    : row.from_address;
}

export function outboxView(r: OutboxRow, defaultFrom: string): OutboxView {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    to: r.to_address,
    from: formatFrom(r, defaultFrom),
    subject: r.subject,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
    createdAt: iso(r.created_at)!,
    sentAt: iso(r.sent_at),
    containsPin: PIN_KINDS.includes(r.kind),
  };
}

const VIEW_COLUMNS = `id, org_id, user_id, kind, from_address, from_name, to_address, subject,
  state, attempts, next_attempt_at, last_error, created_at, sent_at`;

export async function listOutbox(
  q: Queryable,
  orgId: string,
  defaultFrom: string,
  opts: { state?: unknown; limit?: unknown } = {},
): Promise<OutboxView[]> {
  const state = opts.state === undefined || opts.state === '' ? null : opts.state;
  if (state !== null && !['pending', 'sent', 'failed', 'superseded'].includes(state as string))
    throw new ValidationError('state', 'must be pending, sent, failed or superseded', state);
  const limit = opts.limit === undefined ? 100 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new ValidationError('limit', 'must be a whole number from 1 to 1000', opts.limit);
  const rows = await q.query<OutboxRow>(
    `select ${VIEW_COLUMNS} from email_outbox where org_id = $1 and ($2::text is null or state = $2)
     order by seq desc limit $3`,
    [orgId, state, limit],
  );
  return rows.map((r) => outboxView(r, defaultFrom));
}

/** One message with its (PIN-masked) text and HTML. */
export async function getOutboxMessage(
  q: Queryable,
  orgId: string,
  id: string,
  defaultFrom: string,
): Promise<OutboxMessage> {
  const [r] = await q.query<OutboxRow>(
    `select ${VIEW_COLUMNS}, text_body, html_body from email_outbox where id = $1 and org_id = $2`,
    [id, orgId],
  );
  if (!r) throw new NotFoundError('email', id, 'id');
  return { ...outboxView(r, defaultFrom), text: r.text_body, html: r.html_body };
}

/** A failed message back to pending, with a fresh set of attempts. */
export async function retryOutboxMessage(
  q: Queryable,
  actor: Actor,
  id: string,
  defaultFrom: string,
): Promise<OutboxView> {
  const [r] = await q.query<OutboxRow>(
    `select ${VIEW_COLUMNS} from email_outbox where id = $1 and org_id = $2 for update`,
    [id, actor.orgId],
  );
  if (!r) throw new NotFoundError('email', id, 'id');
  if (r.state !== 'failed')
    throw new ConflictError('id', `email ${id} is ${r.state}; only a failed email can be retried.`);
  const [row] = await q.query<OutboxRow>(
    `update email_outbox set state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = null
     where id = $1 returning ${VIEW_COLUMNS}`,
    [id],
  );
  await audit(q, actor, 'outbox.retry', id, [{ field: 'state', old: 'failed', new: 'pending' }]);
  return outboxView(row!, defaultFrom);
}
