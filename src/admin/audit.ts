import type { Queryable } from '../store/db.ts';
import type { Actor } from './context.ts';

export interface Change {
  field: string;
  old: unknown;
  new: unknown;
}

/** Fields whose values are secret: the log records that they changed, never the value. */
const SECRET_FIELDS = new Set(['LeaderPin', 'Token', 'Password']);

function show(field: string, v: unknown): string | null {
  if (SECRET_FIELDS.has(field)) return v === null || v === undefined ? null : '*****';
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Writes one audit row per changed field (or one row when nothing field-like changed). */
export async function audit(
  q: Queryable,
  actor: Actor,
  action: string,
  target: string | null,
  changes: Change[] = [],
): Promise<void> {
  const rows = changes.length ? changes : [{ field: null, old: null, new: null }];
  for (const c of rows) {
    await q.query(
      `insert into audit_log (org_id, actor, action, target, field, old_value, new_value)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        actor.orgId,
        actor.name,
        action,
        target,
        c.field,
        c.field ? show(c.field, c.old) : null,
        c.field ? show(c.field, c.new) : null,
      ],
    );
  }
}

/**
 * The same rows as audit(), for many targets at once (a bulk import): one
 * statement per thousand rows instead of one per field.
 */
export async function auditMany(
  q: Queryable,
  actor: Actor,
  action: string,
  entries: { target: string; changes: Change[] }[],
): Promise<void> {
  const rows = entries.flatMap((e) =>
    (e.changes.length ? e.changes : [{ field: null, old: null, new: null }]).map((c) => ({
      target: e.target,
      field: c.field,
      old_value: c.field ? show(c.field, c.old) : null,
      new_value: c.field ? show(c.field, c.new) : null,
    })),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await q.query(
      `insert into audit_log (org_id, actor, action, target, field, old_value, new_value)
       select $1, $2, $3, r.target, r.field, r.old_value, r.new_value
       from jsonb_to_recordset($4::jsonb) as r(target text, field text, old_value text, new_value text)`,
      [actor.orgId, actor.name, action, JSON.stringify(rows.slice(i, i + 1000))],
    );
  }
}

/** Compares two records field by field and lists what differs. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Change[] {
  const out: Change[] = [];
  for (const field of Object.keys(after)) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      out.push({ field, old: before[field] ?? null, new: after[field] ?? null });
    }
  }
  return out;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
}

export async function listAudit(
  q: Queryable,
  orgId: string,
  opts: { limit: number; offset?: number; before?: number; target?: string },
): Promise<AuditEntry[]> {
  const rows = await q.query<Record<string, unknown>>(
    `select id, at, actor, action, target, field, old_value, new_value from audit_log
     where org_id = $1 and ($2::text is null or target = $2) and ($5::bigint is null or id < $5)
     order by id desc limit $3 offset $4`,
    [orgId, opts.target ?? null, opts.limit, opts.offset ?? 0, opts.before ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string).toISOString(),
    actor: r.actor as string,
    action: r.action as string,
    target: r.target as string | null,
    field: r.field as string | null,
    oldValue: r.old_value as string | null,
    newValue: r.new_value as string | null,
  }));
}
