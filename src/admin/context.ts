import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';

/** What every use case needs: the store, a logger, and deployment-wide policy. */
export interface AdminContext {
  db: Db;
  log: Logger;
  /** Days a released conference ID rests before it may be handed out again. */
  quarantineDays: number;
  /**
   * Called after a use case committed work for the background workers (emails
   * in the outbox, meeting migrations), so they start at once instead of at their next poll.
   */
  committed?: () => void;
}

/** Who is acting, in which organization; written to the audit log. */
export interface Actor {
  orgId: string;
  name: string;
}
