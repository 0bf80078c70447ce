import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api.ts';
import { useDebounced, useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import type { DirectoryPage, DirectoryUser } from '../types.ts';
import './ProviderWizard.css';

/**
 * The third-party provider wizard (docs/provider-csv.md): choose users →
 * export their CSV for the provider → import the CSV the provider returns
 * (every row checked, errors with line numbers, a preview of the changes) →
 * apply it, all rows or none.
 */

interface RowError {
  line: number;
  column?: string;
  identity?: string;
  message: string;
}
interface Change {
  field: string;
  old: unknown;
  new: unknown;
}
interface PreviewRow {
  line: number;
  identity: string;
  displayName: string;
  changes: Change[];
}
interface ImportJob {
  id: string;
  state: 'validating' | 'validated' | 'invalid' | 'applying' | 'applied' | 'failed';
  fileName: string | null;
  total: number;
  processed: number;
  summary: { rows: number; changes: number; unchanged: number; badRows: number };
  changedUsers: number;
  reason: string | null;
  errors?: RowError[];
  preview?: PreviewRow[];
}

const STEPS = ['Choose users', 'Export', 'Import', 'Apply'] as const;
type Step = 0 | 1 | 2 | 3;
const PAGE = 25;
const TABLE_PAGE = 100;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const n = (v: number) => v.toLocaleString();
const plural = (count: number, one: string, many = `${one}s`) =>
  `${n(count)} ${count === 1 ? one : many}`;

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.join('; ') : '—';
  return String(v);
}

function message(e: unknown): string {
  if (e instanceof ApiError || e instanceof Error) return e.message;
  return String(e);
}

/** Polls an import until it leaves `state`, reporting each reading. */
async function follow(
  id: string,
  state: ImportJob['state'],
  onProgress: (job: ImportJob) => void,
  alive: () => boolean,
): Promise<ImportJob> {
  let job = await api<ImportJob>('GET', `/api/v1/provider-csv/imports/${id}?preview=false`);
  while (job.state === state && alive()) {
    onProgress(job);
    await pause(200);
    job = await api<ImportJob>('GET', `/api/v1/provider-csv/imports/${id}?preview=false`);
  }
  return api<ImportJob>('GET', `/api/v1/provider-csv/imports/${id}`);
}

function Progress({ label, done, total }: { label: string; done: number; total: number }) {
  const id = useId();
  return (
    <div className="wiz-progress" role="status" aria-live="polite">
      <label htmlFor={id}>
        {label}: {n(done)} of {plural(total, 'row')}
      </label>
      <progress id={id} max={Math.max(total, 1)} value={done} />
    </div>
  );
}

/** A long list shown a hundred rows at a time. */
function Paged<T>({
  rows,
  caption,
  head,
  row,
}: {
  rows: T[];
  caption: string;
  head: ReactNode;
  row: (r: T, i: number) => ReactNode;
}) {
  const [offset, setOffset] = useState(0);
  const page = rows.slice(offset, offset + TABLE_PAGE);
  return (
    <>
      <div className="table-wrap">
        <table className="grid">
          <caption className="sr-only">{caption}</caption>
          <thead>{head}</thead>
          <tbody>{page.map((r, i) => row(r, offset + i))}</tbody>
        </table>
      </div>
      {rows.length > TABLE_PAGE && (
        <nav className="pager" aria-label={`${caption}: pages`}>
          <span aria-live="polite">
            {n(offset + 1)}–{n(Math.min(rows.length, offset + TABLE_PAGE))} of {n(rows.length)}
          </span>
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - TABLE_PAGE))}
          >
            Previous
          </button>
          <button
            type="button"
            disabled={offset + TABLE_PAGE >= rows.length}
            onClick={() => setOffset(offset + TABLE_PAGE)}
          >
            Next
          </button>
        </nav>
      )}
    </>
  );
}

function ErrorTable({ errors }: { errors: RowError[] }) {
  return (
    <Paged
      rows={errors}
      caption="Rows with errors"
      head={
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Column</th>
          <th scope="col">User</th>
          <th scope="col">Problem</th>
        </tr>
      }
      row={(e, i) => (
        <tr key={i}>
          <th scope="row" className="num">
            {e.line}
          </th>
          <td>{e.column ?? '—'}</td>
          <td className="upn">{e.identity ?? '—'}</td>
          <td>{e.message}</td>
        </tr>
      )}
    />
  );
}

function PreviewTable({ preview }: { preview: PreviewRow[] }) {
  const rows = preview.flatMap((p): { p: PreviewRow; c?: Change }[] =>
    p.changes.length ? p.changes.map((c) => ({ p, c })) : [{ p }],
  );
  return (
    <Paged
      rows={rows}
      caption="Changes the import makes"
      head={
        <tr>
          <th scope="col">Line</th>
          <th scope="col">User</th>
          <th scope="col">Field</th>
          <th scope="col">Now</th>
          <th scope="col">After the import</th>
        </tr>
      }
      row={({ p, c }, i) => (
        <tr key={i} className={c ? undefined : 'unchanged'}>
          <th scope="row" className="num">
            {p.line}
          </th>
          <td>
            <span className="upn">{p.identity}</span>
          </td>
          {c ? (
            <>
              <td>{c.field}</td>
              <td className="old">{show(c.old)}</td>
              <td className="new">{show(c.new)}</td>
            </>
          ) : (
            <td colSpan={3}>No change</td>
          )}
        </tr>
      )}
    />
  );
}

export default function ProviderWizard() {
  useTitle('Third-party provider wizard');
  const [step, setStep] = useState<Step>(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const go = (s: Step) => {
    setStep(s);
    // Move focus to the new step's heading so keyboard and screen reader users follow.
    requestAnimationFrame(() => heading.current?.focus());
  };

  // Step 1: users
  const [scope, setScope] = useState<'chosen' | 'all'>('chosen');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [chosen, setChosen] = useState<Map<string, DirectoryUser>>(new Map());
  const term = useDebounced(search.trim());
  useEffect(() => setOffset(0), [term]);
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String(offset),
    ...(term ? { search: term } : {}),
  });
  const list = useLoad(
    () => api<DirectoryPage>('GET', `/api/v1/directory/users?${query}`),
    [query.toString()],
  );
  const toggle = (u: DirectoryUser, on: boolean) =>
    setChosen((prev) => {
      const next = new Map(prev);
      if (on) next.set(u.userPrincipalName, u);
      else next.delete(u.userPrincipalName);
      return next;
    });

  // Step 2: export
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<string>();
  const [exportError, setExportError] = useState<string>();
  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    setExported(undefined);
    try {
      const body = scope === 'all' ? {} : { identities: [...chosen.keys()] };
      const csv = await api<string>('POST', '/api/v1/provider-csv/export', body, { raw: true });
      const name = `provider-export-${new Date().toISOString().slice(0, 10)}.csv`;
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      const rows = Math.max(0, csv.trim().split(/\r?\n/).length - 1);
      setExported(`Downloaded ${name} with ${plural(rows, 'user')}.`);
    } catch (e) {
      setExportError(message(e));
    } finally {
      setExporting(false);
    }
  };

  // Step 3: import
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'checking' | 'applying'>('idle');
  const [job, setJob] = useState<ImportJob>();
  const [importError, setImportError] = useState<string>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const alive = () => mounted.current;

  const upload = async () => {
    if (!file) {
      setImportError('Choose the CSV file the provider returned.');
      return;
    }
    setImportError(undefined);
    setJob(undefined);
    setPhase('uploading');
    try {
      const text = await file.text();
      const qs = new URLSearchParams({ wait: 'false', fileName: file.name });
      const started = await api<ImportJob>('POST', `/api/v1/provider-csv/imports?${qs}`, text, {
        contentType: 'text/csv',
      });
      setJob(started);
      setPhase('checking');
      const done = await follow(started.id, 'validating', setJob, alive);
      setJob(done);
    } catch (e) {
      setImportError(`The file was refused: ${message(e)}`);
    } finally {
      setPhase('idle');
    }
  };

  // Step 4: apply
  const apply = async () => {
    if (!job) return;
    setImportError(undefined);
    setJob((j) => ({ ...j!, processed: 0 }));
    setPhase('applying');
    try {
      const started = await api<ImportJob>(
        'POST',
        `/api/v1/provider-csv/imports/${job.id}/apply?wait=false`,
      );
      setJob((j) => ({ ...j!, ...started }));
      const done = await follow(job.id, 'applying', (p) => setJob((j) => ({ ...j!, ...p })), alive);
      setJob(done);
    } catch (e) {
      setImportError(message(e));
    } finally {
      setPhase('idle');
    }
  };

  const busy = phase !== 'idle';
  const canExport = scope === 'all' || chosen.size > 0;
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;

  return (
    <section className="content wizard" aria-labelledby="page-title">
      <h1 id="page-title">Third-party provider wizard</h1>
      <p className="sub">
        Export the users you want set up, send the file to your audio conferencing provider, then
        import the file they return. Every row is checked first; nothing changes until you apply,
        and then every row is written or none.
      </p>

      <nav aria-label="Wizard steps">
        <ol className="wiz-steps">
          {STEPS.map((label, i) => (
            <li key={label}>
              <button
                type="button"
                className={i === step ? 'current' : undefined}
                aria-current={i === step ? 'step' : undefined}
                disabled={
                  busy ||
                  (i === 3 &&
                    job?.state !== 'validated' &&
                    job?.state !== 'applied' &&
                    job?.state !== 'failed')
                }
                onClick={() => go(i as Step)}
              >
                <span className="wiz-num" aria-hidden="true">
                  {i + 1}
                </span>
                <span>
                  <span className="sr-only">Step {i + 1}: </span>
                  {label}
                </span>
              </button>
            </li>
          ))}
        </ol>
      </nav>

      {step === 0 && (
        <div className="wiz-panel">
          <h2 ref={heading} tabIndex={-1}>
            Step 1: Choose users
          </h2>
          <fieldset>
            <legend>Which users go in the file?</legend>
            <label className="check-inline">
              <input
                type="radio"
                name="scope"
                checked={scope === 'chosen'}
                onChange={() => setScope('chosen')}
              />{' '}
              The users I choose
            </label>
            <label className="check-inline">
              <input
                type="radio"
                name="scope"
                checked={scope === 'all'}
                onChange={() => setScope('all')}
              />{' '}
              Every user of the organization
            </label>
          </fieldset>
          {scope === 'chosen' && (
            <>
              <div className="toolbar" role="search">
                <label className="grow">
                  <span className="label">Search users</span>
                  <input
                    type="search"
                    placeholder="Name or email"
                    value={search}
                    onChange={(e) => setSearch(e.target.value)}
                  />
                </label>
              </div>
              {list.error && (
                <div className="alert error" role="alert">
                  {message(list.error)}{' '}
                  <button type="button" className="link" onClick={list.reload}>
                    Try again
                  </button>
                </div>
              )}
              {list.loading && !list.data && (
                <p className="status" role="status">
                  <span className="spinner" aria-hidden="true" /> Loading users…
                </p>
              )}
              {list.data && (
                <>
                  <div className="table-wrap" aria-busy={list.loading}>
                    <table className="grid">
                      <caption className="sr-only">Users to export</caption>
                      <thead>
                        <tr>
                          <th scope="col" className="select">
                            <span className="sr-only">Chosen</span>
                          </th>
                          <th scope="col">Display name</th>
                          <th scope="col">User name</th>
                          <th scope="col">Provider</th>
                        </tr>
                      </thead>
                      <tbody>
                        {items.map((u) => (
                          <tr
                            key={u.userPrincipalName}
                            aria-selected={chosen.has(u.userPrincipalName)}
                          >
                            <td className="select">
                              <input
                                type="checkbox"
                                id={`wiz-user-${u.userPrincipalName}`}
                                checked={chosen.has(u.userPrincipalName)}
                                onChange={(e) => toggle(u, e.target.checked)}
                              />
                            </td>
                            <th scope="row">
                              <label htmlFor={`wiz-user-${u.userPrincipalName}`}>
                                {u.displayName}
                              </label>
                            </th>
                            <td className="upn">{u.userPrincipalName}</td>
                            <td>
                              {u.provider === 'BuiltIn' ? 'Built-in' : (u.provider ?? 'None')}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  {items.length === 0 && (
                    <p className="empty">{term ? 'No users match.' : 'There are no users yet.'}</p>
                  )}
                  <nav className="pager" aria-label="Pages of users">
                    <span aria-live="polite">
                      {total === 0 ? 0 : offset + 1}–{Math.min(total, offset + PAGE)} of{' '}
                      {plural(total, 'user')}
                    </span>
                    <button
                      type="button"
                      disabled={offset === 0}
                      onClick={() => setOffset(Math.max(0, offset - PAGE))}
                    >
                      Previous
                    </button>
                    <button
                      type="button"
                      disabled={offset + PAGE >= total}
                      onClick={() => setOffset(offset + PAGE)}
                    >
                      Next
                    </button>
                  </nav>
                </>
              )}
              <p aria-live="polite" className="wiz-chosen">
                {chosen.size ? `${plural(chosen.size, 'user')} chosen: ` : 'No users chosen yet.'}
                {[...chosen.values()].map((u) => (
                  <span key={u.userPrincipalName} className="badge info">
                    {u.displayName}
                    <button
                      type="button"
                      className="icon"
                      aria-label={`Remove ${u.displayName}`}
                      onClick={() => toggle(u, false)}
                    >
                      ×
                    </button>
                  </span>
                ))}
              </p>
            </>
          )}
          <div className="wiz-actions">
            <button type="button" className="primary" disabled={!canExport} onClick={() => go(1)}>
              Next: export
            </button>
            <button type="button" onClick={() => go(2)}>
              Skip to import
            </button>
          </div>
        </div>
      )}

      {step === 1 && (
        <div className="wiz-panel">
          <h2 ref={heading} tabIndex={-1}>
            Step 2: Export the file for the provider
          </h2>
          <p>
            {scope === 'all'
              ? 'The file lists every user of the organization'
              : `The file lists ${plural(chosen.size, 'chosen user')}`}{' '}
            with their current provider details. Columns: Identity, DisplayName, Email, Provider,
            Domain, TollNumber, TollFreeNumbers (separated by ;), ParticipantPasscode, Url. The
            provider fills in Provider, TollNumber and ParticipantPasscode (required) and the others
            as they apply, and sends the file back.
          </p>
          {exportError && (
            <div className="alert error" role="alert">
              {exportError}
            </div>
          )}
          {exported && (
            <div className="alert success" role="status">
              {exported}
            </div>
          )}
          <div className="wiz-actions">
            <button type="button" onClick={() => go(0)}>
              Back
            </button>
            <button
              type="button"
              className="primary"
              disabled={exporting || !canExport}
              onClick={exportCsv}
            >
              {exporting ? 'Exporting…' : 'Download CSV'}
            </button>
            <button type="button" onClick={() => go(2)}>
              Next: import
            </button>
          </div>
        </div>
      )}

      {step === 2 && (
        <div className="wiz-panel">
          <h2 ref={heading} tabIndex={-1}>
            Step 3: Import the provider’s file
          </h2>
          <div className="field">
            <label htmlFor="wiz-file">CSV file from the provider</label>
            <input
              id="wiz-file"
              ref={fileInput}
              type="file"
              accept=".csv,text/csv"
              aria-describedby="wiz-file-hint"
              disabled={busy}
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setJob(undefined);
                setImportError(undefined);
              }}
            />
            <p className="hint" id="wiz-file-hint">
              Every row is checked against your users before anything is written. Nothing changes in
              this step.
            </p>
          </div>
          <div className="wiz-actions">
            <button type="button" onClick={() => go(1)} disabled={busy}>
              Back
            </button>
            <button type="button" className="primary" disabled={busy || !file} onClick={upload}>
              Upload and check
            </button>
          </div>
          {phase === 'uploading' && (
            <p className="status" role="status" aria-live="polite">
              <span className="spinner" aria-hidden="true" /> Uploading {file?.name}…
            </p>
          )}
          {phase === 'checking' && job && (
            <Progress label="Checking rows" done={job.processed} total={job.total} />
          )}
          {importError && (
            <div className="alert error" role="alert">
              {importError}
            </div>
          )}
          {job?.state === 'invalid' && job.errors && (
            <div className="wiz-result">
              <div className="alert error" role="alert">
                {plural(job.summary.badRows, 'row')} of {n(job.total)}{' '}
                {job.summary.badRows === 1 ? 'has' : 'have'} errors. Nothing was written. Fix the
                file and upload it again.
              </div>
              <h3>Rows with errors</h3>
              <ErrorTable errors={job.errors} />
            </div>
          )}
          {job?.state === 'validated' && job.preview && (
            <div className="wiz-result">
              <div className="alert success" role="status">
                All {plural(job.total, 'row')} checked: {plural(job.summary.changes, 'user')} would
                change, {n(job.summary.unchanged)} unchanged. Nothing has been written yet.
              </div>
              <h3>Preview of the changes</h3>
              <PreviewTable preview={job.preview} />
              <div className="wiz-actions">
                <button type="button" className="primary" onClick={() => go(3)}>
                  Next: apply
                </button>
              </div>
            </div>
          )}
        </div>
      )}

      {step === 3 && job && (
        <div className="wiz-panel">
          <h2 ref={heading} tabIndex={-1}>
            Step 4: Apply
          </h2>
          <p>
            {job.fileName ? <strong>{job.fileName}</strong> : 'The file'}:{' '}
            {plural(job.total, 'row')}, {plural(job.summary.changes, 'user')} to change. All rows
            are written in one step, or none.
          </p>
          {phase === 'applying' && (
            <Progress label="Applying rows" done={job.processed} total={job.total} />
          )}
          {importError && (
            <div className="alert error" role="alert">
              {importError}
            </div>
          )}
          {job.state === 'applied' && (
            <div className="alert success" role="status">
              Applied: {plural(job.changedUsers, 'user')} changed. Send each person the PIN the
              provider gave you; the system never sees or sets it.
            </div>
          )}
          {job.state === 'failed' && (
            <div className="wiz-result">
              <div className="alert error" role="alert">
                Nothing was written: {job.reason}
              </div>
              {job.errors && job.errors.length > 0 && <ErrorTable errors={job.errors} />}
            </div>
          )}
          <div className="wiz-actions">
            <button type="button" onClick={() => go(2)} disabled={busy}>
              Back
            </button>
            {job.state !== 'applied' && (
              <button type="button" className="primary" disabled={busy} onClick={apply}>
                {job.state === 'failed' ? 'Try again' : 'Apply changes'}
              </button>
            )}
            {job.state === 'applied' && (
              <button
                type="button"
                onClick={() => {
                  setJob(undefined);
                  setFile(undefined);
                  go(0);
                }}
              >
                Start over
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
