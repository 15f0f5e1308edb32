// Child process of the bench: synthesizes the CDK app with real bundling (test/infra/app.ts, as `cdk synth`
// does) and writes where each function's bundle is and the environment it is deployed with. A child, because
// CDK prints a line per bundled asset and holds a lot of memory the measurements should not share.
//   node --import tsx bench/synth-bundles.ts <result.json>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeApp } from '#test/infra/app';

export interface SynthesizedFunction {
  /** The function's name without the stack prefix, e.g. `tasks-get-task`. */
  id: string;
  /** Directory holding index.mjs (+ .map) exactly as `cdk deploy` uploads it. */
  assetDir: string;
  memoryMb: number;
  architecture: string;
  runtime: string;
  /** The deployed environment; values that are CloudFormation references are `{ ref: <logical description> }`. */
  environment: Record<string, string | { ref: string }>;
}

export interface SynthResult {
  outdir: string;
  functions: SynthesizedFunction[];
}

const out = process.argv[2];
if (!out) throw new Error('usage: synth-bundles.ts <result.json>');

const app = synthesizeApp({ bundle: true });
const functions: SynthesizedFunction[] = [];
const stackPrefix = `${app.stateless.stackName}-`;
for (const fn of Object.values(app.statelessTemplate.findResources('AWS::Lambda::Function'))) {
  const assetPath = fn.Metadata?.['aws:asset:path'] as string | undefined;
  const name = fn.Properties?.FunctionName as string | undefined;
  // CDK's own helper functions (log retention, custom resources) have no bundled asset of ours.
  if (!assetPath || typeof name !== 'string' || !name.startsWith(stackPrefix)) continue;
  const variables = (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
  functions.push({
    id: name.slice(stackPrefix.length),
    assetDir: join(app.outdir, assetPath),
    memoryMb: Number(fn.Properties?.MemorySize ?? 128),
    architecture: String(fn.Properties?.Architectures?.[0] ?? 'x86_64'),
    runtime: String(fn.Properties?.Runtime ?? ''),
    environment: Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : { ref: JSON.stringify(value).slice(0, 200) }]),
    ),
  });
}
functions.sort((a, b) => a.id.localeCompare(b.id));
writeFileSync(out, JSON.stringify({ outdir: app.outdir, functions } satisfies SynthResult));
