// How the table's stream feeds the publisher, declared once: the CDK event source mapping and the local
// stream poller (local/stream-poller.ts) use the same figures.
export const OUTBOX_MAPPING = {
  handler: 'functions/events/publish-events.ts',
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  /** Retries of a failing batch (the failing record onward) before it is parked in the publisher DLQ. */
  retryAttempts: 10,
  maxRecordAgeSeconds: 24 * 3600,
  bisectBatchOnError: true,
} as const;

/** The publisher's DLQ (the mapping's on-failure destination) is `<stateful stack>-publisher-dlq`. */
export const PUBLISHER_DLQ = 'publisher';
