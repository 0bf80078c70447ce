import { EventEmitter } from 'node:events';
import type { MediaPlan } from '../media/sdp.ts';

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

/** What the call layer gives the media side of one call. */
export interface CallMedia {
  readonly port: number;
  configure(plan: MediaPlan): void;
  sendFrame(frame: Int16Array): void;
  close(): void;
}

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

  constructor(
    readonly id: string,
    readonly from: CallParty,
    /** The number dialled: the Request-URI's user part (or To's). */
    readonly dialled: string,
    readonly remoteAddress: string,
    private readonly control: CallControl,
    readonly media: CallMedia,
  ) {
    super();
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

  sendAudio(frame: Int16Array): void {
    if (this.state === 'active' && !this.held) this.media.sendFrame(frame);
  }

  /** Called by the SIP side exactly once. */
  end(reason: EndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.media.close();
    this.emit('ended', reason);
  }
}
