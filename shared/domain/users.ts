// Accounts and profiles: the auth use cases and /v1/me. Pure: the identity provider (Cognito) and the
// user store (DynamoDB) are ports handed in by the handlers; nothing here knows about AWS.
import { Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed } from '#shared/domain/errors';
import type { Change, UserProfile } from '#shared/domain/model';

export const DEFAULT_TIMEZONE = 'UTC';

// ---- ports --------------------------------------------------------------------------------------

export interface NewProfile {
  id: string;
  email: string;
  name: string;
  timezone?: string;
}

export interface ProfilePatch {
  name?: string;
  timezone?: string;
}

/** The profiles on the table (implemented by shared/store/user-store.ts). */
export interface UserStorePort {
  get(userId: string): Promise<UserProfile | undefined>;
  findByEmail(email: string): Promise<UserProfile | undefined>;
  /** Creates the profile and claims its email in one transaction; Conflict (`email-taken`) when either exists. */
  create(profile: NewProfile, change: Change): Promise<UserProfile>;
  /** The profile of `profile.id`, created as given when there is none. */
  ensure(profile: NewProfile, change: Change): Promise<UserProfile>;
  /** Applies `patch` when the profile is at `expectedVersion`; NotFound / Conflict (stale) otherwise. */
  update(userId: string, patch: ProfilePatch, expectedVersion: number, change: Change): Promise<UserProfile>;
}

/** Who the identity provider says a freshly signed-in user is (from its ID token). */
export interface Identity {
  userId: string;
  email: string;
  name?: string;
}

export interface Session {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export type RefreshedSession = Omit<Session, 'refreshToken'>;

/** A sign-in that needs a code from the authenticator app before any token is issued. */
export interface MfaChallenge {
  challenge: 'totp';
  /** Opaque, single-use, valid for about 3 minutes: send it back with the code to POST /v1/auth/login/mfa. */
  session: string;
}

export type SignInOutcome = { session: Session; identity: Identity } | { challenge: MfaChallenge };

/**
 * The account directory (implemented by shared/auth/cognito.ts over Cognito). Its failures are
 * already domain errors: Conflict (email taken), ValidationFailed (weak password, wrong code),
 * Unauthorized (bad credentials, bad refresh token), Forbidden (`user-not-confirmed`).
 */
export interface IdentityProvider {
  signUp(input: { email: string; password: string; name: string }): Promise<{ userId: string; confirmed: boolean }>;
  confirmSignUp(input: { email: string; code: string }): Promise<void>;
  /** Tokens, or a TOTP challenge when the account has MFA on. */
  signIn(input: { email: string; password: string }): Promise<SignInOutcome>;
  /** Answers a TOTP challenge: tokens for the right code (InvalidMfaCode / MfaSessionExpired otherwise). */
  answerTotp(input: { email: string; session: string; code: string }): Promise<{ session: Session; identity: Identity }>;
  refresh(refreshToken: string): Promise<RefreshedSession>;
  revoke(refreshToken: string): Promise<void>;
}

// ---- errors with a stable, specific problem type --------------------------------------------------

export class EmailTaken extends Conflict {
  override readonly code = 'email-taken';
  constructor() {
    super('An account with this email already exists.');
  }
}

export class UserNotConfirmed extends Forbidden {
  override readonly code = 'user-not-confirmed';
  constructor() {
    super('This account is not confirmed yet: confirm it with the code that was emailed (POST /v1/auth/confirm).');
  }
}

export class UserDisabled extends Forbidden {
  override readonly code = 'user-disabled';
  constructor() {
    super('This account has been disabled by an administrator.');
  }
}

/** Cognito wants more than a password (a new password, MFA): this API does not offer that flow. */
export class SignInChallenge extends Forbidden {
  override readonly code = 'sign-in-challenge';
  constructor(challenge: string) {
    super(`This account must complete a ${challenge} step that this API does not support; ask an administrator.`);
  }
}

export class PasswordResetRequired extends Forbidden {
  override readonly code = 'password-reset-required';
  constructor() {
    super('This account must reset its password before logging in.');
  }
}

export class InvalidRefreshToken extends Unauthorized {
  override readonly code = 'invalid-refresh-token';
  constructor() {
    super('The refresh token is invalid, expired or revoked: log in again.');
  }
}

export class InvalidMfaCode extends Unauthorized {
  override readonly code = 'invalid-mfa-code';
  constructor() {
    super('The code from the authenticator app is incorrect; try the current one.');
  }
}

export class MfaSessionExpired extends Unauthorized {
  override readonly code = 'mfa-session-expired';
  constructor() {
    super('This sign-in session is invalid, expired or already used: log in again with your email and password.');
  }
}

export class InvalidCredentials extends Unauthorized {
  override readonly code = 'invalid-credentials';
  constructor() {
    super('Incorrect email or password.');
  }
}

// ---- use cases ----------------------------------------------------------------------------------

export interface AuthPorts {
  identity: IdentityProvider;
  users: UserStorePort;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

export interface Registration {
  userId: string;
  email: string;
  name: string;
  confirmed: boolean;
}

/** A change made by the user themself (or, before they have an id, by the system on their behalf). */
export const selfChange = (userId: string, requestId: string, at = new Date()): Change => ({ actorId: userId, requestId, at: at.toISOString() });

/**
 * Signs the user up with the identity provider, then creates their profile under the id it issued.
 * An email that already has a profile is a Conflict before anything is sent to the provider.
 */
export const register = async ({ identity, users }: AuthPorts, input: RegisterInput, requestId: string): Promise<Registration> => {
  if (await users.findByEmail(input.email)) throw new EmailTaken();
  const account = await identity.signUp(input);
  const profile = await users.ensure({ id: account.userId, email: input.email, name: input.name, timezone: DEFAULT_TIMEZONE }, selfChange(account.userId, requestId));
  return { userId: profile.id, email: profile.email, name: profile.name, confirmed: account.confirmed };
};

export const confirmRegistration = async ({ identity }: Pick<AuthPorts, 'identity'>, input: { email: string; code: string }): Promise<{ confirmed: true }> => {
  await identity.confirmSignUp(input);
  return { confirmed: true };
};

/**
 * Exchanges credentials for tokens — or, when the account has MFA on, for a TOTP challenge to answer at
 * POST /v1/auth/login/mfa (no token before the second factor). The profile is created from the ID token's claims when
 * missing (accounts made outside /v1/auth/register); a profile an admin disabled gets no tokens.
 */
export const login = async ({ identity, users }: AuthPorts, input: { email: string; password: string }, requestId: string): Promise<Session | MfaChallenge> => {
  const outcome = await identity.signIn(input);
  if ('challenge' in outcome) return outcome.challenge;
  return admit(users, outcome, input.email, requestId);
};

/** The second step of an MFA sign-in: the challenge's session and a current code → tokens. */
export const loginWithMfa = async ({ identity, users }: AuthPorts, input: { email: string; session: string; code: string }, requestId: string): Promise<Session> =>
  admit(users, await identity.answerTotp(input), input.email, requestId);

const admit = async (users: UserStorePort, { session, identity: who }: { session: Session; identity: Identity }, email: string, requestId: string): Promise<Session> => {
  const profile = await users.ensure(
    { id: who.userId, email: who.email || email, name: who.name || nameFromEmail(who.email || email), timezone: DEFAULT_TIMEZONE },
    selfChange(who.userId, requestId),
  );
  if (profile.status === 'disabled') throw new UserDisabled();
  return session;
};

export const refreshSession = ({ identity }: Pick<AuthPorts, 'identity'>, refreshToken: string): Promise<RefreshedSession> => identity.refresh(refreshToken);

export const logout = ({ identity }: Pick<AuthPorts, 'identity'>, refreshToken: string): Promise<void> => identity.revoke(refreshToken);

/** A display name for an account that came without one: the email's local part. */
export const nameFromEmail = (email: string): string => (email.split('@')[0] || 'user').slice(0, 100);

// ---- /v1/me -------------------------------------------------------------------------------------

const profileNotFound = () => new NotFound('user', 'Your profile was not found.');

export const getMe = async (users: Pick<UserStorePort, 'get'>, userId: string): Promise<UserProfile> => {
  const profile = await users.get(userId);
  if (!profile) throw profileNotFound();
  return profile;
};

/** The canonical name of an IANA time zone (`europe/berlin` → `Europe/Berlin`), or undefined when unknown. */
export const canonicalTimeZone = (zone: string): string | undefined => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
};

/** Whether `zone` is an IANA time zone this runtime knows. */
export const isTimeZone = (zone: string): boolean => canonicalTimeZone(zone) !== undefined;

export const updateMe = async (users: Pick<UserStorePort, 'update'>, userId: string, patch: ProfilePatch, expectedVersion: number, change: Change): Promise<UserProfile> => {
  const timezone = patch.timezone === undefined ? undefined : canonicalTimeZone(patch.timezone);
  if (patch.timezone !== undefined && timezone === undefined) {
    throw new ValidationFailed('The timezone is not a known IANA time zone.', [{ field: 'body.timezone', message: 'Unknown IANA time zone, e.g. Europe/Berlin' }]);
  }
  return users.update(userId, { name: patch.name, timezone }, expectedVersion, change);
};
