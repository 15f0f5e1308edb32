// Failed logins per address, for the login throttle (shared/domain/users.ts decides the policy). One item per
// address, `LOGINATTEMPTS#<sha256(lower-cased email)>`, that expires through the table's TTL once its window and
// any lock are over. Every address gets the same treatment whether or not an account has it.
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { LoginAttempts, LoginAttemptsPort } from '#shared/domain/users';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { TABLE } from '#shared/store/table';

export const LOGIN_ATTEMPTS_ENTITY = 'LoginAttempts';

/** The key of an address: a hash, so the table names no address (case-insensitive, as emails are). */
export const emailHash = (email: string): string => createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex');

const key = (email: string) => keys.loginAttempts(emailHash(email));

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

const get = async (email: string): Promise<LoginAttempts | undefined> => {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: key(email), ConsistentRead: true }));
  if (!Item || Item.entity !== LOGIN_ATTEMPTS_ENTITY) return undefined;
  return { failures: num(Item.failures) ?? 0, windowStartedAt: num(Item.windowStartedAt) ?? 0, lockedUntil: num(Item.lockedUntil) };
};

/**
 * Counts one failure in the window that began within `windowSeconds` before `now` (epoch seconds), or starts a new
 * window. Atomic: concurrent failures are all counted. Answers the failures of the current window.
 */
const recordFailure = async (email: string, now: number, windowSeconds: number): Promise<number> => {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const { Attributes } = await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key(email),
          UpdateExpression: 'ADD failures :one SET #ttl = :ttl',
          ConditionExpression: 'windowStartedAt > :cutoff',
          ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':one': 1, ':cutoff': now - windowSeconds, ':ttl': now + windowSeconds * 2 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return num(Attributes?.failures) ?? 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...key(email), entity: LOGIN_ATTEMPTS_ENTITY, failures: 1, windowStartedAt: now, [TABLE.ttlAttribute]: now + windowSeconds * 2 },
          ConditionExpression: 'attribute_not_exists(pk) OR windowStartedAt <= :cutoff',
          ExpressionAttributeValues: { ':cutoff': now - windowSeconds },
        }),
      );
      return 1;
    } catch (error) {
      // Another failure opened the new window meanwhile: count this one in it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new Error('login attempts: could not record a failure after 3 tries');
};

/** Locks the address until `until` (epoch seconds); the failures start again from zero once the lock ends. */
const lock = async (email: string, until: number): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...key(email), entity: LOGIN_ATTEMPTS_ENTITY, failures: 0, windowStartedAt: until, lockedUntil: until, [TABLE.ttlAttribute]: until + 60 },
    }),
  );
};

const clear = async (email: string): Promise<void> => {
  await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: key(email) }));
};

export const loginAttemptsStore: LoginAttemptsPort = { get, recordFailure, lock, clear };
