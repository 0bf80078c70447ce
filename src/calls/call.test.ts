import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/clock.ts';
import { Player } from '../media/player.ts';
import { Call, type CallMedia } from './call.ts';

function call(clock: ManualClock) {
  const media: CallMedia = {
    port: 0,
    player: new Player(),
    muted: false,
    talking: false,
    configure() {},
    sendFrame() {},
    record() {},
    join: () => ({ input: new Int16Array(160), output: new Int16Array(160), muted: false }),
    leave() {},
    close() {},
  };
  const control = { answer: async () => {}, reject() {}, hangup: async () => {} };
  return new Call(
    'c1',
    { uri: 'sip:a@b', user: 'a', displayName: undefined },
    '1',
    '127.0.0.1',
    control,
    media,
    clock,
  );
}

describe('a call taking keys', () => {
  it('keeps a key pressed after a collection timed out for the next question', async () => {
    const clock = new ManualClock();
    const c = call(clock);
    const first = c.collect({ maxDigits: 1, firstDigitMs: 5000, interDigitMs: 5000 });
    clock.advance(5001);
    expect(await first).toEqual({ digits: '', reason: 'timeout' });
    // Typed over the next prompt, before the next collect starts.
    c.receiveDigit('8', 'rfc4733');
    c.receiveDigit('2', 'rfc4733');
    const next = c.collect({
      maxDigits: 7,
      terminator: '#',
      firstDigitMs: 10_000,
      interDigitMs: 5000,
    });
    c.receiveDigit('#', 'rfc4733');
    expect(await next).toEqual({ digits: '82', reason: 'terminator' });
  });
});
