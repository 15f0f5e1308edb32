import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { handler } from '#functions/events/publish-events';

const eventBridge = mockClient(EventBridgeClient);
const at = '2026-11-23T10:00:00.000Z';

const taskImage = (id: string, over: Record<string, unknown> = {}) =>
  marshall({ pk: `TASK#${id}`, sk: 'TASK', entity: 'Task', id, projectId: null, title: id, status: 'todo', assigneeId: null, createdBy: 'alice', createdAt: at, updatedAt: at, version: 1, modifiedBy: 'alice', requestId: 'r', ...over });

const insert = (id: string, seq: string, over: Record<string, unknown> = {}): DynamoDBRecord => ({
  eventID: `ev-${seq}`,
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: seq, ApproximateCreationDateTime: 1_795_000_000, NewImage: taskImage(id, over) as never },
});

const invoke = (records: DynamoDBRecord[]) => handler({ Records: records } as DynamoDBStreamEvent, { functionName: 'publisher', awsRequestId: 'x', getRemainingTimeInMillis: () => 30_000 } as unknown as Context);
const sentBatches = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const detailTypes = (entries: { DetailType?: string }[]) => entries.map((e) => e.DetailType);

describe('the outbox publisher', () => {
  beforeEach(() => eventBridge.reset());

  it('puts each record\'s events on the bus with source taskwell and the event as detail', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    const result = await invoke([insert('t1', '1', { assigneeId: 'bob' })]);
    expect(result).toEqual({ batchItemFailures: [] });
    const [entries] = sentBatches();
    expect(detailTypes(entries!)).toEqual(['TaskCreated', 'TaskAssigned']);
    expect(entries![0]).toMatchObject({ Source: 'taskwell', EventBusName: 'taskwell' });
    expect(JSON.parse(entries![0]!.Detail!)).toMatchObject({ id: 'ev-1:TaskCreated', entity: { type: 'Task', id: 't1' } });
  });

  it('retries only the entries a partially failed PutEvents rejected', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'c' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const result = await invoke([insert('t1', '1'), insert('t2', '2'), insert('t3', '3')]);
    expect(result).toEqual({ batchItemFailures: [] });
    const batches = sentBatches();
    expect(batches).toHaveLength(2);
    expect(batches[0]).toHaveLength(3);
    expect(batches[1]!.map((e) => JSON.parse(e.Detail!).entity.id)).toEqual(['t2']);
  });

  it('reports the first record whose events keep failing, so Lambda retries from there', async () => {
    eventBridge.on(PutEventsCommand).callsFake(async ({ Entries }: { Entries: { Detail: string }[] }) => {
      const entries = Entries.map((e) => (JSON.parse(e.Detail).entity.id === 't2' ? { ErrorCode: 'ThrottlingException' } : { EventId: 'ok' }));
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    });
    const result = await invoke([insert('t1', '1'), insert('t2', '2'), insert('t3', '3')]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(sentBatches().length).toBeGreaterThan(1);
  });

  it('reports the batch when EventBridge itself keeps failing', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('service unavailable'));
    expect(await invoke([insert('t1', '7')])).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
  });

  it('splits more than ten events into several PutEvents calls of at most ten', async () => {
    eventBridge.on(PutEventsCommand).callsFake(async ({ Entries }: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: 'x' })) }));
    const records = Array.from({ length: 12 }, (_, i) => insert(`t${i}`, String(i + 1)));
    expect(await invoke(records)).toEqual({ batchItemFailures: [] });
    expect(sentBatches().map((b) => b.length)).toEqual([10, 2]);
  });

  it('publishes nothing for TTL expiries', async () => {
    const expiry: DynamoDBRecord = {
      eventID: 'ev-9',
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { SequenceNumber: '9', OldImage: taskImage('t9', { deletedAt: at }) as never },
    };
    expect(await invoke([expiry])).toEqual({ batchItemFailures: [] });
    expect(sentBatches()).toEqual([]);
  });
});
