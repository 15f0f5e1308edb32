// Request and response schemas of /v1/me/mfa (authenticator apps, TOTP).
// zod/mini's functional API (shared/schemas/zod.ts): checks go in `.check(...)`, wrappers are functions.
import * as z from '#shared/schemas/zod';
import { meta } from '#shared/schemas/helpers';
import { TotpCodeSchema } from '#shared/schemas/auth';

const password = meta(z.string().check(z.minLength(1), z.maxLength(256)), { description: 'Your account password' });

export const VerifyTotpInput = meta(z.strictObject({ code: TotpCodeSchema }), {
  id: 'VerifyTotpInput',
  description: 'A current code of the app you enrolled: proves it holds the secret, and switches MFA on',
});

export const DisableTotpInput = meta(z.strictObject({ password, code: TotpCodeSchema }), {
  id: 'DisableTotpInput',
  description: 'Your password and a current code: both factors confirm switching MFA off',
});

export const MfaStatusSchema = meta(z.object({ totp: z.object({ enabled: z.boolean() }) }), {
  id: 'MfaStatus',
  description: 'Which second factors sign-in asks for',
});

export const TotpEnrolmentSchema = meta(
  z.object({
    secret: meta(z.string(), { description: 'The shared secret, base32: type it into the app if the QR code cannot be scanned' }),
    uri: meta(z.string(), { description: '`otpauth://totp/Taskwell:<email>?secret=…&issuer=Taskwell…`: render it as a QR code' }),
    algorithm: z.literal('SHA1'),
    digits: z.literal(6),
    period: z.literal(30),
  }),
  { id: 'TotpEnrolment', description: 'A new authenticator secret; MFA is on only after POST /v1/me/mfa/totp/verify' },
);
