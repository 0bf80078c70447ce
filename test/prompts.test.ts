import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaveFile } from 'wavefile';
import { startTestService, type TestService } from './support/service.ts';
import { encodeWav } from '../src/media/wav.ts';
import { generateTone } from '../src/media/tone.ts';
import { PromptLibrary } from '../src/prompts/library.ts';
import { PromptOverrides } from '../src/prompts/overrides.ts';
import { SpeechRenderer } from '../src/attendant/speech-renderer.ts';
import type { StoreKind } from './support/stores.ts';

/** An organization replaces prompts and the music on hold with its own recordings. */
describe.each<StoreKind>(['pglite', 'postgres'])('organization prompts (%s)', (kind) => {
  let t: TestService;
  let orgId: string;
  const dir = mkdtempSync(join(tmpdir(), 'prompts-'));
  const welcome = generateTone({ frequencies: [700], levelDbm0: -15 }, 1500);
  const upload = (lang: string, id: string, body: Uint8Array, type = 'audio/wav') =>
    fetch(`${t.url}/api/v1/prompts/${encodeURIComponent(lang)}/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': type },
      body: new Blob([new Uint8Array(body)]),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

  beforeAll(async () => {
    t = await startTestService(kind);
    orgId = (await t.service.db.query<{ id: string }>('select id from organizations'))[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the prompt ids and the languages that have prompts', async () => {
    const r = await t.api('GET', '/api/v1/prompts');
    expect(r.status).toBe(200);
    expect(r.json.Languages).toHaveLength(10);
    expect(r.json.PromptIds).toEqual(expect.arrayContaining(['welcome', 'music-on-hold']));
    expect(r.json.Uploaded).toEqual([]);
  });

  it('takes a WAV upload, keeps it in the store, and the attendant says it', async () => {
    const r = await upload('en-US', 'welcome', encodeWav(welcome));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ Language: 'en-US', PromptId: 'welcome', Seconds: 1.5 });
    // A fresh library over the same store (another node, or a restart) has it too.
    const library = new PromptLibrary();
    expect(await new PromptOverrides(t.service.db, library).load()).toBe(1);
    expect(Array.from(library.get('en-US', 'welcome', orgId))).toEqual(Array.from(welcome));
    const said = new SpeechRenderer(library).render([{ prompt: 'welcome' }], 'en-US', orgId);
    expect(Array.from(said)).toEqual(Array.from(welcome));
    // Other organizations and languages keep the shipped recording.
    expect(library.get('fr-FR', 'welcome', orgId).length).not.toBe(welcome.length);
    expect(library.get('en-US', 'welcome', 'another-org').length).not.toBe(welcome.length);
  });

  it('refuses bad files and bad names with the field and the rule, changing nothing', async () => {
    const stereo = new WaveFile();
    stereo.fromScratch(2, 44100, '16', [new Int16Array(4410), new Int16Array(4410)]);
    const cases: [string, string, Uint8Array, string, string, RegExp][] = [
      ['en-US', 'welcome', stereo.toBuffer(), 'audio/wav', 'file', /mono/],
      ['en-US', 'welcome', new TextEncoder().encode('not audio'), 'audio/wav', 'file', /WAV/],
      ['en-US', 'no-such-prompt', encodeWav(welcome), 'audio/wav', 'PromptId', /prompt id/],
      ['xx-XX', 'welcome', encodeWav(welcome), 'audio/wav', 'Language', /language/],
      ['en-US', 'welcome', new TextEncoder().encode('{}'), 'application/json', 'file', /WAV/],
    ];
    for (const [lang, id, body, type, field, rule] of cases) {
      const r = await upload(lang, id, body, type);
      expect(r.status, `${lang}/${id}`).toBe(400);
      expect(r.json.error.field).toBe(field);
      expect(r.json.error.message).toMatch(rule);
    }
    const list = await t.api('GET', '/api/v1/prompts');
    expect(list.json.Uploaded.map((u: any) => `${u.Language}/${u.PromptId}`)).toEqual([
      'en-US/welcome',
    ]);
  });

  it('sets and resets music on hold for all languages from the command line', async () => {
    const file = join(dir, 'music.wav');
    writeFileSync(file, encodeWav(generateTone({ frequencies: [300, 500], levelDbm0: -24 }, 4000)));
    const set = await t.cli(['prompts', 'set', '*', 'music-on-hold', file]);
    expect(set.code, set.stderr).toBe(0);
    const listed = await t.cliJson<any[]>(['prompts', 'list']);
    expect(listed.map((u) => `${u.Language}/${u.PromptId}`)).toContain('*/music-on-hold');
    const bad = await t.cli(['prompts', 'set', '*', 'music-on-hold', join(dir, 'missing.wav')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/file/);
    expect((await t.cli(['prompts', 'reset', '*', 'music-on-hold'])).code).toBe(0);
    const again = await t.cli(['prompts', 'reset', '*', 'music-on-hold']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/PromptId/);
    const audit = await t.api('GET', '/api/v1/audit');
    expect(JSON.stringify(audit.json)).toMatch(/prompt\.set/);
  });
});
