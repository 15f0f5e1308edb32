// The consumers of shared/events/queues.ts: one function per queue that has one, fed by an SQS event source
// mapping that reports partial batch failures, so one bad message is retried (and finally parked in the queue's
// DLQ) without the rest of its batch.
import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ReminderSchedule } from '#lib/constructs/reminder-schedule';
import { NagSuppressions } from 'cdk-nag';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TaskwellFunction } from '#lib/constructs/taskwell-function';
import { queues, type ConsumerDef, type QueueName } from '#shared/events/queues';
import { functionId } from '#shared/routes';

export interface EventConsumersProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  eventBus: IEventBus;
  /** Each declared queue, by name. */
  queues: Readonly<Record<QueueName, IQueue>>;
  /** The sender of the emails (MAIL_FROM) of consumers granted `email`. */
  mailFrom: string;
  /** The base URL links in emails point at (APP_URL). */
  appUrl: string;
  /** The state machine consumers granted `reminders: 'schedule'` start and stop executions of. */
  reminders?: Pick<ReminderSchedule, 'stateMachine' | 'stateMachineName'>;
}

export class EventConsumers extends Construct {
  /** By function id (functionId of the handler), like the route functions. */
  readonly functions: ReadonlyMap<string, TaskwellFunction>;

  constructor(scope: Construct, id: string, props: EventConsumersProps) {
    super(scope, id);
    const functions = new Map<string, TaskwellFunction>();
    for (const def of queues) {
      if (!('consumer' in def)) continue;
      const consumer: ConsumerDef = def.consumer;
      const name = functionId(consumer.handler);
      const fn = new TaskwellFunction(this, name, {
        entry: consumer.handler,
        grants: consumer.grants,
        table: props.table,
        userPool: props.userPool,
        userPoolClient: props.userPoolClient,
        description: consumer.description,
        // The queue's visibility timeout is six times this (shared/events/queues.ts), so a message is never handed
        // to a second invocation while the first may still be working on it.
        timeout: Duration.seconds(consumer.timeoutSeconds),
        mailFrom: props.mailFrom,
        environment: {
          EVENT_BUS_NAME: props.eventBus.eventBusName,
          APP_URL: props.appUrl,
          ...(consumer.grants.reminders && props.reminders ? { STATE_MACHINE_ARN: props.reminders.stateMachine.stateMachineArn } : {}),
        },
      });
      if (consumer.grants.reminders) this.grantScheduling(fn, props.reminders);
      fn.function.addEventSource(
        new SqsEventSource(props.queues[def.name], {
          batchSize: consumer.batchSize,
          maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
      functions.set(name, fn);
    }
    this.functions = functions;
  }

  /** Start executions of the reminder state machine, and stop its executions: nothing else. */
  private grantScheduling(fn: TaskwellFunction, reminders: EventConsumersProps['reminders']) {
    if (!reminders) throw new Error(`${fn.node.path}: grants.reminders needs the reminder state machine`);
    const { stateMachine, stateMachineName } = reminders;
    const { partition, region, account } = Stack.of(this);
    fn.role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }));
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['states:StopExecution'],
        resources: [`arn:${partition}:states:${region}:${account}:execution:${stateMachineName}:*`],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'states:StopExecution names executions, whose names are only known at run time: "execution:<the reminder state machine>:*" — that machine only.',
        },
      ],
      true,
    );
  }
}
