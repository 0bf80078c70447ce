import type { Call } from './call.ts';
import type { MixRoom, MixSeat } from './call-audio.ts';
import { FRAME_SAMPLES } from '../media/rtp-session.ts';

/** A room of one, where what you say is what you hear. */
class EchoRoom implements MixRoom {
  seat(): MixSeat {
    const buffer = new Int16Array(FRAME_SAMPLES);
    return { input: buffer, output: buffer, muted: false };
  }

  unseat(): void {}
}

/** The user part that reaches the echo test instead of the attendant: sip:echo@bridge. */
export const ECHO_USER = 'echo';

/**
 * The echo test: the caller hears themselves, which proves audio both ways
 * through NAT, codecs and firewalls before anyone debugs a conference.
 */
export function answerAsEcho(call: Call): void {
  call.join(new EchoRoom());
  void call.answer();
}
