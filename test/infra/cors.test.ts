// CORS of the HTTP API as CloudFormation sees it: only the configured browser origins (by default the console's
// custom domain), no wildcard, no credentials, the headers the API reads and the ones a browser script may read.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '#lib/app';
import { PROJECT_ROOT } from '#lib/constructs/taskwell-function';

const FIXTURE = join(PROJECT_ROOT, 'test', 'infra', 'fixtures', 'console-dist');
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** The stateless stack of an app with cdk.json's context plus `extra` (functions not bundled, the console prebuilt). */
const statelessWith = (extra: Record<string, unknown>) => {
  const outdir = mkdtempSync(join(tmpdir(), 'taskwell-cors-'));
  outdirs.push(outdir);
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [], 'taskwell:consoleDist': FIXTURE, ...extra }, outdir });
  return buildApp(app).stateless;
};

const corsOf = (stack: ReturnType<typeof statelessWith>) => {
  const apis = Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api'));
  expect(apis).toHaveLength(1);
  return apis[0]!.Properties.CorsConfiguration as Record<string, unknown> | undefined;
};

describe('CORS of the HTTP API', () => {
  it('allows exactly the configured origins, without credentials, with the methods and headers the API uses', () => {
    const cors = corsOf(statelessWith({ 'taskwell:corsOrigins': 'https://admin.example.com, https://ops.example.com' }));
    expect(cors?.AllowOrigins).toEqual(['https://admin.example.com', 'https://ops.example.com']);
    expect(cors?.AllowCredentials).not.toBe(true);
    expect(cors?.AllowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    expect(cors?.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match', 'idempotency-key']));
    expect(cors?.ExposeHeaders).toEqual(expect.arrayContaining(['etag', 'location', 'retry-after', 'ratelimit', 'ratelimit-policy']));
  });

  it("defaults to the admin console's custom domain, never to a wildcard", () => {
    const cors = corsOf(
      statelessWith({
        'taskwell:consoleDomain': 'admin.example.com',
        'taskwell:consoleCertificateArn': 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      }),
    );
    expect(cors?.AllowOrigins).toEqual(['https://admin.example.com']);
  });

  it('without a console domain or a setting, allows no browser origin and says how to set it', () => {
    const stack = statelessWith({});
    // No CORS configuration: preflights find no route, so a browser refuses every cross-origin call.
    expect(corsOf(stack)).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('taskwell:corsOrigins'))).not.toEqual([]);
  });

  it('refuses a wildcard, a path or a plain-http origin at synth time', () => {
    for (const origins of ['*', 'https://*.example.com', 'https://admin.example.com/console', 'http://admin.example.com', 'admin.example.com']) {
      expect(() => statelessWith({ 'taskwell:corsOrigins': origins }), origins).toThrow(/taskwell:corsOrigins/);
    }
  });
});
