import { http } from '#shared/http/handler';
import { LoginInput } from '#shared/schemas/auth';
import { login } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';
import { loginAttemptsStore } from '#shared/store/login-attempts-store';
import { sessionStore } from '#shared/store/session-store';

export const handler = http({ body: LoginInput, auth: 'none' }, async ({ body, requestId }) => {
  const session = await login({ identity: cognitoIdentity, users: userStore, sessions: sessionStore, attempts: loginAttemptsStore }, body, requestId);
  return { status: 200, body: session, headers: { 'cache-control': 'no-store' } };
});
