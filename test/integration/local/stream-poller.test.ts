// The local stream poller drives a handler like Lambda's DynamoDB event source mapping: the AWS event
// shape, in order, partial batch responses, bisect on error, retries, the on-failure record, checkpoints.
import { OUTBOX_MAPPING } from '#shared/events/outbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ensureTable, localDynamoClient } from '#local/dynamodb';
import { startStreamPoller, type StreamMappingConfig, type StreamOnFailureRecord, type StreamPoller, type StreamPollerOptions } from '#local/stream-poller';

const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB!;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let dir: string;
const running: StreamPoller[] = [];

beforeAll(async () => {
  client = localDynamoClient(endpoint);
  doc = DynamoDBDocumentClient.from(client);
  dir = await mkdtemp(join(tmpdir(), 'stream-poller-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  client.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** A table of its own for each test, so that nothing else writes to its stream. */
const freshTable = async (): Promise<{ tableName: string; streamArn: string }> => {
  const tableName = `stream-poller-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return { tableName, streamArn: Table!.LatestStreamArn! };
};

const put = (tableName: string, sk: string, extra: Record<string, unknown> = {}) =>
  doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'item', sk, ...extra } }));

const mapping = (overrides: Partial<StreamMappingConfig> = {}): StreamMappingConfig => ({
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  retryAttempts: 2,
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: false,
  ...overrides,
});

type Invoke = (event: DynamoDBStreamEvent) => Promise<unknown>;

/** Starts a poller that records every batch (as sort keys) and every on-failure record. */
const poll = async (
  tableName: string,
  options: { mapping?: StreamMappingConfig; invoke?: Invoke; checkpointFile?: string; settled?: () => Promise<boolean> } = {},
) => {
  const batches: DynamoDBRecord[][] = [];
  const failures: StreamOnFailureRecord[] = [];
  const logs: string[] = [];
  const invoke = options.invoke ?? (async () => undefined);
  const config: StreamPollerOptions = {
    dynamoEndpoint: endpoint,
    tableName,
    mapping: options.mapping ?? mapping(),
    invoke: async (event) => {
      batches.push(event.Records);
      return invoke(event);
    },
    onFailure: async (record) => {
      failures.push(record);
    },
    checkpointFile: options.checkpointFile,
    settled: options.settled,
    settleIntervalMs: 20,
    pollIntervalMs: 50,
    retryBackoffMs: { base: 10, max: 40 },
    log: (message) => logs.push(message),
  };
  const poller = await startStreamPoller(config);
  running.push(poller);
  const keys = () => batches.map((b) => b.map(sortKey));
  return { poller, batches, failures, logs, keys };
};

const sortKey = (record: DynamoDBRecord): string => record.dynamodb!.Keys!.sk!.S!;
const hasKey = (event: DynamoDBStreamEvent, sk: string) => event.Records.some((r) => sortKey(r) === sk);
const boom = () => {
  throw new Error('handler failed');
};

describe('the local stream poller', () => {
  it('hands every change over in order, in the event shape of Lambda', async () => {
    const { tableName, streamArn } = await freshTable();
    await put(tableName, 'a', { title: 'first', tags: new Set(['x']), blob: new Uint8Array([1, 2, 3]), nested: { list: [1, true, null] } });
    await put(tableName, 'a', { title: 'changed' });
    await put(tableName, 'b', { title: 'second' });
    await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: 'item', sk: 'a' } }));

    const { poller, batches } = await poll(tableName);
    expect(poller.streamArn).toBe(streamArn);
    await poller.idle();

    const records = batches.flat();
    expect(records.map((r) => [r.eventName, sortKey(r)])).toEqual([
      ['INSERT', 'a'],
      ['MODIFY', 'a'],
      ['INSERT', 'b'],
      ['REMOVE', 'a'],
    ]);
    const common = { eventID: expect.any(String), eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1', eventSourceARN: streamArn };
    const meta = { ApproximateCreationDateTime: expect.any(Number), SequenceNumber: expect.any(String), SizeBytes: expect.any(Number), StreamViewType: 'NEW_AND_OLD_IMAGES' };
    const keysOf = (sk: string) => ({ pk: { S: 'item' }, sk: { S: sk } });
    const first = { pk: { S: 'item' }, sk: { S: 'a' }, title: { S: 'first' }, tags: { SS: ['x'] }, blob: { B: 'AQID' }, nested: { M: { list: { L: [{ N: '1' }, { BOOL: true }, { NULL: true }] } } } };
    const changed = { pk: { S: 'item' }, sk: { S: 'a' }, title: { S: 'changed' } };
    expect(records[0]).toEqual({ ...common, eventName: 'INSERT', dynamodb: { ...meta, Keys: keysOf('a'), NewImage: first } });
    expect(records[1]).toEqual({ ...common, eventName: 'MODIFY', dynamodb: { ...meta, Keys: keysOf('a'), NewImage: changed, OldImage: first } });
    expect(records[2]).toEqual({
      ...common,
      eventName: 'INSERT',
      dynamodb: { ...meta, Keys: keysOf('b'), NewImage: { pk: { S: 'item' }, sk: { S: 'b' }, title: { S: 'second' } } },
    });
    expect(records[3]).toEqual({ ...common, eventName: 'REMOVE', dynamodb: { ...meta, Keys: keysOf('a'), OldImage: changed } });
    expect(records[3]).not.toHaveProperty('userIdentity');
    expect(new Set(records.map((r) => r.eventID)).size).toBe(4);

    // Sequence numbers rise; creation times are whole epoch seconds of about now.
    const sequences = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect(sequences).toEqual([...sequences].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(new Set(sequences).size).toBe(4);
    for (const record of records) {
      const created = record.dynamodb!.ApproximateCreationDateTime!;
      expect(Number.isInteger(created)).toBe(true);
      expect(Math.abs(Date.now() / 1000 - created)).toBeLessThan(600);
    }

    // Changes made while it runs follow, after the earlier ones and never twice.
    await put(tableName, 'c');
    await put(tableName, 'd');
    await poller.idle();
    expect(batches.flat().map(sortKey)).toEqual(['a', 'a', 'b', 'a', 'c', 'd']);
  });

  it('drops the records no filter matches, as Lambda event filtering does: the outbox filter never hands over bookkeeping items', async () => {
    const { tableName } = await freshTable();
    await put(tableName, 'task', { entity: 'Task' });
    await put(tableName, 'quota', { entity: 'RequestQuota', count: 1 });
    await put(tableName, 'quota', { entity: 'RequestQuota', count: 2 });
    await put(tableName, 'session', { entity: 'UserSession', ended: true });
    await put(tableName, 'profile', { entity: 'User' });
    await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: 'item', sk: 'quota' } }));
    const { poller, batches } = await poll(tableName, { mapping: mapping({ filters: OUTBOX_MAPPING.filters }) });
    await poller.idle();
    expect(batches.flat().map((r) => [r.eventName, sortKey(r)])).toEqual([
      ['INSERT', 'task'],
      ['INSERT', 'profile'],
    ]);
  });

  it('batches up to the batch size, in order', async () => {
    const { tableName } = await freshTable();
    for (const sk of ['1', '2', '3', '4', '5', '6', '7']) await put(tableName, sk);
    const { poller, keys } = await poll(tableName, { mapping: mapping({ batchSize: 3 }) });
    await poller.idle();
    expect(keys()).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
      ['7'],
    ]);
  });

  it('retries a partially failed batch from the failed record only', async () => {
    const { tableName } = await freshTable();
    for (const sk of ['1', '2', '3', '4', '5']) await put(tableName, sk);
    let calls = 0;
    const { poller, keys, failures } = await poll(tableName, {
      invoke: async (event) => {
        calls++;
        if (calls > 2) return { batchItemFailures: [] };
        // The first time 3 and 5 fail, the second time 4: Lambda goes on from the lowest one each time.
        const failed = calls === 1 ? ['5', '3'] : ['4'];
        return { batchItemFailures: event.Records.filter((r) => failed.includes(sortKey(r))).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
      },
    });
    await poller.idle();
    expect(keys()).toEqual([
      ['1', '2', '3', '4', '5'],
      ['3', '4', '5'],
      ['4', '5'],
    ]);
    expect(failures).toEqual([]);
  });

  it('splits a failing batch in halves and parks only the poison record', async () => {
    const { tableName, streamArn } = await freshTable();
    for (const sk of ['1', '2', 'poison', '4']) await put(tableName, sk);
    const { poller, keys, failures, batches, logs } = await poll(tableName, {
      mapping: mapping({ bisectBatchOnError: true, retryAttempts: 1 }),
      invoke: async (event) => (hasKey(event, 'poison') ? boom() : undefined),
    });
    await poller.idle();
    expect(keys()).toEqual([['1', '2', 'poison', '4'], ['1', '2'], ['poison', '4'], ['poison'], ['poison'], ['4']]);

    const poison = batches[3]![0]!;
    expect(failures).toEqual([
      {
        requestContext: { requestId: expect.any(String), functionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:\d{12}:function:taskwell-/), condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        DDBStreamBatchInfo: {
          shardId: expect.stringMatching(/^shardId-/),
          startSequenceNumber: poison.dynamodb!.SequenceNumber,
          endSequenceNumber: poison.dynamodb!.SequenceNumber,
          approximateArrivalOfFirstRecord: new Date(poison.dynamodb!.ApproximateCreationDateTime! * 1000).toISOString().replace('.000Z', 'Z'),
          approximateArrivalOfLastRecord: new Date(poison.dynamodb!.ApproximateCreationDateTime! * 1000).toISOString().replace('.000Z', 'Z'),
          batchSize: 1,
          streamArn,
        },
      },
    ]);
    expect(logs.filter((line) => line.includes('on-failure destination'))).toHaveLength(1);
  });

  it('sends a batch that keeps failing to onFailure once, whole, and goes on with later records', async () => {
    const { tableName, streamArn } = await freshTable();
    for (const sk of ['1', 'poison', '3']) await put(tableName, sk);
    const { poller, keys, failures, batches, logs } = await poll(tableName, {
      mapping: mapping({ retryAttempts: 2 }),
      invoke: async (event) => (hasKey(event, 'poison') ? boom() : undefined),
    });
    await poller.idle();
    expect(keys()).toEqual([
      ['1', 'poison', '3'],
      ['1', 'poison', '3'],
      ['1', 'poison', '3'],
    ]);
    const [first, , last] = batches[0]!;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { functionError: 'Unhandled' },
      DDBStreamBatchInfo: { startSequenceNumber: first!.dynamodb!.SequenceNumber, endSequenceNumber: last!.dynamodb!.SequenceNumber, batchSize: 3, streamArn },
    });
    expect(logs.some((line) => line.includes('RetryAttemptsExhausted') && line.includes(first!.dynamodb!.SequenceNumber!))).toBe(true);

    await put(tableName, '4');
    await poller.idle();
    expect(keys().slice(3)).toEqual([['4']]);
    expect(failures).toHaveLength(1);
  });

  it('retries a batch whose answer names a record not in it, as a whole', async () => {
    const { tableName } = await freshTable();
    for (const sk of ['1', '2']) await put(tableName, sk);
    let calls = 0;
    const { poller, keys, failures } = await poll(tableName, {
      invoke: async () => (++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : { batchItemFailures: [] }),
    });
    await poller.idle();
    expect(keys()).toEqual([
      ['1', '2'],
      ['1', '2'],
    ]);
    expect(failures).toEqual([]);
  });

  it('does not hand over records older than the maximum record age', async () => {
    const { tableName } = await freshTable();
    await put(tableName, 'old');
    const { poller, batches, failures } = await poll(tableName, { mapping: mapping({ maxRecordAgeSeconds: 0 }) });
    await poller.idle();
    expect(batches).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(failures[0]!.responseContext).not.toHaveProperty('functionError');
    expect(failures[0]!.DDBStreamBatchInfo.batchSize).toBe(1);
  });

  it('resumes after its checkpoint when restarted, and forgets shards that left the stream', async () => {
    const { tableName, streamArn } = await freshTable();
    const checkpointFile = join(dir, `${tableName}.json`);
    await writeFile(checkpointFile, JSON.stringify({ streamArn, shards: { 'shardId-00000000000000000000-gone': '000000000000000000042' } }));
    for (const sk of ['1', '2', '3']) await put(tableName, sk);

    const first = await poll(tableName, { checkpointFile });
    await first.poller.idle();
    await first.poller.stop();
    expect(first.keys().flat()).toEqual(['1', '2', '3']);
    const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as { streamArn: string; shards: Record<string, string> };
    expect(saved.streamArn).toBe(streamArn);
    expect(Object.values(saved.shards)).toEqual([first.batches.flat()[2]!.dynamodb!.SequenceNumber]);
    expect(Object.keys(saved.shards)[0]).not.toContain('gone');

    for (const sk of ['4', '5']) await put(tableName, sk);
    const second = await poll(tableName, { checkpointFile });
    await second.poller.idle();
    expect(second.keys().flat()).toEqual(['4', '5']);
  });

  it('re-delivers, after a restart, what was retried but never processed', async () => {
    const { tableName } = await freshTable();
    const checkpointFile = join(dir, `${tableName}.json`);
    for (const sk of ['1', '2', '3']) await put(tableName, sk);
    // 1 succeeds, 2 keeps failing (partial batch response) until the poller is stopped.
    let stopped!: () => void;
    const twoFailed = new Promise<void>((resolve) => (stopped = resolve));
    const first = await poll(tableName, {
      checkpointFile,
      mapping: mapping({ retryAttempts: 1000 }),
      invoke: async (event) => {
        stopped();
        const two = event.Records.find((r) => sortKey(r) === '2');
        return { batchItemFailures: two ? [{ itemIdentifier: two.dynamodb!.SequenceNumber! }] : [] };
      },
    });
    await twoFailed;
    await first.poller.stop();
    expect(first.keys()[0]).toEqual(['1', '2', '3']);

    const second = await poll(tableName, { checkpointFile });
    await second.poller.idle();
    expect(second.keys()).toEqual([['2', '3']]);
  });

  it('saves no position whose records were handed on but not yet consumed downstream, so a crash re-delivers them', async () => {
    const { tableName } = await freshTable();
    const checkpointFile = join(dir, `${tableName}.json`);
    for (const sk of ['1', '2']) await put(tableName, sk);
    // The function only hands records on (the publisher fills in-memory queues): nothing is consumed yet.
    let consumed = false;
    let asked = 0;
    const first = await poll(tableName, { checkpointFile, settled: async () => (asked++, consumed) });
    await first.poller.idle();
    await expect.poll(() => asked).toBeGreaterThan(1);
    // What a kill -9 now leaves behind: no checkpoint file, so a restart reads 1 and 2 again.
    await expect(readFile(checkpointFile, 'utf8')).rejects.toThrow(/ENOENT/);

    consumed = true;
    await expect.poll(async () => readFile(checkpointFile, 'utf8').catch(() => '')).toContain(first.batches.flat()[1]!.dynamodb!.SequenceNumber!);
    consumed = false;
    await put(tableName, '3');
    await first.poller.idle();
    await first.poller.stop(); // stopped while 3 is not consumed: the file keeps the position after 2

    const second = await poll(tableName, { checkpointFile });
    await second.poller.idle();
    expect(second.keys().flat()).toEqual(['3']);
  });
});

// Shard splits, expired iterators and trimmed records don't happen on DynamoDB Local within a test:
// here the stream's answers are scripted (the table, and so the stream ARN, are real).
describe('the local stream poller, when the stream changes under it', () => {
  // Mocked only while this block runs (mockClient patches every DynamoDBStreamsClient).
  const mockStreams = () => mockClient(DynamoDBStreamsClient);
  let streams: ReturnType<typeof mockStreams>;
  beforeAll(() => {
    streams = mockStreams();
  });
  afterEach(() => streams.reset());
  afterAll(() => streams.restore());

  const record = (sk: string, sequence: number): _Record => ({
    eventID: `event-${sk}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date(),
      Keys: { pk: { S: 'item' }, sk: { S: sk } },
      NewImage: { pk: { S: 'item' }, sk: { S: sk } },
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
  const shard = (ShardId: string, ParentShardId?: string) => ({ ShardId, ParentShardId, SequenceNumberRange: { StartingSequenceNumber: '000000000000000000001' } });
  const iterator = (ShardId: string, ShardIteratorType: 'TRIM_HORIZON' | 'AFTER_SEQUENCE_NUMBER', ShardIterator: string, SequenceNumber?: string) =>
    streams.on(GetShardIteratorCommand, { ShardId, ShardIteratorType, ...(SequenceNumber ? { SequenceNumber } : {}) }).resolves({ ShardIterator });
  const page = (ShardIterator: string, Records: _Record[], NextShardIterator?: string) =>
    streams.on(GetRecordsCommand, { ShardIterator }).resolves({ Records, NextShardIterator });

  it('reads a child shard only after its parent is closed and done', async () => {
    const { tableName, streamArn } = await freshTable();
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [shard('shardId-child', 'shardId-parent'), shard('shardId-parent')] } });
    iterator('shardId-parent', 'TRIM_HORIZON', 'parent-0');
    page('parent-0', [record('p1', 1), record('p2', 2)], 'parent-1');
    page('parent-1', []); // closed: no next iterator
    iterator('shardId-child', 'TRIM_HORIZON', 'child-0');
    page('child-0', [record('c1', 3)], 'child-1');
    page('child-1', [], 'child-1');

    const events: string[] = [];
    const { poller, keys, logs } = await poll(tableName, {
      invoke: async (event) => {
        const name = event.Records.map(sortKey).join(',');
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        events.push(`end ${name}`);
      },
    });
    await poller.idle();
    expect(logs).toContain('shard shardId-parent is closed and fully processed');
    expect(keys()).toEqual([['p1', 'p2'], ['c1']]);
    expect(events).toEqual(['start p1,p2', 'end p1,p2', 'start c1', 'end c1']);
  });

  it('gets a new iterator after the checkpoint when its iterator expired', async () => {
    const { tableName, streamArn } = await freshTable();
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [shard('shardId-a')] } });
    iterator('shardId-a', 'TRIM_HORIZON', 'a-0');
    page('a-0', [record('1', 1)], 'a-1');
    streams.on(GetRecordsCommand, { ShardIterator: 'a-1' }).rejects(new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} }));
    iterator('shardId-a', 'AFTER_SEQUENCE_NUMBER', 'a-after-1', record('1', 1).dynamodb!.SequenceNumber);
    page('a-after-1', [record('2', 2)], 'a-2');
    page('a-2', [], 'a-2');

    const { poller, keys } = await poll(tableName, { mapping: mapping({ batchSize: 1 }) });
    await poller.idle();
    expect(keys()).toEqual([['1'], ['2']]);
  });

  it('goes on from the trim horizon, and says so, when records after its checkpoint were trimmed', async () => {
    const { tableName, streamArn } = await freshTable();
    const checkpointFile = join(dir, `${tableName}.json`);
    await writeFile(checkpointFile, JSON.stringify({ streamArn, shards: { 'shardId-a': record('5', 5).dynamodb!.SequenceNumber } }));
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [shard('shardId-a')] } });
    streams
      .on(GetShardIteratorCommand, { ShardId: 'shardId-a', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    iterator('shardId-a', 'TRIM_HORIZON', 'a-th');
    page('a-th', [record('9', 9)], 'a-1');
    page('a-1', [], 'a-1');

    const { poller, keys, logs } = await poll(tableName, { checkpointFile });
    await poller.idle();
    expect(keys()).toEqual([['9']]);
    expect(logs.some((line) => line.includes('trimmed'))).toBe(true);
    await poller.stop();
    expect(JSON.parse(await readFile(checkpointFile, 'utf8')).shards).toEqual({ 'shardId-a': record('9', 9).dynamodb!.SequenceNumber });
  });
});
