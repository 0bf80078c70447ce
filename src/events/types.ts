/**
 * Everything that happens on the call plane, as administrators and
 * integrations see it: the server-sent event stream, signed webhooks and call
 * detail records are all fed from these. Phone numbers here are already
 * masked per the organization's MaskPstnNumbersType; digits typed by callers
 * (conference IDs, PINs) never appear.
 */

/** One participant as a live roster shows them. */
export interface ParticipantView {
  /** The call's id. */
  id: string;
  /** The caller's number as the roster may show it (masked per the organization). */
  caller: string;
  /** Whether a name was recorded (the recording itself stays on the call plane). */
  named: boolean;
  leader: boolean;
  muted: boolean;
  handRaised: boolean;
  inLobby: boolean;
  talking: boolean;
  joinedAt: string;
}

export interface MeetingView {
  /** The live meeting's id (stable while it runs). */
  id: string;
  orgId: string;
  /** The organizer's user id. */
  organizerId: string;
  organizerName: string;
  /** Which conference ID opened it: 'static' or 'meeting' (per-meeting ID). */
  idKind: 'static' | 'meeting';
  started: boolean;
  locked: boolean;
  announcements: boolean;
  startedAt: string | undefined;
  participants: ParticipantView[];
}

export type CallEndReason = string;

export type LiveEvent =
  | {
      type: 'call.started';
      orgId: string | undefined;
      callId: string;
      dialled: string;
      caller: string;
    }
  | {
      type: 'call.ended';
      orgId: string | undefined;
      callId: string;
      reason: CallEndReason;
      durationMs: number;
      meetingId: string | undefined;
    }
  | { type: 'meeting.started'; orgId: string; meeting: MeetingView }
  | { type: 'meeting.updated'; orgId: string; meeting: MeetingView }
  | { type: 'meeting.ended'; orgId: string; meetingId: string; reason: string }
  | { type: 'participant.joined'; orgId: string; meetingId: string; participant: ParticipantView }
  | { type: 'participant.updated'; orgId: string; meetingId: string; participant: ParticipantView }
  | {
      type: 'participant.left';
      orgId: string;
      meetingId: string;
      participantId: string;
      reason: string;
    }
  | {
      /** Too many wrong conference IDs or PINs: the caller was locked out. */
      type: 'security.lockout';
      orgId: string | undefined;
      callId: string;
      caller: string;
      what: 'conference-id' | 'pin';
      /** Whose limit: the calling number's, the whole bridge's, or the meeting's PIN. */
      scope: 'caller' | 'overall' | 'meeting';
    };

export type LiveEventType = LiveEvent['type'];

/** An event as delivered: a sequence number for resuming streams, and when it happened. */
export type Delivered = LiveEvent & { seq: number; at: string };

/**
 * Every event type, at run time: webhook and stream filters are checked
 * against it. Typed as a record so adding a type to LiveEvent without listing
 * it here (or listing one that does not exist) fails to compile.
 */
const EVENT_TYPES: Record<LiveEventType, true> = {
  'call.started': true,
  'call.ended': true,
  'meeting.started': true,
  'meeting.updated': true,
  'meeting.ended': true,
  'participant.joined': true,
  'participant.updated': true,
  'participant.left': true,
  'security.lockout': true,
};
export const LIVE_EVENT_TYPES = Object.keys(EVENT_TYPES) as LiveEventType[];
