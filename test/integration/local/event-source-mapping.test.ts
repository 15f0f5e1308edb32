// The local SQS event source mapping (local/event-source-mapping.ts) against the local SQS: batching,
// Lambda's SQS event shape, partial batch responses, whole-batch failures, redrive to the DLQ, stop().
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startLocalSqs, type LocalSqs } from '#local/sqs';
import { batchOutcome, startSqsEventSourceMapping, type SqsEventSourceMapping, type SqsEventSourceMappingOptions } from '#local/event-source-mapping';
import { waitFor } from '#local/ports';
import { queues } from '#shared/events/queues';

let sqs: LocalSqs | undefined;
let mappings: SqsEventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(mappings.map((m) => m.stop()));
  mappings = [];
  await sqs?.stop();
  sqs = undefined;
});

const logged: string[] = [];
const map = (options: Partial<SqsEventSourceMappingOptions> & Pick<SqsEventSourceMappingOptions, 'invoke'>, queue: 'audit' | 'notifications' = 'audit') => {
  const mapping = startSqsEventSourceMapping({
    client: sqs!.client,
    queueUrl: sqs!.queue(queue).url,
    queueArn: sqs!.queue(queue).arn,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    log: (message) => logged.push(message),
    ...options,
  });
  mappings.push(mapping);
  return mapping;
};

const send = async (queue: 'audit' | 'notifications', bodies: string[]) => {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs!.client.send(
      new SendMessageBatchCommand({ QueueUrl: sqs!.queue(queue).url, Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })) }),
    );
  }
};

const depth = async (url: string) => {
  const { Attributes } = await sqs!.client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
};

describe('the SQS event source mapping', () => {
  it('hands over batches of at most batchSize in the shape of a Lambda SQS event, and deletes what succeeded', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 10 });
    const batches: SQSEvent[] = [];
    const mapping = map({ batchSize: 5, maxBatchingWindowSeconds: 1, invoke: async (event) => void batches.push(event) });
    const bodies = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i }));
    await send('audit', bodies);
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: sqs.queue('audit').url,
        MessageBody: 'with attributes',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'TaskCreated' },
          size: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('bytes') },
        },
      }),
    );
    await mapping.idle();

    const records = batches.flatMap((b) => b.Records);
    expect(records.map((r) => r.body).sort()).toEqual([...bodies, 'with attributes'].sort());
    expect(new Set(records.map((r) => r.messageId)).size).toBe(13);
    expect(Math.max(...batches.map((b) => b.Records.length))).toBeLessThanOrEqual(5);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(await depth(sqs.queue('audit').url)).toBe(0);

    const record = records.find((r) => r.body === 'with attributes')!;
    expect(record).toEqual<SQSRecord>({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: 'with attributes',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        kind: { stringValue: 'TaskCreated', stringListValues: [], binaryListValues: [], dataType: 'String' },
        size: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: Buffer.from('bytes').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: createHash('md5').update('with attributes').digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:taskwell-audit',
      awsRegion: 'us-east-1',
    });
    const plain = records.find((r) => r.body === bodies[0])!;
    expect(plain.messageAttributes).toEqual({});
    expect(plain).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('deletes the rest of a batch but not the reported failures, which reach the DLQ after maxReceiveCount receives', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
    const seen = new Map<string, string[]>();
    const mapping = map({
      invoke: async (event): Promise<SQSBatchResponse> => {
        for (const r of event.Records) seen.set(r.body, [...(seen.get(r.body) ?? []), r.attributes.ApproximateReceiveCount]);
        return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    await send('audit', ['good-1', 'poison', 'good-2', 'good-3']);
    await waitFor('the poison message in the DLQ', async () => {
      if ((await depth(sqs!.dlq('audit').url)) !== 1) throw new Error('not in the DLQ yet');
    }, 12_000);
    await mapping.idle();

    const maxReceiveCount = queues.find((q) => q.name === 'audit')!.maxReceiveCount;
    expect(seen.get('poison')).toEqual(Array.from({ length: maxReceiveCount }, (_, i) => String(i + 1)));
    for (const good of ['good-1', 'good-2', 'good-3']) expect(seen.get(good)).toEqual(['1']);
    expect(await depth(sqs.queue('audit').url)).toBe(0);
  }, 15_000);

  it('deletes nothing of a batch whose invocation throws: every message comes back', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
    const invocations: SQSEvent[] = [];
    const mapping = map({
      invoke: async (event) => {
        invocations.push(event);
        if (invocations.length === 1) throw new Error('the table is unavailable');
        return { batchItemFailures: [] };
      },
    });
    await send('audit', ['a', 'b']);
    await waitFor('a second invocation', async () => {
      if (invocations.flatMap((e) => e.Records).length < 4) throw new Error('not redelivered yet');
    }, 8_000);
    await mapping.idle();

    const receives = invocations.flatMap((e) => e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`));
    expect(receives.sort()).toEqual(['a:1', 'a:2', 'b:1', 'b:2']);
    expect(await depth(sqs.queue('audit').url)).toBe(0);
    expect(logged.some((m) => m.includes('the function failed on a batch of 2'))).toBe(true);
  });

  it('treats a response naming a message that is not in the batch as a complete failure', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
    const invocations: SQSEvent[] = [];
    const mapping = map({
      invoke: async (event) => {
        invocations.push(event);
        return invocations.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-of-this-batch' }] } : undefined;
      },
    });
    await send('audit', ['x', 'y', 'z']);
    await waitFor('the redelivery', async () => {
      if (invocations.flatMap((e) => e.Records).length < 6) throw new Error('not redelivered yet');
    }, 8_000);
    await mapping.idle();

    const counts = invocations.flatMap((e) => e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`));
    expect(counts.sort()).toEqual(['x:1', 'x:2', 'y:1', 'y:2', 'z:1', 'z:2']);
    expect(await depth(sqs.queue('audit').url)).toBe(0);
  });

  it('stops polling on stop(): nothing sent afterwards reaches the function', async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 30 });
    const bodies: string[] = [];
    const mapping = map({ invoke: async (event) => void bodies.push(...event.Records.map((r) => r.body)) });
    await send('audit', ['before']);
    await mapping.idle();
    await mapping.stop();
    await mapping.idle(); // resolves at once once stopped
    await send('audit', ['after']);
    // Longer than a long poll: a running mapping would have handed the message over by then.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bodies).toEqual(['before']);
    // Still in the queue. (local-aws-sqs finishes an aborted long poll on its side, so it may hold the
    // message in flight until the visibility timeout; it is not lost.)
    expect(await depth(sqs.queue('audit').url)).toBe(1);
  });
});

describe('reading a batch response like Lambda (batchOutcome)', () => {
  const ids = new Set(['m1', 'm2']);
  it.each([
    ['no response', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('counts %s as complete success', (_, response) => {
    expect(batchOutcome(response, ids)).toEqual({ failed: new Set() });
  });

  it('fails exactly the reported messages', () => {
    expect(batchOutcome({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids)).toEqual({ failed: new Set(['m2']) });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: 'm3' }] }],
    ['a list that is not a list', { batchItemFailures: 'm1' }],
    ['a response that is not an object', 'ok'],
    ['a response that is not JSON', { n: 1n }],
  ])('counts %s as complete failure', (_, response) => {
    expect(batchOutcome(response, ids)).toMatchObject({ failed: 'all' });
  });
});
