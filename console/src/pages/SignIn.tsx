// Sign in with a Cognito account of the admins group (POST /v1/auth/login). Wrong passwords show the API's
// answer; a valid account that is no admin is refused here (the API would refuse it on every admin route too).
// An account with MFA on is asked for the code of its authenticator app next (POST /v1/auth/login/mfa).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSessionManager, useTitle } from '../hooks';
import { ApiError } from '../api';
import { CodeRequired } from '../session';

export default function SignIn({ notice }: { notice?: string }) {
  useTitle('Sign in');
  const session = useSessionManager();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<CodeRequired | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; attempt: number } | undefined>();
  const attempts = useRef(0);
  const errorRef = useRef<HTMLParagraphElement>(null);
  // A refusal takes the focus, so that a screen reader reads it and the form is one Tab away.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  const fail = (message: string) => setError({ message, attempt: ++attempts.current });

  const submitCode = async () => {
    if (!challenge) return;
    if (!/^\d{6}$/.test(code.trim())) {
      fail('Enter the 6-digit code from your authenticator app.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await session.answerCode(challenge, code.trim());
    } catch (e) {
      setCode('');
      setBusy(false);
      // A spent or expired sign-in session: start again with the password.
      if (e instanceof ApiError && e.status === 401 && /mfa-session-expired$/.test(e.problem?.type ?? '')) setChallenge(undefined);
      fail((e as Error).message);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (challenge) return submitCode();
    if (!email.trim() || !password) {
      fail('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(email.trim(), password);
    } catch (e) {
      setPassword('');
      setBusy(false);
      if (e instanceof CodeRequired) setChallenge(e);
      else fail((e as Error).message);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">✓</span> Taskwell
        </p>
        <h1 id="signin-title">Sign in to the admin console</h1>
        {notice && !error && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p className="inline-error" role="alert" tabIndex={-1} ref={errorRef} data-testid="signin-error">
            {error.message}
          </p>
        )}
        {challenge ? (
          <div className="field">
            <label htmlFor="signin-code">Code from your authenticator app</label>
            <input
              id="signin-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              maxLength={6}
              autoFocus
            />
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor="signin-email">Email</label>
              <input id="signin-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} autoFocus />
            </div>
            <div className="field">
              <label htmlFor="signin-password">Password</label>
              <input id="signin-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} maxLength={256} />
            </div>
          </>
        )}
        <button type="submit" className="button button-primary button-block" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : challenge ? 'Verify code' : 'Sign in'}
        </button>
        <p className="hint">For members of the Taskwell admins group only.</p>
      </form>
    </main>
  );
}
