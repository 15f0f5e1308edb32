// The identity provider port over Amazon Cognito (a public app client: no secret). The endpoint comes
// from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, so the same code talks to cognito-local offline.
// This is the ONE place that turns Cognito exceptions into domain errors.
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TooManyRequests, ValidationFailed } from '#shared/domain/errors';
import {
  EmailTaken,
  InvalidCredentials,
  InvalidRefreshToken,
  PasswordResetRequired,
  SignInChallenge,
  UserNotConfirmed,
  type Identity,
  type IdentityProvider,
  type RefreshedSession,
  type SignedInSession,
} from '#shared/domain/users';
import { ADMIN_GROUP } from '#shared/http/caller';

export const cognito = new CognitoIdentityProviderClient({});

const clientId = (): string => {
  const id = process.env.USER_POOL_CLIENT_ID;
  if (!id) throw new Error('USER_POOL_CLIENT_ID is not set');
  return id;
};

type Operation = 'signUp' | 'confirmSignUp' | 'signIn' | 'refresh' | 'revoke';

const codeError = (message: string) => new ValidationFailed(message, [{ field: 'body.code', message }]);

/** Cognito exception name → domain error, per operation. Anything not listed stays unexpected (a 500). */
const errorMap: Record<Operation, Record<string, (error: Error) => Error>> = {
  signUp: {
    UsernameExistsException: () => new EmailTaken(),
    AliasExistsException: () => new EmailTaken(),
    InvalidPasswordException: (error) =>
      new ValidationFailed('The password does not meet the password policy.', [{ field: 'body.password', message: error.message || 'Password does not meet the policy' }]),
  },
  confirmSignUp: {
    CodeMismatchException: () => codeError('The confirmation code is incorrect.'),
    ExpiredCodeException: () => codeError('The confirmation code has expired or was already used.'),
    // Unknown email, or (in Cognito) an account that is already confirmed: say nothing more.
    UserNotFoundException: () => codeError('No account awaiting confirmation matches this email and code.'),
    NotAuthorizedException: () => codeError('No account awaiting confirmation matches this email and code.'),
    TooManyFailedAttemptsException: () => new TooManyRequests('Too many wrong codes; wait a while before trying again.'),
  },
  signIn: {
    // The same answer whether the email is unknown or the password wrong (cognito-local says
    // InvalidPasswordException for a wrong password; Cognito says NotAuthorizedException).
    NotAuthorizedException: () => new InvalidCredentials(),
    UserNotFoundException: () => new InvalidCredentials(),
    InvalidPasswordException: () => new InvalidCredentials(),
    UserNotConfirmedException: () => new UserNotConfirmed(),
    PasswordResetRequiredException: () => new PasswordResetRequired(),
  },
  refresh: {
    NotAuthorizedException: () => new InvalidRefreshToken(),
    UserNotFoundException: () => new InvalidRefreshToken(),
    InvalidParameterException: () => new InvalidRefreshToken(),
  },
  revoke: {},
};

const throttled = new Set(['TooManyRequestsException', 'LimitExceededException']);

/** Runs a Cognito call, mapping its known exceptions to domain errors. */
const call = async <T>(operation: Operation, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    const name = (error as Error)?.name ?? '';
    const mapped = errorMap[operation][name];
    if (mapped) throw mapped(error as Error);
    if (throttled.has(name)) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
    throw error;
  }
};

/**
 * Claims of a token Cognito just handed us over TLS in answer to our own call: read, not verified
 * (every request that later presents a token goes through the authorizer's verifier).
 */
const claimsOf = (jwt: string): Record<string, unknown> => decomposeUnverifiedJwt(jwt).payload as Record<string, unknown>;

/** Seconds until the access token expires: Cognito's ExpiresIn, else the token's own exp (cognito-local omits ExpiresIn). */
const expiresIn = (result: AuthenticationResultType, accessToken: string): number => {
  if (typeof result.ExpiresIn === 'number') return result.ExpiresIn;
  const exp = claimsOf(accessToken).exp;
  return typeof exp === 'number' ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 3600;
};

const authenticated = (result: AuthenticationResultType | undefined, challenge: string | undefined): RefreshedSession => {
  if (!result?.AccessToken || !result.IdToken) throw new SignInChallenge(challenge ?? 'sign-in');
  return { accessToken: result.AccessToken, idToken: result.IdToken, expiresIn: expiresIn(result, result.AccessToken), tokenType: 'Bearer' };
};

const str = (value: unknown) => (typeof value === 'string' ? value : '');

const identityOf = (idToken: string): Identity => {
  const claims = claimsOf(idToken);
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  return { userId: str(claims.sub), email: str(claims.email).toLowerCase(), name: str(claims.name) || undefined, isAdmin: groups.includes(ADMIN_GROUP) };
};

/** The session of an access token: `origin_jti` and `auth_time` (the verifier's fallbacks: `jti`, `iat`). */
const sessionOf = (accessToken: string): SignedInSession => {
  const claims = claimsOf(accessToken);
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : Number(claims.iat ?? 0);
  return { userId: str(claims.sub), sessionId: str(claims.origin_jti) || str(claims.jti), authTime };
};

export const cognitoIdentity: IdentityProvider = {
  signUp: ({ email, password, name }) =>
    call('signUp', async () => {
      const output = await cognito.send(
        new SignUpCommand({
          ClientId: clientId(),
          Username: email,
          Password: password,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'name', Value: name },
          ],
        }),
      );
      if (!output.UserSub) throw new Error('SignUp returned no UserSub');
      return { userId: output.UserSub, confirmed: output.UserConfirmed === true };
    }),

  confirmSignUp: ({ email, code }) =>
    call('confirmSignUp', async () => {
      await cognito.send(new ConfirmSignUpCommand({ ClientId: clientId(), Username: email, ConfirmationCode: code }));
    }),

  signIn: ({ email, password }) =>
    call('signIn', async () => {
      const output = await cognito.send(
        new InitiateAuthCommand({ ClientId: clientId(), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
      );
      const session = authenticated(output.AuthenticationResult, output.ChallengeName);
      const refreshToken = output.AuthenticationResult?.RefreshToken;
      if (!refreshToken) throw new Error('InitiateAuth returned no refresh token');
      const identity = identityOf(session.idToken);
      if (!identity.userId) throw new Error('The ID token carries no sub');
      return { session: { ...session, refreshToken }, identity, token: sessionOf(session.accessToken) };
    }),

  refresh: (refreshToken) =>
    call('refresh', async () => {
      const output = await cognito.send(
        new InitiateAuthCommand({ ClientId: clientId(), AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }),
      );
      const session = authenticated(output.AuthenticationResult, output.ChallengeName);
      return { session, token: sessionOf(session.accessToken) };
    }),

  /**
   * Revokes a refresh token (and the tokens issued from it). Revoking a token that is unknown or
   * already revoked is not an error (RFC 7009 §2.2): logging out twice is still logged out.
   */
  revoke: (refreshToken) =>
    call('revoke', async () => {
      try {
        await cognito.send(new RevokeTokenCommand({ ClientId: clientId(), Token: refreshToken }));
      } catch (error) {
        const name = (error as Error)?.name;
        if (name === 'NotAuthorizedException' || name === 'UnauthorizedException' || name === 'UnsupportedTokenTypeException' || name === 'InvalidParameterException') return;
        throw error;
      }
    }),
};
