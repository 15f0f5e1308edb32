import { http } from '#shared/http/handler';
import { ResetPasswordInput } from '#shared/schemas/auth';
import { resetPassword } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { cognitoDirectory } from '#shared/store/admin-directory';
import { sessionStore } from '#shared/store/session-store';
import { loginAttemptsStore } from '#shared/store/login-attempts-store';

export const handler = http({ body: ResetPasswordInput, auth: 'none' }, async ({ body }) => {
  await resetPassword({ identity: cognitoIdentity, attempts: loginAttemptsStore, sessions: sessionStore, directory: cognitoDirectory }, body);
  return { status: 204 };
});
