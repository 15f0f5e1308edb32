// Multi-factor authentication with an authenticator app (TOTP, RFC 6238): enrol, verify, disable, status, and the
// rule that admin rights may need it. Pure: the authenticator directory (Cognito, shared/auth/cognito.ts) and the
// profiles (mirroring `mfaEnabled`) are ports handed in by the handlers.
import { Conflict, Forbidden, Unauthorized } from '#shared/domain/errors';
import type { Change, UserProfile } from '#shared/domain/model';

/** The issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'Taskwell';

/**
 * The caller's authenticator in the identity provider, addressed by their own access token (Cognito authorises
 * these calls with the token, not with IAM). Wrong codes are domain errors already (ValidationFailed on body.code).
 */
export interface AuthenticatorPort {
  /** Whether sign-in asks for a TOTP code. */
  status(accessToken: string): Promise<{ totpEnabled: boolean }>;
  /** Starts an enrolment: a new secret (base32) that the app must prove it holds before MFA is on. */
  associate(accessToken: string): Promise<{ secret: string }>;
  /** Checks a code of the associated secret and marks it verified. */
  verify(accessToken: string, code: string): Promise<void>;
  /** Switches TOTP sign-in on (and preferred) or off. */
  setTotp(accessToken: string, enabled: boolean): Promise<void>;
}

/** Proves the person holding the access token knows the password (and, when MFA is on, a current code). */
export interface ReauthenticationPort {
  reauthenticate(input: { email: string; password: string; code?: string }): Promise<void>;
}

export interface MfaProfilePort {
  get(userId: string): Promise<UserProfile | undefined>;
  /** Mirrors the provider's MFA state on the profile (no version check: the provider is the source of truth). */
  setMfaEnabled(userId: string, enabled: boolean, change: Change): Promise<void>;
}

export interface MfaStatus {
  totp: { enabled: boolean };
}

export interface TotpEnrolment {
  /** The shared secret, base32 (type it into the app if the QR code cannot be scanned). */
  secret: string;
  /** `otpauth://totp/…` (Key URI format): render it as a QR code. */
  uri: string;
  algorithm: 'SHA1';
  digits: 6;
  period: 30;
}

export class MfaAlreadyEnabled extends Conflict {
  override readonly code = 'mfa-already-enabled';
  constructor() {
    super('An authenticator app is already enabled: disable it first (DELETE /v1/me/mfa/totp) to enrol another.');
  }
}

/** The identity provider no longer accepts the caller's access token (revoked, or the account is gone). */
export class AccessTokenRefused extends Unauthorized {
  override readonly code = 'access-token-refused';
  constructor() {
    super('The account service refused this access token: log in again.');
  }
}

export class ReauthenticationFailed extends Forbidden {
  override readonly code = 'reauthentication-failed';
  constructor(what = 'The password') {
    super(`${what} did not confirm your identity; nothing was changed.`);
  }
}

/** The Key URI of an authenticator app entry (the de-facto `otpauth://` format): label `issuer:account`. */
export const totpUri = (secret: string, account: string, issuer = TOTP_ISSUER): string => {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${params.toString()}`;
};

export const mfaStatus = async (authenticator: Pick<AuthenticatorPort, 'status'>, accessToken: string): Promise<MfaStatus> => ({
  totp: { enabled: (await authenticator.status(accessToken)).totpEnabled },
});

/** Step 1: a new secret for the app. Refused while an authenticator is enabled (re-enrolling would replace it unseen). */
export const enrolTotp = async (authenticator: AuthenticatorPort, accessToken: string, email: string): Promise<TotpEnrolment> => {
  if ((await authenticator.status(accessToken)).totpEnabled) throw new MfaAlreadyEnabled();
  const { secret } = await authenticator.associate(accessToken);
  return { secret, uri: totpUri(secret, email), algorithm: 'SHA1', digits: 6, period: 30 };
};

/** Step 2: a code from the app proves it holds the secret; sign-in asks for a code from then on. */
export const verifyTotp = async (
  { authenticator, profiles }: { authenticator: AuthenticatorPort; profiles: MfaProfilePort },
  accessToken: string,
  code: string,
  change: Change,
): Promise<MfaStatus> => {
  await authenticator.verify(accessToken, code);
  await authenticator.setTotp(accessToken, true);
  await profiles.setMfaEnabled(change.actorId, true, change);
  return { totp: { enabled: true } };
};

/**
 * Switches the authenticator off, confirmed by the password and a current code (a stolen access token alone cannot
 * remove the second factor; Cognito checks a code of an enabled authenticator only within a sign-in, so both go
 * through one). Disabling what is off is not an error, but still needs the password.
 */
export const disableTotp = async (
  { authenticator, reauth, profiles }: { authenticator: AuthenticatorPort; reauth: ReauthenticationPort; profiles: MfaProfilePort },
  accessToken: string,
  input: { email: string; password: string; code: string },
  change: Change,
): Promise<MfaStatus> => {
  await reauth.reauthenticate(input);
  await authenticator.setTotp(accessToken, false);
  await profiles.setMfaEnabled(change.actorId, false, change);
  return { totp: { enabled: false } };
};

/** Whether a deployment setting (ADMIN_MFA_REQUIRED) asks admins to use MFA: `true`/`1`/`yes`, anything else no. */
export const isAdminMfaRequired = (setting: string | undefined): boolean => /^(true|1|yes)$/i.test((setting ?? '').trim());

/**
 * The rule the authorizer applies to admin rights: true when the deployment requires MFA for admins, the caller is
 * an admin, and their profile has no authenticator enabled — then admin routes must be refused (403 `mfa-required`)
 * while their own /v1/me routes stay open, so they can enrol.
 */
export const adminNeedsMfa = (input: { required: boolean; isAdmin: boolean; profile: Pick<UserProfile, 'mfaEnabled'> }): boolean =>
  input.required && input.isAdmin && input.profile.mfaEnabled !== true;

export class MfaRequired extends Forbidden {
  override readonly code = 'mfa-required';
  constructor() {
    super('Admin rights need multi-factor authentication: enable an authenticator app (POST /v1/me/mfa/totp) and log in again.');
  }
}
