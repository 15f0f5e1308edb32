// The shape every queue consumer shares: an SQS batch handler (Powertools batch, partial batch responses) whose
// messages are EventBridge events carrying a domain event. A message that fails — a malformed or unknown event,
// or an error while handling it — is reported as a batch item failure: SQS delivers it again after the
// visibility timeout and, after the queue's maxReceiveCount, parks it in the queue's DLQ.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { flushMetrics, logger } from '#shared/observability/powertools';
import { parseDomainEvent, type DomainEvent } from '#shared/events/schemas';

/** A domain event from an SQS message body (the EventBridge envelope its rule target sent); throws when malformed. */
export const domainEventOf = (record: SQSRecord): DomainEvent => {
  const envelope = JSON.parse(record.body) as { detail?: unknown };
  return parseDomainEvent(envelope.detail);
};

export const domainEventConsumer = (handle: (event: DomainEvent, record: SQSRecord) => Promise<void>) => {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const event = domainEventOf(record);
    logger.appendKeys({ eventId: event.id, eventType: event.type });
    try {
      await handle(event, record);
    } finally {
      logger.removeKeys(['eventId', 'eventType']);
    }
  };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetrics())
    .handler(async (event, context: Context) => {
      const response = await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
      if (response.batchItemFailures.length > 0) {
        logger.warn('messages failed; SQS will deliver them again', { failed: response.batchItemFailures.length, of: event.Records.length });
      }
      return response;
    });
};
