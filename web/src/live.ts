import type { LiveMeeting, Participant } from './types.ts';

/** The event stream's events that change a live roster (see src/events/types.ts). */
export type RosterEvent =
  | { type: 'meeting.started' | 'meeting.updated'; meeting: LiveMeeting }
  | { type: 'meeting.ended'; meetingId: string }
  | {
      type: 'participant.joined' | 'participant.updated';
      meetingId: string;
      participant: Participant;
    }
  | { type: 'participant.left'; meetingId: string; participantId: string };

export const ROSTER_EVENTS: RosterEvent['type'][] = [
  'meeting.started',
  'meeting.updated',
  'meeting.ended',
  'participant.joined',
  'participant.updated',
  'participant.left',
];

const upsert = <T extends { id: string }>(list: T[], item: T): T[] =>
  list.some((x) => x.id === item.id)
    ? list.map((x) => (x.id === item.id ? item : x))
    : [...list, item];

/** Applies one event to the meetings on screen; events are idempotent, so replays are harmless. */
export function applyEvent(meetings: LiveMeeting[], e: RosterEvent): LiveMeeting[] {
  switch (e.type) {
    case 'meeting.started':
    case 'meeting.updated':
      return upsert(meetings, e.meeting);
    case 'meeting.ended':
      return meetings.filter((m) => m.id !== e.meetingId);
    case 'participant.joined':
    case 'participant.updated':
      return meetings.map((m) =>
        m.id === e.meetingId ? { ...m, participants: upsert(m.participants, e.participant) } : m,
      );
    case 'participant.left':
      return meetings.map((m) =>
        m.id === e.meetingId
          ? { ...m, participants: m.participants.filter((p) => p.id !== e.participantId) }
          : m,
      );
  }
}
