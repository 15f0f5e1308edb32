import { http } from '#shared/http/handler';
import { ResendCodeInput } from '#shared/schemas/auth';
import { resendCode } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';

export const handler = http({ body: ResendCodeInput, auth: 'none' }, async ({ body }) => {
  const accepted = await resendCode({ identity: cognitoIdentity }, body.email);
  return { status: 202, body: accepted };
});
