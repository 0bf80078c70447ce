import type { PromptId } from '../prompts/library.ts';

/**
 * Something said to a caller. Prompts and digits are said in the caller's
 * language unless one is given (the language menu says each option in its
 * own); a name is the caller's own recording; tones are made, not recorded.
 */
export type Speech =
  | { prompt: PromptId; lang?: string }
  | { digit: string; lang?: string }
  | { number: number }
  | { name: Int16Array }
  | { tone: 'beep' | 'join' | 'leave' };
