// The sessions port (shared/domain/users.ts): ending every session of a user but one. The identity provider's
// global sign-out (shared/auth/cognito.ts) already revokes the refresh tokens; what remains is refusing the access
// tokens issued before, which only the request authorizer can do. Until that mechanism is wired here, access tokens
// issued before a password reset or change stay valid until they expire (at most 1 hour), and this adapter logs it.
import type { SessionsPort } from '#shared/domain/users';
import { logger } from '#shared/observability/powertools';

export const sessions: SessionsPort = {
  endAll: async (userId, options) => {
    logger.info('sessions ended: refresh tokens revoked by the identity provider; earlier access tokens expire on their own', {
      userId,
      keptSession: options?.keep !== undefined,
    });
  },
};
