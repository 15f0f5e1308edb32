// The outbox publisher: the table's stream feeds a function that puts the domain events on the bus.
// Failed records are retried by the event-source mapping (bisecting to isolate a bad record), and a
// batch that keeps failing is parked in the publisher DLQ (stateful stack) for an operator to redrive.
import { Duration } from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { TaskwellFunction } from '#lib/constructs/taskwell-function';
import { OUTBOX_MAPPING } from '#shared/events/outbox';
import { functionId } from '#shared/routes';

export interface OutboxPublisherProps {
  table: ITable;
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
  eventBus: IEventBus;
  /** Where a batch goes after the mapping's retries are spent. */
  deadLetterQueue: IQueue;
}

export class OutboxPublisher extends Construct {
  readonly publisher: TaskwellFunction;

  constructor(scope: Construct, id: string, props: OutboxPublisherProps) {
    super(scope, id);
    // No table grants: the function reads only what the stream hands it.
    this.publisher = new TaskwellFunction(this, functionId(OUTBOX_MAPPING.handler), {
      entry: OUTBOX_MAPPING.handler,
      grants: {},
      table: props.table,
      userPool: props.userPool,
      userPoolClient: props.userPoolClient,
      description: 'Maps table stream records to domain events and puts them on the bus',
      environment: { EVENT_BUS_NAME: props.eventBus.eventBusName },
    });
    props.eventBus.grantPutEventsTo(this.publisher.function);
    this.publisher.function.addEventSource(
      new DynamoEventSource(props.table, {
        // TRIM_HORIZON: a new deployment announces every change still on the stream (24 h) rather than losing them.
        startingPosition: StartingPosition.TRIM_HORIZON,
        // The figures the local stream poller uses too (shared/events/outbox.ts).
        batchSize: OUTBOX_MAPPING.batchSize,
        maxBatchingWindow: Duration.seconds(OUTBOX_MAPPING.maxBatchingWindowSeconds),
        bisectBatchOnError: OUTBOX_MAPPING.bisectBatchOnError,
        retryAttempts: OUTBOX_MAPPING.retryAttempts,
        maxRecordAge: Duration.seconds(OUTBOX_MAPPING.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(props.deadLetterQueue),
        // Bookkeeping items (session marks, request counters) never invoke the publisher.
        filters: OUTBOX_MAPPING.filters.map((pattern) => FilterCriteria.filter(pattern as unknown as Record<string, unknown>)),
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.publisher.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'dynamodb:ListStreams has no resource-level permissions (it needs "*"); every other stream action is limited to this table\'s stream.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}
