// The zod of everything that ends up in a Lambda bundle: `zod/mini`, whose functional API lets
// esbuild drop what a function does not use (classic zod's methods pull in all of it, ~90 KB per
// bundle). Schemas import it as `import * as z from '#shared/schemas/zod'` (not from 'zod/mini'),
// so the locale below is set before anything is parsed. `export *`, not `export { z }` of a
// namespace import: with the latter esbuild keeps the whole namespace, all 60 locales included.
import { config } from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini loads no locale: without this, every message would be a generic "Invalid input". Only
// `en` ends up in a bundle (zod's locales are side-effect free).
config(en());

export * from 'zod/mini';
