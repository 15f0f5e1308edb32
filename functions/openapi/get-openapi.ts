// GET /v1/openapi.json — the OpenAPI 3.1 document. It depends only on the zod schemas, so it is generated ahead of
// time (`npm run openapi`) and checked in: the bundle carries neither zod nor zod-openapi, and cold start builds nothing.
import { http } from '#shared/http/handler';
import document from '#shared/openapi/openapi.json' with { type: 'json' };

export const handler = http({ auth: 'none' }, async () => ({
  status: 200,
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));
