// The HTTP API's Lambda authorizer (simple responses): a verified Cognito access token of an active user whose
// session has not ended; it counts the user's request quota in parallel with its one read.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { correlationId, logger } from '#shared/observability/powertools';
import { authorize, type AuthorizerResult } from '#shared/auth/authorize';
import { verifyAccessToken } from '#shared/auth/token-verifier';
import { quotaPolicy } from '#shared/domain/quota';
import { isAdminMfaRequired } from '#shared/domain/mfa';
import { readAccess } from '#shared/store/session-store';
import { countRequest } from '#shared/store/quota-store';

export const handler = middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(correlationId())
  .handler(async (event) => {
    const { result, reason, quotaError } = await authorize(event.headers?.authorization ?? event.identitySource?.[0], {
      verify: verifyAccessToken,
      access: readAccess,
      quota: { policy: quotaPolicy(process.env.REQUEST_QUOTA_PER_MINUTE), count: countRequest },
      adminMfaRequired: isAdminMfaRequired(process.env.ADMIN_MFA_REQUIRED),
    });
    if (reason) logger.info('request denied', { reason, routeKey: event.routeKey });
    if (quotaError) logger.warn('the request quota could not be counted; the request goes through', quotaError as Error);
    return result;
  });
