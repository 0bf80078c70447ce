import { generateTone } from '../media/tone.ts';
import type { DigitKey, PromptLibrary } from '../prompts/library.ts';
import type { Speech } from './speech.ts';

const RATE = 8000;
const silence = (ms: number) => new Int16Array((RATE * ms) / 1000);

/** A gap between spoken parts, so "caller ending in 2 3 has joined" is not one breathless word. */
const GAP = silence(120);
const DIGIT_GAP = silence(60);

/**
 * Tones are made, not recorded: a short beep before name recording, a rising
 * pair for someone joining and a falling pair for someone leaving.
 */
const TONES = {
  beep: generateTone({ frequencies: [1000], levelDbm0: -12 }, 250),
  join: concat([
    generateTone({ frequencies: [660], levelDbm0: -14 }, 120),
    generateTone({ frequencies: [880], levelDbm0: -14 }, 160),
  ]),
  leave: concat([
    generateTone({ frequencies: [880], levelDbm0: -14 }, 120),
    generateTone({ frequencies: [660], levelDbm0: -14 }, 160),
  ]),
} as const;

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Turns what the attendant or a meeting wants said into audio for one
 * caller: their organization's prompts (its own recordings where it uploaded
 * some) in their language.
 */
export class SpeechRenderer {
  constructor(private readonly library: PromptLibrary) {}

  render(speech: Speech[], lang: string, orgId?: string): Int16Array {
    const parts: Int16Array[] = [];
    let previousDigit = false;
    for (const s of speech) {
      const isDigit = 'digit' in s;
      if (parts.length) parts.push(isDigit && previousDigit ? DIGIT_GAP : GAP);
      previousDigit = isDigit;
      if ('prompt' in s) parts.push(this.library.get(s.lang ?? lang, s.prompt, orgId));
      else if ('digit' in s)
        parts.push(this.library.digit(s.lang ?? lang, s.digit as DigitKey, orgId));
      else if ('number' in s) parts.push(...this.library.number(lang, s.number, orgId));
      else if ('name' in s) parts.push(s.name);
      else parts.push(TONES[s.tone]);
    }
    return concat(parts);
  }

  musicOnHold(orgId?: string, lang?: string): Int16Array {
    return this.library.musicOnHold(orgId, lang);
  }
}
