import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildDocument, operations, routeKey } from '#shared/openapi/document';
import { routes } from '#shared/routes';
import { handler } from '#functions/openapi/get-openapi';
import { apiEvent, lambdaContext } from '#test/support/apigw-event';
import { DOCUMENT_FILE, renderDocument } from '#shared/openapi/document-file';

describe('the OpenAPI document', () => {
  const document = buildDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route of the route table, and nothing else', () => {
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map(routeKey).sort());
    expect(Object.keys(operations).sort()).toEqual(routes.map(routeKey).sort());
  });

  it('marks exactly the routes behind the authorizer as needing a bearer token', () => {
    for (const route of routes) {
      const op = (document.paths?.[route.path] as Record<string, { security?: unknown[] }>)[route.method.toLowerCase()];
      expect(op?.security, routeKey(route)).toEqual(route.auth === 'none' ? [] : [{ bearer: [] }]);
    }
  });

  it('describes request bodies from the zod schemas, including their limits', () => {
    const schemas = document.components?.schemas as Record<string, { properties?: Record<string, { maxLength?: number }>; additionalProperties?: unknown }>;
    expect(schemas.CreateTaskInput?.properties?.title?.maxLength).toBe(200);
    expect(schemas.CreateTaskInput?.additionalProperties).toBe(false);
    expect(schemas.Problem).toBeDefined();
  });

  it('is checked in as generated from the schemas', () => {
    // The function serves the file, not buildDocument(): a schema or route change must regenerate it.
    const checkedIn = readFileSync(DOCUMENT_FILE, 'utf8');
    const generated = renderDocument();
    const stale = 'shared/openapi/openapi.json is stale: run `npm run openapi` and commit the result';
    // The parsed comparison shows what changed; the byte comparison also catches key order and formatting.
    expect(JSON.parse(checkedIn), stale).toEqual(JSON.parse(generated));
    expect(checkedIn === generated, stale).toBe(true);
  });

  it('is served by GET /v1/openapi.json exactly as checked in', async () => {
    const response = await handler(apiEvent('GET', '/v1/openapi.json'), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body ?? '{}')).toEqual(JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')));
  });
});
