import type { Actor, AdminContext } from '../admin/context.ts';
import { inviteIcs } from './invite.ts';
import {
  listMigrations,
  migrationSummary,
  startMigration,
  type MigrationView,
} from './migrations.ts';
import {
  cancelMeeting,
  getInviteParts,
  getMeeting,
  listMeetings,
  scheduleMeeting,
  updateMeeting,
  type MeetingInput,
  type MeetingView,
} from './meetings.ts';

export type ScheduledMeetingView = MeetingView & {
  DialIn: (NonNullable<MeetingView['DialIn']> & { NumbersPage: string }) | null;
};

/** Scheduled meetings: the use cases every face (API, command line) calls. */
export class MeetingService {
  /**
   * @param numbersPage the address of an organization's public page of
   * dial-in numbers, which every dial-in block links to
   */
  constructor(
    private readonly ctx: AdminContext,
    private readonly numbersPage: (orgId: string) => string,
  ) {}

  async schedule(actor: Actor, input: MeetingInput): Promise<ScheduledMeetingView> {
    return this.page(
      actor,
      await this.ctx.db.tx((q) => scheduleMeeting(q, actor, input, this.ctx.quarantineDays)),
    );
  }

  async update(actor: Actor, id: unknown, input: MeetingInput): Promise<ScheduledMeetingView> {
    return this.page(actor, await this.ctx.db.tx((q) => updateMeeting(q, actor, id, input)));
  }

  async cancel(actor: Actor, id: unknown): Promise<ScheduledMeetingView> {
    return this.page(actor, await this.ctx.db.tx((q) => cancelMeeting(q, actor, id)));
  }

  async get(actor: Actor, id: unknown): Promise<ScheduledMeetingView> {
    return this.page(actor, await getMeeting(this.ctx.db, actor.orgId, id));
  }

  async list(
    actor: Actor,
    filter: { organizer?: unknown; includeCancelled?: boolean; limit?: number },
  ): Promise<ScheduledMeetingView[]> {
    return (await listMeetings(this.ctx.db, actor.orgId, filter)).map((m) => this.page(actor, m));
  }

  /** Start-CsExMeetingMigration: the user's future meetings, brought up to date now. */
  async startMigration(actor: Actor, identity: unknown): Promise<MigrationView> {
    const started = await this.ctx.db.tx((q) => startMigration(q, actor, identity));
    this.ctx.committed?.();
    return started;
  }

  /** Get-CsMeetingMigrationStatus. */
  migrations(
    actor: Actor,
    filter: { identity?: unknown; state?: unknown; summaryOnly?: boolean },
  ): Promise<MigrationView[] | Record<string, number>> {
    if (filter.summaryOnly) return migrationSummary(this.ctx.db, actor.orgId);
    return listMigrations(this.ctx.db, actor.orgId, filter);
  }

  /** The meeting's iCalendar invite (a CANCEL once cancelled). */
  async invite(actor: Actor, id: unknown): Promise<string> {
    const parts = await getInviteParts(this.ctx.db, actor.orgId, id);
    return inviteIcs(this.page(actor, parts.meeting), parts.organizer, parts.sequence);
  }

  private page(actor: Actor, m: MeetingView): ScheduledMeetingView {
    return {
      ...m,
      DialIn: m.DialIn && { ...m.DialIn, NumbersPage: this.numbersPage(actor.orgId) },
    };
  }
}
