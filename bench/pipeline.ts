// The event pipeline's share of a request, measured: the table's stream records a request wrote (attributed by
// the requestId every item carries), the domain events they map to (shared/events/mapper.ts), the queue messages
// the enabled rules deliver (shared/events/rules.ts, matched with the local EventBridge's matcher), and what each
// queue's consumer (shared/events/queues.ts) reads and writes when handed such a message as an SQS event.
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventsFromChange } from '#shared/events/mapper';
import { EVENT_SOURCE } from '#shared/events/schemas';
import { rules } from '#shared/events/rules';
import { matches } from '#shared/events/pattern-matcher';
import { queues, type QueueDef } from '#shared/events/queues';
import { functionId } from '#shared/routes';
import { localCredentials } from '#local/dynamodb';
import { lambdaContext } from '#local/lambda';
import type { DdbCall, DdbRecorder } from './ddb-recorder.ts';
import { handlerOf } from './invoke.ts';

export type StreamRecord = _Record;

export interface ConsumerWork {
  /** Messages handed to a consumer (deliveries to queues without one are not counted). */
  messages: number;
  reads: number;
  writes: number;
  rcu: number;
  wcu: number;
  /** Summed handler time of the single-message invocations. */
  ms: number;
  /** Emails the consumers sent (their EmailsSent metric). */
  emails: number;
  calls: DdbCall[];
  /** Messages a consumer reported as failed or could not be invoked for. */
  failures: string[];
}

/** Capacity units of the reads or writes among `calls`. */
export const sum = (calls: DdbCall[], kind: 'read' | 'write') => calls.filter((c) => c.kind === kind).reduce((n, c) => n + (c.capacity?.total ?? 0), 0);

/** Every record on the table's stream (all shards, from the start). */
export const readStream = async (endpoint: string, tableName: string): Promise<_Record[]> => {
  const region = 'us-east-1';
  const dynamodb = new DynamoDBClient({ endpoint, region, credentials: localCredentials });
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: localCredentials });
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) return [];
    const records: _Record[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      for (const shard of StreamDescription?.Shards ?? []) {
        let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
        for (let i = 0; ShardIterator && i < 10_000; i++) {
          const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
          records.push(...(page.Records ?? []));
          if (!page.Records?.length) break;
          ShardIterator = page.NextShardIterator;
        }
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return records;
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
};

export const image = (r: _Record) => ({
  oldImage: r.dynamodb?.OldImage ? (unmarshall(r.dynamodb.OldImage as never) as Record<string, unknown>) : undefined,
  newImage: r.dynamodb?.NewImage ? (unmarshall(r.dynamodb.NewImage as never) as Record<string, unknown>) : undefined,
});

export interface Message {
  queue: string;
  envelope: Record<string, unknown>;
}

/** The events a request's stream records map to, and where the enabled rules would deliver them. */
export const pipelineOf = (records: _Record[]): { events: string[]; eventTargets: string[][]; deliveries: Record<string, number>; messages: Message[] } => {
  const events: string[] = [];
  const eventTargets: string[][] = [];
  const deliveries: Record<string, number> = {};
  const messages: Message[] = [];
  for (const record of records) {
    const { oldImage, newImage } = image(record);
    const domainEvents = eventsFromChange({
      // Not the record's own id: the local stack's pipeline delivers the real events too, and the consumers are
      // idempotent on the id — a fresh one makes each simulated delivery do the work of a first delivery.
      eventId: `bench-${record.eventID ?? randomUUID()}`,
      eventName: (record.eventName ?? 'MODIFY') as 'INSERT' | 'MODIFY' | 'REMOVE',
      oldImage,
      newImage,
      approximateCreationTime: new Date(record.dynamodb?.ApproximateCreationDateTime ?? Date.now()).toISOString(),
    });
    for (const event of domainEvents) {
      events.push(event.type);
      const targets: string[] = [];
      eventTargets.push(targets);
      const envelope = {
        version: '0',
        id: event.id,
        'detail-type': event.type,
        source: EVENT_SOURCE,
        account: '123456789012',
        time: event.occurredAt,
        region: 'us-east-1',
        resources: [],
        detail: event,
      };
      for (const rule of rules) {
        if (!rule.enabled || !matches(rule.pattern, envelope)) continue;
        deliveries[rule.target] = (deliveries[rule.target] ?? 0) + 1;
        targets.push(rule.target);
        messages.push({ queue: rule.target, envelope });
      }
    }
  }
  return { events, eventTargets, deliveries, messages };
};

/** An SQS event of one message, as the event source mapping hands it to the consumer (EventBridge's envelope as body). */
const sqsEvent = (queue: string, envelope: Record<string, unknown>) => {
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `bench-${randomUUID()}`,
        body: JSON.stringify(envelope),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAEVENTBRIDGE', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:TaskwellStateful-${queue}`,
        awsRegion: 'us-east-1',
      },
    ],
  };
};

/** Hands each message to its queue's consumer (shared/events/queues.ts), recording DynamoDB work and time. */
export const consume = async (messages: Message[], recorder: DdbRecorder): Promise<ConsumerWork> => {
  const work: ConsumerWork = { messages: 0, reads: 0, writes: 0, rcu: 0, wcu: 0, ms: 0, emails: 0, failures: [], calls: [] };
  for (const { queue, envelope } of messages) {
    const consumer = (queues as readonly QueueDef[]).find((q) => q.name === queue)?.consumer;
    if (!consumer) continue;
    work.messages++;
    const handler = await handlerOf(consumer.handler);
    const event = sqsEvent(queue, envelope);
    const context = lambdaContext(functionId(consumer.handler), consumer.timeoutSeconds * 1000);
    const started = performance.now();
    const { calls, metrics, result, error } = await recorder.record(() => handler(event, context), { capacity: true });
    work.ms += performance.now() - started;
    work.emails += metrics.EmailsSent ?? 0;
    if (error) work.failures.push(`${queue}: ${(error as Error).message.slice(0, 200)}`);
    else if ((result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length) {
      work.failures.push(`${queue}: ${String(envelope['detail-type'])} reported as failed`);
    }
    work.calls.push(...calls);
    work.reads += calls.filter((c) => c.kind === 'read').length;
    work.writes += calls.filter((c) => c.kind === 'write').length;
    work.rcu += sum(calls, 'read');
    work.wcu += sum(calls, 'write');
  }
  return work;
};
