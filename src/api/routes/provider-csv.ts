import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderImports, ImportJobView } from '../../admin/provider-imports.ts';
import { body, queryText, S } from '../http.ts';

const id = (req: FastifyRequest) => (req.params as { id: string }).id;
const idParams = S.obj({ id: S.str('import job id') }, ['id']);
/** `?wait=false` answers at once (202) with the job; by default the reply waits for the outcome. */
const waits = (req: FastifyRequest) => queryText(req, 'wait') !== 'false';
/** The largest CSV upload (docs/provider-csv.md), above the server's 10 MB default for other bodies. */
export const CSV_BODY_LIMIT = 50 * 1024 * 1024;

/** A refused file or apply: the usual error object, plus every bad row and the job. */
function refused(reply: FastifyReply, status: number, code: string, job: ImportJobView) {
  return reply.code(status).send({
    error: {
      code,
      message: job.reason ?? 'the file was refused; nothing was written',
      field: 'file',
      errors: job.errors ?? [],
    },
    job,
  });
}

/**
 * The third-party provider wizard (admin.md, "Third-party audio conferencing
 * providers"; docs/provider-csv.md): export the chosen users as CSV, upload
 * the provider's CSV as an import job (checked row by row, nothing written),
 * then apply it all or nothing.
 */
export function registerProviderCsvRoutes(app: FastifyInstance, imports: ProviderImports): void {
  const tags = ['third-party providers'];
  for (const type of ['text/csv', 'application/csv']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, text, done) => done(null, text));
    }
  }

  app.post(
    '/api/v1/provider-csv/export',
    {
      schema: {
        summary: 'Export wizard: the CSV of the chosen users (or all) with their provider fields',
        tags,
        body: S.obj({ identities: S.strs('users to export; all users when left out') }),
      },
    },
    async (req, reply) => {
      const { identities } = body(req, ['identities']);
      const { csv, users } = await imports.exportCsv(req.actor, identities);
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="provider-export-${day}.csv"`)
        .header('x-exported-users', String(users))
        .send(csv);
    },
  );

  app.post(
    '/api/v1/provider-csv/imports',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        summary:
          'Import wizard: upload the provider’s CSV (Content-Type: text/csv, up to 50 MB). Every row is checked, nothing is written; 201 validated with a preview, 400 with every bad row',
        tags,
        querystring: S.obj({
          fileName: S.str('shown with the job'),
          wait: S.str('false: answer 202 at once and poll the job for progress'),
        }),
        consumes: ['text/csv'],
      },
    },
    async (req, reply) => {
      const { job, done } = await imports.startImport(
        req.actor,
        req.body,
        queryText(req, 'fileName'),
      );
      if (job.state === 'invalid') return refused(reply, 400, 'validation', job);
      if (!waits(req)) return reply.code(202).send(job);
      const final = await done;
      if (final.state === 'invalid') return refused(reply, 400, 'validation', final);
      return reply.code(201).send(final);
    },
  );

  app.get(
    '/api/v1/provider-csv/imports',
    { schema: { summary: 'Recent imports, newest first (without their rows)', tags } },
    (req) => imports.list(req.actor, Number(queryText(req, 'limit') ?? 20) || 20),
  );

  app.get(
    '/api/v1/provider-csv/imports/:id',
    {
      schema: {
        summary: 'One import: state, progress (processed/total), errors and the preview',
        tags,
        params: idParams,
        querystring: S.obj({ preview: S.str('false: leave the per-row preview out') }),
      },
    },
    (req) => imports.get(req.actor, id(req), { preview: queryText(req, 'preview') !== 'false' }),
  );

  app.post(
    '/api/v1/provider-csv/imports/:id/apply',
    {
      schema: {
        summary:
          'Apply a validated import: every row in one transaction, or nothing (409 with the rows); 409 while the file is still being checked; applying an applied import changes nothing',
        tags,
        params: idParams,
        querystring: S.obj({ wait: S.str('false: answer 202 at once and poll the job') }),
      },
    },
    async (req, reply) => {
      const { job, done } = await imports.startApply(req.actor, id(req));
      if (!waits(req)) return reply.code(job.state === 'applied' ? 200 : 202).send(job);
      const final = await done;
      if (final.state === 'failed') return refused(reply, 409, 'conflict', final);
      return final;
    },
  );
}
