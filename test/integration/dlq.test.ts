// `npm run dlq` against a local-aws-sqs server holding the queues as the local stack creates them, DynamoDB Local
// (the integration globalSetup) for publisher replay, and a small Lambda Invoke API that records what it is sent.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { createSqsServer } from 'local-aws-sqs';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { dlqName, queueName, queues, visibilityTimeoutSeconds } from '#shared/events/queues';
import { RULE_TARGETS_DLQ } from '#shared/events/rules';
import { PUBLISHER_DLQ } from '#shared/events/outbox';
import { ensureTable, localCredentials, localDynamoClient } from '#local/dynamodb';
import { runDlq } from '../../scripts/dlq/cli.ts';
import { REPO_ROOT } from '../../scripts/dlq/target.ts';

const PREFIX = 'taskwell';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const dynamoEndpoint = inject('dynamoEndpoint');

let sqsServer: Server;
let sqs: SQSClient;
let lambdaServer: Server;
let workDir: string;
let runtimeFile: string;

/** What the Lambda Invoke API was sent, and what it answers next (first in, first out; default: success). */
const invocations: { functionName: string; event: DynamoDBStreamEvent }[] = [];
const answers: { functionError?: string; body: unknown }[] = [];

const allQueueNames = [
  ...queues.flatMap((q) => [dlqName(PREFIX, q.name), queueName(PREFIX, q.name)]),
  dlqName(PREFIX, RULE_TARGETS_DLQ),
  dlqName(PREFIX, PUBLISHER_DLQ),
];

const urlOf = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;

/** Messages in the queue (visible + in flight), as SQS would count them. */
const depth = async (name: string): Promise<number> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: await urlOf(name), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  // local-aws-sqs already counts in-flight messages in ApproximateNumberOfMessages.
  return Number(Attributes.ApproximateNumberOfMessages);
};

/** Receives and deletes everything in the queue; answers what it took. */
const takeAll = async (name: string): Promise<Message[]> => {
  const url = await urlOf(name);
  const taken: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageAttributeNames: ['All'], AttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return taken;
    for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    taken.push(...Messages);
  }
};

/** An event as an EventBridge rule target delivers it. */
const envelope = (type: string, entityId: string, actor = 'user-alice') => ({
  version: '0',
  id: randomUUID(),
  'detail-type': type,
  source: 'taskwell',
  account: ACCOUNT,
  time: '2026-03-01T10:00:00Z',
  region: REGION,
  resources: [],
  detail: {
    id: `${randomUUID()}:${type}`,
    type,
    version: 1,
    occurredAt: '2026-03-01T09:59:58.000Z',
    actor: { userId: actor },
    requestId: 'req-1',
    entity: { type: 'Task', id: entityId },
    projectId: null,
    before: null,
    after: { title: 'Ship it' },
    changes: [],
  },
});

/** A message its consumer keeps failing: received maxReceiveCount times, then moved to the DLQ by SQS itself. */
const poison = async (queue: string, body: unknown): Promise<string> => {
  const url = await urlOf(queueName(PREFIX, queue));
  const before = await depth(dlqName(PREFIX, queue));
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body) }));
  for (let i = 0; i < 50 && (await depth(dlqName(PREFIX, queue))) === before; i++) {
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(await depth(dlqName(PREFIX, queue))).toBe(before + 1);
  expect(await depth(queueName(PREFIX, queue))).toBe(0);
  return MessageId!;
};

/** What EventBridge puts in a target's DLQ when it cannot deliver to the rule's queue. */
const parkInRuleTargetsDlq = async (body: unknown, targetQueue: string) => {
  const { MessageId } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: await urlOf(dlqName(PREFIX, RULE_TARGETS_DLQ)),
      MessageBody: JSON.stringify(body),
      MessageAttributes: {
        RULE_ARN: { DataType: 'String', StringValue: `arn:aws:events:${REGION}:${ACCOUNT}:rule/taskwell-events/taskwell-notifications` },
        TARGET_ARN: { DataType: 'String', StringValue: `arn:aws:sqs:${REGION}:${ACCOUNT}:${targetQueue}` },
        ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: 'Failed to send the message to the queue: AccessDenied' },
        EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: 'MaximumRetryAttempts' },
        RETRY_ATTEMPTS: { DataType: 'String', StringValue: '8' },
      },
    }),
  );
  return MessageId!;
};

const onFailureRecord = (batch: { shardId: string; start: string; end: string; size: number; streamArn: string }) => ({
  requestContext: {
    requestId: randomUUID(),
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:taskwell-events-publish-events`,
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 11,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2026-03-01T10:05:00.000Z',
  DDBStreamBatchInfo: {
    shardId: batch.shardId,
    startSequenceNumber: batch.start,
    endSequenceNumber: batch.end,
    approximateArrivalOfFirstRecord: '2026-03-01T10:00:00Z',
    approximateArrivalOfLastRecord: '2026-03-01T10:00:01Z',
    batchSize: batch.size,
    streamArn: batch.streamArn,
  },
});

/** Runs the command in-process; answers its exit code and what it printed. */
const dlq = async (args: string[], options: { interactive?: boolean; input?: string } = {}) => {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  if (options.input !== undefined) stdin.end(options.input);
  const code = await runDlq([...args, '--endpoint-file', runtimeFile], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin,
    interactive: options.interactive ?? false,
  });
  return { code, stdout, stderr };
};

/** The row of `list` for one DLQ: [name, messages, in flight, redrives to]. */
const row = (listing: string, name: string) => {
  const line = listing.split('\n').find((l) => l.startsWith(`${name} `));
  expect(line, `a row for ${name} in:\n${listing}`).toBeDefined();
  return line!.split(/\s{2,}/);
};

beforeAll(async () => {
  sqsServer = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false, region: REGION, accountId: ACCOUNT });
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;
  sqs = new SQSClient({ endpoint: sqsEndpoint, region: REGION, credentials: localCredentials });
  // As the local stack creates them: each queue's DLQ first, then the queue with its redrive policy.
  for (const q of queues) {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName(PREFIX, q.name) }))).QueueUrl!;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    await sqs.send(
      new CreateQueueCommand({
        QueueName: queueName(PREFIX, q.name),
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds(q)),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: q.maxReceiveCount }),
        },
      }),
    );
  }
  await sqs.send(new CreateQueueCommand({ QueueName: dlqName(PREFIX, RULE_TARGETS_DLQ) }));
  await sqs.send(new CreateQueueCommand({ QueueName: dlqName(PREFIX, PUBLISHER_DLQ) }));

  lambdaServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{"message":"no such route"}');
        return;
      }
      invocations.push({ functionName: decodeURIComponent(match[1]!), event: JSON.parse(body) as DynamoDBStreamEvent });
      const answer = answers.shift() ?? { body: { batchItemFailures: [] } };
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
      if (answer.functionError) headers['x-amz-function-error'] = answer.functionError;
      res.writeHead(200, headers).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => lambdaServer.listen(0, '127.0.0.1', resolve));

  workDir = mkdtempSync(join(tmpdir(), 'taskwell-dlq-'));
  runtimeFile = join(workDir, 'runtime.json');
  writeFileSync(
    runtimeFile,
    JSON.stringify({
      apiUrl: 'http://127.0.0.1:1',
      sqsEndpoint,
      lambdaEndpoint: `http://127.0.0.1:${(lambdaServer.address() as AddressInfo).port}`,
      dynamoEndpoint,
      queuePrefix: PREFIX,
      functionPrefix: PREFIX,
      region: REGION,
      pid: process.pid,
    }),
  );
});

afterAll(async () => {
  sqs?.destroy();
  await Promise.all([sqsServer, lambdaServer].map((s) => s && new Promise((resolve) => s.close(resolve))));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const name of allQueueNames) await takeAll(name);
  invocations.length = 0;
  answers.length = 0;
});

describe('npm run dlq', () => {
  it('lists every DLQ with its message count and where it redrives to', async () => {
    await poison('audit', envelope('TaskCreated', 'task-1'));
    await poison('audit', envelope('TaskUpdated', 'task-1'));
    await parkInRuleTargetsDlq(envelope('TaskAssigned', 'task-2'), queueName(PREFIX, 'notifications'));

    const { code, stdout, stderr } = await dlq(['list']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(row(stdout, 'taskwell-audit-dlq')).toEqual(['taskwell-audit-dlq', '2', '0', 'taskwell-audit']);
    expect(row(stdout, 'taskwell-notifications-dlq')).toEqual(['taskwell-notifications-dlq', '0', '0', 'taskwell-notifications']);
    expect(row(stdout, 'taskwell-reminders-dlq').slice(1, 3)).toEqual(['0', '0']);
    expect(row(stdout, 'taskwell-webhooks-dlq').slice(1, 3)).toEqual(['0', '0']);
    expect(row(stdout, 'taskwell-rule-targets-dlq')).toEqual(['taskwell-rule-targets-dlq', '1', '0', "each message's TARGET_ARN queue"]);
    expect(row(stdout, 'taskwell-publisher-dlq')).toEqual(['taskwell-publisher-dlq', '0', '0', 'replay via taskwell-events-publish-events']);
    expect(stdout).toContain('3 messages parked');

    const json = await dlq(['list', '--json']);
    const rows = JSON.parse(json.stdout) as { name: string; messages: number; kind: string }[];
    expect(rows.map((r) => [r.name, r.messages])).toEqual([
      ['taskwell-audit-dlq', 2],
      ['taskwell-notifications-dlq', 0],
      ['taskwell-reminders-dlq', 0],
      ['taskwell-webhooks-dlq', 0],
      ['taskwell-stats-dlq', 0],
      ['taskwell-removed-members-dlq', 0],
      ['taskwell-rule-targets-dlq', 1],
      ['taskwell-publisher-dlq', 0],
    ]);
  });

  it('shows a queue DLQ message without consuming it', async () => {
    const event = envelope('TaskAssigned', 'task-42', 'user-bob');
    const messageId = await poison('notifications', event);

    const { code, stdout } = await dlq(['show', 'notifications']);
    expect(code).toBe(0);
    expect(stdout).toContain('taskwell-notifications-dlq');
    expect(stdout).toContain(`message ${messageId}`);
    expect(stdout).toMatch(new RegExp(`event\\s+TaskAssigned\\s+\\(detail\\.id ${event.detail.id}\\)`));
    expect(stdout).toMatch(/entity\s+Task task-42/);
    expect(stdout).toMatch(/actor\s+user-bob/);
    expect(stdout).toMatch(/occurred\s+2026-03-01T09:59:58.000Z/);
    // The count includes this peek (local-aws-sqs starts counting again from 0 when it moves a message to the DLQ).
    const receives = Number(/received\s+(\d+) times?/.exec(stdout)?.[1]);
    expect(receives).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(/sent\s+\d{4}-\d\d-\d\dT/);

    // Still there, visible, for the next reader.
    expect(await depth(dlqName(PREFIX, 'notifications'))).toBe(1);
    const again = await dlq(['show', 'taskwell-notifications-dlq', '--json']);
    const shown = JSON.parse(again.stdout) as { messages: { messageId: string; body: unknown; receiveCount: number }[]; visible: number; inFlight: number };
    expect(shown).toMatchObject({ visible: 1, inFlight: 0 });
    expect(shown.messages).toHaveLength(1);
    expect(shown.messages[0]).toMatchObject({ messageId, body: event });
  });

  it('shows --max of many messages, each once', async () => {
    const url = await urlOf(dlqName(PREFIX, 'webhooks'));
    const ids = new Set<string>();
    for (let i = 0; i < 13; i++) {
      ids.add((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(envelope('TaskUpdated', `task-${i}`)) }))).MessageId!);
    }
    const all = JSON.parse((await dlq(['show', 'webhooks', '--max', '20', '--json'])).stdout) as { messages: { messageId: string }[] };
    expect(new Set(all.messages.map((m) => m.messageId))).toEqual(ids);
    expect(all.messages).toHaveLength(13);
    const some = JSON.parse((await dlq(['show', 'webhooks', '--max', '4', '--json'])).stdout) as { messages: { messageId: string }[] };
    expect(some.messages).toHaveLength(4);
    expect(await depth(dlqName(PREFIX, 'webhooks'))).toBe(13);
  });

  it('shows a rule-targets DLQ message with the attributes EventBridge added', async () => {
    await parkInRuleTargetsDlq(envelope('MemberAdded', 'membership-7'), queueName(PREFIX, 'notifications'));
    const { code, stdout } = await dlq(['show', 'rule-targets']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/event\s+MemberAdded/);
    expect(stdout).toMatch(/rule\s+arn:aws:events:us-east-1:123456789012:rule\/taskwell-events\/taskwell-notifications/);
    expect(stdout).toMatch(/target\s+arn:aws:sqs:us-east-1:123456789012:taskwell-notifications {2}→ redrives to taskwell-notifications/);
    expect(stdout).toMatch(/error\s+SDK_CLIENT_ERROR: Failed to send the message to the queue: AccessDenied/);
    expect(stdout).toMatch(/retries\s+8 \(MaximumRetryAttempts\)/);
  });

  it('shows a publisher DLQ record as its stream batch', async () => {
    const record = onFailureRecord({ shardId: 'shardId-00000001700000000000-abcdef12', start: '4100000000000000000001', end: '4100000000000000000042', size: 42, streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/taskwell/stream/2026-03-01T00:00:00.000' });
    await sqs.send(new SendMessageCommand({ QueueUrl: await urlOf(dlqName(PREFIX, PUBLISHER_DLQ)), MessageBody: JSON.stringify(record) }));
    const { code, stdout } = await dlq(['show', 'publisher']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/batch\s+42 records, sequence 4100000000000000000001 … 4100000000000000000042/);
    expect(stdout).toMatch(/shard\s+shardId-00000001700000000000-abcdef12/);
    expect(stdout).toMatch(/stream\s+arn:aws:dynamodb:us-east-1:123456789012:table\/taskwell\/stream\//);
    expect(stdout).toMatch(/condition\s+RetryAttemptsExhausted after 11 invocations, function error Unhandled/);
  });

  it('redrives a queue DLQ message back to its queue exactly once', async () => {
    const event = envelope('TaskCompleted', 'task-9');
    await poison('audit', event);

    const { code, stdout } = await dlq(['redrive', 'audit', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/moved\s+\S+\s+TaskCompleted .* → taskwell-audit/);
    expect(stdout).toContain('Redrove 1 message.');

    expect(await depth(dlqName(PREFIX, 'audit'))).toBe(0);
    const back = await takeAll(queueName(PREFIX, 'audit'));
    expect(back.map((m) => JSON.parse(m.Body!))).toEqual([event]);
    // A second run finds nothing and moves nothing.
    expect((await dlq(['redrive', 'audit', '--yes'])).stdout).toContain('Nothing to redrive');
    expect(await takeAll(queueName(PREFIX, 'audit'))).toEqual([]);
  });

  it('redrives the rule-targets DLQ to the queue its TARGET_ARN names, and keeps what it cannot place', async () => {
    const event = envelope('TaskAssigned', 'task-5');
    await parkInRuleTargetsDlq(event, queueName(PREFIX, 'notifications'));
    const foreign = await parkInRuleTargetsDlq(envelope('TaskAssigned', 'task-6'), 'someone-elses-queue');

    const { code, stdout } = await dlq(['redrive', 'rule-targets', '--yes']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/moved\s+\S+\s+TaskAssigned .* → taskwell-notifications/);
    expect(stdout).toContain(`kept   ${foreign}  its TARGET_ARN names someone-elses-queue, which is not one of this stack's event queues`);

    const delivered = await takeAll(queueName(PREFIX, 'notifications'));
    expect(delivered.map((m) => JSON.parse(m.Body!))).toEqual([event]);
    // The queue gets the event as the rule would have delivered it, without the DLQ's failure attributes.
    expect(delivered[0]!.MessageAttributes ?? {}).toEqual({});
    expect(await takeAll(queueName(PREFIX, 'audit'))).toEqual([]);
    expect(await depth(dlqName(PREFIX, RULE_TARGETS_DLQ))).toBe(1);
    const left = await takeAll(dlqName(PREFIX, RULE_TARGETS_DLQ));
    expect(left.map((m) => m.MessageId)).toEqual([foreign]);
  });

  it('refuses to redrive without --yes when no one can confirm, and asks on a terminal', async () => {
    await poison('audit', envelope('TaskDeleted', 'task-3'));

    const refused = await dlq(['redrive', 'all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to redrive without confirmation');
    expect(refused.stderr).toContain('npm run dlq -- redrive all --yes');
    expect(refused.stdout).not.toContain('moved');
    expect(await depth(dlqName(PREFIX, 'audit'))).toBe(1);
    expect(await depth(queueName(PREFIX, 'audit'))).toBe(0);

    const declined = await dlq(['redrive', 'audit'], { interactive: true, input: 'n\n' });
    expect(declined.stdout).toContain('taskwell-audit-dlq: 1 message → taskwell-audit');
    expect(declined.stdout).toContain('Nothing moved.');
    expect(await depth(dlqName(PREFIX, 'audit'))).toBe(1);

    const accepted = await dlq(['redrive', 'audit'], { interactive: true, input: 'y\n' });
    expect(accepted.code).toBe(0);
    expect(await depth(dlqName(PREFIX, 'audit'))).toBe(0);
    expect(await takeAll(queueName(PREFIX, 'audit'))).toHaveLength(1);
  });

  it('replays a publisher batch by invoking the publisher with exactly the stream records it names', async () => {
    // A table with a stream in DynamoDB Local, four writes, and an on-failure record for the middle two.
    const tableName = `dlq-replay-${randomUUID().slice(0, 8)}`;
    const dynamo = localDynamoClient(dynamoEndpoint);
    const streams = new DynamoDBStreamsClient({ endpoint: dynamoEndpoint, region: REGION, credentials: localCredentials });
    try {
      await ensureTable(dynamo, tableName);
      for (const n of [1, 2, 3, 4]) {
        await dynamo.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `ITEM#${n}` }, sk: { S: 'A' }, n: { N: String(n) } } }));
      }
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
      const streamArn = Table!.LatestStreamArn!;
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      const shardId = StreamDescription!.Shards![0]!.ShardId!;
      let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const records: _Record[] = [];
      for (let i = 0; i < 20 && ShardIterator && records.length < 4; i++) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
        records.push(...(page.Records ?? []));
        ShardIterator = page.NextShardIterator;
      }
      expect(records).toHaveLength(4);
      const batch = records.slice(1, 3);
      const sequence = batch.map((r) => r.dynamodb!.SequenceNumber!);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: await urlOf(dlqName(PREFIX, PUBLISHER_DLQ)),
          MessageBody: JSON.stringify(onFailureRecord({ shardId, start: sequence[0]!, end: sequence[1]!, size: 2, streamArn })),
        }),
      );

      // The publisher still fails: the record stays parked.
      answers.push({ functionError: 'Unhandled', body: { errorType: 'Error', errorMessage: 'bus unavailable' } });
      const failed = await dlq(['redrive', 'publisher', '--yes']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('taskwell-events-publish-events failed (Unhandled): Error: bus unavailable');
      expect(await depth(dlqName(PREFIX, PUBLISHER_DLQ))).toBe(1);

      // The publisher reports a batch item failure: still parked.
      answers.push({ body: { batchItemFailures: [{ itemIdentifier: sequence[1] }] } });
      const partial = await dlq(['redrive', 'publisher', '--yes']);
      expect(partial.code).toBe(1);
      expect(partial.stdout).toContain(`could not publish from record ${sequence[1]}`);
      expect(await depth(dlqName(PREFIX, PUBLISHER_DLQ))).toBe(1);

      // The publisher succeeds: the record leaves the DLQ.
      const replayed = await dlq(['redrive', 'publisher', '--yes']);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toContain(`2 stream records ${sequence[0]} … ${sequence[1]} → taskwell-events-publish-events`);
      expect(await depth(dlqName(PREFIX, PUBLISHER_DLQ))).toBe(0);

      expect(invocations).toHaveLength(3);
      for (const { functionName, event } of invocations) {
        expect(functionName).toBe('taskwell-events-publish-events');
        expect(event.Records.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequence);
        expect(event.Records.map((r) => r.eventID)).toEqual(batch.map((r) => r.eventID));
        expect(event.Records.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT']);
        expect(event.Records.map((r) => r.dynamodb?.NewImage)).toEqual([
          { pk: { S: 'ITEM#2' }, sk: { S: 'A' }, n: { N: '2' } },
          { pk: { S: 'ITEM#3' }, sk: { S: 'A' }, n: { N: '3' } },
        ]);
        expect(event.Records.map((r) => r.dynamodb?.Keys)).toEqual([
          { pk: { S: 'ITEM#2' }, sk: { S: 'A' } },
          { pk: { S: 'ITEM#3' }, sk: { S: 'A' } },
        ]);
        for (const [i, r] of event.Records.entries()) {
          expect(r.eventSource).toBe('aws:dynamodb');
          expect(r.eventSourceARN).toBe(streamArn);
          expect(r.dynamodb?.ApproximateCreationDateTime).toBe(batch[i]!.dynamodb!.ApproximateCreationDateTime!.getTime() / 1000);
        }
      }
    } finally {
      dynamo.destroy();
      streams.destroy();
    }
  });

  it('explains an unknown DLQ and a stack without the queues', async () => {
    const unknown = await dlq(['show', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown DLQ "nope"');
    expect(unknown.stderr).toContain('taskwell-audit-dlq, taskwell-notifications-dlq');
    expect(unknown.stderr).toContain('npm run dlq -- list');

    const other = join(workDir, 'other-runtime.json');
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(runtimeFile, 'utf8')), queuePrefix: 'elsewhere' }));
    let stderr = '';
    const code = await runDlq(['list', '--endpoint-file', other], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, interactive: false });
    expect(code).toBe(1);
    expect(stderr).toContain('none of the DLQs exists');
    expect(stderr).toContain('elsewhere-audit-dlq');
  });

  it('runs as `npm run dlq` in a child process: lists, and refuses to redrive without --yes', async () => {
    await poison('reminders', envelope('TaskCreated', 'task-77'));
    const run = (args: string[]) =>
      promisify(execFile)('npm', ['run', '--silent', 'dlq', '--', ...args, '--endpoint-file', runtimeFile], { cwd: REPO_ROOT, timeout: 12_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
      );
    const [listed, refused] = await Promise.all([run(['list']), run(['redrive', 'reminders'])]);
    expect(listed.code).toBe(0);
    expect(row(listed.stdout, 'taskwell-reminders-dlq')).toEqual(['taskwell-reminders-dlq', '1', '0', 'taskwell-reminders']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to redrive without confirmation');
    expect(await depth(dlqName(PREFIX, 'reminders'))).toBe(1);
    expect(await depth(queueName(PREFIX, 'reminders'))).toBe(0);
  }, 15_000);
});
