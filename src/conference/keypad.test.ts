import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/clock.ts';
import { KeypadParser, KEYPAD_TIMEOUT_MS, type KeypadCommand } from './keypad.ts';

function parser() {
  const clock = new ManualClock();
  const got: [KeypadCommand, string][] = [];
  const p = new KeypadParser(clock, (c, k) => got.push([c, k]));
  const type = (keys: string) => [...keys].forEach((k) => p.press(k));
  return { clock, got, type, p };
}

describe('keypad commands', () => {
  it('knows every command of the spec', () => {
    const { got, type } = parser();
    type('*1*3*5*6*7*21*22*23*9');
    expect(got).toEqual([
      ['help', '*1'],
      ['roll-call', '*3'],
      ['hand', '*5'],
      ['mute', '*6'],
      ['lock', '*7'],
      ['admit-lobby', '*21'],
      ['mute-all', '*22'],
      ['announcements', '*23'],
      ['end', '*9'],
    ]);
  });

  it('ignores keys without a star, and reports unknown commands', () => {
    const { got, type } = parser();
    type('1234#');
    expect(got).toEqual([]);
    type('*8*29*#');
    expect(got).toEqual([
      ['unknown', '*8'],
      ['unknown', '*29'],
      ['unknown', '*#'],
    ]);
  });

  it('a second star starts over', () => {
    const { got, type } = parser();
    type('**6');
    expect(got).toEqual([['mute', '*6']]);
  });

  it('forgets a half-typed command after a pause', () => {
    const { got, type, clock } = parser();
    type('*2');
    clock.advance(KEYPAD_TIMEOUT_MS + 1);
    type('1');
    expect(got).toEqual([]);
    type('*');
    clock.advance(KEYPAD_TIMEOUT_MS - 1);
    type('6');
    expect(got).toEqual([['mute', '*6']]);
  });
});
