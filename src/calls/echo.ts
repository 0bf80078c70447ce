import type { CallEngine } from './engine.ts';
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

/**
 * Until the auto attendant takes calls, the service answers every call as an
 * echo test: the caller hears themselves, which proves audio both ways, and
 * keypad digits are logged. The attendant replaces this handler.
 */
export function answerWithEcho(
  engine: CallEngine,
  onDigit: (callId: string, digit: string) => void,
): void {
  engine.on('call', (call) => {
    call.on('digit', (digit) => onDigit(call.id, digit));
    call.join(new EchoRoom());
    void call.answer();
  });
}
