// The identity provider port over Amazon Cognito (a public app client: no secret). The endpoint comes
// from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, so the same code talks to cognito-local offline.
// This is the ONE place that turns Cognito exceptions into domain errors.
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { TooManyRequests, Unauthorized, ValidationFailed } from '#shared/domain/errors';
import { logger } from '#shared/observability/powertools';
import {
  EmailTaken,
  InvalidCode,
  InvalidCredentials,
  PasswordChangeRefused,
  InvalidMfaCode,
  InvalidRefreshToken,
  MfaSessionExpired,
  PasswordResetRequired,
  SignInChallenge,
  UserNotConfirmed,
  type Account,
  type Identity,
  type IdentityProvider,
  type RefreshedSession,
  type Session,
  type SignedIn,
  type SignedInSession,
} from '#shared/domain/users';
import { AccessTokenRefused, ReauthenticationFailed, type AuthenticatorPort, type ReauthenticationPort } from '#shared/domain/mfa';
import type { AccountDirectoryPort } from '#shared/domain/account';
import { ADMIN_GROUP } from '#shared/http/caller';

export const cognito = new CognitoIdentityProviderClient({});

const clientId = (): string => {
  const id = process.env.USER_POOL_CLIENT_ID;
  if (!id) throw new Error('USER_POOL_CLIENT_ID is not set');
  return id;
};

const userPoolId = (): string => {
  const id = process.env.USER_POOL_ID;
  if (!id) throw new Error('USER_POOL_ID is not set');
  return id;
};

type Operation =
  | 'signUp'
  | 'confirmSignUp'
  | 'signIn'
  | 'answerTotp'
  | 'refresh'
  | 'revoke'
  | 'confirmForgotPassword'
  | 'changePassword'
  | 'authenticator'
  | 'verifyTotp';

const codeError = (message: string) => new ValidationFailed(message, [{ field: 'body.code', message }]);

/** Whatever went wrong with a code, and whatever the address, one answer: none of these may tell who has an account. */
const invalidCode = () => new InvalidCode();
const codeErrors = {
  CodeMismatchException: invalidCode,
  ExpiredCodeException: invalidCode,
  UserNotFoundException: invalidCode,
  // Cognito: an account that is already confirmed, or disabled.
  NotAuthorizedException: invalidCode,
  // Cognito counts wrong codes per account: saying so would tell that the account exists.
  TooManyFailedAttemptsException: invalidCode,
  LimitExceededException: invalidCode,
};

/** Cognito exception name → domain error, per operation. Anything not listed stays unexpected (a 500). */
const errorMap: Record<Operation, Record<string, (error: Error) => Error>> = {
  signUp: {
    UsernameExistsException: () => new EmailTaken(),
    AliasExistsException: () => new EmailTaken(),
    InvalidPasswordException: (error) =>
      new ValidationFailed('The password does not meet the password policy.', [{ field: 'body.password', message: error.message || 'Password does not meet the policy' }]),
  },
  confirmSignUp: codeErrors,
  confirmForgotPassword: {
    ...codeErrors,
    InvalidPasswordException: (error) =>
      new ValidationFailed('The password does not meet the password policy.', [{ field: 'body.password', message: error.message || 'Password does not meet the policy' }]),
  },
  changePassword: {
    // Cognito: a wrong current password; cognito-local says InvalidPasswordException for it (Cognito uses that name
    // for a new password that breaks the policy, which the request schema has already refused).
    NotAuthorizedException: () => new PasswordChangeRefused(),
    InvalidPasswordException: () => new PasswordChangeRefused(),
    // Cognito: too many wrong current passwords for this account.
    LimitExceededException: () => new TooManyRequests('Too many attempts to change the password; try again later.'),
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
  answerTotp: {
    CodeMismatchException: () => new InvalidMfaCode(),
    ExpiredCodeException: () => new InvalidMfaCode(),
    // Cognito: the session is unknown, spent or expired ("Invalid session for the user").
    NotAuthorizedException: () => new MfaSessionExpired(),
    UserNotFoundException: () => new MfaSessionExpired(),
    TooManyFailedAttemptsException: () => new TooManyRequests('Too many wrong codes; wait a while before trying again.'),
  },
  authenticator: {
    // The access token was revoked or the account is gone.
    NotAuthorizedException: () => new AccessTokenRefused(),
  },
  verifyTotp: {
    // Cognito answers a wrong code here with EnableSoftwareTokenMFAException; cognito-local with CodeMismatchException.
    EnableSoftwareTokenMFAException: () => codeError('The code from the authenticator app is incorrect; enter the current one.'),
    CodeMismatchException: () => codeError('The code from the authenticator app is incorrect; enter the current one.'),
    // No secret associated (or it was already verified and replaced): start again.
    InvalidParameterException: () => codeError('No enrolment is in progress: start one with POST /v1/me/mfa/totp.'),
    SoftwareTokenMFANotFoundException: () => codeError('No enrolment is in progress: start one with POST /v1/me/mfa/totp.'),
    NotAuthorizedException: () => new AccessTokenRefused(),
  },
  refresh: {
    NotAuthorizedException: () => new InvalidRefreshToken(),
    UserNotFoundException: () => new InvalidRefreshToken(),
    InvalidParameterException: () => new InvalidRefreshToken(),
  },
  revoke: {},
};

const throttled = new Set(['TooManyRequestsException', 'LimitExceededException']);

/**
 * Answers for calls whose outcome the API never reveals (resend-code, forgot-password): an unknown, confirmed,
 * unconfirmed or disabled account, or Cognito's per-account limits, all end the same way (nothing sent).
 */
const silently = new Set([
  'UserNotFoundException',
  'InvalidParameterException',
  'NotAuthorizedException',
  'LimitExceededException',
  'CodeDeliveryFailureException',
]);

/** An operation the emulator behind the endpoint lacks: cognito-local answers `Unsupported`; Cognito never does. */
const isUnsupported = (error: unknown) => (error as Error)?.name === 'Unsupported' && /unsupported/i.test((error as Error)?.message ?? '');

const quietly = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
  try {
    await fn();
  } catch (error) {
    const name = (error as Error)?.name ?? '';
    if (silently.has(name)) return;
    if (isUnsupported(error)) {
      logger.warn(`the identity provider does not support ${what}; nothing was sent`);
      return;
    }
    if (throttled.has(name)) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
    throw error;
  }
};

const accountStatus = (status: string | undefined): Account['status'] => {
  if (status === 'UNCONFIRMED') return 'pending';
  if (status === 'CONFIRMED' || status === 'RESET_REQUIRED') return 'active';
  return 'other';
};

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

const initiate = (email: string, password: string): Promise<InitiateAuthCommandOutput> =>
  cognito.send(new InitiateAuthCommand({ ClientId: clientId(), AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Tokens with their refresh token, whom they are for and their session; any other challenge is one this API does not offer. */
const signedIn = (result: AuthenticationResultType | undefined, challenge: string | undefined): SignedIn => {
  const session = authenticated(result, challenge);
  const refreshToken = result?.RefreshToken;
  if (!refreshToken) throw new Error('Cognito returned no refresh token');
  const identity = identityOf(session.idToken);
  if (!identity.userId) throw new Error('The ID token carries no sub');
  return { session: { ...session, refreshToken }, identity, token: sessionOf(session.accessToken) };
};

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

/** The access token of an `Authorization: Bearer <token>` header (the authorizer has already verified it). */
export const bearerToken = (header: string | undefined): string => {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) throw new Unauthorized('A bearer access token is required.');
  return match[1];
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
      const output = await initiate(email, password);
      if (output.ChallengeName === 'SOFTWARE_TOKEN_MFA' && output.Session) return { challenge: { challenge: 'totp' as const, session: output.Session } };
      return signedIn(output.AuthenticationResult, output.ChallengeName);
    }),

  answerTotp: ({ email, session, code }) =>
    call('answerTotp', async () => {
      const output = await cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId(),
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
      return signedIn(output.AuthenticationResult, output.ChallengeName);
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

  findAccount: async (email) => {
    try {
      const output = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId(), Username: email }));
      const attribute = (name: string) => output.UserAttributes?.find((a) => a.Name === name)?.Value;
      const userId = attribute('sub') ?? output.Username;
      if (!userId) return undefined;
      return { userId, email: (attribute('email') ?? email).toLowerCase(), name: attribute('name'), status: accountStatus(output.UserStatus), enabled: output.Enabled !== false };
    } catch (error) {
      if ((error as Error)?.name === 'UserNotFoundException') return undefined;
      if (throttled.has((error as Error)?.name ?? '')) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
      throw error;
    }
  },

  deletePendingAccount: async (userId) => {
    try {
      const current = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId(), Username: userId }));
      if (current.UserStatus !== 'UNCONFIRMED') return false;
      await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId(), Username: userId }));
      return true;
    } catch (error) {
      if ((error as Error)?.name === 'UserNotFoundException') return true; // replaced meanwhile: gone either way
      if (throttled.has((error as Error)?.name ?? '')) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
      throw error;
    }
  },

  /** cognito-local lacks ResendConfirmationCode; its code is fixed (CODE), so the code already sent stays right. */
  resendCode: (email) => quietly('ResendConfirmationCode', () => cognito.send(new ResendConfirmationCodeCommand({ ClientId: clientId(), Username: email }))),

  forgotPassword: (email) => quietly('ForgotPassword', () => cognito.send(new ForgotPasswordCommand({ ClientId: clientId(), Username: email }))),

  confirmForgotPassword: ({ email, code, password }) =>
    call('confirmForgotPassword', async () => {
      await cognito.send(new ConfirmForgotPasswordCommand({ ClientId: clientId(), Username: email, ConfirmationCode: code, Password: password }));
    }),

  changePassword: ({ accessToken, current, proposed }) =>
    call('changePassword', async () => {
      await cognito.send(new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: current, ProposedPassword: proposed }));
    }),
};

/** Revokes a refresh token made only to prove who someone is (a re-authentication), quietly. */
const discard = async (refreshToken: string | undefined): Promise<void> => {
  if (refreshToken) await cognitoIdentity.revoke(refreshToken);
};

/**
 * Re-authentication for sensitive changes (disabling MFA, deleting the account): a full sign-in with the password
 * and, when the account has MFA on and a code is given, the TOTP challenge. The tokens it yields are revoked at once.
 */
export const cognitoReauthentication: ReauthenticationPort = {
  reauthenticate: async ({ email, password, code }) => {
    let output: InitiateAuthCommandOutput;
    try {
      output = await initiate(email, password);
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'NotAuthorizedException' || name === 'UserNotFoundException' || name === 'InvalidPasswordException') throw new ReauthenticationFailed();
      if (throttled.has(name)) throw new TooManyRequests('Too many requests to the account service; retry shortly.');
      throw error;
    }
    if (output.ChallengeName === 'SOFTWARE_TOKEN_MFA' && output.Session && code !== undefined) {
      try {
        const answered = await cognito.send(
          new RespondToAuthChallengeCommand({ ClientId: clientId(), ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: output.Session, ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code } }),
        );
        await discard(answered.AuthenticationResult?.RefreshToken);
      } catch (error) {
        const name = (error as Error)?.name;
        if (name === 'CodeMismatchException' || name === 'ExpiredCodeException' || name === 'NotAuthorizedException') throw new ReauthenticationFailed('The code from the authenticator app');
        throw error;
      }
      return;
    }
    // The password is right: Cognito answered with tokens or with its MFA challenge (which is then left unanswered).
    await discard(output.AuthenticationResult?.RefreshToken);
  },
};

/** The caller's authenticator app, through Cognito's access-token operations (no IAM permission involved). */
export const cognitoAuthenticator: AuthenticatorPort = {
  status: (accessToken) =>
    call('authenticator', async () => {
      const user = await cognito.send(new GetUserCommand({ AccessToken: accessToken }));
      return { totpEnabled: (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA') };
    }),
  associate: (accessToken) =>
    call('authenticator', async () => {
      const output = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      if (!output.SecretCode) throw new Error('AssociateSoftwareToken returned no secret');
      return { secret: output.SecretCode };
    }),
  verify: (accessToken, code) =>
    call('verifyTotp', async () => {
      const output = await cognito.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code, FriendlyDeviceName: 'Authenticator app' }));
      if (output.Status !== 'SUCCESS') throw codeError('The code from the authenticator app is incorrect; enter the current one.');
    }),
  setTotp: (accessToken, enabled) =>
    call('authenticator', async () => {
      await cognito.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled } }));
    }),
};

const isUnknownUser = (error: unknown) => (error as Error)?.name === 'UserNotFoundException';

/** The account itself, by user id (its Cognito username): AdminGetUser and AdminDeleteUser. */
export const cognitoAccounts: AccountDirectoryPort = {
  exists: async (userId) => {
    try {
      await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId(), Username: userId }));
      return true;
    } catch (error) {
      if (isUnknownUser(error)) return false;
      throw error;
    }
  },
  delete: async (userId) => {
    try {
      await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId(), Username: userId }));
    } catch (error) {
      if (!isUnknownUser(error)) throw error; // already gone: deleting again is done
    }
  },
};
