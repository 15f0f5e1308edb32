// The counters' writes over a mocked DynamoDB client: one transaction per counted event (its marker first, on
// condition), collisions retried, a redelivery counting nothing. DynamoDB Local serialises transactions, so the
// collision path is exercised here.
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { deliveryCounterUpdate, statsStore } from '#shared/store/stats-store';

const ddb = mockClient(DynamoDBDocumentClient);
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => ddb.reset());

describe('counting an event', () => {
  it('writes the marker (on condition) and the ADDs in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await statsStore.apply('ev-1', { day: '2026-03-14', created: 1, completed: 0, open: { high: 1, low: -1 } }, 1_800_000_000)).toBe(true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[0]!.Put).toMatchObject({
      Item: { pk: 'STATSEVENT#ev-1', sk: 'STATSEVENT', entity: 'StatsEvent', expiresAt: 1_800_000_000 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]!.Update).toMatchObject({ Key: { pk: 'STATS', sk: 'DAY#2026-03-14' }, ExpressionAttributeValues: { ':c0': 1, ':entity': 'StatsDay', ':s0': '2026-03-14' } });
    expect(items[1]!.Update!.UpdateExpression).toBe('SET #entity = :entity, #s0 = :s0 ADD #c0 :c0');
    expect(items[1]!.Update!.ExpressionAttributeNames).toMatchObject({ '#c0': 'created' });
    expect(items[2]!.Update).toMatchObject({ Key: { pk: 'STATS', sk: 'OPEN_TASKS' } });
    expect(items[2]!.Update!.ExpressionAttributeNames).toMatchObject({ '#c0': 'high', '#c1': 'low' });
    expect(items[2]!.Update!.ExpressionAttributeValues).toMatchObject({ ':c0': 1, ':c1': -1 });
  });

  it('counts nothing for an event whose marker exists (a redelivery)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    expect(await statsStore.apply('ev-1', { day: '2026-03-14', created: 1, completed: 0, open: {} }, 1)).toBe(false);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('retries a transaction that collided with another on the same counters', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).rejectsOnce(cancelled('None', 'None', 'TransactionConflict')).resolves({});
    expect(await statsStore.apply('ev-2', { day: '2026-03-14', created: 0, completed: 1, open: { urgent: -1 } }, 1)).toBe(true);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it('gives up after a few collisions (the message is retried by SQS) and passes other errors on', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    await expect(statsStore.apply('ev-3', { day: '2026-03-14', created: 1, completed: 0, open: {} }, 1)).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(ddb.commandCalls(TransactWriteCommand).length).toBeGreaterThan(2);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(statsStore.apply('ev-4', { day: '2026-03-14', created: 1, completed: 0, open: {} }, 1)).rejects.toThrow('slow down');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('the delivery totals', () => {
  it('are a transaction item for the notification side to add to its own conditional write', () => {
    expect(deliveryCounterUpdate({ notificationsSent: 1 }).Update).toMatchObject({
      Key: { pk: 'STATS', sk: 'DELIVERIES' },
      UpdateExpression: 'SET #entity = :entity ADD #c0 :c0',
      ExpressionAttributeNames: { '#entity': 'entity', '#c0': 'notificationsSent' },
      ExpressionAttributeValues: { ':entity': 'StatsDeliveries', ':c0': 1 },
    });
    expect(() => deliveryCounterUpdate({})).toThrow();
  });
});
