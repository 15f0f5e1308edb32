// The verified identity, as the Lambda authorizer passed it on. Never read identity from the body.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface Caller {
  userId: string;
  email: string;
  groups: string[];
  isAdmin: boolean;
}

/** What the authorizer puts in its simple-response context (values must be strings). */
export interface AuthorizerContext {
  userId: string;
  email: string;
  /** Comma-separated Cognito groups. */
  groups: string;
}

export const ADMIN_GROUP = 'admins';

export const callerFromEvent = (event: APIGatewayProxyEventV2): Caller | undefined => {
  const context = (event.requestContext as { authorizer?: { lambda?: Partial<AuthorizerContext> } }).authorizer?.lambda;
  if (!context?.userId) return undefined;
  const groups = (context.groups ?? '').split(',').filter(Boolean);
  return { userId: context.userId, email: context.email ?? '', groups, isAdmin: groups.includes(ADMIN_GROUP) };
};
