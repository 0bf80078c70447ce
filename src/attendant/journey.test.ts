import { describe, expect, it } from 'vitest';
import { Journey, type JourneyAction, type JourneyInput, type MeetingRef } from './journey.ts';

const meeting = (over: Partial<MeetingRef> = {}): MeetingRef => ({
  key: '8271964',
  orgId: 'org',
  organizerId: 'amos',
  started: false,
  callersMayStart: false,
  locked: false,
  nameRecording: true,
  ...over,
});

/** The prompts a list of actions plays, flattened. */
const said = (actions: JourneyAction[]) =>
  actions.flatMap((a) =>
    a.type === 'play'
      ? a.speech.map((s) =>
          'prompt' in s
            ? s.prompt
            : 'digit' in s
              ? `digit-${s.digit}`
              : 'tone' in s
                ? `tone-${s.tone}`
                : 'other',
        )
      : [],
  );
const types = (actions: JourneyAction[]) => actions.map((a) => a.type);

const played: JourneyInput = { type: 'played', completed: true };
const typed = (digits: string): JourneyInput => ({
  type: 'collected',
  digits,
  reason: digits ? 'terminator' : 'timeout',
});

/** A journey on a single-language number, already waiting for the conference ID. */
function atIdEntry(languages = ['en-US']) {
  const j = new Journey(languages);
  j.next({ type: 'start' });
  j.next(played); // welcome
  const collect = j.next(played); // "enter your conference ID"
  expect(types(collect)).toEqual(['collect']);
  return j;
}

describe('the caller journey', () => {
  it('greets in the primary language, asks for the ID, and enters a running meeting as an attendee after the name', () => {
    const j = new Journey(['en-US']);
    const start = j.next({ type: 'start' });
    expect(start[0]).toEqual({ type: 'language', lang: 'en-US' });
    expect(said(start)).toEqual(['welcome']);
    expect(said(j.next(played))).toEqual(['enter-conference-id']);
    const collect = j.next(played);
    expect(collect).toEqual([
      { type: 'collect', maxDigits: 16, terminator: '#', firstDigitMs: 10_000, interDigitMs: 5000 },
    ]);
    expect(j.next(typed('8271964'))).toEqual([{ type: 'resolve', conferenceId: '8271964' }]);
    const m = meeting({ started: true });
    const name = j.next({ type: 'resolved', result: { kind: 'found', meeting: m } });
    expect(said(name)).toEqual(['record-name', 'tone-beep']);
    expect(j.next(played)).toEqual([{ type: 'record-name', maxMs: 5000 }]);
    expect(j.next({ type: 'recorded' })).toEqual([{ type: 'enter', meeting: m, leader: false }]);
    expect(j.finished).toBe(true);
  });

  describe('language menu', () => {
    const menu = () => {
      const j = new Journey(['en-US', 'fr-FR', 'de-DE']);
      const start = j.next({ type: 'start' });
      const play = start.find((a) => a.type === 'play')!;
      // Each option in its own language, numbered in order.
      expect(play.type === 'play' && play.speech).toEqual([
        { prompt: 'welcome' },
        { prompt: 'for-language', lang: 'en-US' },
        { digit: '1', lang: 'en-US' },
        { prompt: 'for-language', lang: 'fr-FR' },
        { digit: '2', lang: 'fr-FR' },
        { prompt: 'for-language', lang: 'de-DE' },
        { digit: '3', lang: 'de-DE' },
      ]);
      expect(j.next(played)).toEqual([
        { type: 'collect', maxDigits: 1, firstDigitMs: 5000, interDigitMs: 5000 },
      ]);
      return j;
    };

    it('switches to the language whose key was pressed', () => {
      const j = menu();
      const next = j.next(typed('2'));
      expect(next[0]).toEqual({ type: 'language', lang: 'fr-FR' });
      expect(said(next)).toEqual(['enter-conference-id']);
      expect(j.language).toBe('fr-FR');
    });

    it('keeps the primary language when no key comes within the time', () => {
      const j = menu();
      const next = j.next({ type: 'collected', digits: '', reason: 'timeout' });
      expect(types(next)).toEqual(['play']);
      expect(j.language).toBe('en-US');
    });

    it('keeps the primary language for a key that is not an option', () => {
      for (const key of ['9', '0', '*', '1']) {
        const j = menu();
        j.next(typed(key));
        expect(j.language).toBe('en-US');
      }
    });
  });

  describe('conference ID', () => {
    it('asks again after a wrong ID and says goodbye after the third', () => {
      const j = atIdEntry();
      for (let i = 1; i <= 2; i++) {
        j.next(typed('1111111'));
        expect(said(j.next({ type: 'resolved', result: { kind: 'invalid' } }))).toEqual([
          'invalid-conference-id',
        ]);
        expect(said(j.next(played))).toEqual(['enter-conference-id']);
        expect(types(j.next(played))).toEqual(['collect']);
      }
      j.next(typed('1111111'));
      const bye = j.next({ type: 'resolved', result: { kind: 'invalid' } });
      expect(said(bye)).toEqual(['too-many-attempts']);
      expect(bye[0]).toMatchObject({ interruptible: false });
      expect(j.next(played)).toEqual([{ type: 'hangup', reason: 'too-many-ids' }]);
      expect(j.finished).toBe(true);
    });

    it('counts silence as a try, with its own prompt', () => {
      const j = atIdEntry();
      expect(said(j.next(typed('')))).toEqual(['no-answer']);
      j.next(played);
      j.next(played);
      expect(said(j.next(typed('')))).toEqual(['no-answer']);
      j.next(played);
      j.next(played);
      expect(said(j.next(typed('')))).toEqual(['too-many-attempts']);
    });

    it('looks up whatever was typed, so malformed entries count against the caller too', () => {
      const j = atIdEntry();
      expect(j.next(typed('12*4'))).toEqual([{ type: 'resolve', conferenceId: '12*4' }]);
    });

    it('disconnects a caller the limiter locked out, with the message', () => {
      const j = atIdEntry();
      j.next(typed('1111111'));
      expect(said(j.next({ type: 'resolved', result: { kind: 'locked-out' } }))).toEqual([
        'locked-out',
      ]);
      expect(j.next(played)).toEqual([{ type: 'hangup', reason: 'locked-out' }]);
    });

    it('turns callers away from a locked meeting', () => {
      const j = atIdEntry();
      j.next(typed('8271964'));
      const r = j.next({
        type: 'resolved',
        result: { kind: 'found', meeting: meeting({ started: true, locked: true }) },
      });
      expect(said(r)).toEqual(['meeting-is-locked']);
      expect(j.next(played)).toEqual([{ type: 'hangup', reason: 'meeting-locked' }]);
    });
  });

  describe('leader PIN', () => {
    const atLeaderPrompt = (m = meeting()) => {
      const j = atIdEntry();
      j.next(typed('8271964'));
      expect(said(j.next({ type: 'resolved', result: { kind: 'found', meeting: m } }))).toEqual([
        'leader-or-wait',
      ]);
      expect(j.next(played)).toEqual([
        { type: 'collect', maxDigits: 1, firstDigitMs: 5000, interDigitMs: 5000 },
      ]);
      return j;
    };

    it('makes the caller the leader with the organizer PIN', () => {
      const m = meeting();
      const j = atLeaderPrompt(m);
      expect(said(j.next(typed('*')))).toEqual(['enter-leader-pin']);
      expect(types(j.next(played))).toEqual(['collect']);
      expect(j.next(typed('48213'))).toEqual([{ type: 'check-pin', meeting: m, pin: '48213' }]);
      expect(said(j.next({ type: 'pin-checked', result: 'ok' }))).toEqual([
        'record-name',
        'tone-beep',
      ]);
      j.next(played);
      expect(j.next({ type: 'recorded' })).toEqual([{ type: 'enter', meeting: m, leader: true }]);
    });

    it('sends a caller who does not press star to the lobby as an attendee', () => {
      const m = meeting({ nameRecording: false });
      const j = atLeaderPrompt(m);
      expect(j.next({ type: 'collected', digits: '', reason: 'timeout' })).toEqual([
        { type: 'enter', meeting: m, leader: false },
      ]);
    });

    it('any other key than star also means "I will wait"', () => {
      const m = meeting({ nameRecording: false });
      const j = atLeaderPrompt(m);
      expect(j.next(typed('5'))).toEqual([{ type: 'enter', meeting: m, leader: false }]);
    });

    it('allows three PIN tries, then says goodbye', () => {
      const j = atLeaderPrompt();
      j.next(typed('*'));
      j.next(played);
      for (let i = 0; i < 2; i++) {
        j.next(typed('00000'));
        expect(said(j.next({ type: 'pin-checked', result: 'wrong' }))).toEqual(['invalid-pin']);
        expect(said(j.next(played))).toEqual(['enter-leader-pin']);
        j.next(played);
      }
      j.next(typed('00000'));
      expect(said(j.next({ type: 'pin-checked', result: 'wrong' }))).toEqual(['too-many-attempts']);
      expect(j.next(played)).toEqual([{ type: 'hangup', reason: 'too-many-pins' }]);
    });

    it('counts an empty PIN entry as a try', () => {
      const j = atLeaderPrompt();
      j.next(typed('*'));
      j.next(played);
      expect(said(j.next(typed('')))).toEqual(['no-answer']);
    });

    it('disconnects when the limiter locks out PIN guessing', () => {
      const j = atLeaderPrompt();
      j.next(typed('*'));
      j.next(played);
      j.next(typed('11111'));
      expect(said(j.next({ type: 'pin-checked', result: 'locked-out' }))).toEqual(['locked-out']);
      expect(j.next(played)).toEqual([{ type: 'hangup', reason: 'locked-out' }]);
    });

    it('asks no PIN when callers may start the meeting, or it has started', () => {
      for (const m of [meeting({ callersMayStart: true }), meeting({ started: true })]) {
        const j = atIdEntry();
        j.next(typed('8271964'));
        expect(said(j.next({ type: 'resolved', result: { kind: 'found', meeting: m } }))).toEqual([
          'record-name',
          'tone-beep',
        ]);
      }
    });

    it('skips the name when name recording is off', () => {
      const m = meeting({ started: true, nameRecording: false });
      const j = atIdEntry();
      j.next(typed('8271964'));
      expect(j.next({ type: 'resolved', result: { kind: 'found', meeting: m } })).toEqual([
        { type: 'enter', meeting: m, leader: false },
      ]);
    });
  });

  describe('hang-up', () => {
    /** Inputs that take a fresh journey to each step, leader path included. */
    const path: JourneyInput[] = [
      { type: 'start' },
      played,
      played,
      typed('8271964'),
      { type: 'resolved', result: { kind: 'found', meeting: meeting() } },
      played,
      typed('*'),
      played,
      typed('48213'),
      { type: 'pin-checked', result: 'ok' },
      played,
    ];

    it('ends the journey quietly at every step, and nothing happens afterwards', () => {
      for (let at = 0; at <= path.length; at++) {
        const j = new Journey(['en-US']);
        for (const input of path.slice(0, at)) j.next(input);
        expect(j.next({ type: 'hangup' })).toEqual([]);
        expect(j.finished).toBe(true);
        for (const input of path) expect(j.next(input)).toEqual([]);
        expect(j.next({ type: 'recorded' })).toEqual([]);
      }
    });

    it('a cancelled collection (the call ended under it) does nothing', () => {
      const j = atIdEntry();
      expect(j.next({ type: 'collected', digits: '', reason: 'cancelled' })).toEqual([]);
    });
  });

  it('ignores inputs that do not belong to the current step', () => {
    const j = atIdEntry();
    expect(j.next({ type: 'recorded' })).toEqual([]);
    expect(j.next({ type: 'pin-checked', result: 'ok' })).toEqual([]);
    expect(j.next(played)).toEqual([]);
    expect(j.next(typed('8271964'))).toEqual([{ type: 'resolve', conferenceId: '8271964' }]);
  });

  it('refuses a number without languages', () => {
    expect(() => new Journey([])).toThrow(/primary language/);
  });
});
