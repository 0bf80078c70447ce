import { NotFoundError } from '../errors.ts';
import type { MeetingView } from '../events/types.ts';
import { LiveMeeting, type MeetingEndReason, type MeetingOptions } from './live-meeting.ts';

/**
 * The meetings running on this node, by the key callers reach them with (the
 * organizer's conference ID), and the controls administrators use on them.
 * A meeting exists while someone is in it or waiting for it.
 */
export class MeetingRegistry {
  private readonly byKey = new Map<string, LiveMeeting>();
  private readonly byId = new Map<string, LiveMeeting>();

  /** The running meeting for a key, if any. */
  get(key: string): LiveMeeting | undefined {
    return this.byKey.get(key);
  }

  /** The running meeting for a key, or a new one with these options. */
  open(options: Omit<MeetingOptions, 'onEnded'>): LiveMeeting {
    const running = this.byKey.get(options.key);
    if (running && !running.isEnded) return running;
    const meeting = new LiveMeeting({
      ...options,
      onEnded: (m) => {
        if (this.byKey.get(options.key) === m) this.byKey.delete(options.key);
        if (this.byId.get(m.id) === m) this.byId.delete(m.id);
      },
    });
    this.byKey.set(options.key, meeting);
    this.byId.set(meeting.id, meeting);
    return meeting;
  }

  list(orgId: string): MeetingView[] {
    return [...this.byId.values()].filter((m) => m.view().orgId === orgId).map((m) => m.view());
  }

  /** All meetings of all organizations (metrics). */
  get count(): number {
    return this.byId.size;
  }

  get participants(): number {
    let n = 0;
    for (const m of this.byId.values()) n += m.size;
    return n;
  }

  /** A meeting of the organization, or a not-found error naming the field. */
  meeting(orgId: string, meetingId: string): LiveMeeting {
    const m = this.byId.get(meetingId);
    if (!m || m.view().orgId !== orgId)
      throw new NotFoundError('live meeting', meetingId, 'MeetingId');
    return m;
  }

  view(orgId: string, meetingId: string): MeetingView {
    return this.meeting(orgId, meetingId).view();
  }

  admit(orgId: string, meetingId: string, participantId?: string): MeetingView {
    const m = this.meeting(orgId, meetingId);
    if (!m.admit(participantId))
      throw new NotFoundError('participant', participantId ?? '', 'ParticipantId');
    return m.view();
  }

  mute(orgId: string, meetingId: string, participantId: string, muted: boolean): MeetingView {
    const m = this.meeting(orgId, meetingId);
    if (!m.mute(participantId, muted))
      throw new NotFoundError('participant', participantId, 'ParticipantId');
    return m.view();
  }

  remove(orgId: string, meetingId: string, participantId: string): MeetingView {
    const m = this.meeting(orgId, meetingId);
    if (!m.remove(participantId))
      throw new NotFoundError('participant', participantId, 'ParticipantId');
    return m.view();
  }

  lock(orgId: string, meetingId: string, locked: boolean): MeetingView {
    const m = this.meeting(orgId, meetingId);
    m.lock(locked);
    return m.view();
  }

  end(orgId: string, meetingId: string, reason: MeetingEndReason = 'admin-ended'): void {
    this.meeting(orgId, meetingId).end(reason);
  }

  /** Shutting down: every meeting ends. */
  endAll(): void {
    for (const m of [...this.byId.values()]) m.end('admin-ended');
  }
}
