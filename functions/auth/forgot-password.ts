import { http } from '#shared/http/handler';
import { ForgotPasswordInput } from '#shared/schemas/auth';
import { forgotPassword } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';

export const handler = http({ body: ForgotPasswordInput, auth: 'none' }, async ({ body }) => {
  const accepted = await forgotPassword({ identity: cognitoIdentity }, body.email);
  return { status: 202, body: accepted };
});
