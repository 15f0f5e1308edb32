// The admin console's stack: the AdminConsole construct (private bucket, CloudFront, security headers, deployment) fed
// with the console's build and the API's URL from the stateless stack. It holds nothing that git cannot rebuild, so it
// can be destroyed and redeployed at will (only its access logs are retained).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative } from 'node:path';
import { BundlingOutput, CfnOutput, DockerImage, FileSystem, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { AdminConsole } from '#lib/constructs/admin-console';
import { PROJECT_ROOT } from '#lib/constructs/taskwell-function';

/** The console's sources (a Vite project whose root is this directory) and where `npm run console:build` writes. */
export const CONSOLE_SOURCE_DIR = join(PROJECT_ROOT, 'console');
export const CONSOLE_DIST_DIR = join(CONSOLE_SOURCE_DIR, 'dist');
/** The npm script (package.json) that builds the console into {@link CONSOLE_DIST_DIR}. */
export const CONSOLE_BUILD_SCRIPT = 'console:build';

export interface ConsoleStackProps extends StackProps {
  /** The API's base URL, an origin without a path (the stateless stack's `api.apiEndpoint`). */
  apiUrl: string;
  /**
   * A directory holding an already built console (index.html at its root), deployed as it is.
   * @default the console is built from `console/` with `npm run console:build` during synth (no Docker)
   */
  siteDir?: string;
  /** Custom host names for the console; needs {@link certificateArn}. */
  domainNames?: string[];
  /** An ACM certificate in us-east-1 covering {@link domainNames}. */
  certificateArn?: string;
  /** ARN of an AWS WAF web ACL with scope CLOUDFRONT. */
  webAclArn?: string;
}

/** A console built elsewhere (CI, or a test fixture). */
const prebuiltSite = (dir: string): ISource => {
  const path = isAbsolute(dir) ? dir : join(PROJECT_ROOT, dir);
  if (!existsSync(join(path, 'index.html'))) throw new Error(`taskwell:consoleDist: ${path} holds no index.html; build the console first`);
  return Source.asset(path);
};

/**
 * The console built from source by a local bundling hook: `npm run console:build`, then its output copied into the
 * asset. The asset's hash covers the sources (not node_modules or dist) and package-lock.json, so an unchanged console
 * is not rebuilt by the next synth into the same cdk.out, and skipped stacks (`cdk deploy TaskwellStateless`, the
 * infra tests that do not bundle) do not build it at all. It never falls back to Docker: a failed build fails the synth.
 */
const builtSite = (): ISource => {
  if (!existsSync(join(CONSOLE_SOURCE_DIR, 'index.html'))) {
    throw new Error(
      `The admin console's sources are missing (${join(relative(PROJECT_ROOT, CONSOLE_SOURCE_DIR), 'index.html')}); ` +
        'restore them, or deploy a console built elsewhere with -c taskwell:consoleDist=<dir>.',
    );
  }
  const lockfile = join(PROJECT_ROOT, 'package-lock.json');
  const dependencies = existsSync(lockfile) ? createHash('sha256').update(readFileSync(lockfile)).digest('hex') : '';
  const exclude = ['node_modules', 'dist', '*.log', '.vite'];
  return Source.asset(CONSOLE_SOURCE_DIR, {
    exclude,
    // CDK's own source fingerprint, plus the locked dependency versions (Vite, React, …) the build also depends on.
    assetHash: FileSystem.fingerprint(CONSOLE_SOURCE_DIR, { exclude, extraHash: dependencies }),
    bundling: {
      image: DockerImage.fromRegistry('none'), // required by the API; never used, the local hook below always answers
      outputType: BundlingOutput.NOT_ARCHIVED,
      local: {
        tryBundle(outputDir: string): boolean {
          const build = spawnSync('npm', ['run', '--silent', CONSOLE_BUILD_SCRIPT], {
            cwd: PROJECT_ROOT,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            shell: process.platform === 'win32',
          });
          if (build.status !== 0) {
            throw new Error(
              `npm run ${CONSOLE_BUILD_SCRIPT} failed (${build.error?.message ?? `exit ${String(build.status)}`}):\n${build.stdout}${build.stderr}`,
            );
          }
          if (!existsSync(join(CONSOLE_DIST_DIR, 'index.html'))) {
            throw new Error(`npm run ${CONSOLE_BUILD_SCRIPT} wrote no ${relative(PROJECT_ROOT, CONSOLE_DIST_DIR)}/index.html`);
          }
          cpSync(CONSOLE_DIST_DIR, outputDir, { recursive: true });
          return true;
        },
      },
    },
  });
};

export class ConsoleStack extends Stack {
  readonly adminConsole: AdminConsole;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);

    const { domainNames, certificateArn } = props;
    if (Boolean(domainNames?.length) !== Boolean(certificateArn)) {
      throw new Error('taskwell:consoleDomain and taskwell:consoleCertificateArn go together: a custom domain needs its certificate');
    }
    if (certificateArn && !Token.isUnresolved(certificateArn) && !certificateArn.startsWith('arn:aws:acm:us-east-1:')) {
      throw new Error(`CloudFront only uses ACM certificates from us-east-1, got ${certificateArn}`);
    }

    this.adminConsole = new AdminConsole(this, 'AdminConsole', {
      site: props.siteDir ? prebuiltSite(props.siteDir) : builtSite(),
      apiUrl: props.apiUrl,
      ...(domainNames?.length && certificateArn
        ? { domain: { names: domainNames, certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn) } }
        : {}),
      ...(props.webAclArn ? { webAclArn: props.webAclArn } : {}),
    });

    new CfnOutput(this, 'ConsoleUrl', { value: this.adminConsole.url, description: 'The admin console (sign in with an admins-group account)' });
    new CfnOutput(this, 'ConsoleOrigin', {
      value: `https://${this.adminConsole.distribution.distributionDomainName}`,
      description: "The console's CloudFront origin: put it (or your custom domain) in taskwell:corsOrigins",
    });
    new CfnOutput(this, 'ConsoleDistributionId', { value: this.adminConsole.distribution.distributionId });
    new CfnOutput(this, 'ConsoleBucketName', { value: this.adminConsole.bucket.bucketName });
  }
}
