// Accounts and profiles: the auth use cases and /v1/me. Pure: the identity provider (Cognito) and the
// user store (DynamoDB) are ports handed in by the handlers; nothing here knows about AWS.
import { Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, ValidationFailed } from '#shared/domain/errors';
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
  /**
   * Removes the profile of a sign-up that was never confirmed, and its email claim if it still names that user
   * (profiles made at sign-up before profiles waited for confirmation); nothing when there is none.
   */
  discardPending(userId: string, email: string): Promise<void>;
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

/** A sign-in that needs a code from the authenticator app before any token is issued. */
export interface MfaChallenge {
  challenge: 'totp';
  /** Opaque, single-use, valid for about 3 minutes: send it back with the code to POST /v1/auth/login/mfa. */
  session: string;
}

/** A completed sign-in: the tokens, who signed in, and the session the tokens belong to. */
export interface SignedIn {
  session: Session;
  identity: Identity;
  token: SignedInSession;
}

export type SignInOutcome = SignedIn | { challenge: MfaChallenge };

/**
 * The account directory (implemented by shared/auth/cognito.ts over Cognito). Its failures are
 * already domain errors: Conflict (email taken), ValidationFailed (weak password, wrong code),
 * Unauthorized (bad credentials, bad refresh token), Forbidden (`user-not-confirmed`).
 */
export interface IdentityProvider {
  signUp(input: { email: string; password: string; name: string }): Promise<{ userId: string; confirmed: boolean }>;
  /** InvalidCode for a wrong or expired code, an unknown address and an account that is already confirmed alike. */
  confirmSignUp(input: { email: string; code: string }): Promise<void>;
  /** Tokens, or a TOTP challenge when the account has MFA on. */
  signIn(input: { email: string; password: string }): Promise<SignInOutcome>;
  /** Answers a TOTP challenge: tokens for the right code (InvalidMfaCode / MfaSessionExpired otherwise). */
  answerTotp(input: { email: string; session: string; code: string }): Promise<SignedIn>;
  refresh(refreshToken: string): Promise<{ session: RefreshedSession; token: SignedInSession }>;
  revoke(refreshToken: string): Promise<void>;
  /** The account that holds an address (read with admin rights), or undefined. */
  findAccount(email: string): Promise<Account | undefined>;
  /**
   * Deletes an account if it is still a pending sign-up (read again just before, so a sign-up confirmed meanwhile
   * is kept); answers whether it deleted it.
   */
  deletePendingAccount(userId: string): Promise<boolean>;
  /** Sends a new sign-up code to a pending account; silently nothing for an unknown or confirmed address. */
  resendCode(email: string): Promise<void>;
  /** Emails a password-reset code; silently nothing for an address that cannot reset. */
  forgotPassword(email: string): Promise<void>;
  /** Sets a new password with an emailed reset code; InvalidCode when the code is wrong, expired or not for this address. */
  confirmForgotPassword(input: { email: string; code: string; password: string }): Promise<void>;
  /** Changes the password of the session's user; PasswordChangeRefused when the current password is wrong. */
  changePassword(input: { accessToken: string; current: string; proposed: string }): Promise<void>;
}

/** An account as the identity provider holds it. */
export interface Account {
  userId: string;
  email: string;
  name?: string;
  /** `pending`: signed up, never confirmed; `active`: confirmed (or must reset its password); `other`: any state this API does not create. */
  status: 'pending' | 'active' | 'other';
  enabled: boolean;
}

/** Tells the owner of an address that someone tried to register it (they already have an account). */
export interface AccountNoticesPort {
  registrationAttempted(email: string): Promise<void>;
}

/** Which notices an address got lately: `claim` answers true (and records it) when none of `kind` was sent within the period. */
export interface NoticeLedgerPort {
  claim(email: string, kind: string, now: number, periodSeconds: number): Promise<boolean>;
}

/** At most one "someone tried to register" notice per address per period, so register cannot be used to flood a mailbox. */
export const NOTICE_PERIOD_SECONDS = 60 * 60;

/** The failed-login counter of an address (epoch seconds). */
export interface LoginAttempts {
  failures: number;
  windowStartedAt: number;
  lockedUntil?: number;
}

/** Failed logins per address (implemented by shared/store/login-attempts-store.ts, keyed by a hash of the address). */
export interface LoginAttemptsPort {
  get(email: string): Promise<LoginAttempts | undefined>;
  /** Counts a failure in the current window (or opens a new one); answers the failures in the window. */
  recordFailure(email: string, now: number, windowSeconds: number): Promise<number>;
  lock(email: string, until: number): Promise<void>;
  clear(email: string): Promise<void>;
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

/** The one answer to a wrong, expired or misdirected code (sign-up or reset): it says nothing about the address. */
export class InvalidCode extends ValidationFailed {
  override readonly code = 'invalid-code';
  constructor() {
    super('The code is incorrect or has expired, or nothing awaits a code for this email.', [{ field: 'body.code', message: 'Incorrect or expired code' }]);
  }
}

export class PasswordChangeRefused extends ValidationFailed {
  override readonly code = 'password-change-refused';
  constructor() {
    super('The current password is incorrect, or the new password is not accepted.', [{ field: 'body.current', message: 'Incorrect password' }]);
  }
}

/** Too many failed logins for this address: every login (even with the right password) waits until the lock ends. */
export class LoginLocked extends TooManyRequests {
  override readonly code = 'login-locked';
  constructor(retryAfterSeconds: number) {
    super('Too many failed logins for this email: try again later, or reset the password (POST /v1/auth/forgot-password).', retryAfterSeconds);
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
  sessions: SessionStorePort;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

/** A change made by the user themself (or, before they have an id, by the system on their behalf). */
export const selfChange = (userId: string, requestId: string, at = new Date()): Change => ({ actorId: userId, requestId, at: at.toISOString() });

/** What register, resend-code and forgot-password answer, whatever the address: nothing here tells who has an account. */
export const ACCEPTED = {
  register: 'If this email can be registered, a confirmation code is on its way to it. Confirm with POST /v1/auth/confirm.',
  resendCode: 'If a sign-up awaits confirmation for this email, a new code is on its way to it.',
  forgotPassword: 'If an account can reset its password with this email, a reset code is on its way to it. Use it with POST /v1/auth/reset-password.',
} as const;

/**
 * Signs the address up; the answer is the same whatever the address's state, so it cannot be used to learn who has
 * an account. The rules:
 * - a new address: a pending sign-up is created and the provider emails its code;
 * - an address whose sign-up was never confirmed: that sign-up is REPLACED (new password, new name, new code to
 *   the address). Only the mailbox's owner receives the code, so a stranger's pending sign-up cannot hold an address;
 * - an address of a confirmed account: nothing changes; its owner gets a notice by email instead.
 * No profile exists before confirmation (see confirmRegistration), so a pending sign-up is nobody in the API.
 */
export const register = async (
  { identity, users, notices, ledger }: Pick<AuthPorts, 'identity' | 'users'> & { notices: AccountNoticesPort; ledger: NoticeLedgerPort },
  input: RegisterInput,
  at = new Date(),
): Promise<{ message: string }> => {
  const existing = await identity.findAccount(input.email);
  if (existing && existing.status !== 'pending') {
    if (await ledger.claim(input.email, 'registration-attempted', epochSeconds(at), NOTICE_PERIOD_SECONDS)) await notices.registrationAttempted(input.email);
    return { message: ACCEPTED.register };
  }
  if (existing) {
    // Confirmed between the two reads: it is an account now, and the answer stays the same.
    if (!(await identity.deletePendingAccount(existing.userId))) return { message: ACCEPTED.register };
    await users.discardPending(existing.userId, input.email);
  }
  try {
    await identity.signUp(input);
  } catch (error) {
    // Another registration of the same address won the race: the answer stays the same.
    if (!(error instanceof EmailTaken)) throw error;
  }
  return { message: ACCEPTED.register };
};

/**
 * Confirms a pending sign-up with its emailed code and creates the profile: from here on the account exists in the
 * API (it can be found by email, added to projects, listed by admins).
 */
export const confirmRegistration = async ({ identity, users }: Pick<AuthPorts, 'identity' | 'users'>, input: { email: string; code: string }, requestId: string): Promise<{ confirmed: true }> => {
  await identity.confirmSignUp(input);
  const account = await identity.findAccount(input.email);
  if (account) {
    await users.ensure(
      { id: account.userId, email: account.email || input.email, name: account.name || nameFromEmail(input.email), timezone: DEFAULT_TIMEZONE },
      selfChange(account.userId, requestId),
    );
  }
  return { confirmed: true };
};

export const resendCode = async ({ identity }: Pick<AuthPorts, 'identity'>, email: string): Promise<{ message: string }> => {
  const account = await identity.findAccount(email);
  if (account?.status === 'pending') await identity.resendCode(email);
  return { message: ACCEPTED.resendCode };
};

/** Login throttling per address: this many failures within the window lock the address for the lock's length. */
export const LOGIN_THROTTLE = { maxFailures: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 } as const;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Refuses any login (or password check) of an address while it is locked. */
const assertNotLocked = async (attempts: LoginAttemptsPort, email: string, now: number): Promise<LoginAttempts | undefined> => {
  const state = await attempts.get(email);
  if (state?.lockedUntil !== undefined && state.lockedUntil > now) throw new LoginLocked(state.lockedUntil - now);
  return state;
};

/** Counts a failed password for an address, locking it at the limit. */
const countFailure = async (attempts: LoginAttemptsPort, email: string, now: number): Promise<void> => {
  const failures = await attempts.recordFailure(email, now, LOGIN_THROTTLE.windowSeconds);
  if (failures >= LOGIN_THROTTLE.maxFailures) await attempts.lock(email, now + LOGIN_THROTTLE.lockSeconds);
};

/**
 * Exchanges credentials for tokens, or, when the account has MFA on, for a TOTP challenge to answer at
 * POST /v1/auth/login/mfa (no token before the second factor). An address with too many recent failures is locked:
 * every login is refused with LoginLocked until the lock ends, the right password included, and unknown addresses
 * are counted exactly like real ones. The profile is created from the ID token's claims when missing (accounts made
 * outside the API); a profile an admin disabled gets no tokens.
 */
export const login = async (
  { identity, users, sessions, attempts }: AuthPorts & { attempts: LoginAttemptsPort },
  input: { email: string; password: string },
  requestId: string,
  at = new Date(),
): Promise<Session | MfaChallenge> => {
  const now = epochSeconds(at);
  const state = await assertNotLocked(attempts, input.email, now);
  let outcome: SignInOutcome;
  try {
    outcome = await identity.signIn(input);
  } catch (error) {
    if (error instanceof InvalidCredentials) await countFailure(attempts, input.email, now);
    throw error;
  }
  // The password was right: the failures so far no longer count, whether or not a second factor follows.
  if (state && state.failures > 0) await attempts.clear(input.email);
  if ('challenge' in outcome) return outcome.challenge;
  return admit({ users, sessions }, outcome, input.email, requestId);
};

/** The second step of an MFA sign-in: the challenge's session and a current code → tokens. */
export const loginWithMfa = async ({ identity, users, sessions }: AuthPorts, input: { email: string; session: string; code: string }, requestId: string): Promise<Session> =>
  admit({ users, sessions }, await identity.answerTotp(input), input.email, requestId);

/**
 * Lets a signed-in user in. The profile is created from the ID token's claims when missing (accounts made outside
 * the API); a profile an admin disabled gets no tokens. The profile's admin flag takes the identity provider's group
 * (fresh from this sign-in): that is how the first admin, added to the group outside the API, becomes one. The new
 * session is registered as begun after any earlier "end every session".
 */
const admit = async ({ users, sessions }: Pick<AuthPorts, 'users' | 'sessions'>, { session, identity: who, token }: SignedIn, email: string, requestId: string): Promise<Session> => {
  const change = selfChange(who.userId, requestId);
  const profile = await users.ensure(
    { id: who.userId, email: who.email || email, name: who.name || nameFromEmail(who.email || email), timezone: DEFAULT_TIMEZONE },
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

// ---- password reset and change ----------------------------------------------------------------------

/** Emails a reset code to a confirmed, enabled account; the answer is the same for every address. */
export const forgotPassword = async ({ identity }: Pick<AuthPorts, 'identity'>, email: string): Promise<{ message: string }> => {
  const account = await identity.findAccount(email);
  // A pending sign-up resets nothing (its owner registers again); a disabled account gets no code.
  if (account && account.status === 'active' && account.enabled) await identity.forgotPassword(email);
  return { message: ACCEPTED.forgotPassword };
};

/**
 * Sets a new password with an emailed reset code, then ends every session of the account (whoever held the old
 * password is out) and lifts a login lock (the mailbox's owner proved who they are). A wrong or expired code, an
 * unknown address and a pending sign-up all get the same InvalidCode.
 */
export const resetPassword = async (
  { identity, attempts, ...sessionPorts }: SessionPorts & { identity: IdentityProvider; attempts: LoginAttemptsPort },
  input: { email: string; code: string; password: string },
): Promise<void> => {
  const account = await identity.findAccount(input.email);
  if (!account || account.status !== 'active' || !account.enabled) throw new InvalidCode();
  await identity.confirmForgotPassword(input);
  await endSessions(sessionPorts, account.userId);
  await attempts.clear(input.email);
};

/**
 * Changes the caller's password, proving the current one; every other session of the user ends, the caller's own
 * goes on. Wrong current passwords count towards the address's login lock, so a stolen session cannot be used to
 * guess the password faster than a login could.
 */
export const changePassword = async (
  { identity, users, attempts, ...sessionPorts }: SessionPorts & { identity: IdentityProvider; users: Pick<UserStorePort, 'get'>; attempts: LoginAttemptsPort },
  caller: { userId: string; sessionId: string; accessToken: string },
  input: { current: string; new: string },
  at = new Date(),
): Promise<void> => {
  const profile = await users.get(caller.userId);
  if (!profile) throw profileNotFound();
  const now = epochSeconds(at);
  await assertNotLocked(attempts, profile.email, now);
  try {
    await identity.changePassword({ accessToken: caller.accessToken, current: input.current, proposed: input.new });
  } catch (error) {
    if (error instanceof PasswordChangeRefused) await countFailure(attempts, profile.email, now);
    throw error;
  }
  await endSessions(sessionPorts, caller.userId, { keep: caller.sessionId }, at);
};

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
