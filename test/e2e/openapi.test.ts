// GET /v1/openapi.json: a valid OpenAPI 3.1 document, served without a token, that describes every
// route of the route table (shared/routes.ts) and which of them need a bearer token.
import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { routes } from '#shared/routes';
import { api, type ApiResponse } from '#test/support/api-client';

let res: ApiResponse;
let doc: Record<string, any>;

beforeAll(async () => {
  res = await api.get('/v1/openapi.json');
  doc = res.body;
});

const operation = (method: string, path: string) => doc.paths?.[path]?.[method.toLowerCase()];

describe('GET /v1/openapi.json', () => {
  it('is served as JSON without a token', () => {
    expect(res).toHaveStatus(200);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(typeof doc).toBe('object');
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route of the route table, and no other', () => {
    const missing = routes.filter((r) => !operation(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('declares the path parameters of each templated route', () => {
    for (const r of routes) {
      const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      if (names.length === 0) continue;
      const op = operation(r.method, r.path);
      const params = [...(doc.paths[r.path].parameters ?? []), ...(op?.parameters ?? [])].map((p: any) =>
        p.$ref ? doc.components?.parameters?.[p.$ref.split('/').pop()] : p,
      );
      for (const name of names) {
        expect(
          params.some((p: any) => p?.in === 'path' && p?.name === name),
          `${r.method} ${r.path} declares {${name}}`,
        ).toBe(true);
      }
    }
  });

  it('marks the authenticated routes as needing a bearer token, and the public ones as not', () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const bearer = Object.entries(schemes).filter(([, s]: [string, any]) => (s.type === 'http' && /bearer/i.test(s.scheme ?? '')) || ['oauth2', 'openIdConnect', 'apiKey'].includes(s.type));
    expect(bearer.length).toBeGreaterThan(0);
    const needsToken = (r: (typeof routes)[number]) => {
      const security = operation(r.method, r.path)?.security ?? doc.security ?? [];
      return security.some((requirement: Record<string, unknown>) => Object.keys(requirement).length > 0);
    };
    for (const r of routes) {
      expect(needsToken(r), `${r.method} ${r.path} (auth: ${r.auth})`).toBe(r.auth !== 'none');
    }
  });

  it('describes requests and responses from the zod schemas (bodies of creates, the task shape)', () => {
    const body = operation('POST', '/v1/tasks')?.requestBody;
    expect(body?.content?.['application/json']?.schema).toBeDefined();
    const schemas = doc.components?.schemas ?? {};
    const json = JSON.stringify(doc);
    for (const field of ['title', 'priority', 'assigneeId', 'dueAt', 'completedAt']) expect(json).toContain(`"${field}"`);
    expect(Object.keys(schemas).length).toBeGreaterThan(0);
    for (const status of ['todo', 'in_progress', 'done']) expect(json).toContain(`"${status}"`);
    const created = operation('POST', '/v1/tasks')?.responses ?? {};
    expect(Object.keys(created)).toContain('201');
  });
});
