import { describe, expect, it } from 'vitest';
import { Player } from './player.ts';
import { Recorder } from './recorder.ts';
import { AudioFileError, decodeWav, encodeWav } from './wav.ts';
import wavefile from 'wavefile';

const ramp = (n: number, start = 1) => Int16Array.from({ length: n }, (_, i) => start + i);

describe('the prompt player', () => {
  it('plays queued audio 20 ms at a time, padding the last frame with silence, then reports done', async () => {
    const p = new Player();
    const done = p.enqueue(ramp(400));
    const out = new Int16Array(160);
    const got: number[] = [];
    while (p.next(out)) got.push(...out);
    expect(got.slice(0, 400)).toEqual([...ramp(400)]);
    expect(got.length).toBe(480);
    expect(got.slice(400).every((x) => x === 0)).toBe(true);
    expect(await done).toBe(true);
    expect(p.next(out)).toBe(false);
    expect(out.every((x) => x === 0)).toBe(true);
  });

  it('a key interrupts interruptible prompts but not the ones that must be heard', async () => {
    const p = new Player();
    const a = p.enqueue(ramp(800), { interruptible: true });
    const b = p.enqueue(ramp(800), { interruptible: true });
    const c = p.enqueue(ramp(320, 5000), { interruptible: false });
    const out = new Int16Array(160);
    p.next(out);
    p.interrupt();
    expect(await a).toBe(false);
    expect(await b).toBe(false);
    p.next(out);
    expect(out[0]).toBe(5000);
    p.interrupt();
    p.next(out);
    expect(await c).toBe(true);
  });
});

describe('music on hold', () => {
  it('loops until stopped, continuing across the loop point without a gap', async () => {
    const p = new Player();
    const music = ramp(100);
    const done = p.enqueue(music, { loop: true });
    const out = new Int16Array(160);
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(p.next(out)).toBe(true);
      got.push(...out);
    }
    expect(got.slice(0, 300)).toEqual([...music, ...music, ...music]);
    p.stop();
    expect(await done).toBe(false);
    expect(p.next(out)).toBe(false);
  });

  it('gives way to a prompt queued while it plays (else the prompt would wait forever)', async () => {
    const p = new Player();
    const music = p.enqueue(ramp(100), { loop: true, interruptible: false });
    const out = new Int16Array(160);
    p.next(out);
    const prompt = Int16Array.from({ length: 160 }, () => 7);
    const said = p.enqueue(prompt, { interruptible: false });
    expect(await music).toBe(false);
    expect(p.next(out)).toBe(true);
    expect([...out]).toEqual([...prompt]);
    expect(await said).toBe(true);
    expect(p.next(out)).toBe(false);
  });
});

describe('the name recorder', () => {
  it('trims silence around speech and keeps a little padding', () => {
    const r = new Recorder({ maxMs: 5000, padMs: 20 });
    const silence = new Int16Array(160);
    const speech = Int16Array.from({ length: 160 }, (_, i) => Math.round(3000 * Math.sin(i / 3)));
    for (let i = 0; i < 25; i++) r.push(silence);
    for (let i = 0; i < 50; i++) r.push(speech);
    for (let i = 0; i < 25; i++) r.push(silence);
    const out = r.finish();
    expect(out.length).toBe((50 + 2) * 160);
  });

  it('stops at the maximum length and returns nothing for pure silence', () => {
    const r = new Recorder({ maxMs: 100 });
    for (let i = 0; i < 20; i++) r.push(new Int16Array(160).fill(2000));
    expect(r.full).toBe(true);
    expect(r.durationMs).toBe(100);
    const quiet = new Recorder({ maxMs: 1000 });
    quiet.push(new Int16Array(160));
    expect(quiet.finish().length).toBe(0);
  });
});

describe('WAV files', () => {
  it('round-trips 8 kHz mono and converts 16 kHz stereo to 8 kHz mono', () => {
    const pcm = Int16Array.from({ length: 800 }, (_, i) => Math.round(10000 * Math.sin(i / 5)));
    expect([...decodeWav(encodeWav(pcm))]).toEqual([...pcm]);
    const wav = new wavefile.WaveFile();
    const stereo = new Int16Array(3200);
    for (let i = 0; i < 1600; i++)
      stereo[2 * i] = stereo[2 * i + 1] = Math.round(
        8000 * Math.sin((2 * Math.PI * 440 * i) / 16000),
      );
    wav.fromScratch(2, 16000, '16', stereo);
    const out = decodeWav(wav.toBuffer());
    expect(out.length).toBe(800);
    expect(Math.max(...out)).toBeGreaterThan(6000);
  });

  it('refuses what is not a WAV file with a clear error', () => {
    expect(() => decodeWav(new TextEncoder().encode('not audio at all'))).toThrow(AudioFileError);
    expect(() => decodeWav(new TextEncoder().encode('not audio at all'))).toThrow(/not a WAV file/);
  });
});
