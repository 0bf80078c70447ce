import type { Queryable } from '../store/db.ts';
import { ConflictError } from '../errors.ts';
import { generateStaticId } from './conference-id.ts';
import { generateMeetingId } from '../meetings/meeting-id.ts';

/**
 * The deployment-wide registry of conference IDs. Its primary key is what makes
 * an ID unique across organizations (a shared number reaches them all), and a
 * released ID stays here, quarantined, so nobody else gets it for a while.
 */

const CLAIM = `
insert into conference_ids (id, org_id, kind, owner_id, state) values ($1, $2, $3, $4, 'active')
on conflict (id) do update set org_id = excluded.org_id, kind = excluded.kind,
  owner_id = excluded.owner_id, state = 'active', released_at = null
where conference_ids.state = 'quarantined'
  and (conference_ids.released_at < now() - make_interval(days => $5) or conference_ids.owner_id = $4)
returning id`;

/** Takes a given ID for an owner, or explains why it can't be had. */
export async function claimId(
  q: Queryable,
  id: string,
  owner: { orgId: string; kind: 'static' | 'meeting'; ownerId: string },
  quarantineDays: number,
  field = 'ConferenceId',
): Promise<void> {
  const rows = await q.query(CLAIM, [id, owner.orgId, owner.kind, owner.ownerId, quarantineDays]);
  if (rows.length) return;
  const [held] = await q.query<{ state: string; owner_id: string; released_at: string | null }>(
    'select state, owner_id, released_at from conference_ids where id = $1',
    [id],
  );
  if (held?.state === 'active' && held.owner_id === owner.ownerId) return;
  if (held?.state === 'quarantined') {
    const until = new Date(new Date(held.released_at!).getTime() + quarantineDays * 86_400_000);
    throw new ConflictError(
      field,
      `conference ID ${id} was released recently and can't be used again until ${until.toISOString().slice(0, 10)} (quarantine of ${quarantineDays} days).`,
    );
  }
  throw new ConflictError(field, `conference ID ${id} is already taken; choose another.`);
}

/** Draws random IDs until one is free; collisions are rare below millions of IDs. */
export async function allocateStaticId(
  q: Queryable,
  owner: { orgId: string; ownerId: string },
  quarantineDays: number,
): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = generateStaticId();
    const rows = await q.query(CLAIM, [id, owner.orgId, 'static', owner.ownerId, quarantineDays]);
    if (rows.length) return id;
  }
  throw new ConflictError('ConferenceId', 'no free conference ID could be found after 50 tries.');
}

/**
 * A fresh per-meeting ID (8 digits with a check digit). The registry's
 * primary key keeps it unique across the deployment and apart from static
 * IDs, also against concurrent scheduling; quarantined IDs are skipped.
 */
export async function allocateMeetingId(
  q: Queryable,
  owner: { orgId: string; ownerId: string },
  quarantineDays: number,
): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = generateMeetingId();
    // Unlike a static ID, a per-meeting ID never goes back to its former owner early.
    const rows = await q.query(CLAIM, [id, owner.orgId, 'meeting', owner.ownerId, quarantineDays]);
    if (rows.length) return id;
  }
  throw new ConflictError('ConferenceId', 'no free per-meeting ID could be found after 50 tries.');
}

/** The ID stops working at once and rests in quarantine. */
export async function releaseId(q: Queryable, id: string): Promise<void> {
  await q.query(
    `update conference_ids set state = 'quarantined', released_at = now() where id = $1 and state = 'active'`,
    [id],
  );
}
