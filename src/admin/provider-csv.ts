import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse, type Info } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { checkAcp, type AcpInput, type AcpRow } from './acp.ts';
import type { Change } from './audit.ts';
import type { Provider } from './users.ts';

/**
 * The third-party provider CSV (admin.md, "Third-party audio conferencing
 * providers"; docs/provider-csv.md): the file the export wizard writes for the
 * provider and the import wizard reads back. Pure: no store, no I/O.
 *
 * A file may be large (a 10 MB file has some 64,000 rows) and the call plane
 * shares this event loop (a 20 ms media clock): reading, checking and writing
 * are done a slice at a time, yielding to the event loop between slices
 * (PARSE_CHUNK_BYTES of the file, a chunk of rows, EXPORT_CHUNK_USERS users).
 */

/** The file is fed to csv-parse this many bytes at a time, yielding in between. */
export const PARSE_CHUNK_BYTES = 64 * 1024;
/** Users written to the export per slice (a few ms each; ~25 ms before the code is warm), yielding in between. */
export const EXPORT_CHUNK_USERS = 500;

/** Every column, in the order the export writes them. */
export const CSV_COLUMNS = [
  'Identity',
  'DisplayName',
  'Email',
  'Provider',
  'Domain',
  'TollNumber',
  'TollFreeNumbers',
  'ParticipantPasscode',
  'Url',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns an imported file must have. */
export const REQUIRED_COLUMNS: readonly CsvColumn[] = [
  'Identity',
  'Provider',
  'TollNumber',
  'ParticipantPasscode',
];

/** Columns that describe the user for the provider; the import reads past them. */
export const INFO_COLUMNS: readonly CsvColumn[] = ['DisplayName', 'Email'];

/** A refusal in an imported file: the physical line (1 is the header row) and why. */
export interface RowError {
  line: number;
  column?: string;
  identity?: string;
  message: string;
}

/** One data row as read: its first physical line and its cells by column. */
export interface CsvRow {
  line: number;
  cells: Partial<Record<CsvColumn, string>>;
}

export interface ParsedCsv {
  columns: CsvColumn[];
  rows: CsvRow[];
  /** File-level refusals (no header, unknown columns, broken quoting) and rows of the wrong width. */
  errors: RowError[];
}

/** What the import knows about a user named in the file. */
export interface ImportUser {
  id: string;
  upn: string;
  displayName: string;
  email: string;
  provider: Provider;
  acp: Omit<AcpRow, 'user_id'> | null;
}

/** A valid row: what will be written, and what changes compared to now. */
export interface PlannedRow {
  line: number;
  userId: string;
  identity: string;
  /** The provider fields as Set-CsUserAcp takes them; absent columns are left out (kept as they are). */
  input: AcpInput;
  changes: Change[];
}

export interface PreviewRow {
  line: number;
  identity: string;
  displayName: string;
  /** Empty when the row matches what the user already has. */
  changes: Change[];
}

/** The stored ACP fields and the CSV column each one comes from. */
const FIELD_COLUMN: Record<keyof Omit<AcpRow, 'user_id'>, CsvColumn> = {
  name: 'Provider',
  domain: 'Domain',
  toll_number: 'TollNumber',
  toll_free_numbers: 'TollFreeNumbers',
  participant_passcode: 'ParticipantPasscode',
  url: 'Url',
};

/** Set-CsUserAcp's parameter for each provider column (the rules in acp.ts name these). */
const COLUMN_PARAM: Partial<Record<CsvColumn, keyof AcpInput>> = {
  Provider: 'Name',
  Domain: 'Domain',
  TollNumber: 'TollNumber',
  TollFreeNumbers: 'TollFreeNumbers',
  ParticipantPasscode: 'ParticipantPasscode',
  Url: 'Url',
};
const PARAM_COLUMN: Record<string, CsvColumn> = Object.fromEntries(
  Object.entries(COLUMN_PARAM).map(([c, p]) => [p, c as CsvColumn]),
);

const REQUIRED_RULE: Partial<Record<CsvColumn, string>> = {
  Identity: "is required: the user's user principal name",
  Provider: "is required: the provider's name",
  TollNumber: 'is required: the toll number callers dial',
  ParticipantPasscode: 'is required: the conference ID (passcode) the provider issued',
};

// ---------------------------------------------------------------------------
// Export

export interface ExportUser {
  upn: string;
  displayName: string;
  email: string;
  acp: Omit<AcpRow, 'user_id'> | null;
}

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab or CR first)
 * gets a leading apostrophe, in every column: names, addresses and URLs are
 * free text, and a phone number (+14255550100) is guarded too — a spreadsheet
 * would turn it into a number, dropping the + and, past 11 digits, saving it
 * back as 4.42072E+11 (docs/provider-csv.md). Apostrophes already in front of
 * such a cell get one more, so the
 * import, which takes a single apostrophe off (`uninert`), reads back exactly
 * what was exported.
 */
export const inert = (v: string) => (/^'*[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** The import's side of `inert`: one leading apostrophe in front of a formula character is taken off. */
export const uninert = (v: string) => (/^'+[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

/** One user's row, every cell made inert. */
function exportRow(u: ExportUser): Record<CsvColumn, string> {
  const row: Record<CsvColumn, string> = {
    Identity: u.upn,
    DisplayName: u.displayName,
    Email: u.email,
    Provider: u.acp?.name ?? '',
    Domain: u.acp?.domain ?? '',
    TollNumber: u.acp?.toll_number ?? '',
    TollFreeNumbers: (u.acp?.toll_free_numbers ?? []).join(';'),
    ParticipantPasscode: u.acp?.participant_passcode ?? '',
    Url: u.acp?.url ?? '',
  };
  for (const c of CSV_COLUMNS) row[c] = inert(row[c]);
  return row;
}

/**
 * The CSV for the provider: a header row, then one row per user with their
 * current provider fields. Written EXPORT_CHUNK_USERS users at a time,
 * yielding to the event loop in between.
 */
export async function exportCsv(users: ExportUser[]): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i === 0 || i < users.length; i += EXPORT_CHUNK_USERS) {
    if (i > 0) await nextTurn();
    parts.push(
      stringify(users.slice(i, i + EXPORT_CHUNK_USERS).map(exportRow), {
        header: i === 0,
        columns: [...CSV_COLUMNS],
        record_delimiter: 'windows',
      }),
    );
  }
  return parts.join('');
}

// ---------------------------------------------------------------------------
// Import: reading the file

/** Header names are matched without regard to case, spaces, '-' or '_' ("Toll number" is TollNumber). */
const headerKey = (h: string) => h.replace(/[\s_-]/g, '').toLowerCase();
const COLUMN_BY_KEY = new Map<string, CsvColumn>(CSV_COLUMNS.map((c) => [headerKey(c), c]));

/** The separator of the header line: ',' — or ';' or a tab when that is all the header uses (spreadsheets in some locales). */
function delimiterOf(firstLine: string): string {
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  if (firstLine.includes('\t')) return '\t';
  return ',';
}

/** Physical line numbers (1-based) of byte offsets, by counting line feeds; offsets only grow. */
function lineCounter(buf: Buffer) {
  let pos = 0;
  let line = 1;
  return (offset: number) => {
    for (; pos < offset && pos < buf.length; pos++) if (buf[pos] === 0x0a) line++;
    return line;
  };
}

/** Space, tab, CR, LF: what lies between the end of one record and the start of the next (csv-parse skips whitespace-only lines, as `trim` leaves them empty). */
const isGap = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;

/**
 * Reads the file with csv-parse. The first non-empty line is the header; its
 * columns must include the required ones and nothing unknown. Each data row
 * carries the physical line it starts on (quoted fields may span lines).
 *
 * The file is fed to the parser PARSE_CHUNK_BYTES at a time, yielding to the
 * event loop between chunks: a 10 MB file never holds the loop for long.
 */
export async function parseCsv(input: string | Buffer): Promise<ParsedCsv> {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  // The first line with something on it (the header) decides the separator.
  const firstNonBlank = (text: string) => /[^\r\n]*[^\s\uFEFF][^\r\n]*/.exec(text)?.[0];
  const firstLine =
    firstNonBlank(buf.subarray(0, PARSE_CHUNK_BYTES).toString('utf8')) ??
    (buf.length > PARSE_CHUNK_BYTES ? firstNonBlank(buf.toString('utf8')) : undefined) ??
    '';
  if (!firstLine) {
    return {
      columns: [],
      rows: [],
      errors: [
        {
          line: 1,
          message: `The file is empty: the first line must be the header row (${CSV_COLUMNS.join(',')}).`,
        },
      ],
    };
  }
  // Where each record starts: after the previous one, past blank and whitespace-only lines.
  const lineAt = lineCounter(buf);
  let end = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const located: { fields: string[]; line: number }[] = [];
  try {
    await pipeline(
      async function* () {
        for (let i = 0; i < buf.length; i += PARSE_CHUNK_BYTES) {
          if (i > 0) await nextTurn();
          yield buf.subarray(i, i + PARSE_CHUNK_BYTES);
        }
      },
      parse({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
        delimiter: delimiterOf(firstLine),
      }),
      async (records: AsyncIterable<{ record: string[]; info: Info }>) => {
        for await (const r of records) {
          let start = end;
          while (start < buf.length && isGap(buf[start])) start++;
          end = r.info.bytes;
          located.push({ fields: r.record.map(uninert), line: lineAt(start) });
        }
      },
    );
  } catch (err) {
    const e = err as { message: string; lines?: number };
    return {
      columns: [],
      rows: [],
      errors: [
        {
          line: e.lines ?? 1,
          message: `The file is not valid CSV: ${e.message.replace(/^[^:]*:\s*/, '')}. Nothing was read.`,
        },
      ],
    };
  }
  // Rows of empty cells before the header (a tab-separated file's "\t" line) are not the header.
  while (located.length && located[0]!.fields.every((f) => f === '')) located.shift();
  if (!located.length) {
    return {
      columns: [],
      rows: [],
      errors: [
        {
          line: 1,
          message: `The file is empty: the first line must be the header row (${CSV_COLUMNS.join(',')}).`,
        },
      ],
    };
  }

  const [header, ...data] = located;
  const columns: CsvColumn[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  for (const h of header!.fields) {
    const c = COLUMN_BY_KEY.get(headerKey(h));
    if (!c) unknown.push(h === '' ? '(an empty name)' : h);
    else if (columns.includes(c)) repeated.push(c);
    columns.push(c ?? ('' as CsvColumn));
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (unknown.length || missing.length || repeated.length) {
    const parts = [
      missing.length
        ? `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`
        : '',
      unknown.length ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '',
      repeated.length
        ? `column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')} named twice`
        : '',
    ].filter(Boolean);
    return {
      columns: [],
      rows: [],
      errors: [
        {
          line: header!.line,
          message: `The header row has ${parts.join('; ')}. The columns are ${CSV_COLUMNS.join(', ')} (required: ${REQUIRED_COLUMNS.join(', ')}). Nothing was read.`,
        },
      ],
    };
  }

  const rows: CsvRow[] = [];
  const errors: RowError[] = [];
  for (const r of data) {
    // A row of empty cells (what spreadsheets leave behind) is not a row.
    if (r.fields.every((f) => f === '')) continue;
    if (r.fields.length !== columns.length) {
      const identityAt = columns.indexOf('Identity');
      errors.push({
        line: r.line,
        identity: r.fields[identityAt] || undefined,
        message: `has ${r.fields.length} fields but the header row has ${columns.length}; check for a missing or extra separator, or an unquoted comma.`,
      });
      // Counted as a row so the totals match the file.
      rows.push({ line: r.line, cells: {} });
      continue;
    }
    const cells: CsvRow['cells'] = {};
    columns.forEach((c, i) => (cells[c] = r.fields[i]!));
    rows.push({ line: r.line, cells });
  }
  if (!rows.length && !errors.length) {
    errors.push({
      line: header!.line,
      message: 'The file has a header row but no users: add one row per user.',
    });
  }
  return { columns, rows, errors };
}

/** The identity a row names, as users are keyed: the user principal name, lower case, without "sip:". */
export function identityKey(value: string | undefined): string {
  return (value ?? '').trim().toLowerCase().replace(/^sip:/, '');
}

// ---------------------------------------------------------------------------
// Import: checking rows

/** Each stored field's change, named by its CSV column; plus DialInProvider when the user is not yet on a third-party provider. */
export function acpChanges(
  user: Pick<ImportUser, 'provider' | 'acp'>,
  next: Omit<AcpRow, 'user_id'>,
): Change[] {
  const out: Change[] = [];
  if (user.provider !== 'ThirdParty')
    out.push({ field: 'DialInProvider', old: user.provider, new: 'ThirdParty' });
  for (const [field, column] of Object.entries(FIELD_COLUMN)) {
    // Without a provider yet, there are no toll-free numbers: an empty list is no change.
    const before = user.acp
      ? user.acp[field as keyof typeof FIELD_COLUMN]
      : field === 'toll_free_numbers'
        ? []
        : null;
    const after = next[field as keyof typeof FIELD_COLUMN];
    if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) {
      out.push({ field: column, old: before ?? null, new: after ?? null });
    }
  }
  return out;
}

/** A row's cells as Set-CsUserAcp input: absent columns stay undefined (kept), empty optional cells clear. */
export function rowInput(row: CsvRow): AcpInput {
  const c = row.cells;
  const input: AcpInput = { Identity: c.Identity };
  if (c.Provider !== undefined) input.Name = c.Provider;
  if (c.Domain !== undefined) input.Domain = c.Domain === '' ? null : c.Domain;
  if (c.TollNumber !== undefined) input.TollNumber = c.TollNumber;
  if (c.TollFreeNumbers !== undefined) {
    input.TollFreeNumbers = c.TollFreeNumbers.split(/[;,]/)
      .map((n) => n.trim())
      .filter(Boolean);
  }
  if (c.ParticipantPasscode !== undefined) input.ParticipantPasscode = c.ParticipantPasscode;
  if (c.Url !== undefined) input.Url = c.Url === '' ? null : c.Url;
  return input;
}

/** Why a user cannot take a third-party provider from the file (acp.ts refuses the same). */
export function refuseUser(user: ImportUser | undefined, identity: string): string | undefined {
  if (!user)
    return `no user '${identity}' in this organization (Identity is the user principal name)`;
  if (user.provider === 'BuiltIn') {
    return `${user.upn} uses the built-in bridge; remove it first with Disable-CsOnlineDialInConferencingUser, then import again`;
  }
  return undefined;
}

export interface RowCheck {
  errors: RowError[];
  planned?: PlannedRow;
}

/**
 * One row against the user it names. `seen` maps identities already read to
 * their line, for duplicates. Every problem in the row is reported, not just the first.
 */
export function checkRow(
  row: CsvRow,
  user: ImportUser | undefined,
  seen: Map<string, number>,
): RowCheck {
  const errors: RowError[] = [];
  const raw = row.cells.Identity ?? '';
  const key = identityKey(raw);
  const identity = user?.upn ?? (raw.trim() || undefined);
  const fail = (column: string | undefined, message: string) =>
    errors.push({ line: row.line, ...(column ? { column } : {}), identity, message });

  if (!key) fail('Identity', `Identity ${REQUIRED_RULE.Identity}`);
  else {
    const first = seen.get(key);
    if (first !== undefined)
      fail('Identity', `${raw.trim()} appears again: it is already on line ${first}`);
    else seen.set(key, row.line);
    if (first === undefined) {
      const refused = refuseUser(user, raw.trim());
      if (refused) fail('Identity', refused);
    }
  }
  const blank = new Set<CsvColumn>();
  for (const column of ['Provider', 'TollNumber', 'ParticipantPasscode'] as const) {
    if (!row.cells[column]) {
      blank.add(column);
      fail(column, `${column} ${REQUIRED_RULE[column]}`);
    }
  }
  const input = rowInput(row);
  // Required fields left blank are reported above; the rules check the rest.
  for (const column of blank) delete input[COLUMN_PARAM[column]!];
  const { value, errors: refusals } = checkAcp(input, user?.acp ?? undefined);
  for (const e of refusals) {
    const column = PARAM_COLUMN[e.field ?? ''] ?? e.field ?? undefined;
    if (column && blank.has(column as CsvColumn)) continue;
    const message =
      column && e.field && column !== e.field && e.message.startsWith(e.field)
        ? column + e.message.slice(e.field.length)
        : e.message;
    fail(column, message.replace(/\.$/, ''));
  }
  if (errors.length || !user || !value) return { errors };
  return {
    errors,
    planned: {
      line: row.line,
      userId: user.id,
      identity: user.upn,
      input: { ...input, Identity: user.upn },
      changes: acpChanges(user, value),
    },
  };
}

export interface ImportCheck {
  errors: RowError[];
  planned: PlannedRow[];
  preview: PreviewRow[];
}

/**
 * Every row of a parsed file against the users it names, in chunks so a large
 * file reports progress (processed rows) and leaves the event loop breathing:
 * after each chunk, the event loop runs before the next one.
 */
export async function checkRows(
  parsed: ParsedCsv,
  users: Map<string, ImportUser>,
  opts: { chunk?: number; onProgress?: (processed: number) => void | Promise<void> } = {},
): Promise<ImportCheck> {
  const chunk = opts.chunk ?? 250;
  const errors: RowError[] = [...parsed.errors];
  const bad = new Set(parsed.errors.map((e) => e.line));
  const planned: PlannedRow[] = [];
  const seen = new Map<string, number>();
  const rows = parsed.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!bad.has(row.line)) {
      const r = checkRow(row, users.get(identityKey(row.cells.Identity)), seen);
      errors.push(...r.errors);
      if (r.planned) planned.push(r.planned);
    }
    if ((i + 1) % chunk === 0 || i === rows.length - 1) {
      await opts.onProgress?.(i + 1);
      await nextTurn();
    }
  }
  errors.sort((a, b) => a.line - b.line);
  const names = new Map([...users.values()].map((u) => [u.upn, u.displayName]));
  return {
    errors,
    planned,
    preview: planned.map((p) => ({
      line: p.line,
      identity: p.identity,
      displayName: names.get(p.identity) ?? '',
      changes: p.changes,
    })),
  };
}
