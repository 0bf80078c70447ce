import { describe, expect, it } from 'vitest';
import { applyEvent, type RosterEvent } from './live.ts';
import type { LiveMeeting, Participant } from './types.ts';

const caller = (id: string, over: Partial<Participant> = {}): Participant => ({
  id,
  caller: '+1425XXXXX23',
  named: false,
  leader: false,
  muted: false,
  handRaised: false,
  inLobby: true,
  talking: false,
  joinedAt: '2026-12-01T14:00:00.000Z',
  ...over,
});
const meeting = (id: string, participants: Participant[] = []): LiveMeeting => ({
  id,
  orgId: 'contoso',
  organizerId: 'amos',
  organizerName: 'Amos Marble',
  idKind: 'static',
  started: false,
  locked: false,
  announcements: true,
  startedAt: undefined,
  participants,
});

describe('the live roster', () => {
  it('follows a meeting from its first caller in the lobby to its end', () => {
    const events: RosterEvent[] = [
      { type: 'meeting.started', meeting: meeting('m1') },
      { type: 'participant.joined', meetingId: 'm1', participant: caller('a') },
      { type: 'participant.joined', meetingId: 'm1', participant: caller('b') },
      {
        type: 'participant.updated',
        meetingId: 'm1',
        participant: caller('a', { inLobby: false, muted: true }),
      },
      { type: 'participant.left', meetingId: 'm1', participantId: 'b' },
    ];
    const shown = events.reduce(applyEvent, [] as LiveMeeting[]);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.participants).toEqual([caller('a', { inLobby: false, muted: true })]);
    expect(applyEvent(shown, { type: 'meeting.ended', meetingId: 'm1' })).toEqual([]);
  });

  it('is idempotent: a replayed event (after a reconnect) changes nothing more', () => {
    const joined: RosterEvent = {
      type: 'participant.joined',
      meetingId: 'm1',
      participant: caller('a'),
    };
    const once = applyEvent([meeting('m1')], joined);
    expect(applyEvent(once, joined)).toEqual(once);
    const started: RosterEvent = { type: 'meeting.started', meeting: meeting('m2') };
    const two = applyEvent(once, started);
    expect(applyEvent(two, started)).toEqual(two);
  });

  it('leaves other meetings alone, and ignores participants of a meeting it does not show', () => {
    const shown = [meeting('m1', [caller('a')]), meeting('m2', [caller('b')])];
    const after = applyEvent(shown, {
      type: 'participant.left',
      meetingId: 'm2',
      participantId: 'b',
    });
    expect(after[0]).toBe(shown[0]);
    expect(after[1]!.participants).toEqual([]);
    expect(
      applyEvent(shown, { type: 'participant.joined', meetingId: 'zz', participant: caller('c') }),
    ).toEqual(shown);
  });
});
