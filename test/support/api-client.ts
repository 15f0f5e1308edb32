// A tiny client for the e2e tests: real HTTP (global fetch) against the local stack's API.
//
//   const res = await api.get('/v1/health');                  // → { status, headers, body }
//   await api.post('/v1/auth/login', { email, password });
//   const alice = await newUser();                           // registered + confirmed + logged in
//   await as(alice).post('/v1/tasks', { title: 'x' }, { headers: { 'idempotency-key': 'k1' } });
//   await expect(as(bob).get(`/v1/tasks/${id}`)).resolves.toHaveStatus(404);
//
// A string body is sent verbatim (for malformed-JSON tests); anything else as JSON. `body` of the
// response is parsed JSON when the response says it is JSON, else text (undefined when empty).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { localStack } from '#test/support/local-stack';

export interface ApiResponse<T = any> {
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  body: T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
}

export interface Client {
  get<T = any>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete<T = any>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  request<T = any>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn?: number;
}

/** A user created by `newUser()`: credentials, tokens of its first login, and its id (the token's `sub`). */
export interface TestUser extends Credentials, Tokens {
  name: string;
  userId: string;
}

const send = async <T>(method: string, path: string, body: unknown, options: RequestOptions | undefined, token?: () => Promise<string>): Promise<ApiResponse<T>> => {
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  if (token) headers.authorization = `Bearer ${await token()}`;
  for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name.toLowerCase()] = value;
  const response = await fetch(`${localStack().apiUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = text === '' ? undefined : text;
  if (text !== '' && /[/+]json\b/i.test(contentType)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed as T };
};

const client = (token?: () => Promise<string>): Client => ({
  request: (method, path, body, options) => send(method.toUpperCase(), path, body, options, token),
  get: (path, options) => send('GET', path, undefined, options, token),
  post: (path, body, options) => send('POST', path, body, options, token),
  put: (path, body, options) => send('PUT', path, body, options, token),
  patch: (path, body, options) => send('PATCH', path, body, options, token),
  delete: (path, body, options) => send('DELETE', path, body, options, token),
});

/** Anonymous: no Authorization header. */
export const api: Client = client();

/** The seeded demo accounts (their password is TASKWELL_DEMO_PASSWORD or `Taskwell-demo-1`). */
export const demo = {
  get admin(): Credentials {
    return { email: 'admin@example.com', password: localStack().demoPassword };
  },
  get user(): Credentials {
    return { email: 'user@example.com', password: localStack().demoPassword };
  },
};

const fail = (what: string, response: ApiResponse): never => {
  throw new Error(`${what} answered ${response.status}: ${typeof response.body === 'string' ? response.body : JSON.stringify(response.body)}`);
};

/** Logs in through POST /v1/auth/login. */
export const login = async (credentials: Credentials): Promise<Tokens> => {
  const response = await api.post<Tokens>('/v1/auth/login', { email: credentials.email, password: credentials.password });
  if (response.status !== 200) fail(`POST /v1/auth/login as ${credentials.email}`, response);
  return response.body;
};

const sessions = new Map<string, Promise<Tokens>>();
/** Tokens of `credentials`, logging in once per test file and reusing them. */
export const session = (credentials: Credentials): Promise<Tokens> => {
  let tokens = sessions.get(credentials.email);
  if (!tokens) {
    tokens = login(credentials);
    tokens.catch(() => sessions.delete(credentials.email));
    sessions.set(credentials.email, tokens);
  }
  return tokens;
};

/**
 * A client acting as `who`: a user from `newUser()` (its token is used), credentials (logged in
 * once, then reused), or a raw access token string.
 */
export const as = (who: Credentials | Partial<Tokens> | string): Client => {
  if (typeof who === 'string') return client(async () => who);
  if ('accessToken' in who && who.accessToken) {
    const token = who.accessToken;
    return client(async () => token);
  }
  const credentials = who as Credentials;
  return client(async () => (await session(credentials)).accessToken);
};

/** The claims of a JWT (no verification: for reading `sub`, `exp`… in tests). */
export const claims = (jwt: string): Record<string, any> => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));

/** Registers, confirms (with the local fixed code) and logs in a fresh, unique user through the API. */
export const newUser = async (options: { name?: string; email?: string; password?: string } = {}): Promise<TestUser> => {
  const unique = randomUUID().slice(0, 12);
  const email = options.email ?? `e2e-${unique}@example.com`;
  const password = options.password ?? `Tw-e2e-${unique}-9Z`;
  const name = options.name ?? `E2E ${unique}`;
  const registered = await api.post('/v1/auth/register', { email, password, name });
  if (registered.status !== 202) fail(`POST /v1/auth/register (${email})`, registered);
  const confirmed = await api.post('/v1/auth/confirm', { email, code: localStack().confirmationCode });
  if (confirmed.status >= 300) fail(`POST /v1/auth/confirm (${email})`, confirmed);
  const tokens = await login({ email, password });
  sessions.set(email, Promise.resolve(tokens));
  return { email, password, name, ...tokens, userId: String(claims(tokens.accessToken).sub) };
};

expect.extend({
  toHaveStatus(received: ApiResponse | undefined, status: number) {
    const actual = received?.status;
    const body = typeof received?.body === 'string' ? received.body : JSON.stringify(received?.body);
    return {
      pass: actual === status,
      message: () => `expected status ${this.isNot ? 'not ' : ''}${status}, got ${actual}: ${body?.slice(0, 500)}`,
      actual,
      expected: status,
    };
  },
});

declare module 'vitest' {
  interface Matchers<T = any> {
    /** The response (from this client) has this HTTP status; the failure message shows the body. */
    toHaveStatus(status: number): T;
  }
}
