import { http } from '#shared/http/handler';
import { LogoutInput } from '#shared/schemas/auth';
import { logout } from '#shared/domain/users';
import { cognitoIdentity } from '#shared/auth/cognito';

export const handler = http({ body: LogoutInput, auth: 'none' }, async ({ body }) => {
  await logout({ identity: cognitoIdentity }, body.refreshToken);
  return { status: 204 };
});
