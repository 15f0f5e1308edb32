import { http } from '#shared/http/handler';
import { LogoutInput } from '#shared/schemas/auth';
import { logout } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';
import { sessionStore } from '#shared/store/session-store';

export const handler = http({ body: LogoutInput, auth: 'none' }, async ({ body }) => {
  await logout({ identity: cognitoIdentity, sessions: sessionStore }, body.refreshToken);
  return { status: 204 };
});
