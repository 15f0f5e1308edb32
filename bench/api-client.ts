// Real HTTP against the local stack's API (what a client does), for creating the users and data the
// measurements run on: register → confirm with the local code → login, as local/seed.ts does.
import { randomUUID } from 'node:crypto';

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export interface BenchUser {
  email: string;
  password: string;
  name: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

export const http = async (
  apiUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${apiUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  let body: unknown = text;
  if (text && /json/.test(response.headers.get('content-type') ?? '')) body = JSON.parse(text);
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
};

/** Throws with the answer unless the status is one of `ok`. */
export const expectStatus = (what: string, result: HttpResult, ...ok: number[]): HttpResult => {
  if (!ok.includes(result.status)) throw new Error(`${what} answered ${result.status}: ${JSON.stringify(result.body).slice(0, 400)}`);
  return result;
};

const subOf = (jwt: string): string => String(JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')).sub);

/** A new confirmed user, logged in through the API. */
export const registerUser = async (apiUrl: string, confirmationCode: string, label: string): Promise<BenchUser> => {
  const unique = randomUUID().slice(0, 8);
  const email = `bench-${label}-${unique}@example.com`;
  const password = `Bench-${unique}-pw-9Z!`;
  const name = `Bench ${label}`;
  expectStatus(`register ${email}`, await http(apiUrl, 'POST', '/v1/auth/register', { body: { email, password, name } }), 202);
  expectStatus(`confirm ${email}`, await http(apiUrl, 'POST', '/v1/auth/confirm', { body: { email, code: confirmationCode } }), 200, 204);
  const login = expectStatus(`login ${email}`, await http(apiUrl, 'POST', '/v1/auth/login', { body: { email, password } }), 200);
  const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string };
  return { email, password, name, userId: subOf(accessToken), accessToken, refreshToken };
};

/** Runs `task` over `items` with at most `limit` at a time, keeping the order of results. */
export const mapLimit = async <T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
