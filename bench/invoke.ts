// Invoking functions in-process the way the local gateway does (local/lambda.ts: one module instance per
// handler file, a Lambda context), with API Gateway HTTP API v2 events built like the integration tests'
// (test/support/apigw-event.ts). No HTTP in between: what is measured is the function.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiEvent } from '#test/support/apigw-event';
import { invoke, lambdaContext, loadHandler, LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/lambda';
import { authorizer, functionId, routes, type RouteDef } from '#shared/routes';
import { REPO_ROOT } from '#local/stack';

export interface Actor {
  userId: string;
  email: string;
  groups?: string[];
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The verified caller (as the authorizer passes it on); omitted for routes without auth. */
  user?: Actor;
  requestId?: string;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export const AUTHORIZER_KEY = '(authorizer)';

export const routeByKey = (key: string): RouteDef => {
  const route = routes.find((r) => `${r.method} ${r.path}` === key);
  if (!route) throw new Error(`no route ${key} in shared/routes.ts`);
  return route;
};

const fillPath = (template: string, params: Record<string, string> = {}): string =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`path parameter ${name} missing for ${template}`);
    return encodeURIComponent(value);
  });

/** The v2 event API Gateway would pass the route's function after the authorizer allowed the request. */
export const routeEvent = (routeKey: string, options: CallOptions = {}): APIGatewayProxyEventV2 => {
  const route = routeByKey(routeKey);
  return apiEvent(route.method, fillPath(route.path, options.params), {
    route: route.path,
    pathParameters: options.params,
    query: options.query,
    headers: options.headers,
    body: options.body,
    user: options.user,
    requestId: options.requestId ?? `bench-${randomUUID()}`,
  });
};

/** The authorizer's REQUEST event (payload 2.0, identity source Authorization), as local/gateway.ts builds it. */
export const authorizerEvent = (token: string, routeKey = 'GET /v1/tasks', requestId = `bench-${randomUUID()}`) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  const authorization = `Bearer ${token}`;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/$default/${method}${path}`,
    identitySource: [authorization],
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization, host: 'localhost' },
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'taskwell-bench' },
      requestId,
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
};

const normalise = (result: unknown): CallResult => {
  const r = (result ?? {}) as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  let body: unknown = r.body;
  if (typeof r.body === 'string' && r.body !== '' && /json/.test(headers['content-type'] ?? '')) body = JSON.parse(r.body);
  return { status: r.statusCode ?? 200, headers, body };
};

/** Invokes a route's function in-process with a v2 event (30 s, the integration timeout). */
export const callRoute = async (routeKey: string, options: CallOptions = {}): Promise<CallResult> => {
  const route = routeByKey(routeKey);
  return normalise(await invoke(REPO_ROOT, route.handler, functionId(route.handler), routeEvent(routeKey, options), 30_000));
};

/** Invokes the Lambda authorizer with a token; resolves with its simple response. */
export const callAuthorizer = async (token: string, requestId?: string): Promise<{ isAuthorized: boolean; context?: Record<string, string> }> =>
  (await invoke(REPO_ROOT, authorizer.handler, functionId(authorizer.handler), authorizerEvent(token, undefined, requestId), 30_000)) as {
    isAuthorized: boolean;
    context?: Record<string, string>;
  };

export type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** The handler function itself (the module the gateway uses), for timing without the invoke wrapper. */
export const handlerOf = async (handlerPath: string): Promise<Handler> => (await loadHandler(REPO_ROOT, handlerPath)) as Handler;

export const contextFor = (handlerPath: string) => lambdaContext(functionId(handlerPath), 30_000);

export const resultOf = normalise;
