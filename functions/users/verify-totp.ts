import { http } from '#shared/http/handler';
import { accessTokenOf } from '#shared/http/access-token';
import { VerifyTotpInput } from '#shared/schemas/mfa';
import { verifyTotp } from '#shared/domain/mfa';
import { selfChange } from '#shared/domain/users';
import { cognitoAuthenticator } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: VerifyTotpInput }, async ({ body, headers, caller, requestId }) => {
  const status = await verifyTotp({ authenticator: cognitoAuthenticator, profiles: userStore }, accessTokenOf(headers), body.code, selfChange(caller.userId, requestId));
  return { status: 200, body: status };
});
