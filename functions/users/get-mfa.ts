import { http } from '#shared/http/handler';
import { accessTokenOf } from '#shared/http/access-token';
import { mfaStatus } from '#shared/domain/mfa';
import { cognitoAuthenticator } from '#shared/auth/cognito';

export const handler = http({}, async ({ headers }) => ({ status: 200, body: await mfaStatus(cognitoAuthenticator, accessTokenOf(headers)) }));
