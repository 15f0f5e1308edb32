// The handler chain's logging: an operator follows one request through the logs by its API Gateway request id.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { http } from '#shared/http/handler';
import { apiEvent, lambdaContext } from '#test/support/apigw-event';

const failing = http({ auth: 'none' }, async () => {
  throw new Error('the table is on fire');
});

const loggedLines = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);

describe('the HTTP handler chain', () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs an unexpected error with the request's id as correlation id, and answers a 500 problem naming it", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await failing(apiEvent('GET', '/v1/anything', { requestId: 'req-one' }), lambdaContext());

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ status: 500, requestId: 'req-one' });
    const [line] = loggedLines(logged);
    expect(line).toMatchObject({ level: 'ERROR', message: 'unexpected error', correlation_id: 'req-one' });
    expect(JSON.stringify(line)).not.toContain('req-two');
  });

  it('gives each request its own correlation id', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await failing(apiEvent('GET', '/v1/anything', { requestId: 'req-one' }), lambdaContext());
    await failing(apiEvent('GET', '/v1/anything', { requestId: 'req-two' }), lambdaContext());

    expect(loggedLines(logged).map((line) => line.correlation_id)).toEqual(['req-one', 'req-two']);
  });
});

describe('the headers of every answer', () => {
  const ok = http({ auth: 'none' }, async () => ({ status: 200, body: { fine: true } }));
  const cached = http({ auth: 'none' }, async () => ({ status: 200, body: {}, headers: { 'cache-control': 'public, max-age=300' } }));

  it('carry nosniff and no-store on a success, a problem+json error and an unexpected failure', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const response of [await ok(apiEvent('GET', '/v1/x'), lambdaContext()), await failing(apiEvent('GET', '/v1/x'), lambdaContext())]) {
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    }
    const invalid = await ok(apiEvent('POST', '/v1/x', { body: '{"a":' }), lambdaContext());
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers).toMatchObject({ 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  });

  it("keep a route's own caching of a success (the public OpenAPI document)", async () => {
    const response = await cached(apiEvent('GET', '/v1/openapi.json'), lambdaContext());
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=300' });
  });
});
