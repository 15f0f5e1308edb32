import { http } from '#shared/http/handler';
import { accessTokenOf } from '#shared/http/access-token';
import { enrolTotp } from '#shared/domain/mfa';
import { cognitoAuthenticator } from '#shared/auth/cognito';

export const handler = http({}, async ({ headers, caller }) => {
  const enrolment = await enrolTotp(cognitoAuthenticator, accessTokenOf(headers), caller.email);
  return { status: 200, body: enrolment, headers: { 'cache-control': 'no-store' } };
});
