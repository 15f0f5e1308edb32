import { http } from '#shared/http/handler';
import { ChangePasswordInput } from '#shared/schemas/auth';
import { changePassword } from '#shared/domain/users';
import { bearerToken, cognitoIdentity } from '#shared/auth/cognito';
import { sessions } from '#shared/auth/sessions';
import { userStore } from '#shared/store/user-store';
import { loginAttemptsStore } from '#shared/store/login-attempts-store';

export const handler = http({ body: ChangePasswordInput }, async ({ body, caller, headers }) => {
  const session = await changePassword(
    { identity: cognitoIdentity, users: userStore, sessions, attempts: loginAttemptsStore },
    { userId: caller.userId, accessToken: bearerToken(headers.authorization) },
    body,
  );
  return { status: 200, body: session, headers: { 'cache-control': 'no-store' } };
});
