// The HTTP API's Lambda authorizer (simple responses): a verified Cognito access token of an active user.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { correlationId, logger } from '#shared/observability/powertools';
import { authorize, type AuthorizerResult } from '#shared/auth/authorize';
import { verifyAccessToken } from '#shared/auth/token-verifier';
import { userStore } from '#shared/store/user-store';

export const handler = middy<APIGatewayRequestAuthorizerEventV2, AuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(correlationId())
  .handler(async (event) => {
    const { result, reason } = await authorize(event.headers?.authorization ?? event.identitySource?.[0], { verify: verifyAccessToken, users: userStore });
    if (reason) logger.info('request denied', { reason, routeKey: event.routeKey });
    return result;
  });
