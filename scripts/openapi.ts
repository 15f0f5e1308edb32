// `npm run openapi`: regenerates shared/openapi/openapi.json from the zod schemas. Run it after changing a schema or
// a route; the function serves the file, so it needs neither zod nor zod-openapi at runtime.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { DOCUMENT_FILE, renderDocument } from '#shared/openapi/document-file';

writeFileSync(DOCUMENT_FILE, renderDocument());
console.log(`wrote ${relative(process.cwd(), DOCUMENT_FILE)}`);
