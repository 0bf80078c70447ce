export type Order = 'asc' | 'desc';

/**
 * A column header that sorts: a button inside the th, and aria-sort on the th
 * so screen readers announce the order.
 */
export function SortHeader({
  label,
  column,
  sort,
  order,
  onSort,
}: {
  label: string;
  column: string;
  sort: string;
  order: Order;
  onSort: (column: string, order: Order) => void;
}) {
  const active = sort === column;
  const next: Order = active && order === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(column, next)}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
