// The account directory's admin side over Amazon Cognito (the same client as shared/auth/cognito.ts; the endpoint
// comes from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, so it talks to cognito-local offline). Accounts are
// addressed by their `sub`, which is the user id and, in a pool whose users sign in with their email, also the
// Cognito username. Cognito's exceptions become domain errors here and nowhere else.
import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  type GroupType,
} from '@aws-sdk/client-cognito-identity-provider';
import { cognito } from '#shared/auth/cognito';
import type { UserDirectoryPort } from '#shared/domain/admin';
import { NotFound, TooManyRequests } from '#shared/domain/errors';
import { ADMIN_GROUP } from '#shared/http/caller';
import { logger } from '#shared/observability/powertools';

const userPoolId = (): string => {
  const id = process.env.USER_POOL_ID;
  if (!id) throw new Error('USER_POOL_ID is not set');
  return id;
};

const throttled = new Set(['TooManyRequestsException', 'LimitExceededException']);
const isUnknownUser = (error: unknown) => (error as Error)?.name === 'UserNotFoundException';

/** Runs a Cognito call: throttling becomes a 429, everything else unknown stays a 500. */
const call = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    if (throttled.has((error as Error)?.name ?? '')) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
    throw error;
  }
};

/** Runs a call for which an unknown account means there is nothing to do (disabling an account that is gone). */
const unlessUnknown = async (fn: () => Promise<unknown>): Promise<void> => {
  try {
    await call(fn);
  } catch (error) {
    if (!isUnknownUser(error)) throw error;
  }
};

const groupsOf = async (userId: string): Promise<GroupType[]> => {
  const groups: GroupType[] = [];
  let nextToken: string | undefined;
  do {
    const output = await call(() => cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId(), Username: userId, NextToken: nextToken })));
    groups.push(...(output.Groups ?? []));
    nextToken = output.NextToken;
  } while (nextToken);
  return groups;
};

/**
 * An operation the emulator behind the endpoint does not implement: cognito-local answers 500 with
 * `CognitoLocal#Unsupported` (the SDK names it `Unsupported`); Cognito itself never does.
 */
const isUnsupported = (error: unknown) => (error as Error)?.name === 'Unsupported' && /unsupported/i.test((error as Error)?.message ?? '');

export const cognitoDirectory: UserDirectoryPort = {
  isAdmin: async (userId) => {
    try {
      return (await groupsOf(userId)).some((g) => g.GroupName === ADMIN_GROUP);
    } catch (error) {
      if (isUnknownUser(error)) return false;
      throw error;
    }
  },

  disable: (userId) => unlessUnknown(() => cognito.send(new AdminDisableUserCommand({ UserPoolId: userPoolId(), Username: userId }))),

  enable: (userId) => unlessUnknown(() => cognito.send(new AdminEnableUserCommand({ UserPoolId: userPoolId(), Username: userId }))),

  /**
   * Revokes every refresh token of the account (AdminUserGlobalSignOut). cognito-local lacks the operation: there the
   * disabled profile alone keeps the user out (the authorizer refuses their tokens, login refuses them), which is
   * logged, not failed, so that the local stack can disable users at all.
   */
  signOutEverywhere: async (userId) => {
    try {
      await unlessUnknown(() => cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId(), Username: userId })));
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      logger.warn('the identity provider does not support AdminUserGlobalSignOut; refresh tokens were not revoked', { userId });
    }
  },

  grantAdmin: async (userId) => {
    try {
      await call(() => cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId(), Username: userId, GroupName: ADMIN_GROUP })));
    } catch (error) {
      if (isUnknownUser(error)) throw new NotFound('user', 'This user has no account in the user pool.');
      throw error;
    }
  },

  revokeAdmin: (userId) =>
    unlessUnknown(() => cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId(), Username: userId, GroupName: ADMIN_GROUP }))),
};
