// The decision of the Lambda authorizer (simple responses): a valid access token of an active user whose session
// has not ended. Pure over its ports: the token verifier, the access reader (profile + session state, ONE
// BatchGetItem) and the request counter, which runs in parallel with the read. The profile is read on every
// request, so disabling a user, revoking an admin and ending a session take effect on the next request even while
// the token's verification is cached. The request quota is not a denial here (a simple response can only answer
// 403): the context carries it, and the route's http() answers 429.
import type { AuthorizerContext } from '#shared/http/caller';
import { isAdministrator, type AdminProfile } from '#shared/domain/admin';
import { adminNeedsMfa } from '#shared/domain/mfa';
import { quotaState, type QuotaCount, type QuotaPolicy, type QuotaState } from '#shared/domain/quota';
import { isSessionEnded, type SessionState } from '#shared/domain/sessions';
import type { VerifiedToken } from '#shared/auth/token-verifier';

export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: AuthorizerContext;
}

export interface AuthorizePorts {
  verify: (token: string) => Promise<VerifiedToken>;
  /** The profile (with its admin flag) and the session state, in one round trip. */
  access: (userId: string, sessionId: string) => Promise<{ profile?: AdminProfile; sessions: SessionState }>;
  /** Counts the request; omitted: no quota. A failure lets the request through (the quota protects, it does not authorize). */
  quota?: { policy: QuotaPolicy; count: (userId: string, nowSeconds: number, windowSeconds: number) => Promise<QuotaCount> };
  /** The deployment requires MFA for admin rights: an admin without it keeps their own routes, not the admin ones. */
  adminMfaRequired?: boolean;
  now?: () => Date;
}

export type DenyReason = 'missing-token' | 'malformed-token' | 'invalid-token' | 'unknown-user' | 'disabled-user' | 'ended-session';

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i;
const MAX_HEADER_LENGTH = 8_192;

const quotaContext = (state: QuotaState | undefined): Partial<AuthorizerContext> =>
  state
    ? {
        quotaLimit: String(state.limit),
        quotaWindow: String(state.windowSeconds),
        quotaRemaining: String(state.remaining),
        quotaReset: String(state.resetSeconds),
        quotaExceeded: String(state.exceeded),
      }
    : {};

export const authorize = async (
  authorization: string | undefined,
  { verify, access, quota, adminMfaRequired = false, now = () => new Date() }: AuthorizePorts,
): Promise<{ result: AuthorizerResult; reason?: DenyReason; quotaError?: unknown }> => {
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
  const nowSeconds = Math.floor(now().getTime() / 1000);
  let quotaError: unknown;
  const counting = quota
    ? quota.count(token.sub, nowSeconds, quota.policy.windowSeconds).then(
        (counted) => quotaState(quota.policy, counted, nowSeconds),
        (error: unknown) => {
          quotaError = error;
          return undefined;
        },
      )
    : Promise.resolve(undefined);
  // Errors reading the profile propagate: the gateway answers 500, not a misleading 401.
  const [{ profile, sessions }, counted] = await Promise.all([access(token.sub, token.sessionId), counting]);
  if (!profile) return deny('unknown-user');
  if (profile.status !== 'active') return deny('disabled-user');
  if (isSessionEnded(token, sessions)) return deny('ended-session');
  const admin = isAdministrator(profile);
  const mfaMissing = adminNeedsMfa({ required: adminMfaRequired, isAdmin: admin, profile });
  return {
    result: {
      isAuthorized: true,
      context: {
        userId: token.sub,
        email: profile.email,
        groups: token.groups.join(','),
        admin: String(admin && !mfaMissing),
        ...(mfaMissing ? { adminMfaMissing: 'true' } : {}),
        sessionId: token.sessionId,
        ...quotaContext(counted),
      },
    },
    ...(quotaError === undefined ? {} : { quotaError }),
  };
};
