// The admin console's stack as CloudFormation sees it: a private bucket only this distribution may read, the SPA
// under /console/ with security headers and deep-link routing, the build deployed with config.json carrying the
// API's URL from the stateless stack, and cdk-nag. The app is synthesized the way `cdk synth` does (cdk.json's
// context, cdk-nag as an Aspect) without bundling, with a fixture build of the console (test/infra/fixtures).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App, Aspects, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '#lib/app';
import { ConsoleStack } from '#lib/console-stack';
import { ASSET_CACHE_CONTROL, CONSOLE_BASE_PATH, HSTS_MAX_AGE, LOG_RETENTION_DAYS, PAGE_CACHE_CONTROL } from '#lib/constructs/admin-console';
import { PROJECT_ROOT } from '#lib/constructs/taskwell-function';

const FIXTURE = join(PROJECT_ROOT, 'test', 'infra', 'fixtures', 'console-dist');
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** An app with cdk.json's context (plus `extra`), functions not bundled, cdk-nag checking everything. */
const newApp = (extra: Record<string, unknown>): App => {
  const outdir = mkdtempSync(join(tmpdir(), 'taskwell-console-'));
  outdirs.push(outdir);
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [], ...extra }, outdir });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return app;
};

// The whole app, as `cdk synth -c taskwell:consoleDist=…` builds it.
const app = newApp({ 'taskwell:consoleDist': FIXTURE });
const stacks = buildApp(app);
const assembly = app.synth();
const template = Template.fromStack(stacks.console);

// The console alone on a custom domain with a web ACL: what changes when the operator provides them.
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/taskwell/abcd';
const customApp = newApp({});
const customStack = new ConsoleStack(customApp, 'CustomDomainConsole', {
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
  siteDir: FIXTURE,
  domainNames: ['admin.example.com'],
  certificateArn: CERTIFICATE_ARN,
  webAclArn: WEB_ACL_ARN,
});
customApp.synth();
const customTemplate = Template.fromStack(customStack);

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string; Metadata?: Record<string, any> };
const resourcesOf = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const ofType = (t: Template, type: string) => Object.entries(resourcesOf(t)).filter(([, r]) => r.Type === type);
const only = <T>(items: T[], what: string): T => {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
};

const logicalId = (stackElement: unknown): string => stacks.console.resolve(stacks.console.getLogicalId(stackElement as CfnElement)) as string;
const SITE = logicalId(stacks.console.adminConsole.bucket.node.defaultChild);
const LOGS = logicalId(stacks.console.adminConsole.logBucket.node.defaultChild);
const DISTRIBUTION = logicalId(stacks.console.adminConsole.distribution.node.defaultChild);
const HEADERS = logicalId(stacks.console.adminConsole.responseHeadersPolicy.node.defaultChild);

/** The stateless stack's export that the console imports for the API's URL: `{ 'Fn::ImportValue': name }`. */
const apiEndpointImport = (() => {
  const stateless = Template.fromStack(stacks.stateless).toJSON() as { Outputs: Record<string, { Value: any; Export?: { Name: string } }> };
  const api = stacks.stateless.resolve(stacks.stateless.getLogicalId(stacks.stateless.api.node.defaultChild as CfnElement)) as string;
  const exported = Object.values(stateless.Outputs).filter((o) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [api, 'ApiEndpoint'] }));
  const name = only(exported, 'exports of the API endpoint').Export?.Name;
  if (!name) throw new Error('the API endpoint output is not exported');
  return { 'Fn::ImportValue': name };
})();

const distributionConfig = (t: Template) => only(ofType(t, 'AWS::CloudFront::Distribution'), 'distributions')[1].Properties.DistributionConfig;
const suppressedRules = (t: Template, type: string): string[] =>
  ofType(t, type).flatMap(([, r]) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s: { id: string }) => s.id));

describe('TaskwellConsole: the bucket', () => {
  const site = resourcesOf(template)[SITE];

  it('is private, encrypted, refuses plain HTTP, and logs its access', () => {
    expect(site?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: LOGS }, LogFilePrefix: 'site/' },
    });
    // Not a website endpoint (those are public by nature), and not versioned (build output, rebuilt from git).
    expect(site?.Properties.WebsiteConfiguration).toBeUndefined();
    expect(site?.Properties.VersioningConfiguration).toBeUndefined();
    const [, policy] = only(
      ofType(template, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === SITE),
      'site bucket policies',
    );
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('can be read by CloudFront only, on behalf of this distribution (origin access control, no OAI)', () => {
    const [, policy] = only(
      ofType(template, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === SITE),
      'site bucket policies',
    );
    const allows = (policy.Properties.PolicyDocument.Statement as Record<string, any>[]).filter((s) => s.Effect === 'Allow');
    const actions = (s: Record<string, any>): string[] => [s.Action].flat();
    const readers = allows.filter((s) => actions(s).some((a) => a === 's3:GetObject' || a === 's3:GetObject*' || a === 's3:*'));
    expect(only(readers, 'statements allowing reads')).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [SITE, 'Arn'] }, '/*']] },
      Condition: {
        StringEquals: {
          'AWS:SourceArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: DISTRIBUTION }]],
          },
        },
      },
    });
    // The one other principal is CDK's auto-delete handler, which may list and delete (to empty the bucket), not read.
    const others = allows.filter((s) => !readers.includes(s));
    expect(others.map((s) => s.Principal)).toEqual([{ AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CustomS3AutoDeleteObjects/), 'Arn'] } }]);
    expect(allows.every((s) => JSON.stringify(s.Principal) !== '"*"' && JSON.stringify(s.Principal) !== '{"AWS":"*"}')).toBe(true);

    const [oacId] = only(ofType(template, 'AWS::CloudFront::OriginAccessControl'), 'origin access controls');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    expect(only(distributionConfig(template).Origins as Record<string, any>[], 'origins')).toMatchObject({
      DomainName: { 'Fn::GetAtt': [SITE, 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });

  it('goes with the stack (emptied first), while the access logs stay and expire', () => {
    template.hasResource('AWS::S3::Bucket', { Properties: Match.objectLike({ LoggingConfiguration: Match.anyValue() }), DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    expect(resourcesOf(template)[LOGS]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: LOG_RETENTION_DAYS, Status: 'Enabled' })] },
        // CloudFront's standard logs are written with ACLs, which a bucket-owner-enforced bucket would refuse.
        OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
      },
    });
  });
});

describe('TaskwellConsole: the distribution', () => {
  const config = distributionConfig(template);

  it('redirects HTTP to HTTPS, serves GET/HEAD from the cache, logs every request', () => {
    expect(config).toMatchObject({
      Enabled: true,
      DefaultRootObject: 'index.html',
      PriceClass: 'PriceClass_100',
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
      Logging: { Bucket: { 'Fn::GetAtt': [LOGS, 'RegionalDomainName'] }, Prefix: 'cloudfront/' },
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        Compress: true,
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', // Managed-CachingOptimized: honours the objects' Cache-Control
      },
    });
    expect(config.CacheBehaviors).toBeUndefined();
  });

  it('adds the security headers to every response', () => {
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: HEADERS });
    const headers = resourcesOf(template)[HEADERS]?.Properties.ResponseHeadersPolicyConfig;
    expect(headers.SecurityHeadersConfig).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: HSTS_MAX_AGE.toSeconds(), IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentSecurityPolicy: { Override: true },
    });
    expect(HSTS_MAX_AGE.toSeconds()).toBeGreaterThanOrEqual(365 * 24 * 3600);
  });

  it('has a Content-Security-Policy that runs only its own scripts and calls only itself and the API', () => {
    const csp = resourcesOf(template)[HEADERS]?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    // A deploy-time value: the literal parts around the stateless stack's exported API endpoint.
    const [, parts] = csp['Fn::Join'] as [string, unknown[]];
    expect(parts.filter((p) => typeof p !== 'string')).toEqual([apiEndpointImport]);
    const text = parts.map((p) => (typeof p === 'string' ? p : '{API}')).join('');
    const directives = new Map(
      text.split(';').map((d) => {
        const [name = '', ...sources] = d.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", '{API}']);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'self'"]);
    expect(text).not.toMatch(/unsafe-eval|\*/);
    expect(text.length).toBeLessThan(1783 - 100); // CloudFront's limit on the header, with room for the API's origin
  });

  it('uses the default certificate, whose TLSv1 floor is acknowledged, and no WAF unless given one', () => {
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.WebACLId).toBeUndefined();
    expect(suppressedRules(template, 'AWS::CloudFront::Distribution').sort()).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4']);
  });

  it('on a custom domain enforces TLS 1.2 (TLSv1.2_2021, SNI) and attaches the web ACL, with nothing left to acknowledge', () => {
    expect(distributionConfig(customTemplate)).toMatchObject({
      Aliases: ['admin.example.com'],
      ViewerCertificate: { AcmCertificateArn: CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      WebACLId: WEB_ACL_ARN,
    });
    expect(suppressedRules(customTemplate, 'AWS::CloudFront::Distribution')).toEqual(['AwsSolutions-CFR1']);
    customTemplate.hasOutput('ConsoleUrl', { Value: `https://admin.example.com${CONSOLE_BASE_PATH}` });
  });

  it('outputs the console URL under /console/', () => {
    template.hasOutput('ConsoleUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [DISTRIBUTION, 'DomainName'] }, CONSOLE_BASE_PATH]] },
    });
    template.hasOutput('ConsoleOrigin', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [DISTRIBUTION, 'DomainName'] }]] } });
  });
});

describe('TaskwellConsole: routing (the viewer-request CloudFront Function)', () => {
  const [, fn] = only(ofType(template, 'AWS::CloudFront::Function'), 'functions');
  const association = only(distributionConfig(template).DefaultCacheBehavior.FunctionAssociations as Record<string, any>[], 'associations');
  // The code CloudFront runs, evaluated as it is deployed (runtime 2.0 is a subset of the JavaScript Node runs).
  const handler = new Function(`${fn.Properties.FunctionCode as string}\nreturn handler;`)() as (event: unknown) => any;
  const request = (uri: string) => ({ request: { method: 'GET', uri, querystring: { tab: { value: 'open' } }, headers: {}, cookies: {} } });

  it('runs on viewer requests of the default behaviour, on the 2.0 runtime', () => {
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(association).toEqual({ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } });
  });

  it.each(['/', '/index.html', '/console'])('redirects %s to /console/', (uri) => {
    expect(handler(request(uri))).toEqual({
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: CONSOLE_BASE_PATH }, 'cache-control': { value: 'no-cache' } },
    });
  });

  it.each(['/console/', '/console/users', '/console/users/01JABCDEF/projects', '/console/audit/', '/console/users/ann.lee@example.com'])(
    'serves the SPA for the route %s (deep link, query kept)',
    (uri) => {
      expect(handler(request(uri))).toEqual({ ...request(`${CONSOLE_BASE_PATH}index.html`).request });
    },
  );

  it.each(['/console/assets/index-Cf1xture.js', '/console/assets/index-D2fixture.css', '/console/config.json', '/console/favicon.svg', '/console/index.html', '/robots.txt'])(
    'passes the file %s through to S3 unchanged',
    (uri) => {
      expect(handler(request(uri))).toEqual(request(uri).request);
    },
  );
});

describe('TaskwellConsole: the deployment of the build', () => {
  const deployments = ofType(template, 'Custom::CDKBucketDeployment');
  const [assetsId, assets] = only(
    deployments.filter(([, d]) => d.Properties.Prune === false),
    'unpruned deployments',
  );
  const [, pages] = only(
    deployments.filter(([, d]) => d.Properties.Prune === true),
    'pruned deployments',
  );
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stacks.console.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string } }>;
  };
  /** The directory cdk.out stages an uploaded zip from (`<hash>.zip` → `asset.<hash>`). */
  const stagedDir = (objectKey: string): string => {
    const entry = manifest.files[objectKey.replace(/\.zip$/, '')];
    if (!entry) throw new Error(`no staged asset for ${objectKey}`);
    expect(entry.source.packaging).toBe('zip');
    return join(assembly.directory, entry.source.path);
  };

  it('puts the build under console/ in the site bucket', () => {
    for (const [, d] of deployments) {
      expect(d.Properties).toMatchObject({ DestinationBucketName: { Ref: SITE }, DestinationBucketKeyPrefix: CONSOLE_BASE_PATH.slice(1) });
    }
    const build = stagedDir(assets.Properties.SourceObjectKeys[0] as string);
    expect(readFileSync(join(build, 'index.html'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'index.html'), 'utf8'));
    expect(pages.Properties.SourceObjectKeys[0]).toBe(assets.Properties.SourceObjectKeys[0]);
  });

  it('writes config.json with the API URL, resolved from the stateless stack at deploy time', () => {
    const keys = pages.Properties.SourceObjectKeys as string[];
    const markers = pages.Properties.SourceMarkers as Record<string, unknown>[];
    expect(keys).toHaveLength(2);
    const config = JSON.parse(readFileSync(join(stagedDir(keys[1] as string), 'config.json'), 'utf8')) as { apiUrl: string };
    expect(Object.keys(config)).toEqual(['apiUrl']);
    // The file holds a marker; the deployment replaces it with the imported endpoint when it copies the file.
    expect(markers[1]).toEqual({ [config.apiUrl]: apiEndpointImport });
    expect(pages.Properties.SourceMarkersConfig).toEqual([{}, { jsonEscape: true }]);
    // Last source wins: the generated config.json replaces any config.json the build carries (the fixture has one).
    expect(JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'))).toHaveProperty('apiUrl');
  });

  it('caches fingerprinted assets for a year and keeps old ones; pages and config.json are revalidated and pruned', () => {
    expect(assets.Properties).toMatchObject({ Exclude: ['*'], Include: ['assets/*'], SystemMetadata: { 'cache-control': ASSET_CACHE_CONTROL } });
    expect(pages.Properties).toMatchObject({ Exclude: ['assets/*'], SystemMetadata: { 'cache-control': PAGE_CACHE_CONTROL } });
    expect(pages.Properties.Include).toBeUndefined();
    // A new index.html is published only after the assets it names.
    expect(deployments.find(([, d]) => d === pages)?.[1].DependsOn).toContain(assetsId);
  });
});

describe('ConsoleStack: refuses a configuration it cannot deploy', () => {
  const stackWith = (props: Partial<ConstructorParameters<typeof ConsoleStack>[2]>) => () =>
    new ConsoleStack(new App(), 'Console', { apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', siteDir: FIXTURE, ...props });

  it('a custom domain without its certificate, or a certificate outside us-east-1', () => {
    expect(stackWith({ domainNames: ['admin.example.com'] })).toThrow(/go together/);
    expect(stackWith({ domainNames: ['admin.example.com'], certificateArn: CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1') })).toThrow(/us-east-1/);
  });

  it('a prebuilt console directory without index.html', () => {
    expect(stackWith({ siteDir: join(FIXTURE, 'assets') })).toThrow(/no index\.html/);
  });
});

describe.each([
  ['TaskwellConsole', () => stacks.console],
  ['the console on a custom domain', () => customStack],
] as const)('cdk-nag AwsSolutions on %s', (_name, stack) => {
  it('reports no unacknowledged errors', () => {
    expect(Annotations.fromStack(stack()).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('reports no unacknowledged warnings', () => {
    expect(Annotations.fromStack(stack()).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});
