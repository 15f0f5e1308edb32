// The caller's own access token, for the identity provider's self-service operations (Cognito authorises
// AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference and GetUser with it). The authorizer has
// already verified it; this only takes it out of the Authorization header.
import { Unauthorized } from '#shared/domain/errors';

class MissingAccessToken extends Unauthorized {
  override readonly code = 'missing-token';
}

export const accessTokenOf = (headers: Record<string, string | undefined>): string => {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) throw new MissingAccessToken('Send your access token as `Authorization: Bearer <accessToken>`.');
  return match[1];
};
