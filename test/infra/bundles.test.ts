// The one synth that really bundles: every function (each route's and the authorizer's) is built by the local
// esbuild into a minified ESM file with a source map and the AWS SDK inside it, exactly what `cdk deploy` uploads.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizer, functionId, routes } from '#shared/routes';
import { OUTBOX_MAPPING } from '#shared/events/outbox';
import { queues } from '#shared/events/queues';
import { removeAssemblies, synthesizeApp } from '#test/infra/app';

const app = synthesizeApp({ bundle: true });
afterAll(removeAssemblies);

const functions = Object.values(app.statelessTemplate.findResources('AWS::Lambda::Function'));
const bundleOf = (handler: string): string => {
  const fn = functions.find((f) => f.Properties.FunctionName === `TaskwellStateless-${functionId(handler)}`);
  const assetPath = fn?.Metadata?.['aws:asset:path'] as string | undefined;
  if (!assetPath) throw new Error(`no bundled asset for ${handler}`);
  return join(app.outdir, assetPath);
};

describe('function bundles', () => {
  const consumers = queues.flatMap((q) => ('consumer' in q ? [q.consumer.handler] : []));
  it.each([...routes.map((r) => r.handler), authorizer.handler, OUTBOX_MAPPING.handler, ...consumers])('%s is a minified ESM bundle with a source map', (handler) => {
    const dir = bundleOf(handler);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{\s*\w+\s+as\s+handler\s*\}/);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    // Nothing left to resolve at runtime: no imports of packages the Lambda runtime would have to provide.
    expect(code).not.toMatch(/from\s*["'](@aws-sdk|@smithy|@middy|@aws-lambda-powertools|zod)/);
    // Minified: whole modules per line, not source-shaped code.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
  });
});
