/** Previous/next paging over a server-side list, with where we are. */
export function Pager({
  offset,
  limit,
  total,
  onOffset,
  label = 'users',
}: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
  label?: string;
}) {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">
        {from}–{to} of {total.toLocaleString()} {label}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(0)}>
        First
      </button>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button type="button" disabled={to >= total} onClick={() => onOffset(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
