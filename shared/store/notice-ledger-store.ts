// Which account notices an address got lately (shared/domain/users.ts `NoticeLedgerPort`): one item per address and
// kind, keyed by the same hash as the login lock, expiring through the table's TTL when its period is over.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { NoticeLedgerPort } from '#shared/domain/users';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { emailHash } from '#shared/store/login-attempts-store';
import { TABLE } from '#shared/store/table';

export const ACCOUNT_NOTICE_ENTITY = 'AccountNotice';

export const noticeLedger: NoticeLedgerPort = {
  /** One conditional PutItem: it wins when there is no record of this notice, or the last one is older than the period. */
  claim: async (email, kind, now, periodSeconds) => {
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.accountNotice(emailHash(email), kind), entity: ACCOUNT_NOTICE_ENTITY, sentAt: now, [TABLE.ttlAttribute]: now + periodSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :cutoff',
          ExpressionAttributeValues: { ':cutoff': now - periodSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
};
