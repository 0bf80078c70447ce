import type { Clock, Timer } from '../sip/clock.ts';

/** The in-meeting keypad commands of the spec (calls.md, "Keypad commands in a meeting"). */
export type KeypadCommand =
  | 'help' // *1
  | 'roll-call' // *3
  | 'hand' // *5
  | 'mute' // *6
  | 'lock' // *7 (leader)
  | 'admit-lobby' // *21 (leader)
  | 'mute-all' // *22 (leader)
  | 'announcements' // *23 (leader)
  | 'end' // *9 (leader): not in the spec's table, which says the leader can end a meeting
  | 'unknown';

export const LEADER_COMMANDS: ReadonlySet<KeypadCommand> = new Set([
  'lock',
  'admit-lobby',
  'mute-all',
  'announcements',
  'end',
]);

const SINGLE: Record<string, KeypadCommand> = {
  '1': 'help',
  '3': 'roll-call',
  '5': 'hand',
  '6': 'mute',
  '7': 'lock',
  '9': 'end',
};
const AFTER_TWO: Record<string, KeypadCommand> = {
  '1': 'admit-lobby',
  '2': 'mute-all',
  '3': 'announcements',
};

/** How long a half-typed command (a star, or *2) waits for its next key. */
export const KEYPAD_TIMEOUT_MS = 3000;

/**
 * Turns one caller's keypad presses into commands: a star starts one, then
 * one key (*1, *3, *5, *6, *7, *9) or two (*21, *22, *23). Keys without a star
 * before them are not commands and are ignored; a half-typed command is
 * forgotten after a pause.
 */
export class KeypadParser {
  private typed = '';
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onCommand: (command: KeypadCommand, keys: string) => void,
  ) {}

  press(key: string): void {
    this.timer?.cancel();
    if (key === '*') {
      this.typed = '*';
    } else if (this.typed === '*') {
      if (key === '2') this.typed = '*2';
      else return this.emit(SINGLE[key] ?? 'unknown', `*${key}`);
    } else if (this.typed === '*2') {
      return this.emit(AFTER_TWO[key] ?? 'unknown', `*2${key}`);
    } else {
      return; // not after a star: not a command
    }
    this.timer = this.clock.after(KEYPAD_TIMEOUT_MS, () => {
      this.typed = '';
    });
  }

  cancel(): void {
    this.timer?.cancel();
    this.typed = '';
  }

  private emit(command: KeypadCommand, keys: string): void {
    this.typed = '';
    this.onCommand(command, keys);
  }
}
