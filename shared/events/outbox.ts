// How the table's stream feeds the publisher, declared once: the CDK event source mapping and the local
// stream poller (local/stream-poller.ts) use the same figures and the same filter.

/**
 * Items that are bookkeeping, not domain state: session marks and request counters. They change on many requests
 * (every authenticated request writes its counter), mean no domain event, and expire by TTL; the mapping's filter
 * drops their stream records before they cost a publisher invocation.
 */
export const UNPUBLISHED_ENTITIES = { sessions: 'UserSessions', session: 'UserSession', requestQuota: 'RequestQuota' } as const;

const publishedEntity = { S: [{ 'anything-but': Object.values(UNPUBLISHED_ENTITIES) }] };

/**
 * The event source mapping's filter criteria (Lambda event filtering, the EventBridge pattern syntax, applied to the
 * stream record): a record reaches the publisher when any pattern matches. Items without an `entity` mean no event
 * and are dropped too.
 */
export const OUTBOX_FILTERS = [
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entity: publishedEntity } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: publishedEntity } } },
] as const;

export const OUTBOX_MAPPING = {
  handler: 'functions/events/publish-events.ts',
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  /** Retries of a failing batch (the failing record onward) before it is parked in the publisher DLQ. */
  retryAttempts: 10,
  maxRecordAgeSeconds: 24 * 3600,
  bisectBatchOnError: true,
  filters: OUTBOX_FILTERS,
} as const;

/** The publisher's DLQ (the mapping's on-failure destination) is `<stateful stack>-publisher-dlq`. */
export const PUBLISHER_DLQ = 'publisher';
