// `Idempotency-Key` for the create routes (Powertools idempotency, records in our table). Only the
// handlers that use it import this module: with its DynamoDB persistence layer and the JMESPath
// engine it is ~37 KB of a bundle.
import type middy from '@middy/core';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { IdempotencyConfig, IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { dynamodb } from '#shared/store/client';
import { HttpProblem } from '#shared/http/problem';

type IdempotencyMiddleware = ReturnType<typeof makeHandlerIdempotent>;
type IdempotencyRequest = Parameters<NonNullable<IdempotencyMiddleware['before']>>[0];

/** What a client sees when its key is refused. */
const asProblem = (error: unknown): unknown => {
  if (error instanceof IdempotencyValidationError) {
    return new HttpProblem(422, 'idempotency-key-reused', 'Idempotency key reused', 'This Idempotency-Key was already used with a different body.');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new HttpProblem(409, 'request-in-progress', 'Request in progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', undefined, { 'retry-after': '1' });
  }
  return error;
};

/**
 * Workaround for aws-powertools/powertools-lambda-typescript#5675 (fixed upstream in #5676, not yet
 * released as of 2.35.0): the middleware's onError deletes the idempotency record even when its own
 * `before` rejected the request (IdempotencyAlreadyInProgressError, IdempotencyValidationError). A
 * rejected concurrent duplicate would thus delete the original's lock (and a retry write twice); a
 * reused key with another body would delete the original's stored response. Here onError runs only
 * when `before` went through, i.e. when this request acquired the record.
 */
const onlyOwnRecordsDeleted = (inner: IdempotencyMiddleware): IdempotencyMiddleware => {
  const rejected = new WeakSet<IdempotencyRequest>();
  return {
    ...inner,
    before: async (request: IdempotencyRequest) => {
      try {
        return await inner.before?.(request);
      } catch (error) {
        rejected.add(request);
        throw asProblem(error);
      }
    },
    onError: async (request: IdempotencyRequest) => {
      if (!rejected.has(request)) await inner.onError?.(request);
    },
  };
};

/** Makes a create route honour `Idempotency-Key`; `operation` scopes its stored records. */
export const idempotency = (operation: string): middy.MiddlewareObj =>
  onlyOwnRecordsDeleted(
    makeHandlerIdempotent({
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: process.env.TABLE_NAME ?? 'taskwell',
        awsSdkV3Client: dynamodb,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        staticPkValue: `IDEMPOTENCY#${operation}`,
        expiryAttr: 'expiresAt',
      }),
      config: new IdempotencyConfig({
        // Scoped to the caller; requests without the header are not made idempotent.
        eventKeyJmesPath: 'headers."idempotency-key" && [requestContext.authorizer.lambda.userId, headers."idempotency-key"]',
        payloadValidationJmesPath: 'body',
        throwOnNoIdempotencyKey: false,
        expiresAfterSeconds: 24 * 60 * 60,
      }),
    }),
  ) as middy.MiddlewareObj;
