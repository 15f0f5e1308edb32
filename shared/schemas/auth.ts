// Request and response schemas of the auth routes: validation in the handlers, and the OpenAPI
// document, from the same zod definitions. Emails are lower-cased: one address, one account.
// A namespace import lets esbuild drop what we don't use (zod's locales alone are ~260 KB).
import * as z from 'zod';

export const EmailSchema = z.email().max(254).toLowerCase().meta({ description: 'Account email (case-insensitive; stored lower-cased)' });

/** Checked at sign-up only (the user pool enforces the same policy); a login takes any password. */
const newPassword = z
  .string()
  .min(12)
  .max(256)
  .refine((p) => /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p), {
    message: 'Use upper- and lower-case letters, a digit and a symbol',
  })
  .meta({ description: '12–256 characters with upper- and lower-case letters, a digit and a symbol' });
const password = z.string().min(1).max(256).meta({ description: 'The account password' });
const name = z.string().trim().min(1).max(100).meta({ description: 'Display name (1–100 characters)' });
const code = z.string().regex(/^\d{4,10}$/, 'Expected the numeric code from the confirmation email').meta({ description: 'The emailed confirmation code' });
const refreshToken = z.string().min(20).max(8192).regex(/^[A-Za-z0-9_.-]+$/, 'Malformed token').meta({ description: 'A refresh token from login' });

// ---- requests ----

export const RegisterInput = z
  .object({ email: EmailSchema, password: newPassword, name })
  .strict()
  .meta({ id: 'RegisterInput', description: 'A new account; a confirmation code is emailed' });

export const ConfirmInput = z
  .object({ email: EmailSchema, code })
  .strict()
  .meta({ id: 'ConfirmInput', description: 'Confirm an account with its emailed code' });

export const LoginInput = z
  .object({ email: EmailSchema, password })
  .strict()
  .meta({ id: 'LoginInput', description: 'Email and password' });

export const RefreshInput = z
  .object({ refreshToken })
  .strict()
  .meta({ id: 'RefreshInput', description: 'The refresh token of a session' });

export const LogoutInput = z
  .object({ refreshToken })
  .strict()
  .meta({ id: 'LogoutInput', description: 'The refresh token to revoke' });

// ---- responses ----

export const RegistrationSchema = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), confirmed: z.boolean() })
  .meta({ id: 'Registration', description: 'The new account (confirm it before logging in)' });

export const ConfirmationSchema = z.object({ confirmed: z.literal(true) }).meta({ id: 'Confirmation' });

export const SessionSchema = z
  .object({
    accessToken: z.string().meta({ description: 'Send as `Authorization: Bearer <accessToken>`' }),
    idToken: z.string(),
    refreshToken: z.string().meta({ description: 'Exchange at /v1/auth/refresh; revoke at /v1/auth/logout' }),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires' }),
    tokenType: z.literal('Bearer'),
  })
  .meta({ id: 'Session', description: 'Tokens of a new session' });

export const RefreshedSessionSchema = SessionSchema.omit({ refreshToken: true }).meta({ id: 'RefreshedSession', description: 'New access and ID tokens' });
