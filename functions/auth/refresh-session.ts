import { http } from '#shared/http/handler';
import { RefreshInput } from '#shared/schemas/auth';
import { refreshSession } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { sessionStore } from '#shared/store/session-store';

export const handler = http({ body: RefreshInput, auth: 'none' }, async ({ body }) => {
  const session = await refreshSession({ identity: cognitoIdentity, sessions: sessionStore }, body.refreshToken);
  return { status: 200, body: session, headers: { 'cache-control': 'no-store' } };
});
