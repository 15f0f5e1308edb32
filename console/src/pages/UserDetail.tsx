// One user: profile, projects and task counts (GET /v1/admin/users/{id}); disable / enable the account and
// grant / revoke the admin role, each far-reaching change confirmed first.
import { useState } from 'react';
import { ApiError } from '../api';
import { ConfirmDialog, ErrorState, Loading, PageHeader, TableRegion } from '../components';
import { formatCount, formatDateTime } from '../format';
import { useResource, useSessionManager, useSessionState, useTitle } from '../hooks';
import { Link } from '../router';
import type { UserDetail as Detail } from '../types';
import { StatusBadge } from './Users';

type Action = 'disable' | 'enable' | 'grant' | 'revoke';

const ACTIONS: Record<Action, { method: string; path: (id: string) => string; title: string; confirm: string; done: string; danger: boolean }> = {
  disable: {
    method: 'POST',
    path: (id) => `/v1/admin/users/${encodeURIComponent(id)}/disable`,
    title: 'Disable this user?',
    confirm: 'Disable user',
    done: 'The user is disabled: their next request is refused and they cannot sign in.',
    danger: true,
  },
  enable: {
    method: 'POST',
    path: (id) => `/v1/admin/users/${encodeURIComponent(id)}/enable`,
    title: 'Enable this user?',
    confirm: 'Enable user',
    done: 'The user is active again.',
    danger: false,
  },
  grant: {
    method: 'PUT',
    path: (id) => `/v1/admin/users/${encodeURIComponent(id)}/admin`,
    title: 'Make this user an administrator?',
    confirm: 'Grant admin role',
    done: 'The user has admin rights from their next request (this console opens for them at their next sign-in).',
    danger: false,
  },
  revoke: {
    method: 'DELETE',
    path: (id) => `/v1/admin/users/${encodeURIComponent(id)}/admin`,
    title: 'Revoke the admin role?',
    confirm: 'Revoke admin role',
    done: 'The admin role is revoked: the user’s next request to the admin API is refused.',
    danger: true,
  },
};

export default function UserDetail({ userId }: { userId: string }) {
  const session = useSessionManager();
  const me = useSessionState();
  const detail = useResource((signal) => session.request<Detail>('GET', `/v1/admin/users/${encodeURIComponent(userId)}`, undefined, signal), [userId]);
  const [pending, setPending] = useState<Action | undefined>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  useTitle(detail.data ? detail.data.user.email : 'User');

  const run = async () => {
    if (!pending) return;
    const action = ACTIONS[pending];
    setBusy(true);
    setActionError(undefined);
    try {
      await session.request(action.method, action.path(userId));
      setNotice(action.done);
      setPending(undefined);
      detail.reload();
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  };

  const open = (action: Action) => {
    setActionError(undefined);
    setNotice(undefined);
    setPending(action);
  };

  if (detail.status === 'loading' && !detail.data) return <Loading label="Loading the user…" />;
  if (detail.status === 'error' && !detail.data) {
    const missing = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <>
        <PageHeader title={missing ? 'User not found' : 'User'} />
        <ErrorState title={missing ? 'There is no user with this id.' : 'Could not load the user.'} error={missing ? undefined : detail.error} onRetry={missing ? undefined : detail.reload} />
        <p>
          <Link to="users">Back to users</Link>
        </p>
      </>
    );
  }
  const data = detail.data!;
  const { user, projects, taskCounts } = data;
  const isSelf = me.status === 'signed-in' && me.userId === user.id;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="users">Users</Link> <span aria-hidden="true">›</span> <span aria-current="page">{user.email}</span>
      </nav>
      <PageHeader title={user.name || user.email}>
        {user.status === 'active' ? (
          <button type="button" className="button button-danger" onClick={() => open('disable')} disabled={isSelf} title={isSelf ? 'You cannot disable your own account' : undefined}>
            Disable user
          </button>
        ) : (
          <button type="button" className="button button-primary" onClick={() => open('enable')}>
            Enable user
          </button>
        )}
        {user.isAdmin ? (
          <button type="button" className="button" onClick={() => open('revoke')} disabled={isSelf} title={isSelf ? 'You cannot revoke your own admin role' : undefined}>
            Revoke admin
          </button>
        ) : (
          <button type="button" className="button" onClick={() => open('grant')}>
            Grant admin
          </button>
        )}
      </PageHeader>
      {isSelf && <p className="muted">This is your own account: you cannot disable it or revoke your own admin role.</p>}
      <div aria-live="polite">{notice && <p className="notice">{notice}</p>}</div>
      {detail.status === 'error' && <ErrorState title="Could not refresh the user." error={detail.error} onRetry={detail.reload} />}

      <div className="detail-grid">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>Status</dt>
            <dd data-testid="user-status">
              <StatusBadge status={user.status} />
            </dd>
            <dt>Role</dt>
            <dd data-testid="user-role">{user.isAdmin ? <span className="badge badge-admin">Administrator</span> : 'User'}</dd>
            <dt>Time zone</dt>
            <dd>{user.timezone}</dd>
            <dt>Joined</dt>
            <dd>{formatDateTime(user.createdAt)}</dd>
            <dt>User id</dt>
            <dd>
              <code>{user.id}</code>
            </dd>
          </dl>
          <p>
            <Link to={`audit?actorId=${encodeURIComponent(user.id)}`}>Changes this user made (audit log)</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="tasks-title">
          <h2 id="tasks-title">Tasks</h2>
          <dl className="facts facts-numbers">
            <dt>Assigned, open</dt>
            <dd>{formatCount(taskCounts.assignedOpen)}</dd>
            <dt>Assigned, done</dt>
            <dd>{formatCount(taskCounts.assignedDone)}</dd>
            <dt>Private tasks</dt>
            <dd>{formatCount(taskCounts.privateTasks)}</dd>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects ({projects.length})</h2>
        {projects.length === 0 ? (
          <p className="muted">Not a member of any project.</p>
        ) : (
          <TableRegion label="Projects">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Role</th>
                  <th scope="col">Id</th>
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={p.id}>
                    <td data-label="Project">{p.name}</td>
                    <td data-label="Role">{p.role}</td>
                    <td data-label="Id">
                      <code className="id">{p.id}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>

      <ConfirmDialog
        open={pending !== undefined}
        title={pending ? ACTIONS[pending].title : ''}
        confirmLabel={pending ? ACTIONS[pending].confirm : ''}
        danger={pending ? ACTIONS[pending].danger : false}
        busy={busy}
        error={actionError}
        onConfirm={run}
        onCancel={() => setPending(undefined)}
      >
        {pending === 'disable' && (
          <p>
            <strong>{user.email}</strong> will be signed out everywhere: their tokens stop working on their next request and they cannot sign in until
            an administrator enables the account again.
          </p>
        )}
        {pending === 'enable' && (
          <p>
            <strong>{user.email}</strong> will be able to sign in and use Taskwell again.
          </p>
        )}
        {pending === 'grant' && (
          <p>
            <strong>{user.email}</strong> will be able to use this console: see every user and the audit log, disable accounts and redrive queues.
          </p>
        )}
        {pending === 'revoke' && (
          <p>
            <strong>{user.email}</strong> will lose access to this console and the admin API from their next request.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
