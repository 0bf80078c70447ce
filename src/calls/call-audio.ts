import { EventEmitter } from 'node:events';
import type { RtpSession } from '../media/rtp-session.ts';
import { FRAME_SAMPLES } from '../media/rtp-session.ts';
import type { MediaClock, TickParticipant } from '../media/media-clock.ts';
import { JitterBuffer } from '../media/jitter-buffer.ts';
import { InbandDtmfDetector } from '../media/goertzel-dtmf.ts';
import { Player } from '../media/player.ts';
import type { Recorder } from '../media/recorder.ts';
import type { MediaPlan } from '../media/sdp.ts';
import type { DigitSource } from './call.ts';

/** One seat in a conference mix: what the caller says goes in, what they hear comes out. */
export interface MixSeat {
  readonly input: Int16Array;
  readonly output: Int16Array;
  muted: boolean;
  /** Heard talking (set by the mixer each tick). */
  readonly talking?: boolean;
}

/** A conference the call can sit in; the mixer itself never sees a call. */
export interface MixRoom {
  seat(id: string): MixSeat;
  unseat(id: string): void;
}

export interface CallAudioEvents {
  digit: [digit: string, source: DigitSource];
  /** Nothing arrived from a phone that should be sending: it is probably gone without a BYE. */
  timeout: [];
}

/** How long a phone that should be sending may stay silent on the wire before the call is ended. */
export const DEFAULT_MEDIA_TIMEOUT_MS = 60_000;

/**
 * The media of one call, driven by the media clock: the caller's packets go
 * through an adaptive playout buffer, then to whoever listens (recorder,
 * in-band DTMF detector, conference seat); what the caller hears is the
 * prompt player when it has something, else their conference mix, else
 * silence. Signalling never reaches in here.
 */
export class CallAudio extends EventEmitter<CallAudioEvents> implements TickParticipant {
  readonly player = new Player();
  /**
   * At least 40 ms of playout delay: the buffer measures the network's
   * jitter, but not our own, and a packet that waits in the socket while a
   * busy event loop runs a tick must still be in time for its frame.
   */
  private readonly buffer = new JitterBuffer({ minDelayMs: 40 });
  private readonly out = new Int16Array(FRAME_SAMPLES);
  private detector: InbandDtmfDetector | undefined;
  private recorder: Recorder | undefined;
  /** Gets 20 ms of the caller's audio after the playout buffer each tick (silence when they send nothing). */
  audioTap: ((frame: Int16Array) => void) | undefined;
  private room: { room: MixRoom; id: string; seat: MixSeat } | undefined;
  private ticking = false;
  private mutedState = false;
  private closed = false;
  /** Whether the negotiated direction has the phone sending to us. */
  private expectMedia = false;
  private lastHeard: number | undefined;
  private timedOut = false;

  constructor(
    readonly session: RtpSession,
    private readonly clock: MediaClock,
    private readonly mediaTimeoutMs = DEFAULT_MEDIA_TIMEOUT_MS,
  ) {
    super();
    session.voiceSink = (samples, seq, ts, arrival) => {
      this.lastHeard = arrival;
      this.buffer.push(seq, ts, samples, arrival);
    };
    session.on('digit', (d) => this.emit('digit', d, 'rfc4733'));
    session.on('restart', () => this.buffer.reset());
  }

  get port(): number {
    return this.session.port;
  }

  /** The negotiated media; listening for in-band tones only when the phone can't send events. */
  configure(plan: MediaPlan): void {
    this.session.configure(plan);
    // A phone that holds us with a=recvonly or a=inactive sends nothing, rightly.
    this.expectMedia = plan.direction === 'sendrecv' || plan.direction === 'recvonly';
    this.lastHeard = undefined;
    this.detector = plan.telephoneEvent === undefined ? new InbandDtmfDetector() : undefined;
    if (!this.ticking && !this.closed) {
      this.ticking = true;
      this.clock.add(this);
    }
  }

  input(now: number): void {
    if (this.lastHeard === undefined) this.lastHeard = now;
    if (this.expectMedia && !this.timedOut && now - this.lastHeard > this.mediaTimeoutMs) {
      this.timedOut = true;
      this.emit('timeout');
    }
    const frame = this.buffer.pull(now);
    if (this.detector) for (const d of this.detector.push(frame)) this.emit('digit', d, 'inband');
    this.recorder?.push(frame);
    if (this.room) this.room.seat.input.set(frame);
    this.audioTap?.(frame);
  }

  output(): void {
    if (this.player.next(this.out)) this.session.sendFrame(this.out);
    else if (this.room) this.session.sendFrame(this.room.seat.output);
    else {
      this.out.fill(0);
      this.session.sendFrame(this.out);
    }
  }

  sendFrame(frame: Int16Array): void {
    this.session.sendFrame(frame);
  }

  record(recorder: Recorder | undefined): void {
    this.recorder = recorder;
  }

  join(room: MixRoom, id: string): MixSeat {
    this.leave();
    const seat = room.seat(id);
    // Muted before taking the seat (in a lobby, say) stays muted in it.
    seat.muted = this.mutedState;
    this.room = { room, id, seat };
    return seat;
  }

  leave(): void {
    if (!this.room) return;
    this.room.room.unseat(this.room.id);
    this.room = undefined;
  }

  get muted(): boolean {
    return this.mutedState;
  }

  get talking(): boolean {
    return this.room?.seat.talking ?? false;
  }

  set muted(m: boolean) {
    this.mutedState = m;
    if (this.room) this.room.seat.muted = m;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.leave();
    this.player.stop();
    this.recorder = undefined;
    if (this.ticking) this.clock.remove(this);
    this.session.close();
    this.removeAllListeners();
  }
}
