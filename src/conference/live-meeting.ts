import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../sip/clock.ts';
import type { Speech } from '../attendant/speech.ts';
import type { LiveEvent, MeetingView, ParticipantView } from '../events/types.ts';
import type { MaskedCaller } from './masking.ts';
import { KeypadParser, LEADER_COMMANDS, type KeypadCommand } from './keypad.ts';

/**
 * What a live meeting needs from one caller's call. The call plane
 * implements it over a Call (member-port.ts); tests implement it with a
 * recorder of what was said and done. The meeting never sees SIP or RTP.
 */
export interface MemberPort {
  readonly id: string;
  /** Says something to this caller in their language; resolves false if cut short. */
  say(speech: Speech[]): Promise<boolean>;
  /** Music on hold on (looping) or off. */
  music(on: boolean): void;
  /** Takes a seat in the meeting's mix (hears everyone else, is heard). */
  seat(): void;
  unseat(): void;
  /** Not heard by the others while muted. */
  setMuted(muted: boolean): void;
  /** Heard talking right now (from the mix). */
  readonly talking: boolean;
  /** Ends the call (after whatever was said). */
  hangup(): void;
}

export interface MemberInfo {
  leader: boolean;
  caller: MaskedCaller;
  /** The recorded name, if one was recorded; kept only for the call. */
  name: Int16Array | undefined;
}

export interface MeetingOptions {
  key: string;
  orgId: string;
  organizerId: string;
  organizerName: string;
  idKind: 'static' | 'meeting';
  /** AllowPSTNOnlyMeetings: callers may start the meeting without a leader. */
  callersMayStart: boolean;
  /** EnableEntryExitNotifications (or the meeting's own option). */
  announcements: boolean;
  announceType: 'UseNames' | 'ToneOnly';
  clock: Clock;
  publish(event: LiveEvent): void;
  /** Called once when the meeting is over (the registry forgets it). */
  onEnded(meeting: LiveMeeting): void;
  timings?: Partial<MeetingTimings>;
}

export interface MeetingTimings {
  /** The lobby's "the meeting will start when the leader joins", this often. */
  lobbyReminderMs: number;
  /** Callers alone without an authenticated leader, when callers may start: end after this. */
  leaderlessMayStartMs: number;
  /** Otherwise: end this long after the last leader left. */
  leaderlessMs: number;
  /** Any meeting: end after this long without a change in who is there. */
  unchangedMs: number;
}

export const DEFAULT_MEETING_TIMINGS: MeetingTimings = {
  lobbyReminderMs: 60_000,
  leaderlessMayStartMs: 4 * 3600_000,
  leaderlessMs: 90 * 60_000,
  unchangedMs: 24 * 3600_000,
};

export type MeetingEndReason =
  'leader-ended' | 'admin-ended' | 'empty' | 'leaderless-timeout' | 'unchanged-timeout';

interface Member {
  port: MemberPort;
  info: MemberInfo;
  leader: boolean;
  muted: boolean;
  hand: boolean;
  inLobby: boolean;
  joinedAt: number;
  joinedAtIso: string;
  keypad: KeypadParser;
  reminder: Timer | undefined;
  /** Something is being said to this caller; commands wait their turn. */
  speaking: Promise<unknown>;
}

/**
 * One running meeting: who is in it and who waits in the lobby, its leader,
 * lock, muting and announcements, the in-meeting keypad commands, and the
 * rules that end it. Time comes from the injected clock, so tests drive the
 * 90-minute and 24-hour rules without waiting.
 */
export class LiveMeeting {
  readonly id: string;
  private readonly members = new Map<string, Member>();
  private started = false;
  private startedAtIso: string | undefined;
  private locked = false;
  /** The leader muted everyone (*22): callers can't unmute themselves until it is lifted. */
  private muteLocked = false;
  private announcements: boolean;
  private ended = false;
  private leaderlessTimer: Timer | undefined;
  private unchangedTimer: Timer | undefined;
  private readonly t: MeetingTimings;

  constructor(private readonly o: MeetingOptions) {
    // Opaque: the conference ID that opened it stays out of rosters, events and webhooks.
    this.id = randomUUID();
    this.announcements = o.announcements;
    this.t = { ...DEFAULT_MEETING_TIMINGS, ...o.timings };
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isLocked(): boolean {
    return this.locked;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get size(): number {
    return this.members.size;
  }

  /** A caller the attendant hands over: into the meeting, or into the lobby. */
  arrive(port: MemberPort, info: MemberInfo): void {
    if (this.ended || (this.locked && !info.leader)) {
      void port
        .say([{ prompt: this.ended ? 'meeting-ended' : 'meeting-is-locked' }])
        .catch(() => false)
        .then(() => port.hangup());
      return;
    }
    const now = this.o.clock.now();
    const m: Member = {
      port,
      info,
      leader: info.leader,
      muted: false,
      hand: false,
      inLobby: true,
      joinedAt: now,
      joinedAtIso: new Date().toISOString(),
      keypad: new KeypadParser(this.o.clock, (c) => this.command(port.id, c)),
      reminder: undefined,
      speaking: Promise.resolve(),
    };
    this.members.set(port.id, m);
    this.rosterChanged();
    if (info.leader || this.started || this.o.callersMayStart) {
      if (!this.started) this.start();
      this.join(m, false);
      if (info.leader) this.admitLobby();
    } else {
      this.toLobby(m);
    }
    this.checkLeaderless();
  }

  /** The caller hung up (or was removed): they leave, and the others hear it. */
  depart(id: string, reason = 'hangup'): void {
    const m = this.members.get(id);
    if (!m) return;
    this.members.delete(id);
    m.keypad.cancel();
    m.reminder?.cancel();
    if (!m.inLobby) {
      m.port.unseat();
      this.announce(m, 'left');
    }
    this.o.publish({
      type: 'participant.left',
      orgId: this.o.orgId,
      meetingId: this.id,
      participantId: id,
      reason,
    });
    this.rosterChanged();
    if (!this.members.size) return this.finish('empty');
    this.checkLeaderless();
  }

  /** A keypad press from a caller in this meeting (or its lobby). */
  key(id: string, digit: string): void {
    const m = this.members.get(id);
    if (m && !m.inLobby) m.keypad.press(digit);
  }

  // Administrator (and leader) controls. Each returns false when the
  // participant is not there.

  /** Lets one caller in from the lobby, or everyone when no id is given; starts the meeting. */
  admit(id?: string): boolean {
    if (id === undefined) {
      if (!this.started) this.start();
      this.admitLobby();
      return true;
    }
    const m = this.members.get(id);
    if (!m) return false;
    if (m.inLobby && !this.started) {
      // Starting the meeting lets everyone waiting in: nobody is left behind
      // hearing "the meeting will start" in a meeting that has.
      this.start();
      this.admitLobby();
    } else if (m.inLobby) {
      this.join(m, true);
    }
    return true;
  }

  mute(id: string, muted: boolean): boolean {
    const m = this.members.get(id);
    if (!m) return false;
    this.setMuted(m, muted);
    return true;
  }

  remove(id: string): boolean {
    const m = this.members.get(id);
    if (!m) return false;
    this.depart(id, 'removed');
    m.port.music(false);
    void m.port
      .say([{ prompt: 'removed' }])
      .catch(() => false)
      .then(() => m.port.hangup());
    return true;
  }

  lock(locked: boolean): void {
    if (this.locked === locked) return;
    this.locked = locked;
    this.updated();
  }

  /** Ends the meeting for everyone: they hear that it ended and are disconnected. */
  end(reason: MeetingEndReason): void {
    if (this.ended) return;
    const everyone = [...this.members.values()];
    this.members.clear();
    for (const m of everyone) {
      m.keypad.cancel();
      m.reminder?.cancel();
      m.port.music(false);
      if (!m.inLobby) m.port.unseat();
      void m.port
        .say([{ prompt: 'meeting-ended' }])
        .catch(() => false)
        .then(() => m.port.hangup());
    }
    this.finish(reason);
  }

  view(): MeetingView {
    return {
      id: this.id,
      orgId: this.o.orgId,
      organizerId: this.o.organizerId,
      organizerName: this.o.organizerName,
      idKind: this.o.idKind,
      started: this.started,
      locked: this.locked,
      announcements: this.announcements,
      startedAt: this.startedAtIso,
      participants: [...this.members.values()].map((m) => this.participant(m)),
    };
  }

  participantView(id: string): ParticipantView | undefined {
    const m = this.members.get(id);
    return m && this.participant(m);
  }

  private participant(m: Member): ParticipantView {
    return {
      id: m.port.id,
      caller: m.info.caller.display,
      named: m.info.name !== undefined,
      leader: m.leader,
      muted: m.muted,
      handRaised: m.hand,
      inLobby: m.inLobby,
      talking: !m.inLobby && !m.muted && m.port.talking,
      joinedAt: m.joinedAtIso,
    };
  }

  private start(): void {
    this.started = true;
    this.startedAtIso = new Date().toISOString();
    this.o.publish({ type: 'meeting.started', orgId: this.o.orgId, meeting: this.view() });
  }

  private toLobby(m: Member): void {
    m.inLobby = true;
    this.say(m, [{ prompt: 'lobby-wait' }]).then(() => {
      if (this.members.get(m.port.id) === m && m.inLobby) m.port.music(true);
    });
    const remind = () => {
      if (this.members.get(m.port.id) !== m || !m.inLobby) return;
      m.port.music(false);
      this.say(m, [{ prompt: 'lobby-wait' }]).then(() => {
        if (this.members.get(m.port.id) === m && m.inLobby) m.port.music(true);
      });
      m.reminder = this.o.clock.after(this.t.lobbyReminderMs, remind);
    };
    m.reminder = this.o.clock.after(this.t.lobbyReminderMs, remind);
    this.published('participant.joined', m);
  }

  /** Into the meeting: from the lobby (an update to the roster) or straight from the attendant. */
  private join(m: Member, fromLobby: boolean): void {
    m.reminder?.cancel();
    m.reminder = undefined;
    m.port.music(false);
    // First only if nobody else is here or waiting (a leader whose arrival
    // lets the lobby in is not alone for long).
    const alone = [...this.members.values()].every((x) => x === m);
    m.inLobby = false;
    if (alone) this.say(m, [{ prompt: 'first-person' }]);
    m.port.seat();
    // After taking the seat, so the mix carries the mute.
    if (this.muteLocked && !m.leader) m.muted = true;
    if (m.muted) m.port.setMuted(true);
    this.announce(m, 'joined');
    this.published(fromLobby ? 'participant.updated' : 'participant.joined', m);
  }

  private published(type: 'participant.joined' | 'participant.updated', m: Member): void {
    this.o.publish({
      type,
      orgId: this.o.orgId,
      meetingId: this.id,
      participant: this.participant(m),
    });
  }

  private admitLobby(): void {
    for (const m of this.members.values()) if (m.inLobby) this.join(m, true);
  }

  private setMuted(m: Member, muted: boolean, publish = true): void {
    m.muted = muted;
    m.port.setMuted(muted);
    if (publish) this.published('participant.updated', m);
  }

  /** Entry and exit announcements, to everyone in the meeting but the one who came or went. */
  private announce(m: Member, what: 'joined' | 'left'): void {
    if (!this.announcements) return;
    const speech: Speech[] =
      this.o.announceType === 'ToneOnly'
        ? [{ tone: what === 'joined' ? 'join' : 'leave' }]
        : [...this.whoIs(m), { prompt: what === 'joined' ? 'has-joined' : 'has-left' }];
    for (const other of this.members.values()) {
      if (other !== m && !other.inLobby) this.say(other, speech);
    }
  }

  /** The recorded name, else the caller's number as the mask allows. */
  private whoIs(m: Member): Speech[] {
    if (m.info.name) return [{ name: m.info.name }];
    const spoken = m.info.caller.spoken;
    if (!spoken) return [{ prompt: 'caller' }];
    return [{ prompt: spoken.prefix }, ...[...spoken.digits].map((digit) => ({ digit }))];
  }

  /** Queues speech for one caller: an announcement never talks over a command's answer. */
  private say(m: Member, speech: Speech[]): Promise<unknown> {
    // A prompt that fails (a missing file) must not break the queue or the process.
    m.speaking = m.speaking
      .then(() => (this.members.get(m.port.id) === m ? m.port.say(speech) : false))
      .catch(() => false);
    return m.speaking;
  }

  private command(id: string, c: KeypadCommand): void {
    const m = this.members.get(id);
    if (!m) return;
    if (LEADER_COMMANDS.has(c) && !m.leader) {
      this.say(m, [{ prompt: 'leader-only' }]);
      return;
    }
    switch (c) {
      case 'help':
        this.say(m, [
          { prompt: 'commands' },
          ...(m.leader ? [{ prompt: 'commands-leader' as const }] : []),
        ]);
        return;
      case 'roll-call': {
        const here = [...this.members.values()].filter((x) => !x.inLobby);
        const names = here.flatMap((x) => this.whoIs(x));
        this.say(m, [
          { prompt: 'people-in-meeting' },
          { number: here.length },
          { prompt: 'roll-call-names' },
          ...names,
        ]);
        return;
      }
      case 'hand':
        m.hand = !m.hand;
        this.published('participant.updated', m);
        this.say(m, [{ prompt: m.hand ? 'hand-raised' : 'hand-lowered' }]);
        return;
      case 'mute':
        if (m.muted && this.muteLocked && !m.leader) {
          this.say(m, [{ prompt: 'mute-locked' }]);
          return;
        }
        this.setMuted(m, !m.muted);
        this.say(m, [{ prompt: m.muted ? 'muted' : 'unmuted' }]);
        return;
      case 'lock':
        this.lock(!this.locked);
        this.say(m, [{ prompt: this.locked ? 'meeting-locked' : 'meeting-unlocked' }]);
        return;
      case 'admit-lobby':
        this.admitLobby();
        this.say(m, [{ prompt: 'lobby-admitted' }]);
        return;
      case 'mute-all':
        // A toggle: the first *22 mutes everyone but the leaders and keeps them
        // muted; the next lets them unmute themselves again (*6).
        this.muteLocked = !this.muteLocked;
        if (this.muteLocked) {
          for (const x of this.members.values())
            if (!x.leader && !x.inLobby) this.setMuted(x, true);
          this.say(m, [{ prompt: 'all-muted' }]);
        } else {
          this.say(m, [{ tone: 'beep' }]);
        }
        this.updated();
        return;
      case 'announcements':
        this.announcements = !this.announcements;
        this.updated();
        this.say(m, [{ prompt: this.announcements ? 'announcements-on' : 'announcements-off' }]);
        return;
      case 'end':
        this.end('leader-ended');
        return;
      case 'unknown':
        this.say(m, [{ prompt: 'unknown-command' }]);
        return;
    }
  }

  private updated(): void {
    this.o.publish({ type: 'meeting.updated', orgId: this.o.orgId, meeting: this.view() });
  }

  /**
   * Without an authenticated leader the meeting does not run forever: 4 hours
   * when callers may start it, else 90 minutes after the last leader left.
   */
  private checkLeaderless(): void {
    const hasLeader = [...this.members.values()].some((m) => m.leader && !m.inLobby);
    if (hasLeader || !this.members.size) {
      this.leaderlessTimer?.cancel();
      this.leaderlessTimer = undefined;
      return;
    }
    if (this.leaderlessTimer) return;
    const ms = this.o.callersMayStart ? this.t.leaderlessMayStartMs : this.t.leaderlessMs;
    this.leaderlessTimer = this.o.clock.after(ms, () => this.end('leaderless-timeout'));
  }

  /** Any change in who is there restarts the 24-hour clock. */
  private rosterChanged(): void {
    this.unchangedTimer?.cancel();
    this.unchangedTimer = this.members.size
      ? this.o.clock.after(this.t.unchangedMs, () => this.end('unchanged-timeout'))
      : undefined;
  }

  private finish(reason: MeetingEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.leaderlessTimer?.cancel();
    this.unchangedTimer?.cancel();
    this.o.publish({ type: 'meeting.ended', orgId: this.o.orgId, meetingId: this.id, reason });
    this.o.onEnded(this);
  }
}
