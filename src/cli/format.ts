/**
 * Output for people, in PowerShell's habits: one object as "Name : Value"
 * lines, several as a table. `--json` bypasses all of this.
 */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cell).join(', ');
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatList(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj);
  const w = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(w)} : ${cell(obj[k])}`).join('\n');
}

export function formatTable(rows: Record<string, unknown>[], columns?: string[]): string {
  if (!rows.length) return '';
  const cols = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function format(data: unknown, columns?: string[]): string {
  if (data === undefined || data === null) return '';
  if (Array.isArray(data)) {
    return data.length === 1 && !columns
      ? formatList(data[0] as Record<string, unknown>)
      : formatTable(data as Record<string, unknown>[], columns);
  }
  if (typeof data === 'object') return formatList(data as Record<string, unknown>);
  return String(data);
}
