// RFC 9457 problem+json: the one place that turns errors into HTTP responses.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { $ZodError as ZodError } from 'zod/v4/core';
import { DomainError, TooManyRequests, type FieldError } from '#shared/domain/errors';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  /** RFC 9457 extension members a domain error declares (e.g. the projects that block an account deletion). */
  [extension: string]: unknown;
}

/** Stable problem types; clients switch on these, so never rename one. */
export const problemType = (slug: string): string => `https://taskwell.dev/problems/${slug}`;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

const domainStatus: Record<DomainError['kind'], { status: number; title: string }> = {
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  forbidden: { status: 403, title: 'Forbidden' },
  'validation-failed': { status: 400, title: 'Validation failed' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  unprocessable: { status: 422, title: 'Unprocessable request' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
};

export const zodFieldErrors = (error: ZodError, prefix: string): FieldError[] =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify(problem),
});

/** Maps anything thrown to a problem. Unknown errors become a bare 500: no message, no stack. */
export const toProblem = (error: unknown, requestId?: string): { problem: Problem; headers: Record<string, string>; expected: boolean } => {
  if (error instanceof HttpProblem) {
    return {
      problem: { type: problemType(error.slug), title: error.title, status: error.status, detail: error.detail, errors: error.errors, requestId },
      headers: error.headers,
      expected: true,
    };
  }
  if (error instanceof DomainError) {
    const { status, title } = domainStatus[error.kind];
    const errors = 'errors' in error && Array.isArray(error.errors) && error.errors.length > 0 ? (error.errors as FieldError[]) : undefined;
    const retryAfter: Record<string, string> = error instanceof TooManyRequests && error.retryAfterSeconds !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) } : {};
    return { problem: { ...error.extensions, type: problemType(error.code ?? error.kind), title, status, detail: error.message, errors, requestId }, headers: retryAfter, expected: true };
  }
  return {
    problem: { type: problemType('internal-error'), title: 'Internal server error', status: 500, detail: 'Something went wrong on our side. Quote the request id when reporting it.', requestId },
    headers: {},
    expected: false,
  };
};
