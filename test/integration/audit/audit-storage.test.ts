// How audit records are stored on DynamoDB Local: the entity's states and the changed fields as one gzip-compressed
// Binary attribute (`data`), read back as the very records that were written — and records written before the
// compression (plain attributes) still read. The capacity tests write records made from real task items by the
// real mapper and ask DynamoDB Local for the consumed capacity of the table and each index.
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { auditRecordOf, type AuditRecord } from '#shared/domain/audit';
import { eventsFromChange } from '#shared/events/mapper';
import { AUDIT_ENTITY, auditStore, PAYLOAD_ATTRIBUTE } from '#shared/store/audit-store';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { dynamoItemSize, writeUnits } from '#test/support/dynamodb-item-size';
import { handler as listAudit } from '#functions/audit/list-audit-records';
import { handler as createTask } from '#functions/tasks/create-task';
import { handler as updateTask } from '#functions/tasks/update-task';

const admin: TestUser = { userId: 'admin-1', email: 'admin@example.com', groups: ['admins'] };

/** An event id as the mapper makes it: the stream record's eventID (32 hex characters on AWS) and the type. */
const eventId = (type: string) => `${randomBytes(16).toString('hex')}:${type}`;

/** What the store wrote for a record, as DynamoDB holds it. */
const storedItem = async (record: AuditRecord) =>
  (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.auditRecord(record.occurredAt, record.id) }))).Item!;

/** The item the store wrote before the payload was compressed: every field a plain attribute. */
const legacyItem = (record: AuditRecord) => ({
  ...record,
  ...keys.auditRecord(record.occurredAt, record.id),
  ...keys.auditIndex(record),
  entity: AUDIT_ENTITY,
  subject: record.entity,
});

const historyOf = (entity: AuditRecord['entity']) =>
  auditStore.search({ entityType: entity.type, entityId: entity.id, from: '2000-01-01T00:00:00.000Z', to: '2999-12-31T23:59:59.999Z', limit: 50 });

/**
 * A record whose states hold what JSON and DynamoDB maps must both carry: nesting, unicode, nulls, numbers, empty
 * lists. No empty maps: DynamoDB Local's stream returns an empty map as `{}`, which no reader of the whole stream
 * (test/integration/events) can unmarshall, and this record is also written as a plain item.
 */
const richRecord = (): AuditRecord => {
  const entity = { type: 'Task' as const, id: ulid() };
  const before = {
    id: entity.id,
    title: 'Überprüfen: naïve café ☕ — 日本語のタイトル 🚀',
    description: 'Line one\nline "two" with \\ backslash,\ttab and \u2028 separator; emoji 👩🏽‍💻 and RTL עברית',
    status: 'todo',
    priority: 'high',
    dueAt: null,
    tags: ['ünïcödé', '', 'x'.repeat(40)],
    assigneeId: null,
    version: 3,
    reminders: [{ at: '2030-01-01T09:00:00.000Z', before: 'PT1H', sentAt: null, status: 'scheduled', nested: { deeper: [1, 2.5, -3, 0, 1e-7, Number.MAX_SAFE_INTEGER, { list: [] }, []], flag: false } }],
    completedAt: null,
  };
  const after = { ...before, title: 'Done ✔', status: 'done', version: 4, completedAt: '2030-01-02T10:00:00.000Z', reminders: [] };
  return {
    id: eventId('TaskUpdated'),
    type: 'TaskUpdated',
    occurredAt: '2030-01-02T10:00:00.000Z',
    actor: { userId: `actor-${ulid()}` },
    requestId: 'req-ünïcödé',
    entity,
    projectId: null,
    changes: [
      { field: 'completedAt', before: null, after: '2030-01-02T10:00:00.000Z' },
      { field: 'reminders', before: before.reminders, after: [] },
      { field: 'status', before: 'todo', after: 'done' },
      { field: 'title', before: before.title, after: after.title },
    ],
    before,
    after,
    recordedAt: '2030-01-02T10:00:01.000Z',
  };
};

// ---- consumed capacity: asked for on every call the store makes while `measuring` ----

interface Capacity {
  table?: number;
  gsi1?: number;
  gsi2?: number;
}
let measured: Capacity | undefined;
let measuring = false;
const CAPACITY_MIDDLEWARE = 'auditStorageTestCapacity';

const capacityOf = async (write: () => Promise<unknown>): Promise<Capacity> => {
  measuring = true;
  measured = undefined;
  try {
    await write();
  } finally {
    measuring = false;
  }
  if (!measured) throw new Error('no consumed capacity reported');
  return measured;
};

/** A private task created and then changed through the real handlers; its audit records as the mapper makes them. */
const taskRecords = async (body: Record<string, unknown>, patch: Record<string, unknown>) => {
  const user: TestUser = { userId: ulid(), email: 'writer@example.com' };
  const created = await invoke(createTask, apiEvent('POST', '/v1/tasks', { user, body }));
  expect(created.status).toBe(201);
  const taskId = created.body.id as string;
  const item = async () => (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.task(taskId) }))).Item!;
  const v1 = await item();
  const route = { user, route: '/v1/tasks/{taskId}', pathParameters: { taskId } };
  expect((await invoke(updateTask, apiEvent('PATCH', `/v1/tasks/${taskId}`, { ...route, body: { ...patch, version: 1 } }))).status).toBe(200);
  const v2 = await item();
  const streamEventId = randomBytes(16).toString('hex');
  const at = new Date().toISOString();
  const [createdEvent] = eventsFromChange({ eventId: streamEventId, eventName: 'INSERT', newImage: v1, approximateCreationTime: at });
  const [updatedEvent] = eventsFromChange({ eventId: streamEventId, eventName: 'MODIFY', oldImage: v1, newImage: v2, approximateCreationTime: at });
  expect([createdEvent?.type, updatedEvent?.type]).toEqual(['TaskCreated', 'TaskUpdated']);
  expect(updatedEvent!.changes).toHaveLength(1);
  return { created: auditRecordOf(createdEvent!, at), updated: auditRecordOf(updatedEvent!, at) };
};

/** What a write costs as the store makes it, and what the same record cost as a plain item (written under another id of the same length). */
const compareWrites = async (record: AuditRecord) => {
  const compressed = await capacityOf(() => auditStore.append(record));
  const legacy = legacyItem({ ...record, id: eventId(record.type) });
  const plain = await capacityOf(() => documentClient.send(new PutCommand({ TableName: tableName(), Item: legacy, ConditionExpression: 'attribute_not_exists(pk)' })));
  const stored = await storedItem(record);
  // The item sizes computed by DynamoDB's rules must agree with what DynamoDB Local billed for the table.
  expect(writeUnits(stored)).toBe(compressed.table);
  expect(writeUnits(legacy)).toBe(plain.table);
  return { compressed, plain, compressedBytes: dynamoItemSize(stored), plainBytes: dynamoItemSize(legacy) };
};

describe('audit record storage', () => {
  beforeAll(() => {
    documentClient.middlewareStack.add(
      (next) => async (args) => {
        if (!measuring) return next(args);
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> } }).ConsumedCapacity;
        measured = consumed && {
          table: consumed.Table?.CapacityUnits,
          gsi1: consumed.GlobalSecondaryIndexes?.gsi1?.CapacityUnits,
          gsi2: consumed.GlobalSecondaryIndexes?.gsi2?.CapacityUnits,
        };
        return result;
      },
      { step: 'initialize', name: CAPACITY_MIDDLEWARE },
    );
  });
  afterAll(() => {
    documentClient.middlewareStack.remove(CAPACITY_MIDDLEWARE);
  });

  it('stores the changes and both states as one compressed attribute, not as plain attributes', async () => {
    const record = richRecord();
    expect(await auditStore.append(record)).toBe(true);
    const item = await storedItem(record);
    expect(item).not.toHaveProperty('changes');
    expect(item).not.toHaveProperty('before');
    expect(item).not.toHaveProperty('after');
    expect(item[PAYLOAD_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    // gzip's magic bytes, and the JSON inside.
    expect([...(item[PAYLOAD_ATTRIBUTE] as Uint8Array).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(JSON.parse(gunzipSync(item[PAYLOAD_ATTRIBUTE] as Uint8Array).toString('utf8'))).toStrictEqual({ changes: record.changes, before: record.before, after: record.after });
    // What searches filter on stays plain.
    expect(item).toMatchObject({ actor: record.actor, subject: record.entity, entity: AUDIT_ENTITY, id: record.id, type: record.type });
  });

  it('reads back exactly the record it wrote, through the store and through the admin route', async () => {
    const rich = richRecord();
    // Empty maps too: compressed, they never reach the table as maps.
    const record: AuditRecord = { ...rich, after: { ...rich.after, settings: {}, nested: [{ empty: {} }] } };
    await auditStore.append(record);
    const created: AuditRecord = {
      ...richRecord(),
      id: eventId('TaskCreated'),
      type: 'TaskCreated',
      entity: record.entity,
      occurredAt: '2030-01-01T08:00:00.000Z',
      before: null,
      changes: [{ field: 'title', before: null, after: 'Überprüfen' }],
    };
    await auditStore.append(created);

    const page = await historyOf(record.entity);
    expect(page.items).toStrictEqual([record, created]);

    const res = await invoke(listAudit, apiEvent('GET', '/v1/admin/audit', { user: admin, query: { entityType: 'Task', entityId: record.entity.id, from: '2030-01-01T00:00:00.000Z', to: '2030-12-31T23:59:59.999Z' } }));
    expect(res.status).toBe(200);
    expect(res.body.items).toStrictEqual(JSON.parse(JSON.stringify([record, created])));
  });

  it('still reads records written before the compression, beside compressed ones', async () => {
    const legacy = richRecord();
    await documentClient.send(new PutCommand({ TableName: tableName(), Item: legacyItem(legacy), ConditionExpression: 'attribute_not_exists(pk)' }));
    expect(await storedItem(legacy)).toHaveProperty('before');
    const compressed: AuditRecord = { ...richRecord(), entity: legacy.entity, id: eventId('TaskUpdated'), occurredAt: '2030-01-03T10:00:00.000Z' };
    await auditStore.append(compressed);

    expect((await historyOf(legacy.entity)).items).toStrictEqual([compressed, legacy]);
    // Searched by actor (GSI2) too: the index holds the same items.
    const byActor = await auditStore.search({ actorId: legacy.actor.userId, from: '2030-01-01T00:00:00.000Z', to: '2030-12-31T23:59:59.999Z', limit: 10 });
    expect(byActor.items).toStrictEqual([legacy]);
  });

  it('writes the update of a task with a short title and a tag for 1 WCU on the table and on each index (2 each as plain attributes)', async () => {
    // The shape of the benchmark walk's tasks (bench/capacity.ts): no description.
    const { created, updated } = await taskRecords({ title: 'Walk a task', priority: 'medium', tags: ['load'] }, { title: 'Walked a task' });
    for (const record of [updated, created]) {
      const { compressed, plain, compressedBytes, plainBytes } = await compareWrites(record);
      expect(compressed, record.type).toEqual({ table: 1, gsi1: 1, gsi2: 1 });
      expect(plain, record.type).toEqual({ table: 2, gsi1: 2, gsi2: 2 });
      expect(compressedBytes).toBeLessThanOrEqual(1024);
      expect(plainBytes).toBeGreaterThan(1024);
    }
    expect((await historyOf(updated.entity)).items.filter((r) => r.id === updated.id || r.id === created.id)).toStrictEqual([updated, created].sort((a, b) => (b.occurredAt + b.id).localeCompare(a.occurredAt + a.id)));
  });

  it('writes the update of a task with a 349-character description and three tags for 2 WCU per copy (3 as plain attributes)', async () => {
    // Over 1 KB even compressed: ~630 bytes of the item are keys and plain attributes (three sort keys repeat
    // occurredAt and the event id), and the compressed states of such a task are ~590 bytes.
    const description =
      'Customers on the annual plan are billed twice when they upgrade mid-cycle: the proration job runs before the plan change is committed, so the old invoice is not voided. Reproduce with a test account, fix the ordering in the billing worker, and add a regression test. Coordinate with support before deploying; they hold the list of affected accounts.';
    expect(description).toHaveLength(349);
    const dueAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const { updated } = await taskRecords({ title: 'Fix double billing on plan upgrade', description, priority: 'high', tags: ['billing', 'backend', 'customer-reported'], dueAt }, { priority: 'urgent' });
    const { compressed, plain, compressedBytes, plainBytes } = await compareWrites(updated);
    expect(compressed).toEqual({ table: 2, gsi1: 2, gsi2: 2 });
    expect(plain).toEqual({ table: 3, gsi1: 3, gsi2: 3 });
    expect(compressedBytes).toBeGreaterThan(1024);
    expect(plainBytes).toBeGreaterThan(2048);
    expect((await historyOf(updated.entity)).items.find((r) => r.id === updated.id)).toStrictEqual(updated);
  });
});
