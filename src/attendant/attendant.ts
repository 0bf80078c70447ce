import type { Logger } from '../log.ts';
import type { Call } from '../calls/call.ts';
import type { MediaClock } from '../media/media-clock.ts';
import { realClock, type Clock } from '../sip/clock.ts';
import type { LiveEvent } from '../events/types.ts';
import { ConferenceRoom } from '../calls/conference-room.ts';
import { CallMember } from '../conference/call-member.ts';
import { maskCaller, type MaskedCaller } from '../conference/masking.ts';
import type { MeetingRegistry } from '../conference/registry.ts';
import type { LiveMeeting, MeetingTimings } from '../conference/live-meeting.ts';
import { AttemptLimiter } from './attempt-limiter.ts';
import type { CallDirectory, Organizer, Resolved } from './directory.ts';
import {
  DEFAULT_TIMINGS,
  Journey,
  type JourneyAction,
  type JourneyInput,
  type JourneyTimings,
  type MeetingRef,
  type PinResult,
  type ResolveResult,
} from './journey.ts';
import type { SpeechRenderer } from './speech-renderer.ts';

/** Wrong leader PINs one organizer's meeting accepts an hour, from everyone. */
export const PIN_FAILURES_PER_HOUR = 5;

function scopeOf(verdict: 'caller-locked' | 'overall-locked' | 'allowed'): 'caller' | 'overall' {
  return verdict === 'overall-locked' ? 'overall' : 'caller';
}

export interface AttendantDeps {
  directory: CallDirectory;
  meetings: MeetingRegistry;
  speech: SpeechRenderer;
  mediaClock: MediaClock;
  publish(event: LiveEvent): void;
  log: Logger;
  limiter?: AttemptLimiter;
  clock?: Clock;
  timings?: Partial<JourneyTimings>;
  meetingTimings?: Partial<MeetingTimings>;
  /** Languages that have prompts; a number's other languages are skipped. */
  languages?: readonly string[];
}

/**
 * Runs the caller's journey (journey.ts) on a real call: performs each
 * action with the call API, the directory and the limiter, feeds the outcome
 * back, and hands the caller to their live meeting at the end. Nothing
 * secret is logged: digits typed here are conference IDs and PINs.
 */
export class Attendant {
  private readonly limiter: AttemptLimiter;
  private readonly clock: Clock;
  private readonly timings: JourneyTimings;
  /** One mix per live meeting. */
  private readonly rooms = new WeakMap<LiveMeeting, ConferenceRoom>();
  readonly stats = { calls: 0, lockouts: 0, entered: 0 };

  constructor(private readonly d: AttendantDeps) {
    this.limiter = d.limiter ?? new AttemptLimiter();
    this.clock = d.clock ?? realClock;
    this.timings = { ...DEFAULT_TIMINGS, ...d.timings };
  }

  /** Takes a new incoming call through the journey. */
  async handle(call: Call): Promise<void> {
    this.stats.calls++;
    const log = this.d.log.child({ call: call.id });
    let meetingId: string | undefined;
    /** Who hears of this call: the dialled number's organization (none for a shared number). */
    let orgId: string | undefined;
    /** The meeting's organization, once the caller is in one: the call is then theirs. */
    let meetingOrgId: string | undefined;
    const caller = call.from.user ?? call.remoteAddress;
    const startedAt = this.clock.now();
    let announced = false;
    const publishEnded = (reason: string) =>
      this.d.publish({
        type: 'call.ended',
        orgId: meetingOrgId ?? orgId,
        callId: call.id,
        reason,
        durationMs: Math.round(this.clock.now() - startedAt),
        meetingId,
      });
    // Listening from the start: the caller may hang up during the first look-ups.
    call.once('ended', (reason) => {
      if (announced) publishEnded(reason);
    });
    try {
      const number = await this.d.directory.dialled(call.dialled);
      orgId = number.shared ? undefined : number.orgId;
      this.numberOrg.set(call, orgId);
      const mask = number.orgId
        ? (await this.d.directory.settings(number.orgId)).MaskPstnNumbersType
        : 'MaskedForExternalUsers';
      this.d.publish({
        type: 'call.started',
        orgId,
        callId: call.id,
        dialled: number.number ?? call.dialled,
        caller: maskCaller(caller, mask).display,
      });
      announced = true;
      if (call.state === 'ended') return publishEnded(call.endReason ?? 'caller-hangup');
      const languages = number.languages.filter(
        (l) => !this.d.languages || this.d.languages.includes(l),
      );
      const journey = new Journey(languages.length ? languages : ['en-US'], this.timings);
      await call.answer();
      let lang = journey.language;
      let meeting: MeetingRef | undefined;
      let organizer: Organizer | undefined;
      let resolved: Resolved | undefined;
      let name: Int16Array | undefined;

      const perform = async (a: JourneyAction): Promise<JourneyInput | undefined> => {
        switch (a.type) {
          case 'language':
            lang = a.lang;
            return undefined;
          case 'play': {
            const completed = await call.play(
              this.d.speech.render(a.speech, lang, organizer?.orgId ?? orgId),
              { interruptible: a.interruptible },
            );
            return { type: 'played', completed };
          }
          case 'collect': {
            const c = await call.collect(a);
            return { type: 'collected', digits: c.digits, reason: c.reason };
          }
          case 'resolve': {
            const r = await this.resolve(call, caller, a.conferenceId);
            if (r.result.kind === 'found') resolved = r.resolved;
            organizer = resolved?.organizer;
            return { type: 'resolved', result: r.result };
          }
          case 'check-pin':
            return {
              type: 'pin-checked',
              result: await this.checkPin(call, caller, a.meeting, a.pin),
            };
          case 'record-name': {
            const recorded = await call.record({ maxMs: a.maxMs, terminator: '#' });
            name = recorded.length ? recorded : undefined;
            return { type: 'recorded' };
          }
          case 'enter':
            meeting = a.meeting;
            meetingOrgId = organizer!.orgId;
            meetingId = this.enter(call, a.meeting, resolved!, a.leader, name, lang, caller);
            return undefined;
          case 'hangup':
            log.info({ reason: a.reason }, 'attendant hung up');
            await call.hangup();
            return undefined;
        }
      };

      const onEnded = () => journey.next({ type: 'hangup' });
      call.once('ended', onEnded);
      // The call can end under any await: look again each time.
      const over = () => call.state === 'ended';
      const pending: JourneyAction[] = journey.next({ type: 'start' });
      while (pending.length && !over()) {
        const outcome = await perform(pending.shift()!);
        if (outcome && !over()) pending.push(...journey.next(outcome));
      }
      call.off('ended', onEnded);
      if (meeting) this.stats.entered++;
    } catch (err) {
      log.error({ err }, 'attendant failed; ending the call');
      await call.hangup().catch(() => undefined);
    }
  }

  /**
   * Looks up a typed conference ID, counting it against the caller first and
   * refunding it when it was right (see AttemptLimiter.refund).
   */
  private async resolve(
    call: Call,
    caller: string,
    conferenceId: string,
  ): Promise<{ result: ResolveResult; resolved?: Resolved }> {
    if (this.limited(call, caller, 'conference-id')) return { result: { kind: 'locked-out' } };
    const verdict = this.limiter.fail(caller, this.clock.now());
    const resolved = await this.d.directory.resolve(conferenceId);
    if (!resolved) {
      if (verdict === 'allowed') return { result: { kind: 'invalid' } };
      this.lockout(call, caller, 'conference-id', scopeOf(verdict));
      return { result: { kind: 'locked-out' } };
    }
    this.limiter.refund(caller);
    const { organizer, meeting } = resolved;
    // A scheduled meeting is its own live meeting; a static ID opens the
    // organizer's. Keyed by organizer too: an ID released and handed to
    // someone else must never lead into the previous owner's meeting.
    const key = meeting ? `meeting/${meeting.id}` : `${organizer.userId}/${organizer.conferenceId}`;
    const running = this.d.meetings.get(key);
    return {
      resolved,
      result: {
        kind: 'found',
        meeting: {
          key,
          orgId: organizer.orgId,
          organizerId: organizer.userId,
          started: running?.isStarted ?? false,
          callersMayStart: meeting?.allowPstnOnly ?? organizer.allowPstnOnly,
          locked: running?.isLocked ?? false,
          nameRecording: organizer.settings.EnableNameRecording,
        },
      },
    };
  }

  /**
   * Checks a leader PIN. Besides the caller's and the bridge's limits, each
   * organizer's PIN takes at most PIN_FAILURES_PER_HOUR wrong tries an hour
   * from all callers together, so many numbers guessing one short PIN still
   * need over a year (half of 10^5 at 5 an hour, for 5 digits); the organizer's own
   * PIN entry waits too, and an administrator can still admit them.
   */
  private async checkPin(
    call: Call,
    caller: string,
    meeting: MeetingRef,
    pin: string,
  ): Promise<PinResult> {
    if (this.limited(call, caller, 'pin', meeting.orgId)) return 'locked-out';
    const now = this.clock.now();
    if (this.pinLimiter.check(meeting.organizerId, now) !== 'allowed') {
      this.lockout(call, caller, 'pin', 'meeting', meeting.orgId);
      return 'locked-out';
    }
    // Counted before the (slow, scrypt) check and refunded if right.
    const callerVerdict = this.limiter.fail(caller, now);
    const meetingVerdict = this.pinLimiter.fail(meeting.organizerId, now);
    if (await this.d.directory.checkPin(meeting.organizerId, pin)) {
      this.limiter.refund(caller);
      this.pinLimiter.refund(meeting.organizerId);
      return 'ok';
    }
    if (meetingVerdict !== 'allowed') {
      this.lockout(call, caller, 'pin', 'meeting', meeting.orgId);
      return 'locked-out';
    }
    if (callerVerdict !== 'allowed') {
      this.lockout(call, caller, 'pin', scopeOf(callerVerdict), meeting.orgId);
      return 'locked-out';
    }
    return 'wrong';
  }

  /** Wrong PINs per organizer (all callers together), an hour. */
  private readonly pinLimiter = new AttemptLimiter({
    perCaller: PIN_FAILURES_PER_HOUR,
    windowMs: 3600_000,
    overall: Number.MAX_SAFE_INTEGER,
    overallWindowMs: 60_000,
  });

  private limited(
    call: Call,
    caller: string,
    what: 'conference-id' | 'pin',
    orgId?: string,
  ): boolean {
    const verdict = this.limiter.check(caller, this.clock.now());
    if (verdict === 'allowed') return false;
    this.lockout(call, caller, what, scopeOf(verdict), orgId);
    return true;
  }

  /** Tells the organization (the number's, or the meeting's for PINs) and the logs. */
  private lockout(
    call: Call,
    caller: string,
    what: 'conference-id' | 'pin',
    scope: 'caller' | 'overall' | 'meeting',
    orgId = this.numberOrg.get(call),
  ): void {
    this.stats.lockouts++;
    this.d.log.warn({ call: call.id, what, scope }, 'caller locked out after failed attempts');
    this.d.publish({
      type: 'security.lockout',
      orgId,
      callId: call.id,
      caller: maskCaller(caller, 'MaskedForAllUsers').display,
      what,
      scope,
    });
  }

  /** The organization of each call's dialled number (for lockout alerts). */
  private readonly numberOrg = new WeakMap<Call, string | undefined>();

  /** Hands the caller to the live meeting; returns the meeting's id. */
  private enter(
    call: Call,
    ref: MeetingRef,
    resolved: Resolved,
    leader: boolean,
    name: Int16Array | undefined,
    lang: string,
    caller: string,
  ): string {
    const { organizer, meeting: scheduled } = resolved;
    const meeting = this.d.meetings.open({
      key: ref.key,
      orgId: organizer.orgId,
      organizerId: organizer.userId,
      organizerName: organizer.displayName,
      idKind: scheduled ? 'meeting' : 'static',
      callersMayStart: ref.callersMayStart,
      // A meeting's own option wins over the organization's setting.
      announcements:
        scheduled?.announceEntryExit ?? organizer.settings.EnableEntryExitNotifications,
      announceType: organizer.settings.EntryExitAnnouncementsType,
      clock: this.clock,
      publish: this.d.publish,
      timings: this.d.meetingTimings,
    });
    let room = this.rooms.get(meeting);
    if (!room) this.rooms.set(meeting, (room = new ConferenceRoom(this.d.mediaClock)));
    const masked: MaskedCaller = maskCaller(caller, organizer.settings.MaskPstnNumbersType);
    const port = new CallMember(call, room, this.d.speech, lang, organizer.orgId);
    call.on('digit', (d) => meeting.key(call.id, d));
    call.once('ended', () => meeting.depart(call.id));
    meeting.arrive(port, { leader, caller: masked, name });
    return meeting.id;
  }
}
