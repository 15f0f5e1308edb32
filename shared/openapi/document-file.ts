// The checked-in OpenAPI document: where it lives and its exact text. `npm run openapi` writes it; a unit test
// (test/unit/openapi/document.test.ts) fails when it no longer matches the zod schemas.
import { fileURLToPath } from 'node:url';
import { buildDocument } from '#shared/openapi/document';

/** What GET /v1/openapi.json serves (functions/openapi/get-openapi.ts imports it). */
export const DOCUMENT_FILE = fileURLToPath(new URL('./openapi.json', import.meta.url));

/** The document as the file holds it: two-space JSON with a final newline, so diffs stay readable. */
export const renderDocument = (): string => `${JSON.stringify(buildDocument(), null, 2)}\n`;
