import { EventEmitter } from 'node:events';
import type { MediaPlan } from '../media/sdp.ts';
import type { Player } from '../media/player.ts';
import { Recorder, type RecordOptions } from '../media/recorder.ts';
import { realClock, type Clock } from '../sip/clock.ts';
import { DigitCollector, type Collected, type CollectOptions } from './digit-collector.ts';
import type { MixRoom, MixSeat } from './call-audio.ts';

export type CallState = 'ringing' | 'answering' | 'active' | 'ended';
export type DigitSource = 'rfc4733' | 'info' | 'inband';
export type EndReason =
  | 'caller-hangup'
  | 'local-hangup'
  | 'cancelled'
  | 'rejected'
  | 'no-ack'
  | 'media-timeout'
  | 'bad-answer'
  | 'shutdown';

export interface CallEvents {
  /** A keypad digit, once per press whatever the phone's way of sending it. */
  digit: [digit: string, source: DigitSource];
  /** 20 ms of the caller's audio, 8 kHz linear PCM. */
  audio: [frame: Int16Array];
  /** Now talking: the caller acknowledged our answer. */
  active: [];
  /** The caller put us on hold (true) or took us off it (false). */
  hold: [held: boolean];
  ended: [reason: EndReason];
}

export interface CallParty {
  uri: string;
  user: string | undefined;
  displayName: string | undefined;
}

/** The media side of one call, as the call sees it (implemented by CallAudio). */
export interface CallMedia {
  readonly port: number;
  readonly player: Player;
  muted: boolean;
  readonly talking: boolean;
  configure(plan: MediaPlan): void;
  sendFrame(frame: Int16Array): void;
  record(recorder: Recorder | undefined): void;
  join(room: MixRoom, id: string): MixSeat;
  leave(): void;
  close(): void;
}

/** A phone that sends a key both as an RFC 4733 event and as INFO must not type it twice. */
const CROSS_SOURCE_DEDUP_MS = 120;
const TYPEAHEAD_MAX = 32;

/** Operations the SIP side performs for a call; the Call delegates to them. */
export interface CallControl {
  answer(call: Call): Promise<void>;
  reject(call: Call, status: number): void;
  hangup(call: Call): Promise<void>;
}

/**
 * One phone call as the rest of the product sees it: who called which
 * number, its digits and audio, and answer/hang-up. No SIP in sight.
 */
export class Call extends EventEmitter<CallEvents> {
  state: CallState = 'ringing';
  endReason: EndReason | undefined;
  held = false;
  readonly startedAt = Date.now();

  private collector: DigitCollector | undefined;
  private readonly typeahead: string[] = [];
  private lastDigit = { digit: '', source: '' as DigitSource | '', at: -Infinity };

  constructor(
    readonly id: string,
    readonly from: CallParty,
    /** The number dialled: the Request-URI's user part (or To's). */
    readonly dialled: string,
    readonly remoteAddress: string,
    private readonly control: CallControl,
    readonly media: CallMedia,
    private readonly clock: Clock = realClock,
  ) {
    super();
  }

  /**
   * Every digit, whatever the phone's way of sending it, comes through here:
   * one stream per call. A key press interrupts interruptible prompts; digits
   * typed before anyone asks are kept for the next collect (type-ahead).
   */
  receiveDigit(digit: string, source: DigitSource): void {
    if (this.state === 'ended') return;
    const now = this.clock.now();
    const last = this.lastDigit;
    if (last.digit === digit && last.source !== source && now - last.at < CROSS_SOURCE_DEDUP_MS)
      return;
    this.lastDigit = { digit, source, at: now };
    this.media.player.interrupt();
    this.emit('digit', digit, source);
    // A collector that already ended (timed out) no longer listens: the key is
    // type-ahead for the next question, not lost.
    if (this.collector?.finished) this.collector = undefined;
    if (this.collector) {
      if (this.collector.push(digit)) this.collector = undefined;
    } else if (this.typeahead.length < TYPEAHEAD_MAX) {
      this.typeahead.push(digit);
    }
  }

  /** Plays audio to the caller; resolves true when it all played, false if interrupted or the call ended. */
  async play(
    audio: Int16Array | Int16Array[],
    opts: { interruptible?: boolean } = {},
  ): Promise<boolean> {
    if (this.state === 'ended') return false;
    const parts = Array.isArray(audio) ? audio : [audio];
    const results = await Promise.all(parts.map((a) => this.media.player.enqueue(a, opts)));
    return results.every(Boolean);
  }

  /** Collects digits (see DigitCollector); digits typed ahead count. Ends as 'cancelled' on hang-up. */
  collect(opts: CollectOptions): Promise<Collected> {
    this.collector?.cancel();
    const c = new DigitCollector(opts, this.clock);
    if (this.state === 'ended') {
      c.cancel();
      return c.result;
    }
    this.collector = c;
    while (this.typeahead.length && this.collector === c) {
      if (c.push(this.typeahead.shift()!)) this.collector = undefined;
    }
    return c.result;
  }

  /** Stops whatever is playing (music on hold when the meeting starts, say). */
  stopPlaying(): void {
    this.media.player.stop();
  }

  /** Forgets digits typed ahead (e.g. after a wrong entry, before asking again). */
  clearTypeahead(): void {
    this.typeahead.length = 0;
  }

  /**
   * Records the caller until maxMs, the terminator key, or hang-up; returns
   * the recording with silence trimmed.
   */
  record(opts: RecordOptions & { terminator?: string }): Promise<Int16Array> {
    const recorder = new Recorder(opts);
    return new Promise((resolve) => {
      const finish = () => {
        this.off('audio', onAudio);
        this.off('digit', onDigit);
        this.off('ended', finish);
        this.media.record(undefined);
        resolve(recorder.finish());
      };
      const onAudio = () => {
        if (recorder.full) finish();
      };
      const onDigit = (d: string) => {
        if (d === (opts.terminator ?? '#')) finish();
      };
      if (this.state === 'ended') return finish();
      this.clearTypeahead();
      this.media.record(recorder);
      this.on('audio', onAudio);
      this.on('digit', onDigit);
      this.once('ended', finish);
    });
  }

  /** Sits the caller in a conference room (leaving any other). */
  join(room: MixRoom): void {
    if (this.state !== 'ended') this.media.join(room, this.id);
  }

  leave(): void {
    this.media.leave();
  }

  get muted(): boolean {
    return this.media.muted;
  }

  set muted(m: boolean) {
    this.media.muted = m;
  }

  /** Heard talking in the conference right now. */
  get talking(): boolean {
    return this.media.talking;
  }

  answer(): Promise<void> {
    return this.control.answer(this);
  }

  reject(status = 486): void {
    this.control.reject(this, status);
  }

  hangup(): Promise<void> {
    return this.control.hangup(this);
  }

  /** Called by the SIP side exactly once. */
  end(reason: EndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.collector?.cancel();
    this.collector = undefined;
    this.media.close();
    this.emit('ended', reason);
  }
}
