/**
 * Generates the shipped prompts and the music on hold with espeak-ng and sox:
 *
 *   node --import tsx prompts/generate.ts [--lang xx-XX[,..]] [--only id[,..]] [--jobs N]
 *
 * Each prompt: espeak-ng speaks the text from prompts/texts.ts; sox resamples
 * to 8 kHz mono and trims the silence at both ends; here its active speech
 * level is set to SPEECH_LEVEL_DBFS (a limiter keeps the odd peak under
 * PEAK_CEILING_DBFS); sox fades the ends and writes prompts/<lang>/<id>.wav as
 * 8-bit G.711 µ-law. The music on hold (prompts/music-on-hold.wav) is synthesized
 * note by note with sox and folded into a seamless loop.
 *
 * Reproducible: sox runs with -R (fixed seeds) and -D (no dither), WAV
 * headers hold no dates, and a file is only rewritten when its bytes change.
 * Needs the Debian packages espeak-ng and sox; nobody else does.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MUSIC_ON_HOLD,
  PROMPT_IDS,
  PROMPT_LANGUAGES,
  isPromptId,
  type PromptId,
  type PromptLanguage,
} from '../src/prompts/library.ts';
import { PROMPT_TEXTS } from './texts.ts';

const OUT_DIR = import.meta.dirname;
const RATE = 8000;

/**
 * Active speech level of every prompt, in dBFS RMS (full scale = 1.0): about
 * -16 dBm0, a little above a typical caller's voice, the same in every language.
 */
const SPEECH_LEVEL_DBFS = -22;
/** No sample of a prompt goes above this... */
const PEAK_CEILING_DBFS = -3;
/** ...thanks to a limiter that takes at most this much off the loudest peaks. */
const MAX_LIMITING_DB = 6;
/** Music on hold RMS level: quiet, under the prompts. */
const MUSIC_LEVEL_DBFS = -24;
/** Fade in and out at the ends of a prompt, seconds: no click, no lost consonant. */
const FADE_IN_S = 0.005;
const FADE_OUT_S = 0.015;
/** espeak-ng -a (0-200, default 100), low enough that no voice clips. */
const ESPEAK_AMPLITUDE = 60;
/** What counts as silence when trimming the ends (espeak-ng pads with digital zero). */
const TRIM_THRESHOLD = '-50d';

const TOOLS = [
  { command: 'espeak-ng', pkg: 'espeak-ng' },
  { command: 'sox', pkg: 'sox' },
] as const;

class UsageError extends Error {}

function run(command: string, args: string[], input?: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed: ${stderr.toString().trim() || err.message}`,
            ),
          );
        } else resolve(stdout);
      },
    );
    // A tool that exits without reading its input is judged by its exit status, not EPIPE.
    child.stdin?.on('error', () => {});
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

/** Checks the tools are installed (naming the Debian package if not) and returns their versions. */
function checkTools(): string[] {
  return TOOLS.map(({ command, pkg }) => {
    const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (r.error) {
      const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UsageError(
        missing
          ? `${command} is not installed. On Debian: apt-get install ${pkg} (package "${pkg}").`
          : `${command} does not run: ${r.error.message}`,
      );
    }
    const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => /\d+\.\d+/.test(l)) ?? command;
    // "eSpeak NG text-to-speech: 1.51  Data at: <path>", "sox:      SoX v14.4.2"
    return line
      .replace(/\s+Data at:.*$/, '')
      .replace(/\s+/g, ' ')
      .trim();
  });
}

function checkVoices(langs: readonly PromptLanguage[]): void {
  const r = spawnSync('espeak-ng', ['--voices'], { encoding: 'utf8' });
  const names = new Set(
    r.stdout
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[1]?.toLowerCase())
      .filter((n): n is string => !!n),
  );
  for (const lang of langs) {
    const { voice } = PROMPT_TEXTS[lang];
    if (!names.has(voice.split('+')[0]!.toLowerCase())) {
      throw new UsageError(
        `espeak-ng has no voice '${voice}' for ${lang} (see espeak-ng --voices; Debian package espeak-ng-data).`,
      );
    }
  }
}

function dbfs(x: number): number {
  return 20 * Math.log10(Math.max(x, 1e-12));
}

function peakOf(samples: ArrayLike<number>, fullScale: number): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
  return peak / fullScale;
}

/**
 * Active speech level in dBFS: the RMS of the 20 ms frames that carry speech
 * (those within 40 dB of the loudest frame), so pauses between words and
 * phrases don't pull it down. A simple stand-in for ITU-T P.56.
 */
function speechLevel(pcm: Int16Array): number {
  const frame = RATE / 50;
  const energies: number[] = [];
  for (let at = 0; at + frame <= pcm.length; at += frame) {
    let sum = 0;
    for (let i = at; i < at + frame; i++) sum += (pcm[i]! / 32768) ** 2;
    energies.push(sum / frame);
  }
  if (energies.length === 0) return -Infinity;
  const floor = Math.max(...energies) * 1e-4; // -40 dB
  const active = energies.filter((e) => e > floor);
  return 10 * Math.log10(active.reduce((a, b) => a + b, 0) / active.length);
}

/**
 * A look-ahead peak limiter, in place: where a sample would pass `ceiling`,
 * the gain dips smoothly around it (2 ms either side, 10 ms recovery). The
 * gain curve is a moving average of a moving minimum over a wider window,
 * so at every sample it is at most what that sample needs: nothing passes.
 */
function limit(x: Float32Array, ceiling: number): void {
  const need = Float32Array.from(x, (s) => Math.min(1, ceiling / Math.max(Math.abs(s), 1e-9)));
  if (need.every((g) => g === 1)) return;
  const hold = Math.round(RATE * 0.01); // the minimum's half-width
  const smooth = Math.round(RATE * 0.002); // the average's half-width (<= hold)
  const floor = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let g = 1;
    for (let j = Math.max(0, i - hold); j <= Math.min(x.length - 1, i + hold); j++) {
      g = Math.min(g, need[j]!);
    }
    floor[i] = g;
  }
  for (let i = 0; i < x.length; i++) {
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - smooth); j <= Math.min(x.length - 1, i + smooth); j++, n++) {
      sum += floor[j]!;
    }
    x[i]! *= sum / n;
  }
}

interface Written {
  path: string;
  bytes: number;
  seconds: number;
  changed: boolean;
}

/** Writes `bytes` to `path` unless it already holds exactly them. */
function writeIfChanged(path: string, bytes: Buffer, seconds: number): Written {
  const changed = !existsSync(path) || !readFileSync(path).equals(bytes);
  if (changed) writeFileSync(path, bytes);
  return { path, bytes: bytes.length, seconds, changed };
}

const RAW16 = ['-t', 'raw', '-e', 'signed', '-b', '16', '-c', '1', '-r', String(RATE)];
const RAWF32 = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-c', '1', '-r', String(RATE)];
const ULAW_WAV = ['-t', 'wav', '-e', 'u-law', '-b', '8', '-c', '1', '-r', String(RATE)];

async function makePrompt(
  lang: PromptLanguage,
  id: PromptId,
  work: string,
): Promise<Written & { belowTargetDb: number }> {
  const { voice, speed, keySpeed, texts } = PROMPT_TEXTS[lang];
  const rate = id.startsWith('digit-') || id.startsWith('number-') ? keySpeed : speed;
  const base = join(work, `${lang}-${id}`);
  // 1. Speech, at espeak-ng's own rate (22050 Hz).
  // Amplitude 60 of 100: espeak-ng clips some voices (zh, es) at its default.
  const espeak = ['-v', voice, '-s', String(rate), '-a', String(ESPEAK_AMPLITUDE)];
  await run('espeak-ng', [...espeak, '-w', `${base}.wav`], texts[id]);
  // 2. 8 kHz mono, silence trimmed from both ends.
  await run('sox', [
    '-R',
    '-D',
    `${base}.wav`,
    ...RAW16,
    `${base}.raw`,
    'rate',
    '-v',
    String(RATE),
    'silence',
    '1',
    '0.005',
    TRIM_THRESHOLD,
    'reverse',
    'silence',
    '1',
    '0.005',
    TRIM_THRESHOLD,
    'reverse',
  ]);
  const raw = readFileSync(`${base}.raw`);
  const pcm = new Int16Array(raw.buffer, raw.byteOffset, raw.length >> 1);
  if (pcm.length < RATE / 10) throw new Error(`${lang}/${id}: espeak-ng produced almost nothing`);
  // 3. Level (with a limiter for the few peaks it would push over the ceiling).
  const level = speechLevel(pcm);
  const overCeiling = dbfs(peakOf(pcm, 32768)) + SPEECH_LEVEL_DBFS - level - PEAK_CEILING_DBFS;
  // Beyond MAX_LIMITING_DB the whole prompt is turned down instead.
  const belowTargetDb = Math.max(0, overCeiling - MAX_LIMITING_DB);
  const gain = 10 ** ((SPEECH_LEVEL_DBFS - level - belowTargetDb) / 20) / 32768;
  const leveled = Float32Array.from(pcm, (s) => s * gain);
  limit(leveled, 10 ** (PEAK_CEILING_DBFS / 20));
  writeFileSync(`${base}.f32`, leveled);
  // 4. Fades and µ-law.
  await run('sox', [
    '-R',
    '-D',
    ...RAWF32,
    `${base}.f32`,
    ...ULAW_WAV,
    `${base}.out.wav`,
    'fade',
    't',
    String(FADE_IN_S),
    '-0',
    String(FADE_OUT_S),
  ]);
  mkdirSync(join(OUT_DIR, lang), { recursive: true });
  const written = writeIfChanged(
    join(OUT_DIR, lang, `${id}.wav`),
    readFileSync(`${base}.out.wav`),
    pcm.length / RATE,
  );
  for (const ext of ['.wav', '.raw', '.f32', '.out.wav']) rmSync(`${base}${ext}`, { force: true });
  return { ...written, belowTargetDb };
}

// ---------------------------------------------------------------------------
// Music on hold: a slow eight-chord progression in D major, a plucked
// arpeggio over soft sine pads, with a little reverb. Everything that rings
// past the end of the loop is added back at its start, so it loops seamlessly.

/** Chord tones as MIDI notes; the arpeggio plays them an octave up. */
const CHORDS: readonly (readonly number[])[] = [
  [62, 66, 69, 73], // Dmaj7
  [59, 62, 66, 69], // Bm7
  [55, 59, 62, 66], // Gmaj7
  [57, 62, 64, 69], // Asus4
  [62, 66, 69, 73], // Dmaj7
  [54, 57, 61, 64], // F#m7
  [52, 55, 59, 62], // Em7
  [57, 61, 64, 66], // A6, back to Dmaj7
];
const CHORD_S = 3;
const ARPEGGIO = [0, 1, 2, 3, 2, 1]; // chord-tone index per step
const STEP_S = CHORD_S / ARPEGGIO.length;
const LOOP_S = CHORDS.length * CHORD_S;
const TAIL_S = 6; // room for the last notes and the reverb to die away
const PLUCK_DELAY_S = 0.2;

function hz(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

async function synth(args: string[]): Promise<Float32Array> {
  const out = await run('sox', ['-R', '-D', '-n', ...RAWF32, '-', 'synth', ...args]);
  return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
}

function addAt(into: Float32Array, sound: Float32Array, atS: number, gain: number): void {
  const at = Math.round(atS * RATE);
  for (let i = 0; i < sound.length && at + i < into.length; i++) into[at + i]! += sound[i]! * gain;
}

async function makeMusic(work: string): Promise<Written> {
  const mix = new Float32Array((LOOP_S + TAIL_S) * RATE);
  const padLength = CHORD_S + 1.2;
  for (const [c, chord] of CHORDS.entries()) {
    const start = c * CHORD_S;
    // Pad: each chord tone as two slightly detuned sines, slow attack and release.
    for (const note of chord) {
      const f = hz(note);
      const pad = await synth([
        String(padLength),
        'sine',
        f.toFixed(3),
        'sine',
        (f * 1.003).toFixed(3),
        'remix',
        '-',
        'fade',
        'h',
        '1.0',
        String(padLength),
        '1.4',
      ]);
      addAt(mix, pad, start, 0.05);
    }
    // Arpeggio: plucked notes an octave up, each ringing on under the next,
    // starting as the pad has swelled a little.
    for (const [step, index] of ARPEGGIO.entries()) {
      const pluck = await synth([
        '2.5',
        'pluck',
        hz(chord[index]! + 12).toFixed(3),
        // Mellow, like a harp rather than a steel string.
        'lowpass',
        '1800',
        'fade',
        'q',
        '0.005',
        '2.5',
        '1.2',
      ]);
      addAt(mix, pluck, start + PLUCK_DELAY_S + step * STEP_S, step === 0 ? 0.3 : 0.22);
    }
  }
  // Keep the reverb's input well under full scale, then add the room.
  const premix = peakOf(mix, 1);
  for (let i = 0; i < mix.length; i++) mix[i]! *= 0.4 / premix;
  writeFileSync(join(work, 'music.raw'), mix);
  const wet = await run('sox', [
    '-R',
    '-D',
    ...RAWF32,
    join(work, 'music.raw'),
    ...RAWF32,
    '-',
    'highpass',
    '150',
    'lowpass',
    '3200',
    'reverb',
    '40',
    '60',
    '70',
  ]);
  const room = new Float32Array(wet.buffer.slice(wet.byteOffset, wet.byteOffset + wet.length));
  // Fold: whatever sounds after the loop's end plays again over its start.
  const loop = new Float32Array(LOOP_S * RATE);
  for (let i = 0; i < room.length; i++) loop[i % loop.length]! += room[i]!;
  let energy = 0;
  for (const s of loop) energy += s * s;
  const rms = Math.sqrt(energy / loop.length);
  const gain = Math.min(
    10 ** (MUSIC_LEVEL_DBFS / 20) / rms,
    10 ** (PEAK_CEILING_DBFS / 20) / peakOf(loop, 1),
  );
  for (let i = 0; i < loop.length; i++) loop[i]! *= gain;
  writeFileSync(join(work, 'loop.raw'), loop);
  // No effects here: anything that looks at the ends would break the loop.
  await run('sox', [
    '-R',
    '-D',
    ...RAWF32,
    join(work, 'loop.raw'),
    ...ULAW_WAV,
    join(work, 'moh.wav'),
  ]);
  return writeIfChanged(
    join(OUT_DIR, `${MUSIC_ON_HOLD}.wav`),
    readFileSync(join(work, 'moh.wav')),
    LOOP_S,
  );
}

// ---------------------------------------------------------------------------

function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

async function pool<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lang: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: node --import tsx prompts/generate.ts [--lang xx-XX[,..]] [--only id[,..]] [--jobs N]\n' +
        `  --lang  languages (default: all of ${PROMPT_LANGUAGES.join(', ')})\n` +
        `  --only  prompt ids, or ${MUSIC_ON_HOLD} (default: every prompt and the music on hold)\n` +
        '  --jobs  processes at once (default: one per CPU)',
    );
    return;
  }
  const langArgs = list(values.lang);
  const langs = langArgs.length
    ? langArgs.map((l) => {
        const hit = PROMPT_LANGUAGES.find((p) => p.toLowerCase() === l.toLowerCase());
        if (!hit)
          throw new UsageError(`unknown language '${l}' (one of ${PROMPT_LANGUAGES.join(', ')})`);
        return hit;
      })
    : [...PROMPT_LANGUAGES];
  const onlyArgs = list(values.only);
  for (const id of onlyArgs) {
    if (id !== MUSIC_ON_HOLD && !isPromptId(id)) {
      throw new UsageError(`unknown prompt id '${id}' (see PROMPT_IDS in src/prompts/library.ts)`);
    }
  }
  const ids = onlyArgs.length ? PROMPT_IDS.filter((id) => onlyArgs.includes(id)) : [...PROMPT_IDS];
  const music = onlyArgs.length ? onlyArgs.includes(MUSIC_ON_HOLD) : langArgs.length === 0;
  const jobs = values.jobs ? Number(values.jobs) : availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError('--jobs must be a whole number from 1');

  const versions = checkTools();
  checkVoices(langs);
  console.log(`using ${versions.join('; ')}`);

  const work = mkdtempSync(join(tmpdir(), 'dialbridge-prompts-'));
  try {
    const tasks = langs.flatMap((lang) => ids.map((id) => ({ lang, id })));
    const done = await pool(tasks, jobs, ({ lang, id }) => makePrompt(lang, id, work));
    const rows: string[] = [];
    for (const lang of langs) {
      const mine = done.filter((_, i) => tasks[i]!.lang === lang);
      if (!mine.length) continue;
      const bytes = mine.reduce((a, w) => a + w.bytes, 0);
      const seconds = mine.map((w) => w.seconds);
      const longest = mine.reduce((a, w) => (w.seconds > a.seconds ? w : a));
      rows.push(
        `${lang.padEnd(6)} ${String(mine.length).padStart(3)} files ${kib(bytes).padStart(9)}` +
          `  ${seconds
            .reduce((a, b) => a + b, 0)
            .toFixed(0)
            .padStart(4)} s` +
          `  longest ${longest.seconds.toFixed(1)} s (${longest.path.split('/').pop()})`,
      );
    }
    const all: Written[] = [...done];
    if (music) {
      const moh = await makeMusic(work);
      all.push(moh);
      rows.push(`music on hold       ${kib(moh.bytes).padStart(9)}  ${moh.seconds} s loop`);
    }
    const changed = all.filter((w) => w.changed).length;
    const total = all.reduce((a, w) => a + w.bytes, 0);
    console.log(rows.join('\n'));
    console.log(
      `${all.length} files, ${(total / 1024 / 1024).toFixed(2)} MiB; ` +
        `${changed} written, ${all.length - changed} unchanged`,
    );
    const quiet = done.filter((w) => w.belowTargetDb > 1);
    for (const w of quiet) {
      console.log(`note: ${w.path} is ${w.belowTargetDb.toFixed(1)} dB under the level (peaks)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? err.message : err);
  process.exitCode = 1;
});
