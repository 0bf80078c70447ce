import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';

/** What every use case needs: the store, a logger, and deployment-wide policy. */
export interface AdminContext {
  db: Db;
  log: Logger;
  /** Days a released conference ID rests before it may be handed out again. */
  quarantineDays: number;
  /** Called after a use case committed emails to the outbox, so delivery starts at once. */
  mailQueued?: () => void;
}

/** Who is acting, in which organization; written to the audit log. */
export interface Actor {
  orgId: string;
  name: string;
}
