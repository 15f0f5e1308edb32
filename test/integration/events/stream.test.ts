// The table's stream is the outbox: writes made through the real handlers appear on DynamoDB Local's
// stream with old and new images, and the mapper turns them into the expected domain events.
import { describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { dynamodb, tableName } from '#shared/store/client';
import { eventsFromChange } from '#shared/events/mapper';
import { parseDomainEvent, type DomainEvent } from '#shared/events/schemas';
import { handler as createTask } from '#functions/tasks/create-task';
import { handler as updateTask } from '#functions/tasks/update-task';
import { handler as deleteTask } from '#functions/tasks/delete-task';
import { apiEvent, invoke } from '#test/support/apigw-event';

const streams = new DynamoDBStreamsClient({});

/** Every record currently on the table's stream (all shards, from the start). */
const readStream = async (): Promise<_Record[]> => {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName() }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    for (let i = 0; ShardIterator && i < 50; i++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
      records.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      ShardIterator = page.NextShardIterator;
    }
  }
  return records;
};

const eventsOf = (records: _Record[], entityId: string): DomainEvent[] =>
  records
    .flatMap((r) =>
      eventsFromChange({
        eventId: r.eventID!,
        eventName: r.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
        oldImage: r.dynamodb?.OldImage ? unmarshall(r.dynamodb.OldImage as never) : undefined,
        newImage: r.dynamodb?.NewImage ? unmarshall(r.dynamodb.NewImage as never) : undefined,
        approximateCreationTime: new Date((r.dynamodb?.ApproximateCreationDateTime ?? new Date()).valueOf()).toISOString(),
      }),
    )
    .filter((e) => e.entity.id === entityId);

describe('the table stream as the outbox', () => {
  it('carries a task created, assigned, completed and deleted through the API as the expected events', async () => {
    const alice = { userId: `alice-${randomUUID()}`, email: 'alice@example.com' };
    const created = await invoke(createTask, apiEvent('POST', '/v1/tasks', { user: alice, body: { title: 'Ship it', assigneeId: alice.userId } }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const taskRoute = { user: alice, route: '/v1/tasks/{taskId}', pathParameters: { taskId: id } };
    const done = await invoke(updateTask, apiEvent('PATCH', `/v1/tasks/${id}`, { ...taskRoute, body: { status: 'done', version: 1 }, requestId: 'req-complete' }));
    expect(done.status).toBe(200);
    const deleted = await invoke(deleteTask, apiEvent('DELETE', `/v1/tasks/${id}`, { ...taskRoute, requestId: 'req-delete' }));
    expect(deleted.status).toBe(204);

    const events = eventsOf(await readStream(), id);
    expect(events.map((e) => e.type)).toEqual(['TaskCreated', 'TaskAssigned', 'TaskUpdated', 'TaskCompleted', 'TaskDeleted']);
    for (const event of events) {
      expect(parseDomainEvent(event)).toEqual(event);
      expect(event.actor.userId).toBe(alice.userId);
    }
    expect(events[2]).toMatchObject({ requestId: 'req-complete', changes: expect.arrayContaining([{ field: 'status', before: 'todo', after: 'done' }]) });
    expect(events[4]).toMatchObject({ requestId: 'req-delete', after: null, before: expect.objectContaining({ title: 'Ship it' }) });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });
});
