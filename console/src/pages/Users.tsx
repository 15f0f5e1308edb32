// Users: search by email prefix (GET /v1/admin/users?emailPrefix=), paged with "Load more".
import { useEffect, useState, type FormEvent } from 'react';
import { query } from '../api';
import { Empty, ErrorState, Loading, LoadMore, PageHeader, TableRegion } from '../components';
import { formatDate } from '../format';
import { usePagedList, useSessionManager, useTitle } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import type { Page, UserSummary } from '../types';

const PAGE_SIZE = 20;

export const StatusBadge = ({ status }: { status: UserSummary['status'] }) => (
  <span className={`badge ${status === 'active' ? 'badge-ok' : 'badge-off'}`}>{status === 'active' ? 'Active' : 'Disabled'}</span>
);

export default function Users() {
  useTitle('Users');
  const session = useSessionManager();
  const { search } = useLocation();
  const prefix = search.get('q') ?? '';
  const [draft, setDraft] = useState(prefix);
  useEffect(() => setDraft(prefix), [prefix]);

  const list = usePagedList<UserSummary>(
    (cursor, signal) => session.request<Page<UserSummary>>('GET', `/v1/admin/users${query({ emailPrefix: prefix.trim().toLowerCase(), limit: PAGE_SIZE, cursor })}`, undefined, signal),
    [prefix],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = draft.trim();
    navigate(q ? `users${query({ q })}` : 'users');
    if (q === prefix) list.reload();
  };

  return (
    <>
      <PageHeader title="Users" />
      <form className="toolbar" role="search" aria-label="Users" onSubmit={submit}>
        <div className="field">
          <label htmlFor="user-search">Email starts with</label>
          <input
            id="user-search"
            type="search"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            maxLength={254}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="e.g. ann@ or ann@example"
          />
        </div>
        <button type="submit" className="button button-primary">
          Search
        </button>
      </form>
      {list.status === 'loading' && <Loading label="Loading users…" />}
      {list.status === 'error' && <ErrorState title="Could not load the users." error={list.error} onRetry={list.reload} />}
      {list.status === 'ready' && list.items.length === 0 && (
        <Empty>
          <p>{prefix ? `No user's email starts with “${prefix}”.` : 'There are no users yet.'}</p>
        </Empty>
      )}
      {list.status === 'ready' && list.items.length > 0 && (
        <>
          <p className="muted" role="status">
            {list.items.length} {list.items.length === 1 ? 'user' : 'users'}
            {list.hasMore ? ' shown so far' : ''}
            {prefix ? ` whose email starts with “${prefix}”` : ''}
          </p>
          <TableRegion label="Users">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((user) => (
                  <tr key={user.id}>
                    <td data-label="Email">
                      <Link to={`users/${encodeURIComponent(user.id)}`}>{user.email}</Link>
                    </td>
                    <td data-label="Name">{user.name}</td>
                    <td data-label="Status">
                      <StatusBadge status={user.status} />
                    </td>
                    <td data-label="Joined">{formatDate(user.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <LoadMore hasMore={list.hasMore} loading={list.loadingMore} error={list.moreError} onMore={list.loadMore} what="users" />
        </>
      )}
    </>
  );
}
