// Builds API Gateway HTTP API (payload v2) events and invokes handlers in-process, as the gateway
// would after the Lambda authorizer: requestContext.authorizer.lambda = { userId, email, groups, admin, sessionId }.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export interface TestUser {
  userId: string;
  email: string;
  groups?: string[];
  /** The profile's admin flag as the authorizer read it (default: whether `groups` holds `admins`). */
  isAdmin?: boolean;
  sessionId?: string;
}

export interface EventOptions {
  /** The route key's path template, e.g. `/v1/projects/{projectId}` (defaults to `path`). */
  route?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  /** Omit to call without an authorizer context (an unauthenticated request). */
  user?: TestUser;
  /** Extra authorizer context, e.g. the quota fields. */
  authorizer?: Record<string, string>;
  requestId?: string;
}

export const apiEvent = (method: string, path: string, options: EventOptions = {}): APIGatewayProxyEventV2 => {
  const requestId = options.requestId ?? randomUUID();
  const query = Object.fromEntries(
    Object.entries(options.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const queryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `${method} ${options.route ?? path}`,
    rawPath: path,
    rawQueryString: queryString,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId,
      routeKey: `${method} ${options.route ?? path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      ...(options.user
        ? {
            authorizer: {
              lambda: {
                userId: options.user.userId,
                email: options.user.email,
                groups: (options.user.groups ?? []).join(','),
                admin: String(options.user.isAdmin ?? (options.user.groups ?? []).includes('admins')),
                sessionId: options.user.sessionId ?? 'session-1',
                ...options.authorizer,
              },
            },
          }
        : {}),
    },
  } as APIGatewayProxyEventV2;
};

export const lambdaContext = (requestId: string = randomUUID()): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '1024',
  awsRequestId: requestId,
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export interface InvokeResult<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | void>;

/** Invokes a handler with an event and returns status, headers and the parsed JSON body. */
export const invoke = async <T = any>(handler: Handler, event: APIGatewayProxyEventV2): Promise<InvokeResult<T>> => {
  const result = (await handler(event, lambdaContext(event.requestContext.requestId))) as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: result.statusCode ?? 200, headers, body: result.body ? JSON.parse(result.body) : undefined };
};
