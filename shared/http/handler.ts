// The middy chain every HTTP function shares: logger, metrics, header normalisation, JSON body
// parsing, zod validation, optional idempotency, and the problem+json error mapping.
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { IdempotencyConfig, IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z, ZodType } from 'zod';
import { flushMetrics, logger } from '#shared/observability/powertools';
import { dynamodb } from '#shared/store/client';
import { HttpProblem, problemResponse, toProblem, zodFieldErrors } from '#shared/http/problem';
import { callerFromEvent, type Caller } from '#shared/http/caller';

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
  /** Honour `Idempotency-Key` for this create operation; the name scopes the stored records. */
  idempotent?: string;
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

/** Maps every error to problem+json; logs the unexpected ones with their stack (never sent to the client). */
const problemMapper = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const requestId = request.event.requestContext?.requestId;
    let error: unknown = request.error;
    if (error instanceof IdempotencyValidationError) {
      error = new HttpProblem(422, 'idempotency-key-reused', 'Idempotency key reused', 'This Idempotency-Key was already used with a different body.');
    } else if (error instanceof IdempotencyAlreadyInProgressError) {
      error = new HttpProblem(409, 'request-in-progress', 'Request in progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', undefined, { 'retry-after': '1' });
    }
    const { problem, headers, expected } = toProblem(error, requestId);
    if (expected) logger.info('request rejected', { status: problem.status, type: problem.type });
    else logger.error('unexpected error', error as Error);
    request.response = problemResponse(problem, headers);
  },
});

const persistenceStores = new Map<string, DynamoDBPersistenceLayer>();
const idempotencyFor = (operation: string) => {
  const persistenceStore =
    persistenceStores.get(operation) ??
    new DynamoDBPersistenceLayer({
      tableName: process.env.TABLE_NAME ?? 'taskwell',
      awsSdkV3Client: dynamodb,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: `IDEMPOTENCY#${operation}`,
      expiryAttr: 'expiresAt',
    });
  persistenceStores.set(operation, persistenceStore);
  return onlyOwnRecordsDeleted(makeHandlerIdempotent({
    persistenceStore,
    config: new IdempotencyConfig({
      // Scoped to the caller; requests without the header are not made idempotent.
      eventKeyJmesPath: 'headers."idempotency-key" && [requestContext.authorizer.lambda.userId, headers."idempotency-key"]',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: false,
      expiresAfterSeconds: 24 * 60 * 60,
    }),
  }));
};

/**
 * Workaround for aws-powertools/powertools-lambda-typescript#5675 (fixed upstream in #5676, not yet
 * released as of 2.35.0): the middleware's onError deletes the idempotency record even when its own
 * `before` rejected the request (IdempotencyAlreadyInProgressError, IdempotencyValidationError). A
 * rejected concurrent duplicate would thus delete the original's lock (and a retry write twice); a
 * reused key with another body would delete the original's stored response. Here onError runs only
 * when `before` went through, i.e. when this request acquired the record.
 */
type IdempotencyMiddleware = ReturnType<typeof makeHandlerIdempotent>;
type IdempotencyRequest = Parameters<NonNullable<IdempotencyMiddleware['before']>>[0];

const onlyOwnRecordsDeleted = (inner: IdempotencyMiddleware): IdempotencyMiddleware => {
  const rejected = new WeakSet<IdempotencyRequest>();
  return {
    ...inner,
    before: async (request: IdempotencyRequest) => {
      try {
        return await inner.before?.(request);
      } catch (error) {
        rejected.add(request);
        throw error;
      }
    },
    onError: async (request: IdempotencyRequest) => {
      if (!rejected.has(request)) await inner.onError?.(request);
    },
  };
};

export const http = <B extends ZodType | undefined = undefined, P extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined>(
  options: HttpOptions<B, P, Q>,
  fn: (request: HttpRequest<B, P, Q>) => Promise<HttpResult>,
) => {
  const auth = options.auth ?? 'user';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const chain = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { correlationIdPath: 'requestContext.requestId', resetKeys: true }))
    .use(flushMetrics())
    .use(httpHeaderNormalizer())
    .use(problemMapper())
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

  if (options.idempotent) chain.use(idempotencyFor(options.idempotent));

  return chain.handler(async (event, context) => {
    const caller = callerFromEvent(event);
    if (auth !== 'none' && !caller) throw new HttpProblem(401, 'unauthorized', 'Unauthorized', 'A valid access token is required.');
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
};
