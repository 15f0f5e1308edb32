// The signed-in admin: tokens kept in localStorage so a reload keeps the session, renewed with the refresh
// token before the access token expires, and ended on sign-out (the refresh token is revoked), when the
// refresh token no longer works (the session expired or was revoked) or when the account is no admin any more.
import { ApiError, call } from './api';
import type { RefreshedSession, Session } from './types';

export const STORAGE_KEY = 'taskwell.console.session';
export const ADMIN_GROUP = 'admins';
/** Renew this long before the access token expires. */
const RENEW_MARGIN_MS = 60_000;

interface StoredSession {
  email: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; email: string; userId: string };

export class NotAdminError extends Error {
  constructor() {
    super('This account is not a Taskwell administrator. The admin console is only for members of the admins group; ask an administrator to grant you the role.');
    this.name = 'NotAdminError';
  }
}

/** The account has MFA on: the password was right, and the sign-in continues with a code (`answerCode`). */
export class CodeRequired extends Error {
  constructor(
    readonly email: string,
    readonly mfaSession: string,
  ) {
    super('Enter the 6-digit code from your authenticator app.');
    this.name = 'CodeRequired';
  }
}

/** The payload of a JWT, without verification (the API verifies; the console only reads its own token). */
export const jwtClaims = (jwt: string): Record<string, unknown> => {
  const part = jwt.split('.')[1];
  if (!part) return {};
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
};

export const isAdminToken = (accessToken: string): boolean => {
  const groups = jwtClaims(accessToken)['cognito:groups'];
  return Array.isArray(groups) && groups.includes(ADMIN_GROUP);
};

const readStored = (): StoredSession | undefined => {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof value.accessToken !== 'string' || typeof value.refreshToken !== 'string' || typeof value.expiresAt !== 'number') return undefined;
    return { email: String(value.email ?? ''), idToken: String(value.idToken ?? ''), accessToken: value.accessToken, refreshToken: value.refreshToken, expiresAt: value.expiresAt };
  } catch {
    return undefined;
  }
};

export class SessionManager {
  private stored: StoredSession | undefined;
  private state: SessionState = { status: 'restoring' };
  private listeners = new Set<() => void>();
  private renewing: Promise<string> | undefined;

  constructor(readonly apiUrl: string) {
    // Another tab signed out (or in as someone else): follow it.
    window.addEventListener('storage', (event) => {
      if (event.key !== STORAGE_KEY) return;
      const next = readStored();
      if (!next) {
        this.stored = undefined;
        this.set({ status: 'signed-out', notice: 'You signed out in another tab.' });
      } else {
        this.stored = next;
        this.set(this.signedIn(next));
      }
    });
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): SessionState => this.state;

  private set(state: SessionState) {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private signedIn(stored: StoredSession): SessionState {
    return { status: 'signed-in', email: stored.email, userId: String(jwtClaims(stored.accessToken).sub ?? '') };
  }

  private save(stored: StoredSession) {
    this.stored = stored;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  }

  private end(notice?: string) {
    this.stored = undefined;
    this.renewing = undefined;
    localStorage.removeItem(STORAGE_KEY);
    this.set({ status: 'signed-out', notice });
  }

  /** On start-up: resume the stored session, renewing it if its access token has expired. */
  async restore(): Promise<void> {
    const stored = readStored();
    if (!stored) return this.set({ status: 'signed-out' });
    this.stored = stored;
    if (stored.expiresAt - Date.now() > RENEW_MARGIN_MS) return this.set(this.signedIn(stored));
    try {
      await this.renew();
      if (this.stored) this.set(this.signedIn(this.stored));
    } catch {
      // renew() has already ended the session with a notice, unless the API could not be reached.
      if (this.state.status === 'restoring') this.set(this.signedIn(stored));
    }
  }

  /** Signs in with the password; throws CodeRequired when the account has MFA on (no token before the code). */
  async signIn(email: string, password: string): Promise<void> {
    const answer = await call<Session | { challenge: 'totp'; session: string }>(this.apiUrl, 'POST', '/v1/auth/login', { body: { email, password } });
    if ('challenge' in answer) throw new CodeRequired(email, answer.session);
    await this.admit(answer, email);
  }

  /** The second step of a sign-in with MFA: the code from the authenticator app. */
  async answerCode(challenge: CodeRequired, code: string): Promise<void> {
    const session = await call<Session>(this.apiUrl, 'POST', '/v1/auth/login/mfa', { body: { email: challenge.email, session: challenge.mfaSession, code } });
    await this.admit(session, challenge.email);
  }

  private async admit(session: Session, email: string): Promise<void> {
    if (!isAdminToken(session.accessToken)) {
      // Nothing of a non-admin's session stays behind.
      await call(this.apiUrl, 'POST', '/v1/auth/logout', { body: { refreshToken: session.refreshToken } }).catch(() => undefined);
      throw new NotAdminError();
    }
    const address = String(jwtClaims(session.idToken).email ?? email).toLowerCase();
    this.save({ email: address, accessToken: session.accessToken, idToken: session.idToken, refreshToken: session.refreshToken, expiresAt: Date.now() + session.expiresIn * 1000 });
    this.set(this.signedIn(this.stored!));
  }

  async signOut(): Promise<void> {
    const refreshToken = this.stored?.refreshToken;
    this.end('You signed out.');
    if (refreshToken) await call(this.apiUrl, 'POST', '/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
  }

  /** New access and ID tokens from the refresh token; ends the session when that is refused. */
  private renew(): Promise<string> {
    const stored = this.stored;
    if (!stored) return Promise.reject(new ApiError(401, 'You are signed out.'));
    this.renewing ??= call<RefreshedSession>(this.apiUrl, 'POST', '/v1/auth/refresh', { body: { refreshToken: stored.refreshToken } })
      .then((fresh) => {
        if (!isAdminToken(fresh.accessToken)) {
          this.end('Your administrator role was revoked. Sign in with an administrator account.');
          throw new NotAdminError();
        }
        this.save({ ...stored, accessToken: fresh.accessToken, idToken: fresh.idToken, expiresAt: Date.now() + fresh.expiresIn * 1000 });
        return fresh.accessToken;
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) this.end('Your session has expired. Sign in again.');
        throw error;
      })
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }

  private async accessToken(): Promise<string> {
    const stored = this.stored;
    if (!stored) throw new ApiError(401, 'You are signed out.');
    if (stored.expiresAt - Date.now() > RENEW_MARGIN_MS) return stored.accessToken;
    return this.renew();
  }

  /** An authenticated request; a 401 renews the tokens once and tries again. */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const token = await this.accessToken();
    try {
      return await call<T>(this.apiUrl, method, path, { body, token, signal });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      const fresh = await this.renew();
      return call<T>(this.apiUrl, method, path, { body, token: fresh, signal });
    }
  }
}
