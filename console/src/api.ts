// HTTP to the Taskwell API: JSON in and out, RFC 9457 problems turned into ApiError with a message a person can read.

/** An RFC 9457 problem (the API's errors), or API Gateway's own `{ message }`. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
  message?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const messageOf = (status: number, problem: Problem | undefined): string => {
  if (!problem) return `The API answered HTTP ${status}.`;
  let text = problem.detail ?? problem.title ?? problem.message ?? `The API answered HTTP ${status}.`;
  if (problem.errors?.length) text += ` ${problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
  if (status >= 500 && problem.requestId) text += ` (request ${problem.requestId})`;
  return text;
};

export interface CallOptions {
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
}

/** One request; resolves to the parsed JSON body (undefined for 204), rejects with ApiError. */
export const call = async <T>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<T> => {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, `Cannot reach the API${baseUrl ? ` at ${baseUrl}` : ''}. Check the connection and try again.`);
  }
  const text = await response.text();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem = parsed && typeof parsed === 'object' ? (parsed as Problem) : undefined;
    throw new ApiError(response.status, messageOf(response.status, problem), problem);
  }
  return parsed as T;
};

/** A query string from the defined, non-empty values. */
export const query = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};
