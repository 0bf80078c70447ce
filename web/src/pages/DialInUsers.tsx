import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useDebounced, useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import { dash, PROVIDER_LABEL, providerText, qs } from '../format.ts';
import type { DirectoryPage, DirectoryUser, Provider } from '../types.ts';
import { SortHeader, type Order } from '../components/SortHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { UserActionPane } from '../components/UserActionPane.tsx';
import { Empty, ErrorAlert, Loading } from '../components/Status.tsx';

const PAGE = 50;

/**
 * Dial-in users: every user of the organization, searched, filtered, sorted
 * and paged by the service (never the whole list), with an action pane for
 * the selected ones.
 */
export default function DialInUsers() {
  useTitle('Dial-in users');
  // The view lives in the address (?search=…&sort=…), so a reload or a shared link keeps it.
  const [initial] = useState(() => new URLSearchParams(location.search));
  const [search, setSearch] = useState(initial.get('search') ?? '');
  const [provider, setProvider] = useState<Provider | ''>(
    (initial.get('provider') as Provider | null) ?? '',
  );
  const [licensed, setLicensed] = useState<'' | 'true' | 'false'>(
    (initial.get('licensed') as 'true' | 'false' | null) ?? '',
  );
  const [sort, setSort] = useState(initial.get('sort') ?? 'displayName');
  const [order, setOrder] = useState<Order>(initial.get('order') === 'desc' ? 'desc' : 'asc');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Map<string, DirectoryUser>>(new Map());
  const term = useDebounced(search.trim());

  const query = qs({ search: term, provider, licensed, sort, order, limit: PAGE, offset });
  const list = useLoad(() => api<DirectoryPage>('GET', `/api/v1/directory/users${query}`), [query]);
  const items = list.data?.items ?? [];

  useEffect(() => {
    const view = qs({
      search: term,
      provider,
      licensed,
      sort: sort === 'displayName' ? undefined : sort,
      order: order === 'asc' ? undefined : order,
    });
    history.replaceState(null, '', location.pathname + view);
  }, [term, provider, licensed, sort, order]);

  // A new search or filter starts at the first page.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    setOffset(0);
  }, [term, provider, licensed, sort, order]);

  // Keep the selected users' rows fresh after a change.
  useEffect(() => {
    if (!list.data) return;
    setSelected((prev) => {
      let changed = false;
      const next = new Map(prev);
      for (const u of list.data!.items)
        if (next.has(u.identity)) {
          next.set(u.identity, u);
          changed = true;
        }
      return changed ? next : prev;
    });
  }, [list.data]);

  const toggle = (u: DirectoryUser, on: boolean) =>
    setSelected((prev) => {
      const next = new Map(prev);
      if (on) next.set(u.identity, u);
      else next.delete(u.identity);
      return next;
    });
  const onlyThis = (u: DirectoryUser) => setSelected(new Map([[u.identity, u]]));
  const pageSelected = items.filter((u) => selected.has(u.identity)).length;
  const allOnPage = items.length > 0 && pageSelected === items.length;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current)
      selectAll.current.indeterminate = pageSelected > 0 && pageSelected < items.length;
  }, [pageSelected, items.length]);

  const sortBy = (column: string, o: Order) => {
    setSort(column);
    setOrder(o);
  };
  const header = (label: string, column: string) => (
    <SortHeader label={label} column={column} sort={sort} order={order} onSort={sortBy} />
  );
  const users = [...selected.values()];

  return (
    <div className={users.length ? 'with-pane' : 'with-pane no-selection'}>
      <section className="content" aria-labelledby="page-title">
        <h1 id="page-title">Dial-in users</h1>
        <div className="toolbar" role="search">
          <label className="grow">
            <span className="label">Search</span>
            <input
              type="search"
              placeholder="Name, email or conference ID"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label>
            <span className="label">Provider</span>
            <select value={provider} onChange={(e) => setProvider(e.target.value as Provider | '')}>
              <option value="">All providers</option>
              {(Object.keys(PROVIDER_LABEL) as Provider[]).map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABEL[p]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="label">License</span>
            <select
              value={licensed}
              onChange={(e) => setLicensed(e.target.value as '' | 'true' | 'false')}
            >
              <option value="">Any</option>
              <option value="true">Licensed</option>
              <option value="false">Not licensed</option>
            </select>
          </label>
        </div>

        <ErrorAlert error={list.error} onRetry={list.reload} />
        {list.loading && !list.data && <Loading what="Loading users" />}
        {list.data && (
          <>
            <div className="table-wrap" aria-busy={list.loading}>
              <table className="grid">
                <caption className="sr-only">
                  Users, sorted by {sort} {order === 'asc' ? 'ascending' : 'descending'}
                </caption>
                <thead>
                  <tr>
                    <th scope="col" className="select">
                      <input
                        ref={selectAll}
                        type="checkbox"
                        aria-label="Select all users on this page"
                        checked={allOnPage}
                        onChange={(e) => items.forEach((u) => toggle(u, e.target.checked))}
                      />
                    </th>
                    {header('Display name', 'displayName')}
                    {header('User name', 'userPrincipalName')}
                    {header('Provider', 'provider')}
                    {header('Conference ID', 'conferenceId')}
                    {header('Toll number', 'tollNumber')}
                    <th scope="col">Toll-free number</th>
                    <th scope="col">License</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((u) => (
                    <tr
                      key={u.identity}
                      className={selected.has(u.identity) ? 'selected' : undefined}
                    >
                      <td className="select">
                        <input
                          type="checkbox"
                          aria-label={`Select ${u.displayName}`}
                          checked={selected.has(u.identity)}
                          onChange={(e) => toggle(u, e.target.checked)}
                        />
                      </td>
                      <th scope="row">
                        <button type="button" className="link" onClick={() => onlyThis(u)}>
                          {u.displayName}
                        </button>
                      </th>
                      <td className="upn">{u.userPrincipalName}</td>
                      <td>{providerText(u.provider, true)}</td>
                      <td className="num">{dash(u.conferenceId)}</td>
                      <td className="num">{dash(u.tollNumber)}</td>
                      <td className="num">{dash(u.tollFreeNumber)}</td>
                      <td>{u.licensed ? 'Licensed' : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {items.length === 0 && (
              <Empty>
                {term || provider || licensed ? 'No users match.' : 'There are no users yet.'}
              </Empty>
            )}
            <Pager offset={offset} limit={PAGE} total={list.data.total} onOffset={setOffset} />
          </>
        )}
      </section>
      {users.length > 0 ? (
        <UserActionPane
          key={users.map((u) => u.identity).join('\n')}
          users={users}
          onChanged={list.reload}
        />
      ) : (
        <p className="hint pane-hint">
          Select one or more users to see their dial-in details and actions.
        </p>
      )}
    </div>
  );
}
