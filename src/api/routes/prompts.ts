import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.ts';
import type { PromptOverrides } from '../../prompts/overrides.ts';
import { MUSIC_ON_HOLD, PROMPT_IDS, type PromptLibrary } from '../../prompts/library.ts';
import { S } from '../http.ts';

const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'application/octet-stream'];
const p = (req: FastifyRequest) => req.params as { lang: string; id: string };
const params = S.obj(
  {
    lang: S.str("a language with prompts, or '*' for all"),
    id: S.str(`a prompt id, or '${MUSIC_ON_HOLD}'`),
  },
  ['lang', 'id'],
);

/**
 * An organization's own recordings for prompts and music on hold: upload a
 * WAV file (8 kHz mono, µ-law, A-law or 16-bit PCM) as the request body, or
 * go back to the shipped recording.
 */
export function registerPromptRoutes(
  app: FastifyInstance,
  overrides: PromptOverrides,
  library: PromptLibrary,
): void {
  const tags = ['prompts'];
  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  app.get(
    '/api/v1/prompts',
    {
      schema: {
        summary: 'Prompt ids, languages with prompts, and what this organization uploaded',
        tags,
      },
    },
    async (req) => ({
      Languages: library.languages(),
      PromptIds: [...PROMPT_IDS, MUSIC_ON_HOLD],
      Uploaded: await overrides.list(req.actor),
    }),
  );
  app.put(
    '/api/v1/prompts/:lang/:id',
    {
      schema: {
        summary:
          'Replace a prompt (or the music on hold) with your own recording (body: audio/wav)',
        tags,
        params,
      },
    },
    (req) => {
      if (!Buffer.isBuffer(req.body))
        throw new ValidationError(
          'file',
          'must be the request body, a WAV file sent with Content-Type audio/wav',
        );
      return overrides.set(req.actor, p(req).lang, p(req).id, req.body);
    },
  );
  app.delete(
    '/api/v1/prompts/:lang/:id',
    { schema: { summary: 'Go back to the shipped recording', tags, params } },
    async (req, reply) => {
      await overrides.clear(req.actor, p(req).lang, p(req).id);
      return reply.code(204).send();
    },
  );
}
