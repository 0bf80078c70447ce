import type { Actor } from '../admin/context.ts';
import { audit } from '../admin/audit.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { AudioFileError } from '../media/wav.ts';
import type { Db } from '../store/db.ts';
import {
  isPromptId,
  MUSIC_ON_HOLD,
  PROMPT_IDS,
  PromptLibrary,
  SAMPLE_RATE,
  type PromptId,
} from './library.ts';

export type OverrideId = PromptId | typeof MUSIC_ON_HOLD;

export interface PromptOverrideView {
  Language: string;
  PromptId: OverrideId;
  Seconds: number;
  UploadedBy: string;
  UploadedAt: string;
}

/**
 * An organization's own recordings for any prompt (in one language, or '*'
 * for all) and for the music on hold. Uploads are validated before anything
 * is written, kept in the store (so every node and every restart has them),
 * and applied to the prompt library at once.
 */
export class PromptOverrides {
  constructor(
    private readonly db: Db,
    private readonly library: PromptLibrary,
  ) {}

  /** Loads every organization's recordings into the library (at start). */
  async load(): Promise<number> {
    const rows = await this.db.query<{
      org_id: string;
      lang: string;
      prompt_id: string;
      pcm: Uint8Array;
    }>('select org_id, lang, prompt_id, pcm from prompt_overrides');
    for (const r of rows) {
      this.library.setOverride(r.org_id, r.lang, r.prompt_id as OverrideId, toPcm(r.pcm));
    }
    return rows.length;
  }

  async list(actor: Actor): Promise<PromptOverrideView[]> {
    const rows = await this.db.query<{
      lang: string;
      prompt_id: string;
      samples: number;
      uploaded_by: string;
      uploaded_at: Date | string;
    }>(
      `select lang, prompt_id, samples, uploaded_by, uploaded_at from prompt_overrides
        where org_id = $1 order by prompt_id, lang`,
      [actor.orgId],
    );
    return rows.map((r) => ({
      Language: r.lang,
      PromptId: r.prompt_id as OverrideId,
      Seconds: Math.round((r.samples / SAMPLE_RATE) * 100) / 100,
      UploadedBy: r.uploaded_by,
      UploadedAt: new Date(r.uploaded_at).toISOString(),
    }));
  }

  /** Replaces a prompt with an uploaded WAV file (8 kHz mono: µ-law, A-law or 16-bit PCM). */
  async set(actor: Actor, lang: string, id: string, file: Buffer): Promise<PromptOverrideView> {
    const language = this.language(lang);
    const promptId = this.promptId(id);
    if (!file.length) throw new ValidationError('file', 'must be a WAV file, and it is empty');
    let pcm: Int16Array;
    try {
      pcm = PromptLibrary.decodeWav(file);
    } catch (err) {
      if (err instanceof AudioFileError) throw new ValidationError('file', err.message);
      throw err;
    }
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    await this.db.tx(async (q) => {
      await q.query(
        `insert into prompt_overrides (org_id, lang, prompt_id, pcm, samples, uploaded_by)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (org_id, lang, prompt_id) do update set pcm = excluded.pcm,
           samples = excluded.samples, uploaded_by = excluded.uploaded_by, uploaded_at = now()`,
        [actor.orgId, language, promptId, bytes, pcm.length, actor.name],
      );
      await audit(q, actor, 'prompt.set', `${language}/${promptId}`, [
        { field: 'Seconds', old: null, new: pcm.length / SAMPLE_RATE },
      ]);
    });
    this.library.setOverride(actor.orgId, language, promptId, pcm);
    return (await this.list(actor)).find(
      (v) => v.Language === language && v.PromptId === promptId,
    )!;
  }

  /** Goes back to the shipped recording. */
  async clear(actor: Actor, lang: string, id: string): Promise<void> {
    const language = this.language(lang);
    const promptId = this.promptId(id);
    const removed = await this.db.tx(async (q) => {
      const rows = await q.query(
        'delete from prompt_overrides where org_id = $1 and lang = $2 and prompt_id = $3 returning 1',
        [actor.orgId, language, promptId],
      );
      if (rows.length) await audit(q, actor, 'prompt.reset', `${language}/${promptId}`);
      return rows.length > 0;
    });
    if (!removed) throw new NotFoundError('uploaded prompt', `${language}/${promptId}`, 'PromptId');
    this.library.clearOverride(actor.orgId, language, promptId);
  }

  private language(lang: string): string {
    if (lang === '*') return '*';
    const hit = this.library.languages().find((l) => l.toLowerCase() === lang.toLowerCase());
    if (!hit)
      throw new ValidationError(
        'Language',
        `must be '*' (all languages) or a language with prompts (${this.library.languages().join(', ')})`,
        lang,
      );
    return hit;
  }

  private promptId(id: string): OverrideId {
    if (id === MUSIC_ON_HOLD || isPromptId(id)) return id;
    throw new ValidationError(
      'PromptId',
      `must be '${MUSIC_ON_HOLD}' or a prompt id (${PROMPT_IDS.slice(0, 6).join(', ')}, …; see GET /api/v1/prompts)`,
      id,
    );
  }
}

function toPcm(bytes: Uint8Array): Int16Array {
  // A copy: bytea buffers may be unaligned views into a larger allocation.
  const copy = new Uint8Array(bytes);
  return new Int16Array(copy.buffer, 0, copy.byteLength >> 1);
}
