// The verified identity, as the Lambda authorizer passed it on. Never read identity from the body.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface Caller {
  userId: string;
  email: string;
  /** The Cognito groups the token was minted with: informative only (admin rights are `isAdmin`). */
  groups: string[];
  /** Admin rights as the current profile grants them (the authorizer decides on every request). */
  isAdmin: boolean;
  /** An admin whose admin rights wait for MFA (the deployment requires it and they have none yet). */
  adminMfaMissing: boolean;
  /** The session the token belongs to (Cognito `origin_jti`: one sign-in and its refreshes); empty when unknown. */
  sessionId: string;
}

/** What the authorizer puts in its simple-response context (values must be strings). */
export interface AuthorizerContext {
  userId: string;
  email: string;
  /** Comma-separated Cognito groups. */
  groups: string;
  /** `true` when the current profile makes the caller an admin, else `false`. */
  admin: string;
  /** `true` when the caller is an admin but the deployment requires MFA for admin rights and they have none. */
  adminMfaMissing?: string;
  sessionId: string;
  /** The request quota after this request: limit, window, remaining, reset seconds; `exceeded` = `true` when over. */
  quotaLimit?: string;
  quotaWindow?: string;
  quotaRemaining?: string;
  quotaReset?: string;
  quotaExceeded?: string;
}

export const ADMIN_GROUP = 'admins';

const authorizerContext = (event: APIGatewayProxyEventV2): Partial<AuthorizerContext> | undefined =>
  (event.requestContext as { authorizer?: { lambda?: Partial<AuthorizerContext> } }).authorizer?.lambda;

export const callerFromEvent = (event: APIGatewayProxyEventV2): Caller | undefined => {
  const context = authorizerContext(event);
  if (!context?.userId) return undefined;
  const groups = (context.groups ?? '').split(',').filter(Boolean);
  return { userId: context.userId, email: context.email ?? '', groups, isAdmin: context.admin === 'true', adminMfaMissing: context.adminMfaMissing === 'true', sessionId: context.sessionId ?? '' };
};

/** The caller's request quota as the authorizer counted it, when it did. */
export const quotaFromEvent = (
  event: APIGatewayProxyEventV2,
): { limit: number; windowSeconds: number; remaining: number; resetSeconds: number; exceeded: boolean } | undefined => {
  const context = authorizerContext(event);
  if (!context?.quotaLimit) return undefined;
  return {
    limit: Number(context.quotaLimit),
    windowSeconds: Number(context.quotaWindow),
    remaining: Number(context.quotaRemaining),
    resetSeconds: Number(context.quotaReset),
    exceeded: context.quotaExceeded === 'true',
  };
};
