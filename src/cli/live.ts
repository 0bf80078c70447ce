import { clientFor, type Print, type Target } from './command-group.ts';
import type { Command } from 'commander';
import { seg } from './client.ts';

/**
 * `dialbridge live …`: the meetings running now, and the controls an
 * administrator has over them (admit, mute, unmute, remove, lock, unlock,
 * end). The same routes as the API's /api/v1/live/meetings.
 */

interface LiveMeeting {
  id: string;
  organizerName: string;
  started: boolean;
  locked: boolean;
  participants: {
    id: string;
    caller: string;
    leader: boolean;
    muted: boolean;
    handRaised: boolean;
    inLobby: boolean;
    talking: boolean;
  }[];
}

const PARTICIPANT_COLUMNS = ['id', 'caller', 'leader', 'muted', 'handRaised', 'inLobby', 'talking'];

export function registerLiveCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);
  const base = (meeting: string) => `/api/v1/live/meetings/${seg(meeting)}`;
  const live = cmd.command('live').description('live meetings: who is in them, and control');

  live
    .command('list')
    .description('meetings running now')
    .action(async () => {
      const meetings = (await client().call('GET', '/api/v1/live/meetings')) as LiveMeeting[];
      print(
        meetings.map((m) => ({
          id: m.id,
          organizer: m.organizerName,
          started: m.started,
          locked: m.locked,
          participants: m.participants.length,
          inLobby: m.participants.filter((p) => p.inLobby).length,
        })),
        ['id', 'organizer', 'started', 'locked', 'participants', 'inLobby'],
      );
    });
  live
    .command('show <meeting>')
    .description("a meeting's participants (numbers masked)")
    .action(async (meeting: string) => {
      const m = (await client().call('GET', base(meeting))) as LiveMeeting;
      print(m.participants, PARTICIPANT_COLUMNS);
    });
  live
    .command('admit <meeting> [participant]')
    .description('admit the lobby (or one caller); starts the meeting')
    .action(async (meeting: string, participant?: string) => {
      const m = (await client().call(
        'POST',
        `${base(meeting)}/admit`,
        participant ? { ParticipantId: participant } : {},
      )) as LiveMeeting;
      print(m.participants, PARTICIPANT_COLUMNS);
    });
  for (const [name, muted] of [
    ['mute', true],
    ['unmute', false],
  ] as const) {
    live
      .command(`${name} <meeting> <participant>`)
      .description(`${name} a participant`)
      .action(async (meeting: string, participant: string) => {
        const m = (await client().call(
          'POST',
          `${base(meeting)}/participants/${seg(participant)}/mute`,
          { Muted: muted },
        )) as LiveMeeting;
        print(m.participants, PARTICIPANT_COLUMNS);
      });
  }
  live
    .command('remove <meeting> <participant>')
    .description('remove a caller from the meeting (they hear why)')
    .action(async (meeting: string, participant: string) => {
      const m = (await client().call(
        'DELETE',
        `${base(meeting)}/participants/${seg(participant)}`,
      )) as LiveMeeting;
      print(m.participants, PARTICIPANT_COLUMNS);
    });
  for (const [name, locked] of [
    ['lock', true],
    ['unlock', false],
  ] as const) {
    live
      .command(`${name} <meeting>`)
      .description(locked ? 'turn new callers away' : 'let new callers in again')
      .action(async (meeting: string) => {
        const m = (await client().call('POST', `${base(meeting)}/lock`, {
          Locked: locked,
        })) as LiveMeeting;
        print({ id: m.id, locked: m.locked });
      });
  }
  live
    .command('end <meeting>')
    .description('end the meeting for everyone')
    .action(async (meeting: string) => {
      await client().call('DELETE', base(meeting));
      print({ id: meeting, ended: true });
    });
}
