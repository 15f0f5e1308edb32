// GET /v1/openapi.json — the OpenAPI 3.1 document, built once per execution environment.
import { http } from '#shared/http/handler';
import { buildDocument } from '#shared/openapi/document';

const document = buildDocument();

export const handler = http({ auth: 'none' }, async () => ({
  status: 200,
  body: document,
  headers: { 'cache-control': 'public, max-age=300' },
}));
