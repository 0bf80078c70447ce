/**
 * RFC 4733 telephone-events: DTMF keys sent as RTP packets rather than tones.
 *
 * A sender announces one key press as a run of packets that all carry the
 * RTP timestamp of the moment the key went down, with a growing duration,
 * then (usually three copies of) a final packet with the E bit set. The
 * receiver's job is to turn that run, with its retransmissions, losses and
 * reordering, into exactly one digit.
 */

export interface TelephoneEvent {
  /** Event code: 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash, others tones. */
  event: number;
  /** The E bit: this packet ends the event. */
  end: boolean;
  /** Power level of the tone as a positive number: 0-63 means 0 to -63 dBm0. */
  volume: number;
  /** Duration so far, in RTP timestamp units (samples at 8 kHz). */
  duration: number;
}

const DIGITS = '0123456789*#ABCD';

/** The DTMF key for an event code (RFC 4733 3.2), or undefined for non-DTMF events. */
export function eventToDigit(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < 16 ? DIGITS[event] : undefined;
}

/** The event code for a DTMF key ('0'-'9', '*', '#', 'A'-'D', case-insensitive). */
export function digitToEvent(digit: string): number | undefined {
  if (digit.length !== 1) return undefined;
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i < 0 ? undefined : i;
}

/**
 * Reads the first event of a telephone-event payload (RFC 4733 2.3). Longer
 * payloads are accepted and the rest ignored: only RFC 2198 redundancy, sent
 * with its own payload type, stacks several events. Never throws.
 */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const b1 = payload[1]!;
  return {
    event: payload[0]!,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

/** Serializes one event into 4 bytes (into `out` when given). */
export function writeTelephoneEvent(ev: TelephoneEvent, out = new Uint8Array(4)): Uint8Array {
  if (out.length < 4) throw new RangeError('telephone-event payload needs 4 bytes');
  out[0] = ev.event;
  out[1] = (ev.end ? 0x80 : 0) | (ev.volume & 0x3f);
  out[2] = ev.duration >>> 8;
  out[3] = ev.duration;
  return out.length === 4 ? out : out.subarray(0, 4);
}

/** How many recent presses are remembered to recognize their stragglers. */
const HISTORY = 16;
/** A replayed press must come this long after the previous one's last packet. */
const REPRESS_MS = 200;

/**
 * Turns telephone-event packets into digits, each exactly once.
 *
 * A digit is reported at the first packet of its press, whichever that is
 * (start, update or end), as most stacks do: waiting for the end would add
 * the whole key-down time to every menu interaction.
 *
 * A press is identified by its RTP timestamp and event code: continuation
 * packets and the retransmitted end packets share the start timestamp, so
 * they never report again, while a new timestamp, even for the same key, is
 * a new press. The last 16 presses are remembered, so an end packet that
 * arrives after the next press has started is still recognized.
 *
 * The SSRC is deliberately not part of that key. SIPp captures and some SBCs
 * send events from a different SSRC than the voice, or change it mid-call,
 * and neither may turn one press into two or lose one. Nor do we compare
 * timestamps to drop "older" presses: B2BUAs that keep the SSRC constant
 * while switching media sources (and endpoints that restart timestamps on a
 * re-INVITE) make timestamps jump backwards, and a new press after such a
 * jump must still count.
 *
 * Limitation: RFC 4733 2.5.1.3 splits events longer than the 16-bit duration
 * (8 s at 8 kHz) into segments with new timestamps; each segment would count
 * as a press. Nobody holds a key that long at an IVR prompt.
 */
export class TelephoneEventReceiver {
  private readonly timestamps = new Uint32Array(HISTORY);
  private readonly events = new Int16Array(HISTORY).fill(-1);
  /** Whether each remembered press has ended, and when its last packet came. */
  private readonly ended = new Uint8Array(HISTORY);
  private readonly lastSeen = new Float64Array(HISTORY);
  private next = 0;
  private held: string | undefined = undefined;
  private heldTs = 0;

  /**
   * The key currently held down: reported and not yet ended. Cleared by its
   * end packet or a new press; if every end packet is lost it stays set, so
   * callers that act on it (muting the key's tone, say) should time it out.
   */
  get pressed(): string | undefined {
    return this.held;
  }

  /**
   * Accounts for one telephone-event packet; returns the digit if this packet
   * starts a new press, undefined otherwise (including non-DTMF events). The
   * SSRC is accepted so call sites pass what they have, and ignored (see above).
   *
   * With `nowMs` (the packet's arrival), a press that ended and then starts
   * again with the very same timestamp at least REPRESS_MS later is a new
   * press: equipment that replays one recorded key (SIPp playing its RFC 4733
   * captures) sends every press of a key with identical RTP headers. Late
   * copies of an end packet never count.
   */
  push(
    event: number,
    rtpTimestamp: number,
    end: boolean,
    _ssrc?: number,
    nowMs?: number,
  ): string | undefined {
    const digit = eventToDigit(event);
    if (digit === undefined) return undefined;
    const ts = rtpTimestamp >>> 0;

    for (let i = 0; i < HISTORY; i++) {
      if (this.timestamps[i] === ts && this.events[i] === event) {
        const again =
          nowMs !== undefined && !end && this.ended[i] && nowMs - this.lastSeen[i]! >= REPRESS_MS;
        if (nowMs !== undefined) this.lastSeen[i] = nowMs;
        if (again) {
          this.ended[i] = 0;
          this.held = digit;
          this.heldTs = ts;
          return digit;
        }
        if (end) {
          this.ended[i] = 1;
          if (this.held === digit && this.heldTs === ts) this.held = undefined;
        }
        return undefined;
      }
    }
    this.timestamps[this.next] = ts;
    this.events[this.next] = event;
    this.ended[this.next] = end ? 1 : 0;
    this.lastSeen[this.next] = nowMs ?? 0;
    this.next = (this.next + 1) % HISTORY;
    this.held = end ? undefined : digit;
    this.heldTs = ts;
    return digit;
  }

  /** Parses a telephone-event payload and pushes it; see {@link push}. */
  pushPayload(
    payload: Uint8Array,
    rtpTimestamp: number,
    ssrc?: number,
    nowMs?: number,
  ): string | undefined {
    const ev = parseTelephoneEvent(payload);
    return ev ? this.push(ev.event, rtpTimestamp, ev.end, ssrc, nowMs) : undefined;
  }

  /** Forgets all presses (for a new call leg). */
  reset(): void {
    this.timestamps.fill(0);
    this.events.fill(-1);
    this.ended.fill(0);
    this.lastSeen.fill(0);
    this.next = 0;
    this.held = undefined;
    this.heldTs = 0;
  }
}

export interface TelephoneEventPacket {
  /** The 4-byte RFC 4733 payload. */
  payload: Uint8Array;
  /** RTP timestamp: the event's start, the same for every packet of it. */
  timestamp: number;
  /** RTP marker bit: set on the first packet of the event. */
  marker: boolean;
  end: boolean;
  /** Duration carried in the packet, in timestamp units. */
  duration: number;
  /** When to send it, in ms after the key went down. */
  offsetMs: number;
}

export interface TelephoneEventSendOptions {
  /** Volume field, 0-63 (-dBm0). Default 10. */
  volume?: number;
  /** Packet interval. Default 20 ms. */
  packetMs?: number;
  /** RTP clock rate of the telephone-event payload type. Default 8000. */
  clockRate?: number;
  /** Copies of the final packet (RFC 4733 2.5.1.4 recommends three). Default 3. */
  endCopies?: number;
}

/**
 * The packets a sender emits for one key press of `durationMs`: an update
 * every packet interval as the duration grows, then `endCopies` end packets
 * with the final duration, spaced one interval apart so that one burst of
 * loss cannot take them all. Sequence numbers are the caller's, since they
 * are shared with the voice stream.
 */
export function* telephoneEventPackets(
  digit: string | number,
  startTimestamp: number,
  durationMs: number,
  opts: TelephoneEventSendOptions = {},
): Generator<TelephoneEventPacket> {
  const event = typeof digit === 'number' ? digit : digitToEvent(digit);
  if (event === undefined || !Number.isInteger(event) || event < 0 || event > 255) {
    throw new RangeError(`not a telephone event: ${String(digit)}`);
  }
  const volume = opts.volume ?? 10;
  const packetMs = opts.packetMs ?? 20;
  const clockRate = opts.clockRate ?? 8000;
  const endCopies = opts.endCopies ?? 3;
  if (!(packetMs > 0) || !(clockRate > 0) || !(endCopies >= 1)) {
    throw new RangeError('packetMs, clockRate and endCopies must be positive');
  }
  const packets = Math.max(1, Math.round(durationMs / packetMs));
  const step = Math.round((packetMs * clockRate) / 1000);
  const total = packets * step;
  if (total > 0xffff) throw new RangeError('event longer than the 16-bit duration field');
  const timestamp = startTimestamp >>> 0;

  let first = true;
  const emit = (duration: number, end: boolean, offsetMs: number): TelephoneEventPacket => {
    const payload = writeTelephoneEvent({ event, end, volume, duration });
    const p = { payload, timestamp, marker: first, end, duration, offsetMs };
    first = false;
    return p;
  };
  for (let k = 1; k < packets; k++) yield emit(k * step, false, k * packetMs);
  for (let c = 0; c < endCopies; c++) yield emit(total, true, (packets + c) * packetMs);
}
