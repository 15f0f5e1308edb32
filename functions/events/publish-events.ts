// The outbox publisher: the table's stream → domain events → the custom EventBridge bus.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { flushMetrics, logger, metrics } from '#shared/observability/powertools';
import { publishChanges } from '#shared/events/publisher';

const eventBridge = new EventBridgeClient({});
const busName = process.env.EVENT_BUS_NAME ?? 'taskwell';

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetrics())
  .handler(async (event) => {
    const records = event.Records.map((record) => ({
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      change: {
        eventId: record.eventID ?? '',
        eventName: record.eventName ?? 'MODIFY',
        oldImage: record.dynamodb?.OldImage ? unmarshall(record.dynamodb.OldImage as never) : undefined,
        newImage: record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as never) : undefined,
        approximateCreationTime: new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString(),
        ttlRemoval: record.userIdentity?.type === 'Service' && record.userIdentity?.principalId === 'dynamodb.amazonaws.com',
      },
    }));
    const result = await publishChanges(records, { busName, putEvents: (entries) => eventBridge.send(new PutEventsCommand({ Entries: entries })) });
    metrics.addMetric('EventsPublished', MetricUnit.Count, result.published);
    if (result.failedSequenceNumber) {
      logger.warn('events not published; the stream will retry from this record', { sequenceNumber: result.failedSequenceNumber });
      return { batchItemFailures: [{ itemIdentifier: result.failedSequenceNumber }] };
    }
    return { batchItemFailures: [] };
  });
