// API Gateway HTTP API, offline: a node:http server that routes with the shared route table, runs
// the Lambda authorizer (simple responses, identity source `$request.header.Authorization`, no
// caching) and invokes each route's handler in-process with a payload-format-2.0 event. It answers CORS as the
// HTTP API's corsPreflight does (shared/http/cors.ts): preflights for the allowed origins, and
// Access-Control-Allow-Origin on their requests; nothing for other origins.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorizer as authorizerDef, functionId, routes as routeTable, type RouteDef } from '#shared/routes';
import { FunctionTimeout, LOCAL_ACCOUNT_ID, LOCAL_REGION, invoke } from '#local/lambda';
import { consoleHandler } from '#local/console';
import { CORS, parseCorsOrigins } from '#shared/http/cors';

/** API Gateway's payload limit for HTTP APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The HTTP API integration timeout (the longest a route may take). */
export const INTEGRATION_TIMEOUT_MS = 30_000;
export const LOCAL_API_ID = 'local';

export interface GatewayOptions {
  /** Repo root the handler paths are relative to. */
  root: string;
  port: number;
  host?: string;
  routes?: readonly RouteDef[];
  authorizer?: { handler: string };
  /** One line per request on stdout (npm start). */
  logRequests?: boolean;
  /** The integration timeout (default 30 s, API Gateway's maximum). */
  timeoutMs?: number;
  /** Where Lambda errors are reported (they would be in CloudWatch Logs). */
  onFunctionError?: (functionName: string, error: unknown) => void;
  /** Serve the built admin console under /console (console/dist). */
  console?: boolean;
  /**
   * Browser origins allowed by CORS (default: TASKWELL_CORS_ORIGINS, comma-separated, else the gateway's own
   * origin, where the console is served).
   */
  corsOrigins?: readonly string[];
}

export interface Gateway {
  url: string;
  port: number;
  server: Server;
  /** Switch the one-line-per-request log on or off. */
  logRequests: boolean;
  stop(): Promise<void>;
}

interface CompiledRoute {
  def: RouteDef;
  routeKey: string;
  pattern: RegExp;
  paramNames: string[];
  /** Literal segments win over parameters, as in API Gateway. */
  specificity: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const compileRoute = (def: RouteDef): CompiledRoute => {
  const paramNames: string[] = [];
  let specificity = 0;
  const source = def.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        paramNames.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        paramNames.push(param[1]!);
        return '([^/]+)';
      }
      specificity += 1;
      return escapeRegExp(segment);
    })
    .join('/');
  return { def, routeKey: `${def.method} ${def.path}`, pattern: new RegExp(`^${source}$`), paramNames, specificity };
};

/** Finds the route for a method and raw path; `undefined` → 404 (also for a known path with another method). */
export const matchRoute = (compiled: readonly CompiledRoute[], method: string, rawPath: string) => {
  for (const route of compiled) {
    if (route.def.method !== method) continue;
    const match = route.pattern.exec(rawPath);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    route.paramNames.forEach((name, i) => {
      const raw = match[i + 1]!;
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    return { route, pathParameters };
  }
  return undefined;
};

const json = (res: ServerResponse, status: number, body: unknown, requestId: string) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'apigw-requestid': requestId,
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
};

const newRequestId = () => randomBytes(10).toString('base64');

const clfTime = (date: Date) => {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
};

/** Bodies API Gateway passes as text; everything else arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/([\w.+-]+\+)?(json|xml|javascript|x-www-form-urlencoded)\b)/i;

const readBody = (req: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Lower-cased headers, repeated ones comma-joined (cookies go to `cookies`), plus what API Gateway adds. */
const eventHeaders = (req: IncomingMessage, sourceIp: string, port: number) => {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(';').map((c) => c.trim()).filter(Boolean)];
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return { headers, cookies };
};

const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  if (!rawQueryString) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    result[key] = key in result ? `${result[key]},${value}` : value;
  }
  return Object.keys(result).length ? result : undefined;
};

/** Turns whatever the function returned into a response, as HTTP API does for payload 2.0. */
const writeResult = (res: ServerResponse, result: unknown, requestId: string) => {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in result ? (result as APIGatewayProxyStructuredResultV2) : undefined;
  if (!structured) {
    // No statusCode: 200 with the returned value as a JSON body.
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'apigw-requestid': requestId });
    res.end(text);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    headers[lower] = String(value);
  }
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  headers['apigw-requestid'] = requestId;
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
};

export const startGateway = async (options: GatewayOptions): Promise<Gateway> => {
  const compiled = (options.routes ?? routeTable).map(compileRoute).sort((a, b) => b.specificity - a.specificity);
  const authorizerHandler = (options.authorizer ?? authorizerDef).handler;
  const authorizerName = functionId(authorizerHandler);
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const reportError = options.onFunctionError ?? ((name, error) => console.error(`[taskwell] ${name} failed:`, error));

  const gateway: Gateway = {
    url: '',
    port: options.port,
    server: undefined as unknown as Server,
    logRequests: options.logRequests ?? false,
    stop: () =>
      new Promise<void>((resolve) => {
        gateway.server.closeAllConnections();
        gateway.server.close(() => resolve());
      }),
  };

  /** The CORS headers of a request from `origin`: none unless the origin is allowed. */
  const corsHeaders = (origin: string | undefined, preflight: boolean): Record<string, string> => {
    if (origin === undefined || !allowedOrigins().includes(origin)) return {};
    return preflight
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': CORS.allowMethods.join(','),
          'access-control-allow-headers': CORS.allowHeaders.join(','),
          'access-control-max-age': String(CORS.maxAgeSeconds),
        }
      : { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS.exposeHeaders.join(',') };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = newRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQueryString = q === -1 ? '' : url.slice(q + 1);
    const log = (status: number, note = '') => {
      if (gateway.logRequests) console.log(`  ${method} ${url} → ${status} (${Date.now() - started} ms)${note}`);
    };

    const body = await readBody(req);
    res.setHeader('vary', 'origin');
    if (method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
      // A CORS preflight, answered by the gateway itself (no route, no authorizer); other origins get no CORS headers.
      res.writeHead(204, { ...corsHeaders(origin, true), 'apigw-requestid': requestId, 'x-content-type-options': 'nosniff' });
      res.end();
      return log(204, ' (preflight)');
    }
    for (const [name, value] of Object.entries(corsHeaders(origin, false))) res.setHeader(name, value);
    const matched = matchRoute(compiled, method, rawPath);
    if (!matched) {
      json(res, 404, { message: 'Not Found' }, requestId);
      return log(404);
    }
    if (body === 'too-large') {
      json(res, 413, { message: 'Request Entity Too Large' }, requestId);
      return log(413);
    }
    const { route, pathParameters } = matched;
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const { headers, cookies } = eventHeaders(req, sourceIp, gatewayPort);
    const now = new Date(started);
    const requestContext = {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName: headers.host ?? `localhost:${gatewayPort}`,
      domainPrefix: (headers.host ?? 'localhost').split(/[.:]/)[0]!,
      http: { method, path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    };
    const queryStringParameters = queryParameters(rawQueryString);
    const common = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath,
      rawQueryString,
      ...(cookies ? { cookies } : {}),
      headers,
      ...(queryStringParameters ? { queryStringParameters } : {}),
      ...(route.paramNames.length ? { pathParameters } : {}),
    };

    let authorizerContext: Record<string, unknown> | undefined;
    if (route.def.auth !== 'none') {
      const identity = headers.authorization;
      if (!identity) {
        json(res, 401, { message: 'Unauthorized' }, requestId);
        return log(401);
      }
      const authEvent = {
        ...common,
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/$default/${method}${rawPath}`,
        identitySource: [identity],
        requestContext,
      };
      let decision: unknown;
      try {
        decision = await invoke(options.root, authorizerHandler, authorizerName, authEvent, timeoutMs);
      } catch (error) {
        reportError(authorizerName, error);
        json(res, 500, { message: 'Internal Server Error' }, requestId);
        return log(500, ' (authorizer failed)');
      }
      const simple = decision as { isAuthorized?: unknown; context?: Record<string, unknown> } | null;
      if (!simple || typeof simple.isAuthorized !== 'boolean') {
        reportError(authorizerName, `returned no simple response ({ isAuthorized: boolean, context? }) but ${JSON.stringify(decision)?.slice(0, 300)}`);
        json(res, 500, { message: 'Internal Server Error' }, requestId);
        return log(500, ' (authorizer response invalid)');
      }
      if (!simple.isAuthorized) {
        json(res, 403, { message: 'Forbidden' }, requestId);
        return log(403);
      }
      authorizerContext = simple.context ?? {};
    }

    const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
    const event: APIGatewayProxyEventV2 = {
      ...common,
      requestContext: { ...requestContext, ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}) },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !isText,
    } as APIGatewayProxyEventV2;

    const name = functionId(route.def.handler);
    try {
      const result = await invoke(options.root, route.def.handler, name, event, timeoutMs);
      writeResult(res, result, requestId);
      return log(res.statusCode);
    } catch (error) {
      reportError(name, error);
      if (error instanceof FunctionTimeout) {
        json(res, 503, { message: 'Service Unavailable' }, requestId);
        return log(503, ' (timed out)');
      }
      json(res, 500, { message: 'Internal Server Error' }, requestId);
      return log(500);
    }
  };

  let gatewayPort = options.port;
  const configuredOrigins =
    options.corsOrigins ?? (process.env.TASKWELL_CORS_ORIGINS ? parseCorsOrigins(process.env.TASKWELL_CORS_ORIGINS, 'TASKWELL_CORS_ORIGINS') : undefined);
  const allowedOrigins = () => configuredOrigins ?? [`http://${host}:${gatewayPort}`, `http://localhost:${gatewayPort}`];
  // The admin console (static files under /console, as CloudFront serves them in AWS), same origin as the API.
  const serveConsole = options.console ? consoleHandler({ root: options.root, apiUrl: '' }) : undefined;
  const server: Server = createServer((req, res) => {
    if (serveConsole?.(req, res)) return;
    handle(req, res).catch((error: unknown) => {
      console.error('[taskwell] local gateway error:', error);
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' }, newRequestId());
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  gateway.server = server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  gatewayPort = (server.address() as AddressInfo).port;
  gateway.url = `http://${host}:${gatewayPort}`;
  gateway.port = gatewayPort;
  return gateway;
};
