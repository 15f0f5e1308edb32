// Builds the Taskwell stacks into an app; shared by bin/taskwell.ts and the infra tests, so both synthesize the same thing.
import { Tags, type App } from 'aws-cdk-lib';
import { StatefulStack } from '#lib/stateful-stack';
import { DEFAULT_THROTTLE, StatelessStack } from '#lib/stateless-stack';

export interface TaskwellStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

const numberFromContext = (app: App, key: string): number | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`context ${key} must be a non-negative number, got ${String(value)}`);
  return n;
};

/**
 * Optional context (cdk.json or `-c key=value`):
 * - `taskwell:corsOrigins`: comma-separated browser origins (default `*`),
 * - `taskwell:throttleRate` / `taskwell:throttleBurst`: stage throttling.
 */
export const buildApp = (app: App): TaskwellStacks => {
  const stateful = new StatefulStack(app, 'TaskwellStateful', {
    description: 'Taskwell data and identities: the DynamoDB table and the Cognito user pool (retained on delete)',
  });
  const origins: unknown = app.node.tryGetContext('taskwell:corsOrigins');
  const stateless = new StatelessStack(app, 'TaskwellStateless', {
    description: 'Taskwell API: HTTP API, Lambda authorizer, one function per route, dashboard and alarms',
    table: stateful.table,
    userPool: stateful.userPool,
    userPoolClient: stateful.userPoolClient,
    eventBus: stateful.eventBus,
    publisherDlq: stateful.publisherDlq,
    corsOrigins: typeof origins === 'string' ? origins.split(',').map((o) => o.trim()).filter(Boolean) : undefined,
    throttle: {
      rateLimit: numberFromContext(app, 'taskwell:throttleRate') ?? DEFAULT_THROTTLE.rateLimit,
      burstLimit: numberFromContext(app, 'taskwell:throttleBurst') ?? DEFAULT_THROTTLE.burstLimit,
    },
  });
  stateless.addStackDependency(stateful);
  Tags.of(app).add('project', 'taskwell');
  return { stateful, stateless };
};
