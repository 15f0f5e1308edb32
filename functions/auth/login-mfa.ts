import { http } from '#shared/http/handler';
import { LoginMfaInput } from '#shared/schemas/auth';
import { loginWithMfa } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';
import { sessionStore } from '#shared/store/session-store';

export const handler = http({ body: LoginMfaInput, auth: 'none' }, async ({ body, requestId }) => {
  const session = await loginWithMfa({ identity: cognitoIdentity, users: userStore, sessions: sessionStore }, body, requestId);
  return { status: 200, body: session, headers: { 'cache-control': 'no-store' } };
});
