// The per-user request counter (docs/data-model.md): USER#<id> / QUOTA, entity RequestQuota, one item per user that
// holds the current window (windowStart, epoch s) and its count; TTL expiresAt once the window is over. Counting is
// ONE UpdateItem (ADD) while the window is open; the first request after it closes restarts it with one conditional
// Put. No stream record of it reaches the publisher (the outbox mapping's filter drops the entity).
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { QuotaCount } from '#shared/domain/quota';
import { UNPUBLISHED_ENTITIES } from '#shared/events/outbox';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';

export const QUOTA_ENTITY = UNPUBLISHED_ENTITIES.requestQuota;

const MAX_ATTEMPTS = 3;

/** Counts one request of `userId` at `nowSeconds` in a window of `windowSeconds`; answers the count so far and the window's start. */
export const countRequest = async (userId: string, nowSeconds: number, windowSeconds: number): Promise<QuotaCount> => {
  const key = keys.requestQuota(userId);
  const opensAfter = nowSeconds - windowSeconds;
  for (let attempt = 1; ; attempt++) {
    try {
      const { Attributes } = await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'ADD #count :one',
          ConditionExpression: 'windowStart > :opensAfter',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':opensAfter': opensAfter },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { count: Number(Attributes?.count), windowStart: Number(Attributes?.windowStart) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // No counter, or its window is over: open a new one (unless a concurrent request just did).
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...key, entity: QUOTA_ENTITY, windowStart: nowSeconds, count: 1, expiresAt: nowSeconds + 2 * windowSeconds },
          ConditionExpression: 'attribute_not_exists(windowStart) OR windowStart <= :opensAfter',
          ExpressionAttributeValues: { ':opensAfter': opensAfter },
        }),
      );
      return { count: 1, windowStart: nowSeconds };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
};
