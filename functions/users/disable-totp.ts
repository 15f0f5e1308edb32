import { http } from '#shared/http/handler';
import { accessTokenOf } from '#shared/http/access-token';
import { DisableTotpInput } from '#shared/schemas/mfa';
import { disableTotp } from '#shared/domain/mfa';
import { selfChange } from '#shared/domain/users';
import { cognitoAuthenticator, cognitoReauthentication } from '#shared/auth/cognito';
import { userStore } from '#shared/store/user-store';

export const handler = http({ body: DisableTotpInput }, async ({ body, headers, caller, requestId }) => {
  const status = await disableTotp(
    { authenticator: cognitoAuthenticator, reauth: cognitoReauthentication, profiles: userStore },
    accessTokenOf(headers),
    { email: caller.email, password: body.password, code: body.code },
    selfChange(caller.userId, requestId),
  );
  return { status: 200, body: status };
});
