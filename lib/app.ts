// Builds the Taskwell stacks into an app; shared by bin/taskwell.ts and the infra tests, so both synthesize the same thing.
import { Tags, type App } from 'aws-cdk-lib';
import { StatefulStack } from '#lib/stateful-stack';
import { DEFAULT_THROTTLE, StatelessStack } from '#lib/stateless-stack';
import { senderAddress } from '#lib/constructs/taskwell-function';
import { isAdminMfaRequired } from '#shared/domain/mfa';
import { ConsoleStack } from '#lib/console-stack';
import { parseCorsOrigins } from '#shared/http/cors';

export interface TaskwellStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
  console: ConsoleStack;
}

const numberFromContext = (app: App, key: string): number | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`context ${key} must be a non-negative number, got ${String(value)}`);
  return n;
};

const stringFromContext = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value.trim();
};

/** The sender of notification emails when the deployment names none; SES refuses it until it is a verified identity. */
export const DEFAULT_MAIL_FROM = 'notifications@example.com';

/**
 * Optional context (cdk.json or `-c key=value`):
 * - `taskwell:corsOrigins`: comma-separated browser origins allowed by CORS, `https://host[:port]`, no wildcard
 *   (default: the console's custom domains, `https://<taskwell:consoleDomain>`; without one, none until you set the
 *   console's CloudFront origin, the ConsoleOrigin output),
 * - `taskwell:throttleRate` / `taskwell:throttleBurst`: stage throttling,
 * - `taskwell:requestQuotaPerMinute`: requests per minute per user on authenticated routes (default 100),
 * - `taskwell:mailFrom`: the sender of notification emails, `notifications@example.org` or
 *   `Taskwell <notifications@example.org>` (default {@link DEFAULT_MAIL_FROM}); the address or its domain must be a
 *   verified SES identity, and it is the only identity the notification function may send as,
 * - `taskwell:appUrl`: the base URL of links in emails (default: the API's endpoint URL),
 * - `taskwell:consoleDist`: deploy an admin console built elsewhere from this directory (default: synth builds
 *   `console/` with `npm run console:build`),
 * - `taskwell:consoleDomain` (comma-separated host names) with `taskwell:consoleCertificateArn` (ACM, us-east-1):
 *   serve the console on your domain with TLS 1.2+,
 * - `taskwell:consoleWebAclArn`: an AWS WAF web ACL (scope CLOUDFRONT) for the console's distribution,
 * - `taskwell:adminMfaRequired`: `true` to require an authenticator app (TOTP MFA) for admin rights (default off).
 */
export const buildApp = (app: App): TaskwellStacks => {
  const stateful = new StatefulStack(app, 'TaskwellStateful', {
    description: 'Taskwell data and identities: the DynamoDB table, the Cognito user pool, the event bus and queues (retained on delete)',
  });
  const consoleDomains = stringFromContext(app, 'taskwell:consoleDomain')?.split(',').map((d) => d.trim()).filter(Boolean);
  // The console's origin by default: the stateless stack cannot refer to the console's CloudFront domain (the
  // console stack depends on the API's URL), so without a custom domain the origin is set after the first deploy.
  const corsOrigins = parseCorsOrigins(stringFromContext(app, 'taskwell:corsOrigins') ?? (consoleDomains ?? []).map((d) => `https://${d}`));
  const mailFrom = stringFromContext(app, 'taskwell:mailFrom') ?? DEFAULT_MAIL_FROM;
  senderAddress(mailFrom); // refuses a malformed sender at synth time, not at the first email
  const stateless = new StatelessStack(app, 'TaskwellStateless', {
    description: 'Taskwell API and event flow: HTTP API, Lambda authorizer, one function per route, outbox publisher, rules, consumers, dashboard and alarms',
    table: stateful.table,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    eventBus: stateful.eventBus,
    publisherDlq: stateful.publisherDlq,
    eventQueues: stateful.eventQueues,
    ruleTargetsDlq: stateful.ruleTargetsDlq,
    mailFrom,
    appUrl: stringFromContext(app, 'taskwell:appUrl'),
    adminMfaRequired: isAdminMfaRequired(String(app.node.tryGetContext('taskwell:adminMfaRequired') ?? '')),
    corsOrigins,
    requestQuotaPerMinute: numberFromContext(app, 'taskwell:requestQuotaPerMinute'),
    throttle: {
      rateLimit: numberFromContext(app, 'taskwell:throttleRate') ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: numberFromContext(app, 'taskwell:throttleBurst') ?? DEFAULT_THROTTLE.burstLimit,
    },
  });
  stateless.addStackDependency(stateful);
  const consoleStack = new ConsoleStack(app, 'TaskwellConsole', {
    description: 'Taskwell admin console: a private S3 bucket behind CloudFront (origin access control, security headers), the SPA with the API URL injected at deploy time',
    apiUrl: stateless.api.apiEndpoint, // the $default stage's URL without the trailing slash
    siteDir: stringFromContext(app, 'taskwell:consoleDist'),
    domainNames: consoleDomains,
    certificateArn: stringFromContext(app, 'taskwell:consoleCertificateArn'),
    webAclArn: stringFromContext(app, 'taskwell:consoleWebAclArn'),
  });
  Tags.of(app).add('project', 'taskwell');
  return { stateful, stateless, console: consoleStack };
};
