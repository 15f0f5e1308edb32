// Accounts and profiles: the auth use cases and /v1/me. Pure: the identity provider (Cognito) and the
// user store (DynamoDB) are ports handed in by the handlers; nothing here knows about AWS.
import { Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed } from '#shared/domain/errors';
import type { Change, UserProfile } from '#shared/domain/model';
import { endSession, endSessions, isSessionEnded, startSession, type SessionPorts, type SessionStorePort, type TokenSession } from '#shared/domain/sessions';

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
  /** Sets the admin flag (a versioned profile change) when it differs; nothing otherwise. */
  syncAdmin(userId: string, isAdmin: boolean, change: Change): Promise<void>;
}

/** Who the identity provider says a freshly signed-in user is (from its ID token). */
export interface Identity {
  userId: string;
  email: string;
  name?: string;
  /** Whether the ID token puts the user in the admins group (login copies it to the profile's flag). */
  isAdmin: boolean;
}

/** The session a token belongs to, with its user. */
export interface SignedInSession extends TokenSession {
  userId: string;
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

/**
 * The account directory (implemented by shared/auth/cognito.ts over Cognito). Its failures are
 * already domain errors: Conflict (email taken), ValidationFailed (weak password, wrong code),
 * Unauthorized (bad credentials, bad refresh token), Forbidden (`user-not-confirmed`).
 */
export interface IdentityProvider {
  signUp(input: { email: string; password: string; name: string }): Promise<{ userId: string; confirmed: boolean }>;
  confirmSignUp(input: { email: string; code: string }): Promise<void>;
  signIn(input: { email: string; password: string }): Promise<{ session: Session; identity: Identity; token: SignedInSession }>;
  refresh(refreshToken: string): Promise<{ session: RefreshedSession; token: SignedInSession }>;
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
  sessions: SessionStorePort;
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
export const register = async ({ identity, users }: Pick<AuthPorts, 'identity' | 'users'>, input: RegisterInput, requestId: string): Promise<Registration> => {
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
 * Exchanges credentials for tokens. The profile is created from the ID token's claims when missing
 * (accounts made outside /v1/auth/register); a profile an admin disabled gets no tokens. The profile's admin flag
 * takes the identity provider's group (fresh from this sign-in): that is how the first admin, added to the group
 * outside the API, becomes one. The new session is registered as begun after any earlier "end every session".
 */
export const login = async ({ identity, users, sessions }: AuthPorts, input: { email: string; password: string }, requestId: string): Promise<Session> => {
  const { session, identity: who, token } = await identity.signIn(input);
  const change = selfChange(who.userId, requestId);
  const profile = await users.ensure(
    { id: who.userId, email: who.email || input.email, name: who.name || nameFromEmail(who.email || input.email), timezone: DEFAULT_TIMEZONE },
    change,
  );
  if (profile.status === 'disabled') throw new UserDisabled();
  await Promise.all([users.syncAdmin(who.userId, who.isAdmin, change), startSession(sessions, token.userId, token)]);
  return session;
};

/** New access and ID tokens for a refresh token, unless its session has ended (then the refresh token is revoked too). */
export const refreshSession = async ({ identity, sessions }: Pick<AuthPorts, 'identity' | 'sessions'>, refreshToken: string): Promise<RefreshedSession> => {
  const { session, token } = await identity.refresh(refreshToken);
  if (isSessionEnded(token, await sessions.state(token.userId, token.sessionId))) {
    await identity.revoke(refreshToken);
    throw new InvalidRefreshToken();
  }
  return session;
};

/**
 * Ends the session of a refresh token: every access token of it is refused from its next request, and the refresh
 * token is revoked. The refresh token alone does not say its session (Cognito's are opaque), so one refresh learns
 * it. A refresh token that no longer works has nothing left to end: logging out twice is still logged out.
 */
export const logout = async ({ identity, sessions }: Pick<AuthPorts, 'identity' | 'sessions'>, refreshToken: string, now = new Date()): Promise<void> => {
  let token: SignedInSession | undefined;
  try {
    token = (await identity.refresh(refreshToken)).token;
  } catch (error) {
    if (!(error instanceof Unauthorized)) throw error;
  }
  if (token) await endSession(sessions, token.userId, token.sessionId, now);
  await identity.revoke(refreshToken);
};

/** "Log out everywhere": ends every session of the caller, this one included. */
export const logoutEverywhere = (ports: SessionPorts, userId: string, now = new Date()): Promise<void> => endSessions(ports, userId, {}, now);

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
