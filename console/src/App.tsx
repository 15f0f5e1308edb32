// The console: sign-in when signed out, else the shell (header, navigation that collapses on phones, main).
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { ErrorState, Loading, PageHeader } from './components';
import { useSessionManager, useSessionState } from './hooks';
import { Link, useLocation } from './router';
import Audit from './pages/Audit';
import Operations, { DlqMessages } from './pages/Operations';
import SignIn from './pages/SignIn';
import UserDetail from './pages/UserDetail';
import Users from './pages/Users';

// Chart.js comes with the dashboard only: the sign-in screen loads without it.
const Dashboard = lazy(() => import('./pages/Dashboard'));

const NAV = [
  { to: '', label: 'Dashboard', match: (path: string) => path === '' },
  { to: 'users', label: 'Users', match: (path: string) => path === 'users' || path.startsWith('users/') },
  { to: 'audit', label: 'Audit log', match: (path: string) => path === 'audit' },
  { to: 'operations', label: 'Operations', match: (path: string) => path === 'operations' || path.startsWith('operations/') },
];

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const Screen = ({ path }: { path: string }) => {
  const [section, id, ...rest] = path.split('/');
  if (rest.length === 0) {
    if (section === '' && id === undefined) return <Dashboard />;
    if (section === 'users' && id === undefined) return <Users />;
    if (section === 'users' && id) return <UserDetail key={id} userId={decode(id)} />;
    if (section === 'audit' && id === undefined) return <Audit />;
    if (section === 'operations' && id === undefined) return <Operations />;
    if (section === 'operations' && id) return <DlqMessages key={id} name={decode(id)} />;
  }
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is nothing at this address. <Link to="">Go to the dashboard</Link>.
      </p>
    </>
  );
};

const Shell = ({ email }: { email: string }) => {
  const session = useSessionManager();
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  // After a navigation (not on load): close the phone menu and move focus to the new screen's heading.
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    setMenuOpen(false);
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    (heading ?? mainRef.current)?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [path]);

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="button button-quiet menu-button"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true" className="menu-icon" />
          Menu
        </button>
        <Link to="" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ✓
          </span>{' '}
          Taskwell <span className="brand-sub">admin</span>
        </Link>
        <div className="account">
          <span className="account-email" title={email}>
            {email}
          </span>
          <button type="button" className="button button-quiet" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="primary-nav" className="sidebar" aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.label}>
              <Link to={item.to} aria-current={item.match(path) ? 'page' : undefined} onClick={() => setMenuOpen(false)}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading…" />}>
          <Screen path={path} />
        </Suspense>
      </main>
    </div>
  );
};

export const App = () => {
  const state = useSessionState();
  if (state.status === 'restoring') {
    return (
      <main className="signin" id="main">
        <Loading label="Restoring your session…" />
      </main>
    );
  }
  if (state.status === 'signed-out') return <SignIn notice={state.notice} />;
  return <Shell email={state.email} />;
};

export const StartupError = ({ error }: { error: Error }) => (
  <main className="signin" id="main">
    <div className="card signin-card">
      <h1>The console cannot start</h1>
      <ErrorState title="" error={error} onRetry={() => window.location.reload()} />
    </div>
  </main>
);
