import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/clock.ts';
import type { Speech } from '../attendant/speech.ts';
import type { LiveEvent } from '../events/types.ts';
import { LiveMeeting, type MeetingOptions, type MemberPort } from './live-meeting.ts';
import { maskCaller } from './masking.ts';

/** A caller as the meeting sees it, writing down everything done to it. */
class FakePort implements MemberPort {
  readonly log: string[] = [];
  talking = false;
  ended = false;
  constructor(readonly id: string) {}
  say(speech: Speech[]): Promise<boolean> {
    this.log.push(`say:${speech.map(word).join(' ')}`);
    return Promise.resolve(true);
  }
  music(on: boolean) {
    this.log.push(on ? 'music:on' : 'music:off');
  }
  seat() {
    this.log.push('seat');
  }
  unseat() {
    this.log.push('unseat');
  }
  setMuted(m: boolean) {
    this.log.push(m ? 'muted' : 'unmuted');
  }
  hangup() {
    this.ended = true;
    this.log.push('hangup');
  }
  /** What was said, in order. */
  get said(): string[] {
    return this.log.filter((l) => l.startsWith('say:')).map((l) => l.slice(4));
  }
  clear() {
    this.log.length = 0;
  }
}

function word(s: Speech): string {
  if ('prompt' in s) return s.prompt;
  if ('digit' in s) return s.digit;
  if ('number' in s) return `#${s.number}`;
  if ('name' in s) return `name(${s.name.length})`;
  return `tone:${s.tone}`;
}

const flush = () => new Promise((r) => setImmediate(r));

function setup(over: Partial<MeetingOptions> = {}) {
  const clock = new ManualClock();
  const events: LiveEvent[] = [];
  let ended = 0;
  const meeting = new LiveMeeting({
    key: '8271964',
    orgId: 'org',
    organizerId: 'amos',
    organizerName: 'Amos Marble',
    idKind: 'static',
    callersMayStart: false,
    announcements: true,
    announceType: 'UseNames',
    clock,
    publish: (e) => events.push(e),
    onEnded: () => ended++,
    ...over,
  });
  const arrive = (id: string, leader = false, name?: Int16Array, number = '+14255550123') => {
    const port = new FakePort(id);
    meeting.arrive(port, {
      leader,
      name,
      caller: maskCaller(number, 'MaskedForExternalUsers'),
    });
    return port;
  };
  return { clock, events, meeting, arrive, ended: () => ended };
}

const NAME = new Int16Array(8000);

describe('a live meeting', () => {
  it('starts when the leader arrives, who hears they are the first', async () => {
    const { meeting, arrive, events } = setup();
    const leader = arrive('l', true, NAME);
    await flush();
    expect(meeting.isStarted).toBe(true);
    expect(leader.log).toEqual(['music:off', 'seat', 'say:first-person']);
    expect(events.map((e) => e.type)).toEqual(['meeting.started', 'participant.joined']);
    expect(meeting.view().participants).toEqual([
      expect.objectContaining({ id: 'l', leader: true, inLobby: false, caller: '+1425XXXXX23' }),
    ]);
  });

  describe('the lobby', () => {
    it('holds callers with music and a reminder until the leader comes, then lets them in', async () => {
      const { meeting, arrive, clock, events } = setup();
      const a = arrive('a', false, NAME);
      await flush();
      expect(meeting.isStarted).toBe(false);
      expect(a.log).toEqual(['say:lobby-wait', 'music:on']);
      expect(meeting.view().participants[0]).toMatchObject({ inLobby: true });
      a.clear();
      clock.advance(60_000);
      await flush();
      expect(a.log).toEqual(['music:off', 'say:lobby-wait', 'music:on']);
      // Keys in the lobby are not commands.
      a.clear();
      meeting.key('a', '*');
      meeting.key('a', '6');
      await flush();
      expect(a.log).toEqual([]);

      a.clear();
      const leader = arrive('l', true);
      await flush();
      expect(a.log).toEqual(['music:off', 'seat']);
      // The leader is not "the first person" (the lobby comes in with them), and
      // hears the attendee announced.
      expect(leader.said).toEqual(['name(8000) has-joined']);
      expect(meeting.view().participants.every((p) => !p.inLobby)).toBe(true);
      expect(events.filter((e) => e.type === 'participant.updated')).toHaveLength(1);
      // No more reminders once in.
      a.clear();
      clock.advance(120_000);
      await flush();
      expect(a.log).toEqual([]);
    });

    it('lets callers start the meeting themselves when the organizer allows it', async () => {
      const { meeting, arrive } = setup({ callersMayStart: true });
      const a = arrive('a');
      await flush();
      expect(meeting.isStarted).toBe(true);
      expect(a.log).toEqual(['music:off', 'seat', 'say:first-person']);
    });

    it('an administrator admitting anyone starts the meeting and lets the whole lobby in', async () => {
      const { meeting, arrive } = setup();
      const a = arrive('a');
      const b = arrive('b');
      expect(meeting.admit('nobody')).toBe(false);
      expect(meeting.isStarted).toBe(false);
      expect(meeting.admit('a')).toBe(true);
      expect(meeting.isStarted).toBe(true);
      expect(meeting.participantView('a')!.inLobby).toBe(false);
      expect(meeting.participantView('b')!.inLobby).toBe(false);
      expect(meeting.admit()).toBe(true);
      await flush();
      expect(a.log).toContain('seat');
      expect(b.log).toContain('seat');
    });

    it('someone muted in the lobby is still muted once seated', async () => {
      const { meeting, arrive } = setup();
      const a = arrive('a');
      meeting.mute('a', true);
      arrive('l', true);
      await flush();
      // Muted again after taking the seat: the mix, not just the roster, has it.
      expect(a.log.slice(a.log.indexOf('seat'))).toContain('muted');
      expect(meeting.participantView('a')!.muted).toBe(true);
    });
  });

  describe('entry and exit announcements', () => {
    it('says the recorded name, else the masked number, to everyone else', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true, NAME);
      arrive('a', false, undefined, '+14255550177');
      await flush();
      expect(l.said.at(-1)).toBe('caller-ending-in 7 7 has-joined');
      const b = arrive('b', false, NAME);
      await flush();
      expect(l.said.at(-1)).toBe('name(8000) has-joined');
      meeting.depart('a');
      await flush();
      expect(l.said.at(-1)).toBe('caller-ending-in 7 7 has-left');
      expect(b.said.at(-1)).toBe('caller-ending-in 7 7 has-left');
    });

    it('says the whole number when numbers are not masked, and "caller" for a non-number', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      const port = new FakePort('x');
      meeting.arrive(port, {
        leader: false,
        name: undefined,
        caller: maskCaller('+14255550123', 'NoMasking'),
      });
      await flush();
      expect(l.said.at(-1)).toBe('caller 1 4 2 5 5 5 5 0 1 2 3 has-joined');
      meeting.arrive(new FakePort('y'), {
        leader: false,
        name: undefined,
        caller: maskCaller('alice', 'NoMasking'),
      });
      await flush();
      expect(l.said.at(-1)).toBe('caller has-joined');
    });

    it('plays tones with ToneOnly, and nothing when announcements are off', async () => {
      const tones = setup({ announceType: 'ToneOnly' });
      const l = tones.arrive('l', true);
      tones.arrive('a', false, NAME);
      await flush();
      expect(l.said.at(-1)).toBe('tone:join');
      tones.meeting.depart('a');
      await flush();
      expect(l.said.at(-1)).toBe('tone:leave');

      const quiet = setup({ announcements: false });
      const q = quiet.arrive('l', true);
      quiet.arrive('a', false, NAME);
      await flush();
      expect(q.said).toEqual(['first-person']);
    });
  });

  describe('keypad commands', () => {
    const press = (meeting: LiveMeeting, id: string, keys: string) =>
      [...keys].forEach((k) => meeting.key(id, k));

    it('*1 lists the commands, with the leader ones for the leader', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      const a = arrive('a');
      await flush();
      l.clear();
      a.clear();
      press(meeting, 'l', '*1');
      press(meeting, 'a', '*1');
      await flush();
      expect(l.said).toEqual(['commands commands-leader']);
      expect(a.said).toEqual(['commands']);
    });

    it('*3 tells only the caller how many are here and who', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true, NAME);
      const a = arrive('a', false, undefined, '+14255550199');
      await flush();
      l.clear();
      a.clear();
      press(meeting, 'a', '*3');
      await flush();
      expect(a.said).toEqual([
        'people-in-meeting #2 roll-call-names name(8000) caller-ending-in 9 9',
      ]);
      expect(l.said).toEqual([]);
    });

    it('*5 raises and lowers a hand, visible in the roster', async () => {
      const { arrive, meeting, events } = setup();
      arrive('l', true);
      const a = arrive('a');
      press(meeting, 'a', '*5');
      expect(meeting.participantView('a')!.handRaised).toBe(true);
      press(meeting, 'a', '*5');
      expect(meeting.participantView('a')!.handRaised).toBe(false);
      await flush();
      expect(a.said.slice(-2)).toEqual(['hand-raised', 'hand-lowered']);
      expect(
        events.filter((e) => e.type === 'participant.updated' && e.participant.id === 'a'),
      ).toHaveLength(2);
    });

    it('*6 mutes and unmutes yourself', async () => {
      const { arrive, meeting } = setup();
      arrive('l', true);
      const a = arrive('a');
      press(meeting, 'a', '*6');
      expect(meeting.participantView('a')!.muted).toBe(true);
      press(meeting, 'a', '*6');
      expect(meeting.participantView('a')!.muted).toBe(false);
      await flush();
      expect(a.log.filter((l) => l === 'muted' || l === 'unmuted')).toEqual(['muted', 'unmuted']);
      expect(a.said.slice(-2)).toEqual(['muted', 'unmuted']);
    });

    it('leader commands are refused to others', async () => {
      const { arrive, meeting } = setup();
      arrive('l', true);
      const a = arrive('a');
      for (const keys of ['*7', '*21', '*22', '*23', '*9']) press(meeting, 'a', keys);
      await flush();
      expect(a.said.slice(-5)).toEqual(Array(5).fill('leader-only'));
      expect(meeting.isEnded).toBe(false);
      expect(meeting.isLocked).toBe(false);
    });

    it('*7 locks the meeting against new callers, and unlocks it', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      press(meeting, 'l', '*7');
      expect(meeting.isLocked).toBe(true);
      const late = arrive('late');
      await flush();
      expect(late.said).toEqual(['meeting-is-locked']);
      expect(late.ended).toBe(true);
      expect(meeting.participantView('late')).toBeUndefined();
      // A leader still gets in.
      arrive('l2', true);
      expect(meeting.participantView('l2')).toBeDefined();
      press(meeting, 'l', '*7');
      expect(meeting.isLocked).toBe(false);
      await flush();
      expect(l.said).toContain('meeting-locked');
      expect(l.said).toContain('meeting-unlocked');
    });

    it('*21 admits whoever waits in the lobby', async () => {
      // Callers wait only until the meeting starts, and a leader's arrival starts
      // it and lets them in; *21 is the leader's explicit way to do the same.
      const { arrive, meeting } = setup();
      const w = arrive('w');
      expect(meeting.participantView('w')!.inLobby).toBe(true);
      const boss = arrive('boss', true);
      expect(meeting.participantView('w')!.inLobby).toBe(false);
      press(meeting, 'boss', '*21');
      await flush();
      expect(boss.said.at(-1)).toBe('lobby-admitted');
      expect(w.log).toContain('seat');
    });

    it('*22 mutes everyone but the leader and keeps them muted until lifted', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      const a = arrive('a');
      const b = arrive('b');
      press(meeting, 'l', '*22');
      expect(meeting.participantView('a')!.muted).toBe(true);
      expect(meeting.participantView('b')!.muted).toBe(true);
      expect(meeting.participantView('l')!.muted).toBe(false);
      press(meeting, 'a', '*6');
      expect(meeting.participantView('a')!.muted).toBe(true);
      // Someone joining now comes in muted.
      arrive('c');
      expect(meeting.participantView('c')!.muted).toBe(true);
      press(meeting, 'l', '*22');
      press(meeting, 'a', '*6');
      expect(meeting.participantView('a')!.muted).toBe(false);
      await flush();
      expect(l.said).toContain('all-muted');
      expect(a.said).toContain('mute-locked');
      expect(b.log).toContain('muted');
    });

    it('*23 turns announcements off and on', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      press(meeting, 'l', '*23');
      arrive('a', false, NAME);
      await flush();
      expect(l.said).toEqual(['first-person', 'announcements-off']);
      press(meeting, 'l', '*23');
      arrive('b', false, NAME);
      await flush();
      expect(l.said.slice(-2)).toEqual(['announcements-on', 'name(8000) has-joined']);
    });

    it('an unknown command says so', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      press(meeting, 'l', '*8');
      await flush();
      expect(l.said.at(-1)).toBe('unknown-command');
    });
  });

  describe('ending', () => {
    it('an administrator ends it: everyone hears it and is disconnected', async () => {
      const { arrive, meeting, events, ended } = setup();
      const l = arrive('l', true);
      const a = arrive('a');
      meeting.end('admin-ended');
      await flush();
      for (const p of [l, a]) {
        expect(p.said.at(-1)).toBe('meeting-ended');
        expect(p.ended).toBe(true);
        expect(p.log).toContain('unseat');
      }
      expect(events.at(-1)).toMatchObject({ type: 'meeting.ended', reason: 'admin-ended' });
      expect(ended()).toBe(1);
      // A late caller hears that it ended.
      const late = arrive('late');
      await flush();
      expect(late.said).toEqual(['meeting-ended']);
      expect(late.ended).toBe(true);
    });

    it('the leader ends it with *9: everyone hears it and is disconnected', async () => {
      const { arrive, meeting, events } = setup();
      const l = arrive('l', true);
      const a = arrive('a');
      [...'*9'].forEach((k) => meeting.key('l', k));
      await flush();
      expect(meeting.isEnded).toBe(true);
      for (const p of [l, a]) {
        expect(p.said.at(-1)).toBe('meeting-ended');
        expect(p.ended).toBe(true);
      }
      expect(events.at(-1)).toMatchObject({ type: 'meeting.ended', reason: 'leader-ended' });
    });

    it('ends when the last person leaves', () => {
      const { arrive, meeting, events, ended } = setup();
      arrive('l', true);
      meeting.depart('l');
      expect(meeting.isEnded).toBe(true);
      expect(events.at(-1)).toMatchObject({ type: 'meeting.ended', reason: 'empty' });
      expect(ended()).toBe(1);
    });

    it('ends 90 minutes after the last leader left, unless a leader comes back', async () => {
      const { arrive, meeting, clock } = setup();
      arrive('l', true);
      const a = arrive('a');
      meeting.depart('l');
      clock.advance(89 * 60_000);
      arrive('l2', true);
      clock.advance(10 * 60_000);
      expect(meeting.isEnded).toBe(false);
      meeting.depart('l2');
      clock.advance(90 * 60_000);
      expect(meeting.isEnded).toBe(true);
      await flush();
      expect(a.said.at(-1)).toBe('meeting-ended');
      expect(a.ended).toBe(true);
    });

    it('with callers allowed to start, ends after 4 hours without a leader', () => {
      const { arrive, meeting, clock } = setup({ callersMayStart: true });
      arrive('a');
      clock.advance(4 * 3600_000 - 1);
      expect(meeting.isEnded).toBe(false);
      clock.advance(1);
      expect(meeting.isEnded).toBe(true);
    });

    it('ends after 24 hours without a change in who is there', () => {
      const { arrive, meeting, clock, events } = setup();
      arrive('l', true);
      clock.advance(20 * 3600_000);
      arrive('a');
      clock.advance(23 * 3600_000);
      expect(meeting.isEnded).toBe(false);
      clock.advance(3600_000);
      expect(meeting.isEnded).toBe(true);
      expect(events.at(-1)).toMatchObject({ reason: 'unchanged-timeout' });
    });

    it('removing a caller tells them and hangs up, and the others hear them leave', async () => {
      const { arrive, meeting } = setup();
      const l = arrive('l', true);
      const a = arrive('a', false, NAME);
      expect(meeting.remove('a')).toBe(true);
      await flush();
      expect(a.said.at(-1)).toBe('removed');
      expect(a.ended).toBe(true);
      expect(l.said.at(-1)).toBe('name(8000) has-left');
      expect(meeting.remove('a')).toBe(false);
    });
  });
});
