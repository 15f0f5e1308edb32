// The local HTTP API behaves like API Gateway HTTP API: routing, the payload-2.0 event, the Lambda
// authorizer's gate, and how function results become responses. (Loopback HTTP only, no AWS.)
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '#shared/routes';
import { startGateway, type Gateway } from '#local/gateway';
import { calls as authorizerCalls } from '#test/unit/local/fixtures/authorizer';

const fixture = (name: string) => `test/unit/local/fixtures/${name}.ts`;
const route = (method: RouteDef['method'], path: string, handler: string, auth: RouteDef['auth'] = 'none'): RouteDef => ({
  method,
  path,
  handler: fixture(handler),
  auth,
  grants: {},
  summary: '',
});

const routes: RouteDef[] = [
  route('GET', '/v1/echo/{id}/items/{itemId}', 'echo'),
  route('GET', '/v1/echo/special/items/{itemId}', 'plain'),
  route('POST', '/v1/echo', 'echo'),
  route('GET', '/v1/plain', 'plain'),
  route('GET', '/v1/binary', 'binary'),
  route('GET', '/v1/crash', 'crash'),
  route('GET', '/v1/slow', 'slow'),
  route('GET', '/v1/private', 'echo', 'user'),
];

let gateway: Gateway;
let base: string;
const root = fileURLToPath(new URL('../../../', import.meta.url));

beforeAll(async () => {
  gateway = await startGateway({ root, port: 0, routes, authorizer: { handler: fixture('authorizer') }, timeoutMs: 300, onFunctionError: () => undefined });
  base = gateway.url;
});
afterAll(() => gateway.stop());

const echo = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${base}${path}`, init);
  return { res, body: (await res.json()) as { event: any; context: any } };
};

describe('local API gateway', () => {
  it('passes a payload-2.0 event with decoded path parameters, comma-joined query parameters and lower-cased headers', async () => {
    const { res, body } = await echo('/v1/echo/a%20b/items/42?tag=x&tag=y&q=%C3%A9', { headers: { 'X-Custom': 'One', Cookie: 'c1=v1; c2=v2' } });
    expect(res.status).toBe(200);
    const { event } = body;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/echo/{id}/items/{itemId}',
      rawPath: '/v1/echo/a%20b/items/42',
      rawQueryString: 'tag=x&tag=y&q=%C3%A9',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { tag: 'x,y', q: 'é' },
      pathParameters: { id: 'a b', itemId: '42' },
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        stage: '$default',
        routeKey: 'GET /v1/echo/{id}/items/{itemId}',
        http: { method: 'GET', path: '/v1/echo/a%20b/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers['x-custom']).toBe('One');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(body.context.functionName).toBe('test-unit-local-fixtures-echo');
    expect(body.context.remaining).toBeGreaterThan(0);
  });

  it('gives every request its own request id, also in the apigw-requestid header', async () => {
    const first = await echo('/v1/echo/1/items/1');
    const second = await echo('/v1/echo/1/items/1');
    expect(first.body.event.requestContext.requestId).not.toBe(second.body.event.requestContext.requestId);
    expect(first.res.headers.get('apigw-requestid')).toBe(first.body.event.requestContext.requestId);
    expect(first.body.context.awsRequestId).not.toBe(second.body.context.awsRequestId);
  });

  it('prefers a literal path segment over a parameter', async () => {
    const res = await fetch(`${base}/v1/echo/special/items/7`);
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('passes a JSON body as text and a binary body base64-encoded', async () => {
    const text = await echo('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(text.body.event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = await echo('/v1/echo', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 255]) });
    expect(binary.body.event).toMatchObject({ body: Buffer.from([0, 255]).toString('base64'), isBase64Encoded: true });
  });

  it('writes the structured result back: status, headers, cookies, base64 bodies', async () => {
    const res = await fetch(`${base}/v1/echo/1/items/1`);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const binary = await fetch(`${base}/v1/binary`);
    expect(binary.status).toBe(201);
    expect([...new Uint8Array(await binary.arrayBuffer())]).toEqual([0, 1, 2, 255]);
  });

  it('answers 200 with the returned object as JSON when the function returns no statusCode', async () => {
    const res = await fetch(`${base}/v1/plain`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });

  it('answers 404 Not Found for an unknown path and for a known path with another method', async () => {
    for (const [method, path] of [['GET', '/v1/nope'], ['DELETE', '/v1/plain'], ['GET', '/v1/plain/']] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('answers 500 Internal Server Error when the function fails', async () => {
    const res = await fetch(`${base}/v1/crash`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 Service Unavailable when the function runs past the integration timeout', async () => {
    const res = await fetch(`${base}/v1/slow`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('answers 413 for a body over the API Gateway limit', async () => {
    const res = await fetch(`${base}/v1/echo`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
  });

  describe('Lambda authorizer', () => {
    it('answers 401 without an Authorization header, without invoking the authorizer', async () => {
      const before = authorizerCalls.length;
      const res = await fetch(`${base}/v1/private`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
      expect(authorizerCalls.length).toBe(before);
    });

    it('answers 403 when the authorizer says no', async () => {
      const res = await fetch(`${base}/v1/private`, { headers: { authorization: 'Bearer bad' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: 'Forbidden' });
    });

    it('answers 500 when the authorizer fails', async () => {
      const res = await fetch(`${base}/v1/private`, { headers: { authorization: 'Bearer boom' } });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    });

    it('passes the authorizer a REQUEST event and the route its context, on every request (no caching)', async () => {
      const before = authorizerCalls.length;
      await echo('/v1/private', { headers: { authorization: 'Bearer good' } });
      const { res, body } = await echo('/v1/private?x=1', { headers: { authorization: 'Bearer good' } });
      expect(res.status).toBe(200);
      expect(body.event.requestContext.authorizer).toEqual({ lambda: { userId: 'u-1', email: 'u1@example.com', groups: 'admins' } });
      expect(authorizerCalls.length).toBe(before + 2);
      expect(authorizerCalls.at(-1)).toMatchObject({
        version: '2.0',
        type: 'REQUEST',
        routeArn: expect.stringMatching(/^arn:aws:execute-api:us-east-1:\d{12}:[^/]+\/\$default\/GET\/v1\/private$/),
        identitySource: ['Bearer good'],
        routeKey: 'GET /v1/private',
        rawPath: '/v1/private',
        rawQueryString: 'x=1',
        headers: expect.objectContaining({ authorization: 'Bearer good' }),
        requestContext: expect.objectContaining({ stage: '$default', routeKey: 'GET /v1/private' }),
      });
    });
  });
});
