// The event queues of shared/events/queues.ts, each with its own DLQ, plus the DLQ every rule target shares.
// They live in the stateful stack because they hold messages: redeploying the consumers must not lose a backlog.
// Their policies are declared here too: the rules live in the stateless stack, and letting a rule target add a
// policy to a queue of this stack would make each stack depend on the other.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { dlqName, queueName, queues, RETENTION_SECONDS, visibilityTimeoutSeconds, type QueueName } from '#shared/events/queues';
import { RULE_TARGETS_DLQ, rules } from '#shared/events/rules';

/** A consumer's oldest message older than this means it is stuck or far behind. */
export const OLDEST_MESSAGE_ALARM_SECONDS = 15 * 60;

export interface EventQueue {
  queue: IQueue;
  dlq: IQueue;
}

export interface EventQueuesProps {
  /** The name of the bus whose rules may send to the queues. */
  eventBusName: string;
}

/** Encrypted, TLS-only, retained: what every queue of the app has in common. */
const queueDefaults = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

/** Alarms as soon as one message sits in a dead-letter queue: each is something an operator must look at. */
export const dlqDepthAlarm = (scope: Construct, id: string, dlq: IQueue, description: string): Alarm =>
  new Alarm(scope, id, {
    alarmDescription: description,
    metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });

/** A DLQ is never itself redriven by SQS; cdk-nag's "queue without a DLQ" finding does not apply to it. */
export const suppressDlqFinding = (dlq: IQueue, whose: string): void =>
  NagSuppressions.addResourceSuppressions(dlq, [
    { id: 'AwsSolutions-SQS3', reason: `This queue is itself a dead-letter queue: ${whose}.` },
  ]);

export class EventQueues extends Construct {
  /** Every queue of shared/events/queues.ts with its DLQ, by name. */
  readonly queues: Readonly<Record<QueueName, EventQueue>>;
  /** Where EventBridge parks events it could not deliver to a rule's queue. */
  readonly ruleTargetsDlq: IQueue;

  constructor(scope: Construct, id: string, props: EventQueuesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = stack.stackName;

    // Only rules of our bus may send: any rule there is ours (the stateless stack's), while a rule of another bus
    // or account, which could otherwise name these queues as its target, is refused.
    const ruleArns = stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${props.eventBusName}/*` });
    const allowRulesOfOurBus = (queue: Queue) =>
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowRulesOfTheTaskwellBus',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnLike: { 'aws:SourceArn': ruleArns } },
        }),
      );

    const ruleTargetsDlq = new Queue(this, 'RuleTargetsDlq', {
      ...queueDefaults,
      queueName: dlqName(prefix, RULE_TARGETS_DLQ),
      retentionPeriod: Duration.seconds(RETENTION_SECONDS.dlq),
    });
    allowRulesOfOurBus(ruleTargetsDlq);
    dlqDepthAlarm(this, 'RuleTargetsDlqDepth', ruleTargetsDlq, 'Events EventBridge could not deliver to a rule\'s queue are waiting in the rule-targets DLQ');
    suppressDlqFinding(ruleTargetsDlq, 'the dead-letter config of every EventBridge rule target');
    this.ruleTargetsDlq = ruleTargetsDlq;

    const byName = {} as Record<QueueName, EventQueue>;
    for (const def of queues) {
      const dlq = new Queue(this, `${def.name}-dlq`, {
        ...queueDefaults,
        queueName: dlqName(prefix, def.name),
        retentionPeriod: Duration.seconds(RETENTION_SECONDS.dlq),
      });
      suppressDlqFinding(dlq, `the redrive target of ${queueName(prefix, def.name)}`);
      dlqDepthAlarm(this, `${def.name}-dlq-depth`, dlq, `Messages the ${def.name} consumer failed ${def.maxReceiveCount} times are waiting in its DLQ`);

      const queue = new Queue(this, def.name, {
        ...queueDefaults,
        queueName: queueName(prefix, def.name),
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(def)),
        retentionPeriod: Duration.seconds(RETENTION_SECONDS.queue),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
      if (rules.some((rule) => rule.target === def.name)) allowRulesOfOurBus(queue);
      // Without a consumer (its rule disabled) nothing arrives and nothing drains: age would only alarm on purpose.
      if ('consumer' in def) {
        new Alarm(this, `${def.name}-oldest-message`, {
          alarmDescription: `The oldest message in ${queueName(prefix, def.name)} is over ${OLDEST_MESSAGE_ALARM_SECONDS / 60} minutes old: its consumer is stuck or far behind`,
          metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: OLDEST_MESSAGE_ALARM_SECONDS,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      }
      byName[def.name] = { queue, dlq };
    }
    this.queues = byName;
  }
}
