import { http } from '#shared/http/handler';
import { ResetPasswordInput } from '#shared/schemas/auth';
import { resetPassword } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { sessions } from '#shared/auth/sessions';
import { loginAttemptsStore } from '#shared/store/login-attempts-store';

export const handler = http({ body: ResetPasswordInput, auth: 'none' }, async ({ body }) => {
  await resetPassword({ identity: cognitoIdentity, sessions, attempts: loginAttemptsStore }, body);
  return { status: 204 };
});
