import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../store/db.ts';
import type { Logger } from '../log.ts';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from './context.ts';
import { checkAcp, type AcpInput, type AcpRow } from './acp.ts';
import { audit, auditMany, type Change } from './audit.ts';
import { findUser, type Provider } from './users.ts';
import {
  acpChanges,
  checkRows,
  exportCsv,
  identityKey,
  parseCsv,
  refuseUser,
  type ImportUser,
  type ParsedCsv,
  type PreviewRow,
  type RowError,
} from './provider-csv.ts';

/**
 * The provider export/import wizard's use cases, backed by the store.
 *
 * An import is a job (table provider_imports): uploading the CSV creates it
 * and validates every row against the organization's users (state
 * `validating` → `validated` with a preview of the changes, or `invalid`
 * with every bad row). Nothing is written to users until the job is applied:
 * one transaction re-checks every row against the users as they are then and
 * writes all of them (`applying` → `applied`), or none (`failed`, with the
 * reason and the rows). Jobs survive restarts, so a validated import can be
 * applied later and a failed or interrupted apply simply run again; applying
 * an applied job changes nothing.
 */

export type ImportState =
  'validating' | 'validated' | 'invalid' | 'applying' | 'applied' | 'failed';

export interface ImportJobView {
  id: string;
  state: ImportState;
  fileName: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  appliedAt: string | null;
  /** Data rows in the file. */
  total: number;
  /** Rows validated (while validating) or written (while applying) so far. */
  processed: number;
  summary: {
    rows: number;
    /** Rows that would change (or changed) a user. */
    changes: number;
    /** Valid rows that match what the user already has. */
    unchanged: number;
    /** Rows with at least one error. */
    badRows: number;
  };
  /** Users changed by the apply. */
  changedUsers: number;
  /** Why the job is invalid or failed. */
  reason: string | null;
  /** Every bad row: line, column, identity, message (left out of the list of imports). */
  errors?: RowError[];
  /** Per valid row, the changes `{ field, old, new }` (left out on request). */
  preview?: PreviewRow[];
}

/** A job as read for a reply: never the file or the plan; errors and preview only when asked for. */
interface JobRow {
  id: string;
  created_by: string;
  file_name: string | null;
  state: ImportState;
  total: number;
  processed: number;
  valid_rows: number;
  changed_rows: number;
  bad_rows: number;
  errors?: RowError[];
  preview?: PreviewRow[];
  reason: string | null;
  changed_users: number;
  created_at: string | Date;
  updated_at: string | Date;
  applied_at: string | Date | null;
}

/** The columns of a JobRow, without errors and preview (large: one entry per row of the file). */
const JOB_COLUMNS = `id, created_by, file_name, state, total, processed, valid_rows, changed_rows, bad_rows,
  reason, changed_users, created_at, updated_at, applied_at`;

/** What the apply writes for one row: the user and their provider fields as read from the file. */
interface StoredPlan {
  line: number;
  userId: string;
  identity: string;
  input: AcpInput;
}

/** The rows could not be written as they are now; the transaction rolled back. */
class ApplyRefused extends Error {
  constructor(readonly errors: RowError[]) {
    super(
      `${errors.length} row${errors.length === 1 ? '' : 's'} can no longer be applied (the users changed since the file was checked); nothing was written`,
    );
  }
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

const USER_SELECT = `select u.id, u.upn, u.display_name, u.email, u.provider,
    a.user_id as acp_user, a.name, a.domain, a.toll_number, a.toll_free_numbers, a.participant_passcode, a.url
  from users u left join user_acp a on a.user_id = u.id`;

interface UserAcpRow {
  id: string;
  upn: string;
  display_name: string;
  email: string;
  provider: Provider;
  acp_user: string | null;
  name: string;
  domain: string | null;
  toll_number: string;
  toll_free_numbers: string[];
  participant_passcode: string;
  url: string | null;
}

function importUser(r: UserAcpRow): ImportUser {
  return {
    id: r.id,
    upn: r.upn,
    displayName: r.display_name,
    email: r.email,
    provider: r.provider,
    acp: r.acp_user
      ? {
          name: r.name,
          domain: r.domain,
          toll_number: r.toll_number,
          toll_free_numbers: r.toll_free_numbers ?? [],
          participant_passcode: r.participant_passcode,
          url: r.url,
        }
      : null,
  };
}

/** How long a validation may go without a sign of life before another request takes it over. */
const ABANDONED_AFTER_S = 30;

export class ProviderImports {
  /** Work running on this node (checking or applying a job), with its live progress. */
  private readonly running = new Map<
    string,
    { kind: 'validate' | 'apply'; processed: number; done: Promise<unknown> }
  >();

  constructor(private readonly deps: { db: Db; log: Logger }) {}

  private get db() {
    return this.deps.db;
  }

  // Export

  /**
   * The CSV for the provider: the chosen users (any identity Get-CsUserAcp
   * accepts), or every user of the organization, with their current provider fields.
   */
  async exportCsv(actor: Actor, identities?: unknown): Promise<{ csv: string; users: number }> {
    let users: ImportUser[];
    if (identities === undefined || identities === null) {
      const rows = await this.db.query<UserAcpRow>(
        `${USER_SELECT} where u.org_id = $1 order by u.upn`,
        [actor.orgId],
      );
      users = rows.map(importUser);
    } else {
      if (!Array.isArray(identities) || !identities.length) {
        throw new ValidationError('identities', 'must be a list of one or more users', identities);
      }
      const ids: string[] = [];
      const unknown: string[] = [];
      for (const identity of identities) {
        try {
          ids.push((await findUser(this.db, actor.orgId, identity, 'identities')).id);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          unknown.push(String(identity));
        }
      }
      if (unknown.length) {
        throw new ValidationError(
          'identities',
          `name users that do not exist or are ambiguous: ${unknown.join(', ')}`,
        );
      }
      const rows = await this.db.query<UserAcpRow>(
        `${USER_SELECT} where u.org_id = $1 and u.id in (select jsonb_array_elements_text($2::jsonb)) order by u.upn`,
        [actor.orgId, JSON.stringify([...new Set(ids)])],
      );
      users = rows.map(importUser);
    }
    return { csv: await exportCsv(users), users: users.length };
  }

  // Import

  /**
   * Reads the file and creates the job. The file is parsed at once (the
   * header and the row count are known in the reply), once, a slice at a
   * time; rows are checked in the background: `done` settles when the job is
   * `validated` or `invalid`. Nobody needs to wait for `done`: a failure in
   * the background is logged and recorded on the job.
   */
  async startImport(
    actor: Actor,
    csv: unknown,
    fileName?: unknown,
  ): Promise<{ job: ImportJobView; done: Promise<ImportJobView> }> {
    if (typeof csv !== 'string' || !csv.trim()) {
      throw new ValidationError('file', 'must be the CSV text (Content-Type: text/csv), not empty');
    }
    const name =
      typeof fileName === 'string' && fileName.trim() ? fileName.trim().slice(0, 255) : null;
    const parsed = await parseCsv(csv);
    const id = randomUUID();
    const headerBroken = !parsed.columns.length;
    await this.db.query(
      `insert into provider_imports (id, org_id, created_by, file_name, csv, state, total, errors, bad_rows, reason)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        actor.orgId,
        actor.name,
        name,
        csv,
        headerBroken ? 'invalid' : 'validating',
        parsed.rows.length,
        JSON.stringify(headerBroken ? parsed.errors : []),
        headerBroken ? new Set(parsed.errors.map((e) => e.line)).size : 0,
        headerBroken ? parsed.errors[0]!.message : null,
      ],
    );
    const job = await this.get(actor, id, { preview: false });
    if (headerBroken) return { job, done: Promise.resolve(job) };
    const done = this.track(actor, id, 'validate', (progress) =>
      this.validate(actor.orgId, id, parsed, progress),
    );
    return { job, done };
  }

  /**
   * Runs work for a job on this node, keeping its live progress for readers.
   * The returned promise settles with the job as the work left it. It may be
   * left unawaited (`?wait=false`): if the work throws, the error is logged
   * and recorded on the job (`invalid` or `failed`, with the reason) here.
   */
  private track(
    actor: Actor,
    id: string,
    kind: 'validate' | 'apply',
    work: (progress: (n: number) => void) => Promise<void>,
  ): Promise<ImportJobView> {
    const entry = { kind, processed: 0, done: Promise.resolve() as Promise<unknown> };
    const ran = work((n) => (entry.processed = n)).finally(() => this.running.delete(id));
    entry.done = ran.catch(() => undefined);
    this.running.set(id, entry);
    const done = ran
      .catch(async (err: unknown) => {
        const what = kind === 'validate' ? 'validation' : 'apply';
        this.deps.log.error({ err, import: id }, `provider import ${what} failed`);
        await this.db
          .query(
            `update provider_imports set state = $2, processed = 0, reason = $3, updated_at = now()
             where id = $1 and state = $4`,
            [
              id,
              kind === 'validate' ? 'invalid' : 'failed',
              kind === 'validate'
                ? `the check stopped: ${(err as Error).message}`
                : `the apply stopped, nothing was written: ${(err as Error).message}`,
              kind === 'validate' ? 'validating' : 'applying',
            ],
          )
          .catch((e: unknown) =>
            this.deps.log.error(
              { err: e, import: id },
              `provider import ${what}: cannot record the failure`,
            ),
          );
      })
      .then(() => this.get(actor, id));
    // Handled here, so a caller who does not wait never leaves an unhandled rejection (it would end the process).
    done.catch((err: unknown) =>
      this.deps.log.error({ err, import: id }, 'provider import: cannot read the job back'),
    );
    return done;
  }

  private async validate(
    orgId: string,
    id: string,
    parsed: ParsedCsv,
    progress: (n: number) => void,
  ): Promise<void> {
    try {
      const keys = [...new Set(parsed.rows.map((r) => identityKey(r.cells.Identity)))].filter(
        Boolean,
      );
      const rows = await this.db.query<UserAcpRow>(
        `${USER_SELECT} where u.org_id = $1 and u.upn in (select jsonb_array_elements_text($2::jsonb))`,
        [orgId, JSON.stringify(keys)],
      );
      const users = new Map(rows.map((r) => [r.upn, importUser(r)]));
      let last = Date.now();
      const check = await checkRows(parsed, users, {
        onProgress: async (n) => {
          progress(n);
          // A heartbeat other nodes (and readers after a restart) can see.
          if (Date.now() - last > 200) {
            last = Date.now();
            await this.db.query(
              `update provider_imports set processed = $2, updated_at = now() where id = $1 and state = 'validating'`,
              [id, n],
            );
          }
        },
      });
      const badRows = new Set(check.errors.map((e) => e.line)).size;
      const invalid = check.errors.length > 0;
      const changed = check.preview.filter((p) => p.changes.length).length;
      await this.db.query(
        `update provider_imports set state = $2, processed = total, errors = $3, preview = $4, plan = $5,
           reason = $6, valid_rows = $7, changed_rows = $8, bad_rows = $9, updated_at = now()
         where id = $1 and state = 'validating'`,
        [
          id,
          invalid ? 'invalid' : 'validated',
          JSON.stringify(check.errors),
          JSON.stringify(check.preview),
          JSON.stringify(
            check.planned.map((p): StoredPlan => ({
              line: p.line,
              userId: p.userId,
              identity: p.identity,
              input: p.input,
            })),
          ),
          invalid
            ? `${badRows} row${badRows === 1 ? ' has' : 's have'} errors; nothing can be applied until the file is fixed and uploaded again`
            : null,
          check.preview.length,
          changed,
          badRows,
        ],
      );
    } catch (err) {
      this.deps.log.error({ err, import: id }, 'provider import validation failed');
      await this.db.query(
        `update provider_imports set state = 'invalid', reason = $2, updated_at = now() where id = $1`,
        [id, `validation stopped: ${(err as Error).message}`],
      );
    }
  }

  /** A validation whose node went away (no heartbeat) is taken over here, from the stored file. */
  private async resumeAbandoned(actor: Actor, row: JobRow): Promise<void> {
    if (row.state !== 'validating' || this.running.has(row.id)) return;
    // The stored file is read only by the request that takes the check over.
    const [claimed] = await this.db.query<{ csv: string }>(
      `update provider_imports set updated_at = now(), processed = 0 where id = $1 and state = 'validating'
         and updated_at < now() - make_interval(secs => $2) returning csv`,
      [row.id, ABANDONED_AFTER_S],
    );
    if (claimed) {
      void this.track(actor, row.id, 'validate', async (p) =>
        this.validate(actor.orgId, row.id, await parseCsv(claimed.csv), p),
      );
    }
  }

  /** The job for a reply: never the stored file or plan; the errors and the preview only when asked for. */
  private async load(
    actor: Actor,
    id: unknown,
    opts: { errors?: boolean; preview?: boolean } = {},
  ): Promise<JobRow> {
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) {
      throw new NotFoundError('provider import', String(id), 'id');
    }
    const [row] = await this.db.query<JobRow>(
      `select ${JOB_COLUMNS}${opts.errors ? ', errors' : ''}${opts.preview ? ', preview' : ''}
         from provider_imports where id = $1 and org_id = $2`,
      [id, actor.orgId],
    );
    if (!row) throw new NotFoundError('provider import', id, 'id');
    return row;
  }

  async get(actor: Actor, id: unknown, opts: { preview?: boolean } = {}): Promise<ImportJobView> {
    // Progress read before the row, so a reply never shows less than an earlier one did.
    const live = typeof id === 'string' ? this.running.get(id)?.processed : undefined;
    const preview = opts.preview ?? true;
    const row = await this.load(actor, id, { errors: true, preview });
    await this.resumeAbandoned(actor, row);
    return this.view(row, preview, true, live);
  }

  /** Recent imports of the organization, newest first, without their rows and errors. */
  async list(actor: Actor, limit = 20): Promise<ImportJobView[]> {
    const rows = await this.db.query<JobRow>(
      `select ${JOB_COLUMNS} from provider_imports where org_id = $1 order by created_at desc, id limit $2`,
      [actor.orgId, Math.max(1, Math.min(100, limit))],
    );
    return rows.map((r) => this.view(r, false, false));
  }

  private view(
    r: JobRow,
    withPreview: boolean,
    withErrors = true,
    live = this.running.get(r.id)?.processed,
  ): ImportJobView {
    const processed =
      live !== undefined && (r.state === 'validating' || r.state === 'applying')
        ? Math.max(live, r.processed)
        : r.processed;
    return {
      id: r.id,
      state: r.state,
      fileName: r.file_name,
      createdBy: r.created_by,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      appliedAt: iso(r.applied_at),
      total: r.total,
      processed,
      summary: {
        rows: r.total,
        changes: r.changed_rows,
        unchanged: r.valid_rows - r.changed_rows,
        badRows: r.bad_rows,
      },
      changedUsers: r.changed_users,
      reason: r.reason,
      ...(withErrors ? { errors: r.errors ?? [] } : {}),
      ...(withPreview ? { preview: r.preview ?? [] } : {}),
    };
  }

  /**
   * Starts (or joins) the apply. `done` settles with the job `applied` or
   * `failed`. An applied job is left as it is. A job still being checked —
   * on this node or another — is refused (409): apply it once it is validated.
   */
  async startApply(
    actor: Actor,
    id: unknown,
  ): Promise<{ job: ImportJobView; done: Promise<ImportJobView> }> {
    const row = await this.load(actor, id, { errors: true });
    const running = this.running.get(row.id);
    if (running?.kind === 'apply') {
      const done = running.done.then(() => this.get(actor, row.id));
      done.catch(() => undefined);
      return { job: this.view(row, false), done };
    }
    if (row.state === 'applied') {
      const done = this.get(actor, row.id);
      done.catch(() => undefined);
      return { job: this.view(row, false), done };
    }
    if (running?.kind === 'validate' || row.state === 'validating') {
      await this.resumeAbandoned(actor, row);
      throw new ConflictError(
        'id',
        'the file is still being checked; apply it when it is validated.',
      );
    }
    if (row.state === 'invalid') {
      throw new ConflictError(
        'id',
        `the file has errors (${row.reason ?? 'see the job'}); fix it and upload it again. Nothing was written.`,
      );
    }
    // validated, failed, or an apply whose node stopped: (re)start it.
    await this.db.query(
      `update provider_imports set state = 'applying', processed = 0, reason = null, updated_at = now()
       where id = $1 and state in ('validated', 'failed', 'applying')`,
      [row.id],
    );
    const done = this.track(actor, row.id, 'apply', (p) => this.apply(actor, row.id, p));
    // Not read back: on the embedded store the apply's transaction holds the connection.
    const job = this.view({ ...row, state: 'applying', processed: 0, reason: null }, false);
    return { job, done };
  }

  private async apply(actor: Actor, id: string, progress: (n: number) => void): Promise<void> {
    try {
      await this.db.tx(async (q) => {
        // Serializes concurrent applies of one job (several nodes): the later one finds it applied.
        const [job] = await q.query<ApplyJob>(
          'select id, state, plan from provider_imports where id = $1 for update',
          [id],
        );
        if (!job || job.state === 'applied') return;
        await applyPlan(q, actor, job, progress);
      });
    } catch (err) {
      const refused = err instanceof ApplyRefused;
      if (!refused) this.deps.log.error({ err, import: id }, 'provider import apply failed');
      await this.db.query(
        `update provider_imports set state = 'failed', processed = 0, reason = $2,
           errors = case when $3::jsonb is null then errors else $3::jsonb end,
           bad_rows = coalesce($4::integer, bad_rows), updated_at = now()
         where id = $1 and state <> 'applied'`,
        [
          id,
          refused
            ? err.message
            : `the apply stopped, nothing was written: ${(err as Error).message}`,
          refused ? JSON.stringify(err.errors) : null,
          refused ? new Set(err.errors.map((e) => e.line)).size : null,
        ],
      );
    }
  }
}

/** What the apply reads of its job, under the row lock. */
interface ApplyJob {
  id: string;
  state: ImportState;
  plan: StoredPlan[];
}

/** Writes every row of a validated job in the caller's transaction, or throws and writes nothing. */
async function applyPlan(
  q: Queryable,
  actor: Actor,
  job: ApplyJob,
  progress: (n: number) => void,
): Promise<void> {
  const plan = job.plan ?? [];
  const current = await q.query<UserAcpRow>(
    `${USER_SELECT} where u.org_id = $1 and u.id in (select jsonb_array_elements_text($2::jsonb)) for update of u`,
    [actor.orgId, JSON.stringify(plan.map((p) => p.userId))],
  );
  const users = new Map(current.map((r) => [r.id, importUser(r)]));
  const errors: RowError[] = [];
  const writes: { user: ImportUser; next: Omit<AcpRow, 'user_id'>; changes: Change[] }[] = [];
  for (const p of plan) {
    const user = users.get(p.userId);
    const refused = refuseUser(user, p.identity);
    if (refused) {
      errors.push({ line: p.line, column: 'Identity', identity: p.identity, message: refused });
      continue;
    }
    const { value, errors: bad } = checkAcp(p.input, user!.acp ?? undefined);
    if (!value) {
      for (const e of bad) errors.push({ line: p.line, identity: p.identity, message: e.message });
      continue;
    }
    const changes = acpChanges(user!, value);
    if (changes.length) writes.push({ user: user!, next: value, changes });
  }
  if (errors.length) throw new ApplyRefused(errors);

  const CHUNK = 500;
  for (let i = 0; i < writes.length; i += CHUNK) {
    const part = writes.slice(i, i + CHUNK);
    await q.query(
      `insert into user_acp (user_id, name, domain, toll_number, toll_free_numbers, participant_passcode, url)
       select r.user_id, r.name, r.domain, r.toll_number, r.toll_free_numbers, r.participant_passcode, r.url
       from jsonb_to_recordset($1::jsonb) as r(user_id text, name text, domain text, toll_number text,
         toll_free_numbers jsonb, participant_passcode text, url text)
       on conflict (user_id) do update set name = excluded.name, domain = excluded.domain,
         toll_number = excluded.toll_number, toll_free_numbers = excluded.toll_free_numbers,
         participant_passcode = excluded.participant_passcode, url = excluded.url`,
      [JSON.stringify(part.map((w) => ({ user_id: w.user.id, ...w.next })))],
    );
    await q.query(
      `update users set provider = 'ThirdParty'
       where org_id = $1 and provider <> 'ThirdParty' and id in (select jsonb_array_elements_text($2::jsonb))`,
      [actor.orgId, JSON.stringify(part.map((w) => w.user.id))],
    );
    await auditMany(
      q,
      actor,
      'acp.import',
      part.map((w) => ({ target: w.user.upn, changes: w.changes })),
    );
    progress(Math.min(plan.length, Math.round(((i + part.length) / writes.length) * plan.length)));
  }
  progress(plan.length);
  await audit(q, actor, 'provider-import.apply', job.id, [
    { field: 'ChangedUsers', old: null, new: writes.length },
  ]);
  await q.query(
    `update provider_imports set state = 'applied', processed = total, changed_users = $2, reason = null,
       applied_at = now(), updated_at = now() where id = $1`,
    [job.id, writes.length],
  );
}
