// The decision of the Lambda authorizer (simple responses): a valid access token of an active user.
// Pure over its ports: the token verifier and the user store. The profile is read on every request
// (one GetItem), so disabling a user takes effect on their next request even while their token is cached.
import type { AuthorizerContext } from '#shared/http/caller';
import type { UserStorePort } from '#shared/domain/users';
import type { VerifiedToken } from '#shared/auth/token-verifier';

export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: AuthorizerContext;
}

export interface AuthorizePorts {
  verify: (token: string) => Promise<VerifiedToken>;
  users: Pick<UserStorePort, 'get'>;
}

export type DenyReason = 'missing-token' | 'malformed-token' | 'invalid-token' | 'unknown-user' | 'disabled-user';

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i;
const MAX_HEADER_LENGTH = 8_192;

export const authorize = async (
  authorization: string | undefined,
  { verify, users }: AuthorizePorts,
): Promise<{ result: AuthorizerResult; reason?: DenyReason }> => {
  const deny = (reason: DenyReason) => ({ result: { isAuthorized: false }, reason });
  if (!authorization) return deny('missing-token');
  const match = authorization.length <= MAX_HEADER_LENGTH ? BEARER.exec(authorization) : null;
  if (!match?.[1]) return deny('malformed-token');
  let token: VerifiedToken;
  try {
    token = await verify(match[1]);
  } catch {
    return deny('invalid-token');
  }
  // Errors reading the profile propagate: the gateway answers 500, not a misleading 401.
  const profile = await users.get(token.sub);
  if (!profile) return deny('unknown-user');
  if (profile.status !== 'active') return deny('disabled-user');
  return { result: { isAuthorized: true, context: { userId: token.sub, email: profile.email, groups: token.groups.join(',') } } };
};
