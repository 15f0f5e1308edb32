import { http } from '#shared/http/handler';
import { ChangePasswordInput } from '#shared/schemas/auth';
import { changePassword } from '#shared/domain/users';
import { bearerToken, cognitoIdentity } from '#shared/auth/cognito';
import { cognitoDirectory } from '#shared/store/admin-directory';
import { sessionStore } from '#shared/store/session-store';
import { userStore } from '#shared/store/user-store';
import { loginAttemptsStore } from '#shared/store/login-attempts-store';

export const handler = http({ body: ChangePasswordInput }, async ({ body, caller, headers }) => {
  await changePassword(
    { identity: cognitoIdentity, users: userStore, attempts: loginAttemptsStore, sessions: sessionStore, directory: cognitoDirectory },
    { userId: caller.userId, sessionId: caller.sessionId, accessToken: bearerToken(headers.authorization) },
    body,
  );
  return { status: 204 };
});
