import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { Print, Target } from './command-group.ts';
import { ApiError, seg } from './client.ts';
import type { ImportJobView } from '../admin/provider-imports.ts';

/**
 * `dialbridge provider …`: the third-party provider wizard on the command
 * line (docs/provider-csv.md). Export the users' CSV for the provider, import
 * the CSV the provider returns (every row checked first; --dry-run stops at
 * the preview), follow or apply an import job by its id.
 */

interface Reply {
  status: number;
  text: string;
  json: unknown;
}

/** The API, with CSV bodies as they are (the shared client speaks JSON). */
async function request(
  t: Target,
  method: string,
  path: string,
  body?: { json?: unknown; csv?: string },
): Promise<Reply> {
  let res: Response;
  try {
    res = await fetch(t.url + path, {
      method,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(body?.csv !== undefined
          ? { 'content-type': 'text/csv; charset=utf-8' }
          : body?.json !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
      },
      body: body?.csv ?? (body?.json !== undefined ? JSON.stringify(body.json) : undefined),
    });
  } catch (err) {
    throw new ApiError(
      `Cannot reach the service at ${t.url}: ${(err as Error).cause ?? (err as Error).message}`,
      0,
      'unreachable',
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** A refusal without a job to show: the service's message, as the other commands print it. */
function fail(r: Reply): never {
  const e = (r.json as { error?: { message?: string; code?: string; field?: string } } | undefined)
    ?.error;
  throw new ApiError(e?.message ?? `HTTP ${r.status}`, r.status, e?.code ?? 'http', e?.field);
}

/** The job in a reply: the body itself, or `job` beside a refusal (a bad file, a failed apply). */
function jobOf(r: Reply): ImportJobView {
  const j = r.json as (ImportJobView & { job?: ImportJobView }) | undefined;
  if (r.status < 300 && j && 'id' in j) return j;
  if (j?.job) return j.job;
  fail(r);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerProviderCommands(
  cmd: Command,
  target: () => Target,
  print: Print,
  json: () => boolean,
): void {
  const provider = cmd
    .command('provider')
    .description(
      'third-party audio conferencing provider: export users, import the provider’s CSV',
    );

  const say = (line: string) => {
    if (!json()) process.stderr.write(`${line}\n`);
  };

  /** Polls the job until it leaves `state`, reporting processed/total on stderr. */
  async function follow(t: Target, job: ImportJobView, state: string, label: string) {
    let last = -1;
    while (job.state === state) {
      if (job.processed !== last && job.total > 0) {
        say(`${label}: ${job.processed}/${job.total} rows`);
        last = job.processed;
      }
      await pause(150);
      job = jobOf(
        await request(t, 'GET', `/api/v1/provider-csv/imports/${seg(job.id)}?preview=false`),
      );
    }
    if (last !== job.processed && job.total > 0)
      say(`${label}: ${job.processed}/${job.total} rows`);
    return jobOf(await request(t, 'GET', `/api/v1/provider-csv/imports/${seg(job.id)}`));
  }

  function show(job: ImportJobView, opts: { preview: boolean }): void {
    if (json()) {
      print(job);
      return;
    }
    print(
      {
        Id: job.id,
        State: job.state,
        File: job.fileName,
        Rows: job.total,
        Processed: job.processed,
        Changes: job.summary.changes,
        Unchanged: job.summary.unchanged,
        BadRows: job.summary.badRows,
        ChangedUsers: job.changedUsers,
        Reason: job.reason,
      },
      undefined,
    );
    if (job.errors?.length) {
      process.stdout.write('\nErrors (nothing was written):\n');
      print(
        job.errors.map((e) => ({
          Line: e.line,
          Column: e.column ?? '',
          Identity: e.identity ?? '',
          Message: e.message,
        })),
        ['Line', 'Column', 'Identity', 'Message'],
      );
    }
    if (opts.preview && job.preview?.length) {
      const rows = job.preview.flatMap((p) =>
        p.changes.length
          ? p.changes.map((c) => ({
              Line: p.line,
              Identity: p.identity,
              Field: c.field,
              Old: c.old,
              New: c.new,
            }))
          : [{ Line: p.line, Identity: p.identity, Field: '(no change)', Old: '', New: '' }],
      );
      process.stdout.write(
        `\n${job.state === 'applied' ? 'Changes' : 'Preview of the changes'}:\n`,
      );
      print(rows, ['Line', 'Identity', 'Field', 'Old', 'New']);
    }
  }

  /** Exit 1 with the job's reason when it ended refused. */
  function outcome(job: ImportJobView): void {
    if (job.state === 'invalid' || job.state === 'failed') {
      throw new ApiError(job.reason ?? `the import is ${job.state}`, 400, 'validation', 'file');
    }
  }

  async function applyJob(t: Target, id: string): Promise<ImportJobView> {
    const r = await request(t, 'POST', `/api/v1/provider-csv/imports/${seg(id)}/apply?wait=false`);
    const job = jobOf(r);
    return follow(t, job, 'applying', 'Applying');
  }

  provider
    .command('export')
    .option(
      '--users <list>',
      'comma-separated users (user principal names); all users when left out',
    )
    .option('--out <file>', 'write the CSV to this file instead of standard output')
    .description('the CSV of the chosen users with their provider fields, to send to the provider')
    .action(async (o: { users?: string; out?: string }) => {
      const identities = o.users
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const r = await request(target(), 'POST', '/api/v1/provider-csv/export', {
        json: identities ? { identities } : {},
      });
      if (r.status >= 300) fail(r);
      if (o.out) {
        writeFileSync(o.out, r.text);
        const n = Math.max(0, r.text.trim().split(/\r?\n/).length - 1);
        say(`Wrote ${o.out}: ${n} user${n === 1 ? '' : 's'}.`);
      } else process.stdout.write(r.text);
    });

  provider
    .command('import <file>')
    .option('--dry-run', 'check every row and show the changes, write nothing')
    .description(
      'check the provider’s CSV (every row, with line numbers), show the changes, then apply all rows or none',
    )
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const t = target();
      const csv = readFileSync(file, 'utf8');
      const qs = new URLSearchParams({ wait: 'false', fileName: basename(file) });
      let job = jobOf(await request(t, 'POST', `/api/v1/provider-csv/imports?${qs}`, { csv }));
      job = await follow(t, job, 'validating', 'Checking');
      if (job.state !== 'validated' || o.dryRun) {
        show(job, { preview: true });
        outcome(job);
        say(`\nDry run: nothing was written. Apply it with: dialbridge provider apply ${job.id}`);
        return;
      }
      job = await applyJob(t, job.id);
      show(job, { preview: job.state === 'applied' });
      outcome(job);
    });

  provider
    .command('apply <id>')
    .description('apply a validated (or failed, or interrupted) import: all rows or none')
    .action(async (id: string) => {
      const job = await applyJob(target(), id);
      show(job, { preview: false });
      outcome(job);
    });

  provider
    .command('import-status <id>')
    .option('--preview', 'list the changes row by row')
    .description('an import: state, progress, errors')
    .action(async (id: string, o: { preview?: boolean }) => {
      const r = await request(
        target(),
        'GET',
        `/api/v1/provider-csv/imports/${seg(id)}${o.preview ? '' : '?preview=false'}`,
      );
      show(jobOf(r), { preview: !!o.preview });
    });

  provider
    .command('imports')
    .description('recent imports, newest first')
    .action(async () => {
      const r = await request(target(), 'GET', '/api/v1/provider-csv/imports');
      if (r.status >= 300) fail(r);
      const jobs = r.json as ImportJobView[];
      print(
        json()
          ? jobs
          : jobs.map((j) => ({
              id: j.id,
              state: j.state,
              file: j.fileName,
              rows: j.total,
              badRows: j.summary.badRows,
              changedUsers: j.changedUsers,
              createdAt: j.createdAt,
            })),
        ['id', 'state', 'file', 'rows', 'badRows', 'changedUsers', 'createdAt'],
      );
    });
}
