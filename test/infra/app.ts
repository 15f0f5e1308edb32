// Builds the CDK app the way `cdk synth` does (cdk.json's context and feature flags, cdk-nag as an Aspect) and keeps
// it per test file: bundling ~25 functions with esbuild is the slow part, so every file synthesizes once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, type TaskwellStacks } from '#lib/app';
import { PROJECT_ROOT } from '#lib/constructs/taskwell-function';

export interface SynthesizedApp extends TaskwellStacks {
  /** The cloud assembly directory (bundled assets live under it). */
  outdir: string;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

const cache = new Map<boolean, SynthesizedApp>();

/**
 * `bundle: false` skips esbuild (CDK's `aws:cdk:bundling-stacks` context) for tests that look only at resources and
 * permissions; the stateless-stack test bundles for real, so a handler that does not compile fails it.
 */
export const synthesizeApp = ({ bundle }: { bundle: boolean }): SynthesizedApp => {
  const hit = cache.get(bundle);
  if (hit) return hit;
  const context = {
    ...cdkContext(),
    // As the CLI does: record each asset's staged path on its resource, so tests can open the bundles.
    'aws:cdk:enable-asset-metadata': true,
    ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
  };
  const app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'taskwell-cdk-')) });
  const stacks = buildApp(app);
  Aspects.of(app).add(new AwsSolutionsChecks());
  const assembly = app.synth();
  const synthesized: SynthesizedApp = {
    ...stacks,
    outdir: assembly.directory,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
  cache.set(bundle, synthesized);
  return synthesized;
};

/** Removes the cloud assemblies this file synthesized (call from `afterAll`). */
export const removeAssemblies = (): void => {
  for (const { outdir } of cache.values()) rmSync(outdir, { recursive: true, force: true });
  cache.clear();
};
