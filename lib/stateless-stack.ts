// The API: an HTTP API whose routes are generated from the route table (shared/routes.ts), one function per route,
// a Lambda authorizer on every route that needs a caller, throttling, JSON access logs, a dashboard and alarms.
// Also the event flow's moving parts: the outbox publisher, the bus's rules (shared/events/rules.ts) and the queue
// consumers (shared/events/queues.ts). Nothing here holds data, so this stack can be destroyed and redeployed
// without loss.
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type HttpRoute,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { DEFAULT_QUOTA } from '#shared/domain/quota';
import { authorizer as authorizerDef, functionId, routes, type RouteDef } from '#shared/routes';
import { CORS, parseCorsOrigins } from '#shared/http/cors';
import { TaskwellFunction } from '#lib/constructs/taskwell-function';
import { OutboxPublisher } from '#lib/constructs/outbox-publisher';
import { EventConsumers } from '#lib/constructs/event-consumers';
import { ReminderSchedule } from '#lib/constructs/reminder-schedule';
import type { EventQueue } from '#lib/constructs/event-queues';
import { EventRules } from '#lib/constructs/event-rules';
import { queues as queueDefs, type QueueName } from '#shared/events/queues';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue, type IQueue } from 'aws-cdk-lib/aws-sqs';

export interface ThrottleLimits {
  /** Steady-state requests per second for the whole stage. */
  rateLimit: number;
  /** Requests the stage absorbs in a burst above the rate. */
  burstLimit: number;
}

export interface StatelessStackProps extends StackProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  eventBus: IEventBus;
  publisherDlq: IQueue;
  /** The stateful stack's event queues, each with its DLQ. */
  eventQueues: Readonly<Record<QueueName, EventQueue>>;
  /** The DLQ every rule target shares. */
  ruleTargetsDlq: IQueue;
  /** The sender of notification emails; it is the only SES identity a function may send as. */
  mailFrom: string;
  /** Base URL of links in emails. @default the API's endpoint URL */
  appUrl?: string;
  /** @default { rateLimit: 50, burstLimit: 100 } */
  /**
   * Whether admin rights need MFA (context `taskwell:adminMfaRequired`, default off): the authorizer gets it as
   * ADMIN_MFA_REQUIRED and applies `adminNeedsMfa` (shared/domain/mfa.ts).
   */
  adminMfaRequired?: boolean;
  throttle?: ThrottleLimits;
  /**
   * Browser origins allowed by CORS (`https://host[:port]`; no wildcard): the admin console's origin. Empty: no
   * browser may call the API cross-origin (the console's CloudFront origin is known only after its first deploy).
   */
  corsOrigins: string[];
  /** Requests per minute each user may make on authenticated routes (counted by the authorizer). @default 100 */
  requestQuotaPerMinute?: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { rateLimit: 50, burstLimit: 100 };

/** API Gateway HTTP API route keys: `GET /v1/tasks/{taskId}`. */
const httpMethod = (route: RouteDef): HttpMethod => HttpMethod[route.method];

/** One JSON object per request (HTTP API `$context` variables); no request bodies, headers or tokens. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    authorizerLatency: '$context.authorizer.latency',
    userId: '$context.authorizer.userId',
  }),
);

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: ReadonlyMap<string, TaskwellFunction>;
  readonly authorizerFunction: TaskwellFunction;
  /** The table-stream → EventBridge publisher (the outbox). */
  readonly outbox: OutboxPublisher;
  /** The bus's rules, each sending to its queue. */
  readonly eventRules: EventRules;
  /** One function per queue that has a consumer. */
  readonly consumers: EventConsumers;
  /** Due-date reminders: the state machine and the function it wakes. */
  readonly reminders: ReminderSchedule;
  /** The stateful queues (and their DLQs) as this stack refers to them. */
  private readonly queues: Readonly<Record<QueueName, EventQueue>>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { table, userPool, userPoolClient } = props;
    const shared = { table, userPool, userPoolClient };

    this.outbox = new OutboxPublisher(this, 'Outbox', { ...shared, eventBus: props.eventBus, deadLetterQueue: props.publisherDlq });

    this.authorizerFunction = new TaskwellFunction(this, functionId(authorizerDef.handler), {
      ...shared,
      entry: authorizerDef.handler,
      grants: authorizerDef.grants,
      environment: { ADMIN_MFA_REQUIRED: props.adminMfaRequired ? 'true' : 'false', REQUEST_QUOTA_PER_MINUTE: String(props.requestQuotaPerMinute ?? DEFAULT_QUOTA.limit) },
      description: 'Lambda authorizer: verifies Cognito access tokens, refuses disabled users and ended sessions, counts the request quota',
    });
    const authorizer: IHttpRouteAuthorizer = new HttpLambdaAuthorizer('Authorizer', this.authorizerFunction.function, {
      authorizerName: 'taskwell-access-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // No gateway cache: a user an admin disables must be refused on the very next request. The authorizer caches
      // signature verification in memory itself and re-reads the user's status per request.
      resultsCacheTtl: Duration.seconds(0),
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: 'taskwell',
      description: 'Taskwell HTTP API (routes generated from shared/routes.ts)',
      createDefaultStage: false,
      // Only the configured origins, without credentials (tokens travel in Authorization, never in cookies). No
      // origin: no CORS configuration at all, so preflights find no route and browsers refuse cross-origin calls.
      ...(props.corsOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: parseCorsOrigins(props.corsOrigins),
          allowCredentials: false,
          allowMethods: CORS.allowMethods.map((method) => CorsHttpMethod[method]),
          allowHeaders: [...CORS.allowHeaders],
          exposeHeaders: [...CORS.exposeHeaders],
          maxAge: Duration.seconds(CORS.maxAgeSeconds),
        },
      }),
    });

    if (props.corsOrigins.length === 0) {
      Annotations.of(this.api).addWarningV2(
        'taskwell:cors-no-origins',
        'No browser origin may call the API: set taskwell:corsOrigins to the admin console origin (the ConsoleOrigin output) and deploy again.',
      );
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${this.stackName}/access`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const functions = new Map<string, TaskwellFunction>();
    const publicRoutes: HttpRoute[] = [];
    for (const route of routes) {
      const name = functionId(route.handler);
      const fn = new TaskwellFunction(this, name, { ...shared, entry: route.handler, grants: route.grants, mailFrom: props.mailFrom, description: route.summary });
      functions.set(name, fn);
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [httpMethod(route)],
        integration: new HttpLambdaIntegration(`${name}-integration`, fn.function),
        ...(route.auth === 'none' ? {} : { authorizer }),
      });
      if (route.auth === 'none' && httpRoute) publicRoutes.push(httpRoute);
    }
    this.functions = functions;

    // Imported rather than used as the stateful stack's objects: nothing here may add to those queues' policies
    // (the stateful stack declares them); their ARNs still come from its exports, so CloudFormation orders the deploys.
    const imported = (id: string, queue: IQueue) => Queue.fromQueueAttributes(this, id, { queueArn: queue.queueArn });
    this.queues = Object.fromEntries(
      queueDefs.map(({ name }) => {
        const { queue, dlq } = props.eventQueues[name];
        return [name, { queue: imported(`${name}-queue`, queue), dlq: imported(`${name}-dlq`, dlq) }];
      }),
    ) as Record<QueueName, EventQueue>;
    const queueOf = Object.fromEntries(queueDefs.map(({ name }) => [name, this.queues[name].queue])) as Record<QueueName, IQueue>;

    const ruleTargetsDlq = imported('rule-targets-dlq', props.ruleTargetsDlq);
    this.eventRules = new EventRules(this, 'EventRules', { eventBus: props.eventBus, queues: queueOf, deadLetterQueue: ruleTargetsDlq });
    this.reminders = new ReminderSchedule(this, 'Reminders', shared);
    this.consumers = new EventConsumers(this, 'EventConsumers', {
      ...shared,
      reminders: this.reminders,
      eventBus: props.eventBus,
      queues: queueOf,
      mailFrom: props.mailFrom,
      // The consumers are not behind the API, so referring to its endpoint makes no cycle.
      appUrl: props.appUrl ?? this.api.apiEndpoint,
    });

    this.monitoring({ 'rule targets': ruleTargetsDlq, publisher: imported('publisher-dlq', props.publisherDlq) });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the API (routes live under /v1)' });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });

    this.suppressions(publicRoutes);
  }

  /**
   * A dashboard and alarms: API 5xx, and each function's errors and throttles. Alarms have no actions yet. The
   * queues' own alarms (DLQ depth, oldest message) live with the queues in the stateful stack.
   */
  private monitoring(otherDlqs: Record<string, IQueue>): void {
    const all = [
      [functionId(authorizerDef.handler), this.authorizerFunction] as const,
      [this.outbox.publisher.node.id, this.outbox.publisher] as const,
      [this.reminders.wakeUp.node.id, this.reminders.wakeUp] as const,
      ...[...this.consumers.functions].map(([n, f]) => [n, f] as const),
      ...[...this.functions].map(([n, f]) => [n, f] as const),
    ];
    const alarm = (id: string, metric: IMetric, description: string) =>
      new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });

    alarm('Api5xxAlarm', this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 'The API answered 5xx');
    for (const [name, fn] of all) {
      // One alarm per function on errors + throttles: two would put the stack past CloudFormation's 500 resources.
      const failures = new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: {
          errors: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          throttles: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        label: `${name} errors and throttles`,
        period: Duration.minutes(5),
      });
      alarm(`${name}-failures-alarm`, failures, `${name} failed or was throttled`);
    }

    const period = Duration.minutes(1);
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${this.stackName}-api` });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Requests and errors',
        left: [this.api.metricCount({ period, statistic: 'Sum' })],
        right: [this.api.metricClientError({ period, statistic: 'Sum' }), this.api.metricServerError({ period, statistic: 'Sum' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Latency (p50 / p99)',
        left: [this.api.metricLatency({ period, statistic: 'p50' }), this.api.metricLatency({ period, statistic: 'p99' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: all.map(([name, fn]) => fn.function.metricErrors({ period, statistic: 'Sum', label: name })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration p99',
        left: all.map(([name, fn]) => fn.function.metricDuration({ period, statistic: 'p99', label: name })),
        width: 12,
      }),
    );

    // The event flow: what waits in each queue, what is parked in each DLQ, and what the flow produced.
    const queues = queueDefs.map(({ name }) => [name, this.queues[name]] as const);
    const business = (metricName: string) =>
      // Powertools Metrics (shared/observability/powertools.ts): namespace Taskwell, dimension service=taskwell.
      new Metric({ namespace: 'Taskwell', metricName, dimensionsMap: { service: 'taskwell' }, period, statistic: 'Sum', label: metricName });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Event queues: messages waiting / oldest (s)',
        left: queues.map(([name, { queue }]) => queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name })),
        right: queues.map(([name, { queue }]) => queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: name })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead-letter queues (should stay at 0)',
        left: [...queues.map(([name, { dlq }]) => [name, dlq] as const), ...Object.entries(otherDlqs)].map(([name, dlq]) =>
          dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: `${name} DLQ` }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Events published / audit records / notifications / emails',
        left: ['EventsPublished', 'AuditRecordsWritten', 'NotificationsCreated', 'EmailsSent'].map(business),
        width: 12,
      }),
    );
  }

  private suppressions(publicRoutes: HttpRoute[]): void {
    NagSuppressions.addResourceSuppressions(
      publicRoutes,
      [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Deliberately public routes (auth: none in shared/routes.ts): health check, the OpenAPI document, and the ' +
            'auth routes that exist to obtain tokens (register/confirm/login/refresh/logout). Every other route has ' +
            'the Lambda authorizer; the infra tests assert both sets.',
        },
      ],
      true,
    );
  }
}
