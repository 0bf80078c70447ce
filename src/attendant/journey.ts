/**
 * The caller's journey through the auto attendant, as a pure state machine:
 * greeting and language, conference ID, leader PIN, name, then the hand-off
 * to the live meeting. Events come in (a prompt finished, digits were
 * collected, a lookup answered, the caller hung up), actions go out (play,
 * collect, look up, record, enter the meeting, hang up). No sockets, no
 * timers, no store: the driver (attendant.ts) performs the actions with the
 * call API and feeds their outcomes back, and tests do the same with
 * simulated time.
 */

import type { PromptId } from '../prompts/library.ts';
import type { Speech } from './speech.ts';

export type { Speech };

/** A meeting as the attendant needs to know it: whether it runs and who may start it. */
export interface MeetingRef {
  /** The live meeting's key (the organizer's static ID, or a per-meeting ID later). */
  key: string;
  orgId: string;
  organizerId: string;
  /** The meeting has started: the leader is there (or callers could start it). */
  started: boolean;
  /** Callers may start the meeting without a leader (AllowPSTNOnlyMeetings). */
  callersMayStart: boolean;
  /** New callers are turned away (the leader pressed *7). */
  locked: boolean;
  /** Ask callers to record their name (EnableNameRecording). */
  nameRecording: boolean;
}

export type ResolveResult =
  { kind: 'found'; meeting: MeetingRef } | { kind: 'invalid' } | { kind: 'locked-out' };

export type PinResult = 'ok' | 'wrong' | 'locked-out';

export interface JourneyTimings {
  /** How long the language menu waits for a key before keeping the primary language. */
  languageMs: number;
  /** Time for the first digit of an ID or PIN. */
  firstDigitMs: number;
  /** Time between digits. */
  interDigitMs: number;
  /** How long "press star if you are the leader" waits. */
  leaderKeyMs: number;
  /** Longest name recording. */
  nameMs: number;
  idAttempts: number;
  pinAttempts: number;
}

export const DEFAULT_TIMINGS: JourneyTimings = {
  languageMs: 5000,
  firstDigitMs: 10_000,
  interDigitMs: 5000,
  leaderKeyMs: 5000,
  nameMs: 5000,
  idAttempts: 3,
  pinAttempts: 3,
};

/** Longest entry we accept before '#': IDs are 7 or 8 digits, PINs 4 to 12. */
const MAX_ENTRY = 16;

export type JourneyAction =
  | { type: 'language'; lang: string }
  | { type: 'play'; speech: Speech[]; interruptible: boolean }
  | {
      type: 'collect';
      maxDigits: number;
      terminator?: string;
      firstDigitMs: number;
      interDigitMs: number;
    }
  | { type: 'resolve'; conferenceId: string }
  | { type: 'check-pin'; meeting: MeetingRef; pin: string }
  | { type: 'record-name'; maxMs: number }
  | { type: 'enter'; meeting: MeetingRef; leader: boolean }
  | { type: 'hangup'; reason: JourneyEnd };

export type JourneyEnd =
  'caller-hangup' | 'too-many-ids' | 'too-many-pins' | 'locked-out' | 'meeting-locked';

export type JourneyInput =
  | { type: 'start' }
  | { type: 'played'; completed: boolean }
  | { type: 'collected'; digits: string; reason: 'terminator' | 'max' | 'timeout' | 'cancelled' }
  | { type: 'resolved'; result: ResolveResult }
  | { type: 'pin-checked'; result: PinResult }
  | { type: 'recorded' }
  | { type: 'hangup' };

/** Where the journey is; each waits for one kind of input. */
type Step =
  | 'idle'
  | 'greeting' // played: welcome (+ language menu)
  | 'language' // collected: one key
  | 'id-prompt' // played: enter your conference ID
  | 'id-entry' // collected: the ID
  | 'id-lookup' // resolved
  | 'id-retry' // played: that ID isn't valid / we didn't hear anything
  | 'leader-prompt' // played: press star if you are the leader
  | 'leader-key' // collected: '*' or nothing
  | 'pin-prompt' // played: enter your PIN
  | 'pin-entry' // collected: the PIN
  | 'pin-check' // pin-checked
  | 'pin-retry' // played: that PIN isn't valid
  | 'name-prompt' // played: after the tone, say your name
  | 'name' // recorded
  | 'farewell' // played: goodbye of some kind, then hang up
  | 'done';

/**
 * One caller's journey. Create it with the dialled number's languages
 * (primary first), send `start`, then feed each action's outcome to `next`.
 */
export class Journey {
  private step: Step = 'idle';
  private lang: string;
  private idFailures = 0;
  private pinFailures = 0;
  private meeting: MeetingRef | undefined;
  private leader = false;
  private farewellReason: JourneyEnd = 'caller-hangup';

  constructor(
    private readonly languages: readonly string[],
    private readonly timings: JourneyTimings = DEFAULT_TIMINGS,
  ) {
    if (!languages.length) throw new Error('a service number has at least its primary language');
    this.lang = languages[0]!;
  }

  get state(): Step {
    return this.step;
  }

  get language(): string {
    return this.lang;
  }

  get finished(): boolean {
    return this.step === 'done';
  }

  next(input: JourneyInput): JourneyAction[] {
    if (this.step === 'done') return [];
    if (input.type === 'hangup') {
      this.step = 'done';
      return [];
    }
    switch (this.step) {
      case 'idle':
        return input.type === 'start' ? this.greet() : [];
      case 'greeting':
        if (input.type !== 'played') return [];
        return this.languages.length > 1
          ? this.to('language', [this.collectKey(this.timings.languageMs)])
          : this.askId();
      case 'language':
        if (input.type !== 'collected') return [];
        return this.chooseLanguage(input.digits);
      case 'id-prompt':
        return input.type === 'played' ? this.to('id-entry', [this.collectEntry()]) : [];
      case 'id-entry':
        if (input.type !== 'collected') return [];
        return this.onId(input.digits, input.reason);
      case 'id-lookup':
        if (input.type !== 'resolved') return [];
        return this.onResolved(input.result);
      case 'id-retry':
        return input.type === 'played' ? this.askId() : [];
      case 'leader-prompt':
        return input.type === 'played'
          ? this.to('leader-key', [this.collectKey(this.timings.leaderKeyMs)])
          : [];
      case 'leader-key':
        if (input.type !== 'collected') return [];
        return input.digits === '*' ? this.askPin() : this.askName();
      case 'pin-prompt':
        return input.type === 'played' ? this.to('pin-entry', [this.collectEntry()]) : [];
      case 'pin-entry':
        if (input.type !== 'collected') return [];
        return this.onPin(input.digits, input.reason);
      case 'pin-check':
        if (input.type !== 'pin-checked') return [];
        return this.onPinChecked(input.result);
      case 'pin-retry':
        return input.type === 'played' ? this.askPin() : [];
      case 'name-prompt':
        return input.type === 'played'
          ? this.to('name', [{ type: 'record-name', maxMs: this.timings.nameMs }])
          : [];
      case 'name':
        return input.type === 'recorded' ? this.enter() : [];
      case 'farewell':
        if (input.type !== 'played') return [];
        this.step = 'done';
        return [{ type: 'hangup', reason: this.farewellReason }];
    }
  }

  private to(step: Step, actions: JourneyAction[]): JourneyAction[] {
    this.step = step;
    return actions;
  }

  private say(prompt: PromptId, interruptible = true): JourneyAction {
    return { type: 'play', speech: [{ prompt }], interruptible };
  }

  private greet(): JourneyAction[] {
    const speech: Speech[] = [{ prompt: 'welcome' }];
    // Each option in its own language: "For English, press 1. Pour le français, appuyez sur 2."
    if (this.languages.length > 1) {
      this.languages.forEach((lang, i) => {
        speech.push({ prompt: 'for-language', lang }, { digit: String(i + 1), lang });
      });
    }
    return this.to('greeting', [
      { type: 'language', lang: this.lang },
      { type: 'play', speech, interruptible: true },
    ]);
  }

  private chooseLanguage(digits: string): JourneyAction[] {
    const choice = Number(digits) - 1;
    const actions: JourneyAction[] = [];
    // No key (or a key that is not an option) keeps the primary language.
    if (/^[1-9]$/.test(digits) && choice < this.languages.length && choice > 0) {
      this.lang = this.languages[choice]!;
      actions.push({ type: 'language', lang: this.lang });
    }
    return [...actions, ...this.askId()];
  }

  private askId(): JourneyAction[] {
    return this.to('id-prompt', [this.say('enter-conference-id')]);
  }

  private collectKey(ms: number): JourneyAction {
    return { type: 'collect', maxDigits: 1, firstDigitMs: ms, interDigitMs: ms };
  }

  private collectEntry(): JourneyAction {
    return {
      type: 'collect',
      maxDigits: MAX_ENTRY,
      terminator: '#',
      firstDigitMs: this.timings.firstDigitMs,
      interDigitMs: this.timings.interDigitMs,
    };
  }

  private onId(digits: string, reason: string): JourneyAction[] {
    if (reason === 'cancelled') return [];
    if (!digits.length) {
      // Silence is not a wrong ID, but it still uses up a try: a line left
      // open must end some time.
      return this.idFailed('no-answer');
    }
    // A star or a letter can't be in an ID: no need to look it up. It still
    // counts as a failed attempt (the driver's limiter hears of it through resolve).
    return this.to('id-lookup', [{ type: 'resolve', conferenceId: digits }]);
  }

  private onResolved(result: ResolveResult): JourneyAction[] {
    if (result.kind === 'locked-out') return this.farewell('locked-out', 'locked-out');
    if (result.kind === 'invalid') return this.idFailed('invalid-conference-id');
    this.meeting = result.meeting;
    const m = result.meeting;
    if (m.locked) return this.farewell('meeting-is-locked', 'meeting-locked');
    // A running meeting, or one callers may start, asks for no PIN.
    if (m.started || m.callersMayStart) return this.askName();
    return this.to('leader-prompt', [this.say('leader-or-wait')]);
  }

  private idFailed(prompt: 'invalid-conference-id' | 'no-answer'): JourneyAction[] {
    this.idFailures++;
    if (this.idFailures >= this.timings.idAttempts)
      return this.farewell('too-many-attempts', 'too-many-ids');
    return this.to('id-retry', [this.say(prompt)]);
  }

  private askPin(): JourneyAction[] {
    return this.to('pin-prompt', [this.say('enter-leader-pin')]);
  }

  private onPin(digits: string, reason: string): JourneyAction[] {
    if (reason === 'cancelled') return [];
    if (!digits.length) return this.pinFailed('no-answer');
    return this.to('pin-check', [{ type: 'check-pin', meeting: this.meeting!, pin: digits }]);
  }

  private onPinChecked(result: PinResult): JourneyAction[] {
    if (result === 'locked-out') return this.farewell('locked-out', 'locked-out');
    if (result === 'wrong') return this.pinFailed('invalid-pin');
    this.leader = true;
    return this.askName();
  }

  private pinFailed(prompt: 'invalid-pin' | 'no-answer'): JourneyAction[] {
    this.pinFailures++;
    if (this.pinFailures >= this.timings.pinAttempts)
      return this.farewell('too-many-attempts', 'too-many-pins');
    return this.to('pin-retry', [this.say(prompt)]);
  }

  private askName(): JourneyAction[] {
    if (!this.meeting!.nameRecording) return this.enter();
    return this.to('name-prompt', [
      { type: 'play', speech: [{ prompt: 'record-name' }, { tone: 'beep' }], interruptible: false },
    ]);
  }

  private enter(): JourneyAction[] {
    this.step = 'done';
    return [{ type: 'enter', meeting: this.meeting!, leader: this.leader }];
  }

  private farewell(prompt: PromptId, reason: JourneyEnd): JourneyAction[] {
    this.farewellReason = reason;
    return this.to('farewell', [this.say(prompt, false)]);
  }
}
