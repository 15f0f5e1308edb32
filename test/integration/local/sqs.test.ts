// The local SQS (local/sqs.ts): the queues of shared/events/queues.ts, each with its DLQ and redrive
// policy, plus the publisher's and the rule targets' DLQs, in local-aws-sqs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { startLocalSqs, type LocalSqs } from '#local/sqs';
import { RETENTION_SECONDS, queues, visibilityTimeoutSeconds } from '#shared/events/queues';
import { PUBLISHER_DLQ } from '#shared/events/outbox';
import { RULE_TARGETS_DLQ } from '#shared/events/rules';

const attributesOf = async (sqs: LocalSqs, url: string) =>
  (await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};

describe('the local SQS as declared', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs({ prefix: 'declared' });
  });
  afterAll(() => sqs?.stop());

  it('creates every queue, its DLQ, the publisher DLQ and the rule-targets DLQ, and nothing else', async () => {
    const { QueueUrls } = await sqs.client.send(new ListQueuesCommand({ QueueNamePrefix: 'declared-' }));
    const names = (QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf('/') + 1)).sort();
    expect(names).toEqual(
      [...queues.flatMap((q) => [`declared-${q.name}`, `declared-${q.name}-dlq`]), 'declared-publisher-dlq', 'declared-rule-targets-dlq'].sort(),
    );
    expect(sqs.dlq(PUBLISHER_DLQ).name).toBe('declared-publisher-dlq');
    expect(sqs.dlq(RULE_TARGETS_DLQ).arn).toBe('arn:aws:sqs:us-east-1:123456789012:declared-rule-targets-dlq');
  });

  it('gives each queue its visibility timeout and a redrive policy to its own DLQ', async () => {
    for (const q of queues) {
      const attributes = await attributesOf(sqs, sqs.queue(q.name).url);
      expect(attributes.QueueArn).toBe(sqs.queue(q.name).arn);
      expect(Number(attributes.VisibilityTimeout)).toBe(visibilityTimeoutSeconds(q));
      expect(JSON.parse(attributes.RedrivePolicy!)).toEqual({ deadLetterTargetArn: sqs.dlq(q.name).arn, maxReceiveCount: q.maxReceiveCount });
      const dlq = await attributesOf(sqs, sqs.dlq(q.name).url);
      expect(Number(dlq.MessageRetentionPeriod)).toBe(RETENTION_SECONDS.dlq);
      expect(dlq.RedrivePolicy).toBeUndefined();
    }
    expect(Number((await attributesOf(sqs, sqs.dlq(PUBLISHER_DLQ).url)).MessageRetentionPeriod)).toBe(RETENTION_SECONDS.dlq);
  });

  it('names unknown queues in its error', () => {
    expect(() => sqs.queue('nope' as never)).toThrow(/no queue named declared-nope/);
  });
});

describe('the local SQS with a compressed visibility timeout', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs({ visibilityTimeoutSeconds: 1 });
  });
  afterAll(() => sqs?.stop());

  it('moves a message received maxReceiveCount times without a delete to the DLQ', async () => {
    const audit = queues.find((q) => q.name === 'audit')!;
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.queue('audit').url, MessageBody: '{"poison":true}' }));
    const counts: number[] = [];
    let parked: Message | undefined;
    const deadline = Date.now() + 12_000;
    while (!parked && Date.now() < deadline) {
      const { Messages } = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: sqs.queue('audit').url, WaitTimeSeconds: 0, MaxNumberOfMessages: 10, AttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      for (const m of Messages ?? []) counts.push(Number(m.Attributes?.ApproximateReceiveCount));
      const dlq = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: sqs.dlq('audit').url, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      parked = dlq.Messages?.[0];
      if (!parked) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(parked?.Body).toBe('{"poison":true}');
    expect(counts).toEqual(Array.from({ length: audit.maxReceiveCount }, (_, i) => i + 1));
    expect(Number((await attributesOf(sqs, sqs.queue('audit').url)).ApproximateNumberOfMessages)).toBe(0);
  }, 15_000);
});
