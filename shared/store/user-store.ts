// User profiles on the single table. Two items per user (docs/data-model.md):
//   USER#<id> / PROFILE   entity User       the profile (+ GSI1 USERS / EMAIL#<email> for an admin search by prefix)
//   EMAIL#<email> / EMAIL entity UserEmail  the email's claim: at most one user per (lower-cased) address
// Both are written in ONE transaction, so an email is never half-claimed.
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change, UserProfile } from '#shared/domain/model';
import { DEFAULT_TIMEZONE, EmailTaken, type NewProfile, type ProfilePatch, type UserStorePort } from '#shared/domain/users';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';

export const USER_ENTITY = 'User';
export const USER_EMAIL_ENTITY = 'UserEmail';

type Item = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export const toUserProfile = (item: Item): UserProfile => ({
  id: str(item.id),
  email: str(item.email),
  name: str(item.name),
  timezone: str(item.timezone) || DEFAULT_TIMEZONE,
  status: item.status === 'disabled' ? 'disabled' : 'active',
  mfaEnabled: item.mfaEnabled === true,
  createdAt: str(item.createdAt),
  updatedAt: str(item.updatedAt),
  version: Number(item.version),
});

const isProfile = (item: Item | undefined): item is Item => !!item && item.entity === USER_ENTITY;

const getItem = async (key: { pk: string; sk: string }, consistent = false): Promise<Item | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: consistent }))).Item as Item | undefined;

/** The profile of a user, or undefined. One GetItem (the authorizer calls this on every request). */
const get = async (userId: string, options: { consistent?: boolean } = {}): Promise<UserProfile | undefined> => {
  const item = await getItem(keys.user(userId), options.consistent);
  return isProfile(item) ? toUserProfile(item) : undefined;
};

/** The profile that holds an email address (case-insensitive), or undefined. */
const findByEmail = async (email: string): Promise<UserProfile | undefined> => {
  const claim = await getItem(keys.email(email), true);
  if (!claim || claim.entity !== USER_EMAIL_ENTITY || typeof claim.userId !== 'string') return undefined;
  return get(claim.userId, { consistent: true });
};

/** Creates the profile and claims its email in one transaction; EmailTaken when the email or the id is taken. */
const create = async (input: NewProfile, change: Change): Promise<UserProfile> => {
  const email = input.email.toLowerCase();
  const profile: UserProfile = {
    id: input.id,
    email,
    name: input.name,
    timezone: input.timezone ?? DEFAULT_TIMEZONE,
    status: 'active',
    mfaEnabled: false,
    createdAt: change.at,
    updatedAt: change.at,
    version: 1,
  };
  const stamp = { modifiedBy: change.actorId, requestId: change.requestId };
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.user(profile.id), ...keys.userIndex(email), entity: USER_ENTITY, ...profile, ...stamp },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.email(email), entity: USER_EMAIL_ENTITY, email, userId: profile.id, createdAt: change.at, version: 1, ...stamp },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return profile;
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      if (reasons[1]?.Code === 'ConditionalCheckFailed') throw new EmailTaken();
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new Conflict('This account already has a profile.');
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
        throw new Conflict('Another change to this account was being made at the same time; nothing was changed. Retry.');
      }
    }
    throw error;
  }
};

/** The profile of `input.id`; created as given when missing (a concurrent creation of the same profile wins quietly). */
const ensure = async (input: NewProfile, change: Change): Promise<UserProfile> => {
  const existing = await get(input.id, { consistent: true });
  if (existing) return existing;
  try {
    return await create(input, change);
  } catch (error) {
    if (error instanceof Conflict) {
      const raced = await get(input.id, { consistent: true });
      if (raced) return raced;
    }
    throw error;
  }
};

const oldImage = (item: Record<string, AttributeValue> | undefined): Item | undefined => (item ? (unmarshall(item) as Item) : undefined);

/**
 * The one versioned write of a profile: sets `fields` (undefined ones are left alone), `version + 1`, the change's
 * stamp, when the stored profile is at `expectedVersion`. Answers the new item; NotFound / Conflict otherwise.
 * Used by PATCH /v1/me and by the admin routes (shared/store/admin-user-store.ts).
 */
export const updateProfileItem = async (
  userId: string,
  fields: Record<string, unknown>,
  expectedVersion: number,
  change: Change,
  messages: { notFound: string; conflictHint: string },
): Promise<Item> => {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt', '#modifiedBy': 'modifiedBy', '#requestId': 'requestId', '#entity': 'entity' };
  const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1, ':at': change.at, ':by': change.actorId, ':req': change.requestId, ':entity': USER_ENTITY };
  const sets = ['#version = #version + :one', '#updatedAt = :at', '#modifiedBy = :by', '#requestId = :req'];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.user(userId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#entity = :entity AND #version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return Attributes as Item;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      const current = oldImage(error.Item);
      if (!isProfile(current)) throw new NotFound('user', messages.notFound);
      throw new Conflict(`The profile was changed meanwhile: it is at version ${Number(current.version)}, not ${expectedVersion}.${messages.conflictHint}`, {
        currentVersion: Number(current.version),
      });
    }
    throw error;
  }
};

/** Applies `patch` when the stored profile is at `expectedVersion`; NotFound / Conflict otherwise. */
const update = async (userId: string, patch: ProfilePatch, expectedVersion: number, change: Change): Promise<UserProfile> =>
  toUserProfile(
    await updateProfileItem(userId, { name: patch.name, timezone: patch.timezone }, expectedVersion, change, {
      notFound: 'Your profile was not found.',
      conflictHint: ' Reload it and retry.',
    }),
  );

/** Conditional deletes that find nothing to delete (another user's claim, no profile) are not failures here. */
const deleteIf = async (key: { pk: string; sk: string }, condition: string, values: Record<string, unknown>): Promise<void> => {
  try {
    await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: key, ConditionExpression: condition, ExpressionAttributeValues: values }));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/**
 * Removes the profile of a sign-up that was never confirmed and the email claim that names it. Only profiles made at
 * sign-up by earlier versions exist for such accounts; no event follows (a removed profile maps to none).
 */
const discardPending = async (userId: string, email: string): Promise<void> => {
  await deleteIf(keys.email(email), 'entity = :claim AND userId = :id', { ':claim': USER_EMAIL_ENTITY, ':id': userId });
  await deleteIf(keys.user(userId), 'entity = :user AND id = :id', { ':user': USER_ENTITY, ':id': userId });
};

/**
 * Mirrors the identity provider's MFA state on the profile (so the authorizer can apply the admin MFA rule without a
 * Cognito call). Not versioned: the provider is the source of truth and the last switch wins; a missing profile is NotFound.
 */
const setMfaEnabled = async (userId: string, enabled: boolean, change: Change): Promise<void> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.user(userId),
        UpdateExpression: 'SET #mfa = :mfa, #version = #version + :one, #updatedAt = :at, #modifiedBy = :by, #requestId = :req',
        ConditionExpression: '#entity = :entity',
        ExpressionAttributeNames: { '#mfa': 'mfaEnabled', '#version': 'version', '#updatedAt': 'updatedAt', '#modifiedBy': 'modifiedBy', '#requestId': 'requestId', '#entity': 'entity' },
        ExpressionAttributeValues: { ':mfa': enabled, ':one': 1, ':at': change.at, ':by': change.actorId, ':req': change.requestId, ':entity': USER_ENTITY },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new NotFound('user', 'Your profile was not found.');
    throw error;
  }
};

/**
 * Login's copy of the identity provider's admin group to the profile: a versioned change (the audit log records it)
 * made only when the flag differs; no write lands when it already agrees or the profile is gone.
 */
const syncAdmin = async (userId: string, isAdmin: boolean, change: Change): Promise<void> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.user(userId),
        UpdateExpression: 'SET #isAdmin = :isAdmin, #version = #version + :one, #updatedAt = :at, #modifiedBy = :by, #requestId = :req',
        // An absent flag is `false`: a plain user's first login writes nothing.
        ConditionExpression: isAdmin ? '#entity = :entity AND (attribute_not_exists(#isAdmin) OR #isAdmin <> :isAdmin)' : '#entity = :entity AND #isAdmin = :wasAdmin',
        ExpressionAttributeNames: {
          '#isAdmin': 'isAdmin',
          '#version': 'version',
          '#updatedAt': 'updatedAt',
          '#modifiedBy': 'modifiedBy',
          '#requestId': 'requestId',
          '#entity': 'entity',
        },
        ExpressionAttributeValues: {
          ':isAdmin': isAdmin,
          ':one': 1,
          ':at': change.at,
          ':by': change.actorId,
          ':req': change.requestId,
          ':entity': USER_ENTITY,
          ...(isAdmin ? {} : { ':wasAdmin': true }),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

export const userStore: UserStorePort & { get: typeof get; setMfaEnabled: typeof setMfaEnabled } = { get, findByEmail, create, ensure, update, discardPending, syncAdmin, setMfaEnabled };
