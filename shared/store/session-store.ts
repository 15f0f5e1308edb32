// Session bookkeeping on the single table (docs/data-model.md), beside the profile so that the authorizer reads
// the profile, the user's cutoff and the session's mark in ONE BatchGetItem:
//   USER#<id> / SESSIONS            entity UserSessions  endedThrough (epoch s) and generation of the last "end every session"
//   USER#<id> / SESSION#<sessionId> entity UserSession   ended, or keptGeneration; TTL expiresAt
// These are not profile writes: no `version` bump (clients use it for If-Match), and the event mapper knows no such
// entity, while the outbox mapping's filter keeps their stream records from invoking the publisher at all.
import { TransactWriteCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AdminProfile } from '#shared/domain/admin';
import { UNPUBLISHED_ENTITIES } from '#shared/events/outbox';
import type { SessionState, SessionStorePort } from '#shared/domain/sessions';
import { batchGetItems } from '#shared/store/batch-get';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { toUserProfile, USER_ENTITY } from '#shared/store/user-store';

export const SESSIONS_ENTITY = UNPUBLISHED_ENTITIES.sessions;
export const SESSION_ENTITY = UNPUBLISHED_ENTITIES.session;

/**
 * How long a session's mark is kept: as long as a token of the session can be used, i.e. the refresh token's
 * lifetime (30 days, lib/stateful-stack.ts) plus a day. After that the refresh token is dead anyway.
 */
export const SESSION_MARK_TTL_SECONDS = 31 * 24 * 3600;

type Item = Record<string, unknown>;

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

const stateOf = (cutoff: Item | undefined, mark: Item | undefined): SessionState => ({
  ...(num(cutoff?.endedThrough) !== undefined ? { endedThrough: num(cutoff?.endedThrough) } : {}),
  generation: num(cutoff?.generation) ?? 0,
  ...(mark ? { session: { ended: mark.ended === true, ...(num(mark.keptGeneration) !== undefined ? { keptGeneration: num(mark.keptGeneration) } : {}) } } : {}),
});

const isEntity = (item: Item | undefined, entity: string, sk: string): item is Item => !!item && item.entity === entity && item.sk === sk;

/**
 * What the authorizer needs about a caller, in one BatchGetItem (strongly consistent, so that a logout, a revoke or a
 * disable is seen by the very next request): the profile with its admin flag, and the session state.
 */
export const readAccess = async (userId: string, sessionId: string): Promise<{ profile?: AdminProfile; sessions: SessionState }> => {
  const requested = [keys.user(userId), keys.sessions(userId), ...(sessionId ? [keys.session(userId, sessionId)] : [])];
  const items = await batchGetItems(requested, { consistent: true });
  const find = (sk: string, entity: string) => items.find((item) => isEntity(item, entity, sk));
  const profileItem = find('PROFILE', USER_ENTITY);
  const profile = profileItem ? { ...toUserProfile(profileItem), ...(typeof profileItem.isAdmin === 'boolean' ? { isAdmin: profileItem.isAdmin } : {}) } : undefined;
  const mark = sessionId ? find(keys.session(userId, sessionId).sk, SESSION_ENTITY) : undefined;
  return { ...(profile ? { profile } : {}), sessions: stateOf(find('SESSIONS', SESSIONS_ENTITY), mark) };
};

const state = async (userId: string, sessionId: string): Promise<SessionState> => (await readAccess(userId, sessionId)).sessions;

const expiry = (at: Date) => Math.floor(at.getTime() / 1000) + SESSION_MARK_TTL_SECONDS;

const end = async (userId: string, sessionId: string, at: Date): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.session(userId, sessionId), entity: SESSION_ENTITY, ended: true, endedAt: at.toISOString(), expiresAt: expiry(at) },
    }),
  );
};

const keep = async (userId: string, sessionId: string, generation: number, at: Date): Promise<void> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.session(userId, sessionId), entity: SESSION_ENTITY, keptGeneration: generation, keptAt: at.toISOString(), expiresAt: expiry(at) },
        // A session that has ended stays ended.
        ConditionExpression: 'attribute_not_exists(ended)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

const MAX_END_ALL_ATTEMPTS = 5;

/** Moves the cutoff to `at` and the generation one on (conditionally on the generation read), keeping `keep` in the same transaction. */
const endAll = async (userId: string, at: Date, keepSession?: string): Promise<void> => {
  const through = Math.floor(at.getTime() / 1000);
  for (let attempt = 1; ; attempt++) {
    const current = await state(userId, keepSession ?? '');
    if (keepSession && current.session?.ended) keepSession = undefined; // an ended session is not brought back
    const generation = current.generation + 1;
    const update = {
      TableName: tableName(),
      Key: keys.sessions(userId),
      UpdateExpression: 'SET #entity = :entity, endedThrough = :through, generation = :next, endedAt = :at',
      ConditionExpression: current.generation === 0 ? 'attribute_not_exists(generation)' : 'generation = :current',
      ExpressionAttributeNames: { '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':entity': SESSIONS_ENTITY,
        // Never move the cutoff back (a clock behind the last one).
        ':through': Math.max(through, current.endedThrough ?? 0),
        ':next': generation,
        ':at': at.toISOString(),
        ...(current.generation === 0 ? {} : { ':current': current.generation }),
      },
    };
    try {
      if (!keepSession) {
        await documentClient.send(new UpdateCommand(update));
      } else {
        await documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: update },
              {
                Put: {
                  TableName: tableName(),
                  Item: { ...keys.session(userId, keepSession), entity: SESSION_ENTITY, keptGeneration: generation, keptAt: at.toISOString(), expiresAt: expiry(at) },
                  ConditionExpression: 'attribute_not_exists(ended)',
                },
              },
            ],
          }),
        );
      }
      return;
    } catch (error) {
      const raced = error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException;
      if (raced && attempt < MAX_END_ALL_ATTEMPTS) continue;
      throw error;
    }
  }
};

export const sessionStore: SessionStorePort = { state, end, endAll, keep };
