// Request and response schemas of the auth routes: validation in the handlers, and the OpenAPI
// document, from the same zod definitions. Emails are lower-cased: one address, one account.
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { integer, lineText, meta } from '#shared/schemas/helpers';

export const EmailSchema = meta(z.email().check(z.maxLength(254), z.toLowerCase()), { description: 'Account email (case-insensitive; stored lower-cased)' });

/** Checked at sign-up only (the user pool enforces the same policy); a login takes any password. */
const newPassword = meta(
  z.string().check(
    z.minLength(12),
    z.maxLength(256),
    z.refine((p) => /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p), {
      message: 'Use upper- and lower-case letters, a digit and a symbol',
    }),
  ),
  { description: '12–256 characters with upper- and lower-case letters, a digit and a symbol' },
);
const password = meta(z.string().check(z.minLength(1), z.maxLength(256)), { description: 'The account password' });
const name = meta(lineText(1, 100), { description: 'Display name (1–100 characters, one line, no control or invisible formatting characters)' });
const code = meta(z.string().check(z.regex(/^\d{4,10}$/, 'Expected the numeric code from the email')), { description: 'The emailed code' });
const refreshToken = meta(z.string().check(z.minLength(20), z.maxLength(8192), z.regex(/^[A-Za-z0-9_.-]+$/, 'Malformed token')), {
  description: 'A refresh token from login',
});

// ---- requests ----

export const RegisterInput = meta(z.strictObject({ email: EmailSchema, password: newPassword, name }), {
  id: 'RegisterInput',
  description: 'A new account; a confirmation code is emailed. Registering an address again replaces a sign-up that was never confirmed',
});

export const ConfirmInput = meta(z.strictObject({ email: EmailSchema, code }), { id: 'ConfirmInput', description: 'Confirm an account with its emailed code' });

export const LoginInput = meta(z.strictObject({ email: EmailSchema, password }), { id: 'LoginInput', description: 'Email and password' });

/** A TOTP code: 6 digits (RFC 6238, 30-second steps). */
export const TotpCodeSchema = meta(z.string().check(z.regex(/^\d{6}$/, 'Expected the 6-digit code from the authenticator app')), {
  description: 'The current 6-digit code of the authenticator app',
});
const mfaSession = meta(z.string().check(z.minLength(20), z.maxLength(2048), z.regex(/^[A-Za-z0-9_+/=.-]+$/, 'Malformed session')), {
  description: 'The `session` of the login answer that asked for the code',
});

export const LoginMfaInput = meta(z.strictObject({ email: EmailSchema, session: mfaSession, code: TotpCodeSchema }), {
  id: 'LoginMfaInput',
  description: 'The second step of a login with MFA: the challenge session and a current code',
});

export const RefreshInput = meta(z.strictObject({ refreshToken }), { id: 'RefreshInput', description: 'The refresh token of a session' });

export const LogoutInput = meta(z.strictObject({ refreshToken }), { id: 'LogoutInput', description: 'The refresh token to revoke' });

export const ResendCodeInput = meta(z.strictObject({ email: EmailSchema }), { id: 'ResendCodeInput', description: 'The email of a sign-up awaiting confirmation' });

export const ForgotPasswordInput = meta(z.strictObject({ email: EmailSchema }), { id: 'ForgotPasswordInput', description: 'The email of the account' });

export const ResetPasswordInput = meta(z.strictObject({ email: EmailSchema, code, password: newPassword }), {
  id: 'ResetPasswordInput',
  description: 'The emailed reset code and the new password',
});

export const ChangePasswordInput = meta(
  z.strictObject({ current: meta(password, { description: 'The current password' }), new: meta(newPassword, { description: 'The new password (the password policy applies)' }) }),
  { id: 'ChangePasswordInput', description: 'The current password and the new one' },
);

// ---- responses ----

/** The one answer of register, resend-code and forgot-password, whatever the address. */
export const AcceptedSchema = meta(z.object({ message: z.string() }), {
  id: 'Accepted',
  description: 'The request was taken; the same answer whether or not the email has an account',
});

export const ConfirmationSchema = meta(z.object({ confirmed: z.literal(true) }), { id: 'Confirmation' });

export const SessionSchema = meta(
  z.object({
    accessToken: meta(z.string(), { description: 'Send as `Authorization: Bearer <accessToken>`' }),
    idToken: z.string(),
    refreshToken: meta(z.string(), { description: 'Exchange at /v1/auth/refresh; revoke at /v1/auth/logout' }),
    expiresIn: meta(integer(), { description: 'Seconds until the access token expires' }),
    tokenType: z.literal('Bearer'),
  }),
  { id: 'Session', description: 'Tokens of a new session' },
);

export const MfaChallengeSchema = meta(
  z.object({
    challenge: meta(z.literal('totp'), { description: 'A code from the authenticator app is needed: POST /v1/auth/login/mfa' }),
    session: meta(z.string(), { description: 'Single use, valid for about 3 minutes' }),
  }),
  { id: 'MfaChallenge', description: 'The password was right; no token is issued before the second factor' },
);

export const LoginResultSchema = meta(z.union([SessionSchema, MfaChallengeSchema]), {
  id: 'LoginResult',
  description: 'Tokens, or (when the account has MFA on) a TOTP challenge',
});

export const RefreshedSessionSchema = meta(z.omit(SessionSchema, { refreshToken: true }), { id: 'RefreshedSession', description: 'New access and ID tokens' });
