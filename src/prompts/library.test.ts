import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_TEXTS } from '../../prompts/texts.ts';
import { AudioFileError } from '../media/wav.ts';
import { LANGUAGES } from '../admin/languages.ts';
import {
  DEFAULT_PROMPTS_DIR,
  DIGIT_IDS,
  NUMBER_IDS,
  PROMPT_IDS,
  PROMPT_LANGUAGES,
  PromptLibrary,
  type PromptId,
} from './library.ts';

const { WaveFile } = wavefile;

function wav(samples: Int16Array | number[], opts: { channels?: number; rate?: number } = {}) {
  const w = new WaveFile();
  w.fromScratch(opts.channels ?? 1, opts.rate ?? 8000, '16', samples);
  return w;
}

function buffer(w: InstanceType<typeof WaveFile>): Buffer {
  return Buffer.from(w.toBuffer());
}

function sine(seconds: number, hz = 440, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * 8000) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

function rmsDbfs(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += (s / 32768) ** 2;
  return 10 * Math.log10(sum / pcm.length);
}

function peakDbfs(pcm: Int16Array): number {
  let peak = 0;
  for (const s of pcm) peak = Math.max(peak, Math.abs(s));
  return 20 * Math.log10(peak / 32768);
}

/** Level of the 20 ms frames within 40 dB of the loudest one, as the generator measures it. */
function speechLevel(pcm: Int16Array): number {
  const energies: number[] = [];
  for (let at = 0; at + 160 <= pcm.length; at += 160) {
    let sum = 0;
    for (let i = at; i < at + 160; i++) sum += (pcm[i]! / 32768) ** 2;
    energies.push(sum / 160);
  }
  const floor = Math.max(...energies) * 1e-4;
  const active = energies.filter((e) => e > floor);
  return 10 * Math.log10(active.reduce((a, b) => a + b, 0) / active.length);
}

/** How long a prompt may plausibly be, in seconds. */
function plausible(id: PromptId): [number, number] {
  if (
    (DIGIT_IDS as readonly string[]).includes(id) ||
    (NUMBER_IDS as readonly string[]).includes(id)
  ) {
    return [0.2, 2]; // one word: "two" is a quarter of a second
  }
  if (id === 'commands' || id === 'commands-leader') return [3, 20]; // the spoken menus
  return [0.3, 12];
}

const library = new PromptLibrary();

describe('the prompt catalog (prompts/texts.ts)', () => {
  it('covers exactly the shipped languages, which are the languages the admin plane offers', () => {
    expect(Object.keys(PROMPT_TEXTS).sort()).toEqual([...PROMPT_LANGUAGES].sort());
    expect(LANGUAGES.map((l) => l.code).sort()).toEqual([...PROMPT_LANGUAGES].sort());
  });

  it('has a text for every prompt in every language', () => {
    for (const lang of PROMPT_LANGUAGES) {
      const { texts, voice, name } = PROMPT_TEXTS[lang];
      expect(voice, lang).toMatch(/^[a-z-]+$/);
      expect(name.length, lang).toBeGreaterThan(0);
      expect(Object.keys(texts).sort(), lang).toEqual([...PROMPT_IDS].sort());
      for (const id of PROMPT_IDS)
        expect(texts[id].trim().length, `${lang}/${id}`).toBeGreaterThan(0);
    }
  });

  it('writes Japanese in kana and Chinese in numbered pinyin, as the voices read them', () => {
    for (const text of Object.values(PROMPT_TEXTS['ja-JP'].texts)) {
      expect(text).not.toMatch(/\p{Script=Han}/u);
      expect(text).toMatch(/^[\p{Script=Hiragana}\p{Script=Katakana}ー、。\s]+$/u);
    }
    for (const text of Object.values(PROMPT_TEXTS['zh-CN'].texts)) {
      for (const word of text.split(/[\s,.:]+/).filter(Boolean))
        expect(word).toMatch(/^[a-z]+[1-5]$/);
    }
  });
});

describe('PromptLibrary on the shipped prompts', () => {
  it('finds all ten languages complete, in their usual order', () => {
    expect(library.languages()).toEqual([...PROMPT_LANGUAGES]);
    expect(library.hasLanguage('de-DE')).toBe(true);
    expect(library.hasLanguage('zh-cn')).toBe(true);
    expect(library.hasLanguage('sv-SE')).toBe(false);
  });

  it.each(PROMPT_LANGUAGES)(
    '%s: every prompt decodes to audible speech of a plausible length',
    (lang) => {
      for (const id of PROMPT_IDS) {
        const pcm = library.get(lang, id);
        const seconds = pcm.length / 8000;
        const [min, max] = plausible(id);
        expect(seconds, `${lang}/${id} length`).toBeGreaterThanOrEqual(min);
        expect(seconds, `${lang}/${id} length`).toBeLessThanOrEqual(max);
        expect(rmsDbfs(pcm), `${lang}/${id} level`).toBeGreaterThan(-35);
        // Same loudness everywhere: -22 dBFS speech, peaks limited to -3 dBFS.
        expect(Math.abs(speechLevel(pcm) + 22), `${lang}/${id} speech level`).toBeLessThan(1);
        expect(peakDbfs(pcm), `${lang}/${id} peak`).toBeLessThanOrEqual(-2.5);
      }
    },
  );

  it('caches: the same prompt twice is the same array', () => {
    expect(library.get('fr-FR', 'welcome')).toBe(library.get('fr-FR', 'welcome'));
  });

  it('accepts a language tag in any case', () => {
    expect(library.get('pt-br', 'goodbye')).toBe(library.get('pt-BR', 'goodbye'));
  });

  it('throws a clear error for an unknown prompt id', () => {
    expect(() => library.get('en-US', 'nope' as PromptId)).toThrow(/unknown prompt id 'nope'/);
  });

  it('says a key with its digit prompt', () => {
    expect(library.digit('de-DE', '7')).toBe(library.get('de-DE', 'digit-7'));
    expect(library.digit('en-GB', '*')).toBe(library.get('en-GB', 'digit-star'));
    expect(library.digit('en-GB', '#')).toBe(library.get('en-GB', 'digit-pound'));
    expect(() => library.digit('en-US', 'x' as '1')).toThrow(/no digit prompt for 'x'/);
  });

  it('says 0 to 20 as one word and larger numbers digit by digit', () => {
    for (let n = 0; n <= 20; n++) {
      expect(library.number('ja-JP', n)).toEqual([library.get('ja-JP', `number-${n}` as PromptId)]);
    }
    const twentyOne = library.number('it-IT', 21);
    expect(twentyOne).toHaveLength(2);
    expect(twentyOne[0]).toBe(library.get('it-IT', 'digit-2'));
    expect(twentyOne[1]).toBe(library.get('it-IT', 'digit-1'));
    expect(library.number('en-US', 105).map((p) => p)).toEqual([
      library.get('en-US', 'digit-1'),
      library.get('en-US', 'digit-0'),
      library.get('en-US', 'digit-5'),
    ]);
    expect(() => library.number('en-US', -1)).toThrow(RangeError);
    expect(() => library.number('en-US', 2.5)).toThrow(RangeError);
  });

  it('has quiet music on hold of 20-30 s that loops without a click', () => {
    const music = library.musicOnHold();
    expect(music.length / 8000).toBeGreaterThanOrEqual(20);
    expect(music.length / 8000).toBeLessThanOrEqual(30);
    expect(rmsDbfs(music)).toBeGreaterThan(-25.5);
    expect(rmsDbfs(music)).toBeLessThan(-22.5);
    expect(peakDbfs(music)).toBeLessThan(-3);
    // The jump from the last sample back to the first is an ordinary step, not a click.
    const steps = Array.from({ length: music.length - 1 }, (_, i) =>
      Math.abs(music[i + 1]! - music[i]!),
    ).sort((a, b) => a - b);
    const p999 = steps[Math.floor(steps.length * 0.999)]!;
    expect(Math.abs(music[0]! - music[music.length - 1]!)).toBeLessThanOrEqual(p999);
    expect(library.musicOnHold()).toBe(music);
  });

  it('reads the repository prompts by default', () => {
    expect(library.dir).toBe(DEFAULT_PROMPTS_DIR);
    expect(DEFAULT_PROMPTS_DIR).toMatch(/prompts$/);
  });
});

describe('organization overrides', () => {
  const lib = new PromptLibrary();
  const mine = sine(1, 500);
  const everywhere = sine(1, 700);

  it('replace a prompt for one organization in one language', () => {
    lib.setOverride('contoso', 'de-DE', 'welcome', mine);
    expect(lib.get('de-DE', 'welcome', 'contoso')).toBe(mine);
    expect(lib.get('de-de', 'welcome', 'contoso')).toBe(mine);
    expect(lib.get('de-DE', 'welcome', 'fabrikam')).toBe(lib.get('de-DE', 'welcome'));
    expect(lib.get('de-DE', 'welcome')).not.toBe(mine);
    expect(lib.get('fr-FR', 'welcome', 'contoso')).toBe(lib.get('fr-FR', 'welcome'));
  });

  it("replace a prompt in every language with '*', where a language's own override still wins", () => {
    lib.setOverride('contoso', '*', 'welcome', everywhere);
    expect(lib.get('fr-FR', 'welcome', 'contoso')).toBe(everywhere);
    expect(lib.get('de-DE', 'welcome', 'contoso')).toBe(mine);
  });

  it('apply to digits and numbers too', () => {
    const two = sine(0.4, 300);
    lib.setOverride('contoso', 'en-US', 'digit-2', two);
    expect(lib.digit('en-US', '2', 'contoso')).toBe(two);
    expect(lib.number('en-US', 22, 'contoso')).toEqual([two, two]);
  });

  it('replace the music on hold', () => {
    const music = sine(20, 220, 2000);
    lib.setOverride('contoso', '*', 'music-on-hold', music);
    expect(lib.musicOnHold('contoso')).toBe(music);
    expect(lib.musicOnHold('fabrikam')).toBe(lib.musicOnHold());
    expect(lib.clearOverride('contoso', '*', 'music-on-hold')).toBe(true);
    expect(lib.musicOnHold('contoso')).toBe(lib.musicOnHold());
  });

  it('can be cleared', () => {
    expect(lib.clearOverride('contoso', 'de-DE', 'welcome')).toBe(true);
    expect(lib.get('de-DE', 'welcome', 'contoso')).toBe(everywhere);
    expect(lib.clearOverride('contoso', '*', 'welcome')).toBe(true);
    expect(lib.get('de-DE', 'welcome', 'contoso')).toBe(lib.get('de-DE', 'welcome'));
    expect(lib.clearOverride('contoso', '*', 'welcome')).toBe(false);
    expect(lib.clearOverride('nobody', '*', 'welcome')).toBe(false);
  });

  it('refuse an unknown id or no audio', () => {
    expect(() => lib.setOverride('contoso', '*', 'nope' as PromptId, mine)).toThrow(
      /unknown prompt id/,
    );
    expect(() => lib.setOverride('contoso', '*', 'welcome', new Int16Array(0))).toThrow(/no audio/);
  });
});

describe('a prompt directory with gaps', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialbridge-prompts-test-'));
    cpSync(join(DEFAULT_PROMPTS_DIR, 'en-US'), join(dir, 'en-US'), { recursive: true });
    // A partial German set, and an organization's own Swedish welcome as 16-bit PCM.
    mkdirSync(join(dir, 'de-DE'));
    cpSync(join(DEFAULT_PROMPTS_DIR, 'de-DE', 'goodbye.wav'), join(dir, 'de-DE', 'goodbye.wav'));
    mkdirSync(join(dir, 'sv-SE'));
    writeFileSync(join(dir, 'sv-SE', 'welcome.wav'), buffer(wav(sine(1.5))));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists only complete languages', () => {
    const lib = new PromptLibrary(dir);
    expect(lib.languages()).toEqual(['en-US']);
    expect(lib.hasLanguage('de-DE')).toBe(false);
  });

  it("plays a language's own files and falls back to en-US for the rest", () => {
    const lib = new PromptLibrary(dir);
    const english = new PromptLibrary();
    expect(lib.get('de-DE', 'goodbye')).toEqual(english.get('de-DE', 'goodbye'));
    expect(lib.get('de-DE', 'welcome')).toEqual(english.get('en-US', 'welcome'));
    expect(lib.get('xx-XX', 'welcome')).toEqual(english.get('en-US', 'welcome'));
    expect(lib.get('sv-SE', 'welcome')).toEqual(sine(1.5));
    expect(lib.get('sv-SE', 'goodbye')).toEqual(english.get('en-US', 'goodbye'));
  });

  it('does not look outside its directory', () => {
    const lib = new PromptLibrary(join(dir, 'de-DE'));
    expect(() => lib.get('../en-US', 'welcome')).toThrow(/missing for \.\.\/en-US and for en-US/);
  });

  it('says which prompt is missing when even en-US lacks it', () => {
    const lib = new PromptLibrary(join(dir, 'nowhere'));
    expect(lib.languages()).toEqual([]);
    expect(() => lib.get('fr-FR', 'welcome')).toThrow(
      /prompt 'welcome' is missing for fr-FR and for en-US/,
    );
    expect(() => lib.musicOnHold()).toThrow(/music on hold is missing/);
  });
});

describe('PromptLibrary.decodeWav', () => {
  const tone = sine(0.5, 1000, 12000);

  it('reads 16-bit PCM exactly', () => {
    expect(PromptLibrary.decodeWav(buffer(wav(tone)))).toEqual(tone);
  });

  it.each([
    ['µ-law', (w: InstanceType<typeof WaveFile>) => w.toMuLaw()],
    ['A-law', (w: InstanceType<typeof WaveFile>) => w.toALaw()],
  ])('reads %s within the codec error', (_name, encode) => {
    const w = wav(tone);
    encode(w);
    const pcm = PromptLibrary.decodeWav(buffer(w));
    expect(pcm).toHaveLength(tone.length);
    for (let i = 0; i < tone.length; i++) {
      expect(Math.abs(pcm[i]! - tone[i]!)).toBeLessThanOrEqual(Math.abs(tone[i]!) / 16 + 16);
    }
  });

  it('reads what the generator writes (sox µ-law with a fact chunk)', () => {
    const pcm = PromptLibrary.decodeWav(
      readFileSync(join(DEFAULT_PROMPTS_DIR, 'en-US', 'welcome.wav')),
    );
    expect(pcm.length).toBeGreaterThan(8000);
  });

  it('refuses what is not a WAV file', () => {
    expect(() => PromptLibrary.decodeWav(Buffer.from('ID3 this is an mp3, honest'))).toThrow(
      /not a WAV file/,
    );
    expect(() => PromptLibrary.decodeWav(Buffer.alloc(0))).toThrow(/not a WAV file/);
    const noData = Buffer.from(buffer(wav(tone)).subarray(0, 36));
    expect(() => PromptLibrary.decodeWav(noData)).toThrow(/not a WAV file \(no data chunk\)/);
  });

  it('refuses stereo', () => {
    const stereo = wav(
      Int16Array.from({ length: 1600 }, (_, i) => i),
      { channels: 2 },
    );
    expect(() => PromptLibrary.decodeWav(buffer(stereo))).toThrow(AudioFileError);
    expect(() => PromptLibrary.decodeWav(buffer(stereo))).toThrow(/must be mono, got 2 channels/);
  });

  it('refuses any rate but 8000 Hz', () => {
    const cd = wav(sine(0.1), { rate: 44100 });
    expect(() => PromptLibrary.decodeWav(buffer(cd))).toThrow(/must be 8000 Hz, got 44100/);
  });

  it('refuses other encodings, naming what it got', () => {
    const deep = wav(tone);
    deep.toBitDepth('24');
    expect(() => PromptLibrary.decodeWav(buffer(deep))).toThrow(
      /must be 16-bit PCM, µ-law or A-law, got 24-bit PCM/,
    );
    const float = wav(tone);
    float.toBitDepth('32f');
    expect(() => PromptLibrary.decodeWav(buffer(float))).toThrow(/got IEEE float/);
  });

  it('refuses more than ten minutes', () => {
    const long = new WaveFile();
    long.fromScratch(1, 8000, '8m', new Uint8Array(8000 * 601).fill(0xff));
    expect(() => PromptLibrary.decodeWav(buffer(long))).toThrow(/too long: over 10 minutes/);
    const ten = new WaveFile();
    ten.fromScratch(1, 8000, '8m', new Uint8Array(8000 * 600).fill(0xff));
    expect(PromptLibrary.decodeWav(buffer(ten))).toHaveLength(8000 * 600);
  });

  it('refuses a file without audio', () => {
    expect(() => PromptLibrary.decodeWav(buffer(wav([])))).toThrow(/has no audio/);
  });
});
