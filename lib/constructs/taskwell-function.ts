// One construct carries every Lambda default of the project: Node 22 on arm64, ESM bundles built by the
// local esbuild (never Docker), the AWS SDK bundled, source maps, X-Ray, a log group with a retention, and the
// environment every function reads. Permissions come only from the route's declared grants.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { RouteGrants } from '#shared/routes';
import { TABLE } from '#shared/store/table';
import { catalogue, eventQueueNames } from '#shared/ops/dlq-catalogue';
import { BUNDLE_ALIASES, ESM_REQUIRE_BANNER, MAIN_FIELDS } from '#lib/bundling/build-options';

/** The repository root: entries, package-lock.json and tsconfig.json are resolved from here. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What `table: 'read'` allows — never Scan. */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
] as const;
/** What `table: 'readwrite'` adds to the read actions. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** The table actions a grant allows, in a stable order. */
export const tableActionsFor = (grants: RouteGrants): string[] => {
  if (grants.table === 'readwrite') return [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
  if (grants.table === 'read') return [...TABLE_READ_ACTIONS];
  return [];
};

/** What `email: true` allows, on the sender identity only. SES v2's SendEmail is authorized as ses:SendEmail. */
export const EMAIL_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

/** What `dlqs` allows on the DLQs, per level: `count` their depths, `read` also their messages (without consuming them). */
export const DLQ_ACTIONS = {
  count: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
  read: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'],
  redrive: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'],
} as const;
/** What `dlqs: 'redrive'` allows on the event queues the messages go back to. */
export const REDRIVE_TARGET_ACTIONS = ['sqs:GetQueueUrl', 'sqs:SendMessage'] as const;

/** The address of a sender such as `Taskwell <notifications@example.com>` or `notifications@example.com`. */
export const senderAddress = (mailFrom: string): string => {
  const address = (/<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom).trim();
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address)) throw new Error(`not a sender address: ${JSON.stringify(mailFrom)}`);
  return address;
};

export interface TaskwellFunctionProps {
  /** Handler module path from the repository root, e.g. `functions/tasks/create-task.ts` (exports `handler`). */
  entry: string;
  /** What the function may touch; nothing is granted beyond this. */
  grants: RouteGrants;
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  description?: string;
  /** @default 1024 — more memory is also more CPU, which shortens cold starts of bundled SDK code. */
  memorySize?: number;
  /** @default 10 s — an API request must answer well within API Gateway's 30 s. */
  timeout?: Duration;
  /** The sender (`MAIL_FROM`) of a function granted `email`; it may send as this identity only. */
  mailFrom?: string;
  /**
   * The prefix of the queue names (the stateful stack's name) for a function granted `dlqs`: it gets it as
   * QUEUE_PREFIX and may touch exactly those queues. @default the name of the stack that holds `table`
   */
  queuePrefix?: string;
  /** Extra environment variables. */
  environment?: Record<string, string>;
}

export class TaskwellFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TaskwellFunctionProps) {
    super(scope, id);
    const functionName = `${Stack.of(this).stackName}-${id}`.slice(0, 64);
    // The queues live in the stateful stack, beside the table, and are named after it (shared/events/queues.ts).
    const queuePrefix = props.grants.dlqs ? (props.queuePrefix ?? Stack.of(props.table).stackName) : undefined;

    // Named like Lambda's own groups so operators find it; it lives and dies with the (stateless) function.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one: the default attaches the managed AWSLambdaBasicExecutionRole, which
    // may write to every log group of the account; this role may write only to the function's own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}: its own log group, X-Ray, and its declared grants only`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      functionName,
      description: props.description,
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: props.table.tableName,
        USER_POOL_ID: props.userPool.userPoolId,
        USER_POOL_CLIENT_ID: props.userPoolClient.userPoolClientId,
        POWERTOOLS_SERVICE_NAME: 'taskwell',
        POWERTOOLS_METRICS_NAMESPACE: 'Taskwell',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...(props.grants.email && props.mailFrom ? { MAIL_FROM: props.mailFrom } : {}),
        ...(queuePrefix ? { QUEUE_PREFIX: queuePrefix } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: MAIN_FIELDS,
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK v3 too: a pinned, tree-shaken SDK instead of whatever the runtime ships.
        externalModules: [],
        // esbuild is a devDependency; bundling must never fall back to Docker.
        forceDockerBundling: false,
        tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([module, replacement]) => [`--alias:${module}`, replacement])),
        logLevel: LogLevel.WARNING,
      },
    });

    this.grant(props, queuePrefix);

    NagSuppressions.addResourceSuppressions(
      this,
      [
        {
          id: 'AwsSolutions-L1',
          reason:
            'nodejs22.x is the runtime the project fixed in its design: bundles target node22 and the local runtime ' +
            'and CI run Node 20/22, so code is tested on the version it runs on. Node 22 is a supported Lambda LTS ' +
            'runtime; moving to nodejs24.x is a one-line change here once the toolchain moves.',
        },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason:
            'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by tracing: ACTIVE) use Resource "*": ' +
            'these X-Ray actions support no resource-level permissions. Table and user-pool grants name exact ARNs.',
        },
      ],
      true,
    );
  }

  private grant({ grants, table, userPool, mailFrom }: TaskwellFunctionProps, queuePrefix: string | undefined): void {
    if (grants.table) {
      // Explicit index ARNs rather than `/index/*`: the function may query exactly the indexes the table declares.
      const indexArns = TABLE.indexes.map((index) => `${table.tableArn}/index/${index.name}`);
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: [...TABLE_READ_ACTIONS], resources: [table.tableArn, ...indexArns] }),
      );
      if (grants.table === 'readwrite') {
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions: [...TABLE_WRITE_ACTIONS], resources: [table.tableArn] }),
        );
      }
    }
    if (grants.userPool?.length) {
      userPool.grant(this.role, ...grants.userPool.map((action) => `cognito-idp:${action}`));
    }
    if (grants.email) {
      if (!mailFrom) throw new Error(`${this.node.path}: grants.email needs the sender (mailFrom)`);
      // The sender's address and its domain: SES authorizes a send against whichever of the two is the verified
      // identity, so both are named, and nothing else of the account's identities.
      const address = senderAddress(mailFrom);
      const domain = address.slice(address.lastIndexOf('@') + 1);
      const identity = (name: string) => Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: [...EMAIL_ACTIONS], resources: [identity(address), identity(domain)] }),
      );
    }
    if (grants.dlqs && queuePrefix) {
      // Queue ARNs built from the declared names (the stateful stack exports no ARN of most DLQs): exactly the
      // deployment's DLQs, and for a redrive exactly its event queues.
      const queueArn = (name: string) => Stack.of(this).formatArn({ service: 'sqs', resource: name });
      const dlqs = catalogue(queuePrefix);
      // A redrive never touches the publisher DLQ: its batches are replayed from the stream by `npm run dlq`.
      const touched = grants.dlqs === 'redrive' ? dlqs.filter((d) => d.kind !== 'publisher') : dlqs;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: [...DLQ_ACTIONS[grants.dlqs]], resources: touched.map((d) => queueArn(d.name)) }),
      );
      if (grants.dlqs === 'redrive') {
        this.role.addToPrincipalPolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions: [...REDRIVE_TARGET_ACTIONS], resources: eventQueueNames(queuePrefix).map(queueArn) }),
        );
      }
    }
  }
}
