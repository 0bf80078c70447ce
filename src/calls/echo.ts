import type { CallEngine } from './engine.ts';

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
    call.on('audio', (frame) => call.sendAudio(frame));
    call.on('digit', (digit) => onDigit(call.id, digit));
    void call.answer();
  });
}
