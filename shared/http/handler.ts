// The middy chain every HTTP function shares: logger, metrics, header normalisation, JSON body
// parsing, zod validation, the route's own middlewares (e.g. idempotency), and the problem+json error mapping.
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z, ZodMiniType as ZodType } from 'zod/mini';
import { correlationId, flushMetrics, logger } from '#shared/observability/powertools';
import { HttpProblem, problemResponse, toProblem, zodFieldErrors } from '#shared/http/problem';
import { MfaRequired } from '#shared/domain/mfa';
import { callerFromEvent, quotaFromEvent, type Caller } from '#shared/http/caller';
import { quotaHeaders } from '#shared/domain/quota';

export type { Caller } from '#shared/http/caller';

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Infer<S> = S extends ZodType ? z.output<S> : undefined;

export interface HttpOptions<B, P, Q> {
  body?: B;
  params?: P;
  query?: Q;
  /** Who may call: `user` (default) needs a verified token, `admin` also the admins group. */
  auth?: 'none' | 'user' | 'admin';
  /** Middlewares of this route that run after validation, e.g. `idempotency('create-task')` (#shared/http/idempotency). */
  use?: middy.MiddlewareObj[];
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

export interface HttpRequest<B, P, Q> {
  body: Infer<B>;
  params: Infer<P>;
  query: Infer<Q>;
  caller: Caller;
  headers: Record<string, string | undefined>;
  requestId: string;
  /** The version from `If-Match`, when the client sent one. */
  ifMatch?: number;
  event: APIGatewayProxyEventV2;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json(\s*;.*)?$/i;

const parseJsonBody = (event: APIGatewayProxyEventV2, maxBytes: number): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `The body must be at most ${maxBytes} bytes.`);
  }
  const contentType = event.headers?.['content-type'];
  if (contentType && !JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON.');
  }
};

const validate = <S extends ZodType | undefined>(schema: S, value: unknown, where: string): Infer<S> => {
  if (!schema) return undefined as Infer<S>;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    throw new HttpProblem(400, 'validation-failed', 'Validation failed', `The request ${where} is invalid.`, zodFieldErrors(result.error, where));
  }
  return result.data as Infer<S>;
};

const parseIfMatch = (header: string | undefined): number | undefined => {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) {
    throw new HttpProblem(400, 'validation-failed', 'Validation failed', 'If-Match must carry a version ETag such as "3".', [
      { field: 'headers.if-match', message: 'Expected a version ETag such as "3"' },
    ]);
  }
  return Number(match[1]);
};

const toResponse = (result: HttpResult): APIGatewayProxyStructuredResultV2 => {
  if (result.body === undefined || result.status === 204) {
    return { statusCode: result.status, headers: { ...result.headers } };
  }
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: JSON.stringify(result.body),
  };
};

/**
 * Headers on every response, errors and replayed idempotent responses included: `nosniff` (a body is never read
 * as anything but its declared type), and `no-store` unless a successful route chose its own caching (every
 * answer here is private or an auth answer).
 */
const withResponseHeaders = (response: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 => {
  const headers: Record<string, string | number | boolean> = { ...response.headers, 'x-content-type-options': 'nosniff' };
  const routeCaching = Object.keys(headers).find((name) => name.toLowerCase() === 'cache-control');
  if (routeCaching === undefined || (response.statusCode ?? 200) >= 400) {
    if (routeCaching !== undefined) delete headers[routeCaching];
    headers['cache-control'] = 'no-store';
  }
  return { ...response, headers };
};

/**
 * The per-user request quota the authorizer counted: over it, 429 problem+json with Retry-After before anything
 * else runs; within it, the RateLimit / RateLimit-Policy header fields on the response.
 */
const requestQuota = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  before: async (request) => {
    const quota = quotaFromEvent(request.event);
    if (!quota?.exceeded) return;
    throw new HttpProblem(
      429,
      'quota-exceeded',
      'Too many requests',
      `You have used your ${quota.limit} requests of this ${quota.windowSeconds}-second window; retry in ${quota.resetSeconds} s.`,
      undefined,
      quotaHeaders(quota),
    );
  },
  after: async (request) => {
    const quota = quotaFromEvent(request.event);
    if (!quota || !request.response) return;
    request.response.headers = { ...quotaHeaders(quota), ...request.response.headers };
  },
});

/** Maps every error to problem+json; logs the unexpected ones with their stack (never sent to the client). */
const problemMapper = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const requestId = request.event.requestContext?.requestId;
    const error = request.error;
    const { problem, headers, expected } = toProblem(error, requestId);
    if (expected) logger.info('request rejected', { status: problem.status, type: problem.type });
    else logger.error('unexpected error', error as Error);
    request.response = problemResponse(problem, headers);
  },
});

export const http = <B extends ZodType | undefined = undefined, P extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined>(
  options: HttpOptions<B, P, Q>,
  fn: (request: HttpRequest<B, P, Q>) => Promise<HttpResult>,
) => {
  const auth = options.auth ?? 'user';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const chain = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationId())
    .use(flushMetrics())
    .use(httpHeaderNormalizer())
    .use(problemMapper())
    .use(requestQuota())
    .use({
      // Parse and validate before anything is written, so bad input changes nothing.
      before: async (request) => {
        const event = request.event;
        const body = parseJsonBody(event, maxBodyBytes);
        if (options.body === undefined && body !== undefined && auth !== 'none') {
          // Routes without a body schema take no body.
          throw new HttpProblem(400, 'validation-failed', 'Validation failed', 'This route takes no body.', [{ field: 'body', message: 'Unexpected body' }]);
        }
        (event as { body: unknown }).body = validate(options.body as B, body, 'body');
      },
    });

  for (const middleware of options.use ?? []) chain.use(middleware);

  const handler = chain.handler(async (event, context) => {
    const caller = callerFromEvent(event);
    if (auth !== 'none' && !caller) throw new HttpProblem(401, 'unauthorized', 'Unauthorized', 'A valid access token is required.');
    if (auth === 'admin' && caller?.adminMfaMissing) throw new MfaRequired();
    if (auth === 'admin' && !caller?.isAdmin) throw new HttpProblem(403, 'forbidden', 'Forbidden', 'This route is for administrators.');
    const result = await fn({
      body: event.body as Infer<B>,
      params: validate(options.params as P, event.pathParameters, 'params'),
      query: validate(options.query as Q, event.queryStringParameters, 'query'),
      caller: caller as Caller,
      headers: event.headers ?? {},
      requestId: event.requestContext?.requestId ?? context.awsRequestId,
      ifMatch: parseIfMatch(event.headers?.['if-match']),
      event,
    });
    return toResponse(result);
  });
  // Outside the chain: an early response (an idempotent replay) skips the chain's `after` middlewares.
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
    withResponseHeaders(await handler(event, context));
};
