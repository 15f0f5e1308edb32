// The dashboard's counters against DynamoDB Local: the stats consumer counts each event once however often (and
// however concurrently) it is delivered, and GET /v1/admin/stats reads them back as 30 zero-filled days with the
// open tasks by priority and the depth of every DLQ (a local-aws-sqs with the declared queues).
// Tests run in order and compare with what the counters held before, since the counters are one set per table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DomainEvent } from '#shared/events/schemas';
import { lastDays } from '#shared/domain/stats';
import { catalogue } from '#shared/ops/dlq-catalogue';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { statsStore } from '#shared/store/stats-store';
import { startLocalSqs, type LocalSqs } from '#local/sqs';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';

const PREFIX = `it-${randomUUID().slice(0, 8)}`;
const admin: TestUser = { userId: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const context = { functionName: 'stats', awsRequestId: 'x', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

let sqs: LocalSqs;
let consume: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let getStats: Parameters<typeof invoke>[0];

beforeAll(async () => {
  sqs = await startLocalSqs({ prefix: PREFIX });
  // The functions read these when first loaded, as in Lambda.
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  process.env.QUEUE_PREFIX = PREFIX;
  consume = (await import('#functions/stats/update-stats')).handler as never;
  getStats = (await import('#functions/admin/get-stats')).handler as never;
});

afterAll(async () => {
  await sqs?.stop();
  delete process.env.AWS_ENDPOINT_URL_SQS;
});

/** A UTC day within the dashboard's window, `n` days ago. */
const daysAgo = (n: number) => lastDays(new Date())[29 - n]!;

const task = (over: Record<string, unknown> = {}) => ({ id: 't-1', title: 'T', status: 'todo', priority: 'medium', projectId: null, ...over });
const event = (type: DomainEvent['type'], day: string, before: Record<string, unknown> | null, after: Record<string, unknown> | null): DomainEvent => ({
  id: `${randomUUID()}:${type}`,
  type,
  version: 1,
  occurredAt: `${day}T12:00:00.000Z`,
  actor: { userId: 'u-1' },
  requestId: 'req-1',
  entity: { type: 'Task', id: String((after ?? before)?.id ?? 't-1') },
  projectId: null,
  before,
  after,
  changes: [],
});

let seq = 0;
const message = (e: DomainEvent): SQSRecord => ({
  messageId: `m-${++seq}`,
  receiptHandle: `rh-${seq}`,
  body: JSON.stringify({ version: '0', id: randomUUID(), 'detail-type': e.type, source: 'taskwell', detail: e }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'events', ApproximateFirstReceiveTimestamp: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${PREFIX}-stats`,
  awsRegion: 'us-east-1',
});
const deliver = async (...events: DomainEvent[]) => {
  const result = await consume({ Records: events.map(message) }, context);
  expect(result.batchItemFailures).toEqual([]);
};

const counters = async (day: string) => {
  const stored = await statsStore.read([day]);
  return { day: stored.days[day] ?? { created: 0, completed: 0 }, open: stored.open };
};

describe('the stats consumer', () => {
  it('counts an event once, however often it is delivered', async () => {
    const day = daysAgo(3);
    const before = await counters(day);
    const created = event('TaskCreated', day, null, task({ priority: 'urgent' }));
    const completed = event('TaskCompleted', day, task({ priority: 'high' }), task({ status: 'done', priority: 'high' }));
    await deliver(created, created, completed);
    await deliver(completed, created);
    const after = await counters(day);
    expect(after.day).toEqual({ created: before.day.created + 1, completed: before.day.completed + 1 });
    expect(after.open).toEqual({ ...before.open, urgent: before.open.urgent + 1, high: before.open.high - 1 });
    // Each counted event left its marker, which expires (TTL) after the longest a redelivery can take.
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.statsEvent(created.id) }));
    expect(Item).toMatchObject({ entity: 'StatsEvent', day });
    expect(Item!.expiresAt).toBeGreaterThan(Date.now() / 1000 + 18 * 86_400);
  });

  it('writes nothing for an event that moves no counter', async () => {
    const day = daysAgo(4);
    const renamed = event('TaskUpdated', day, task({ title: 'a' }), task({ title: 'b' }));
    await deliver(renamed);
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.statsEvent(renamed.id) }));
    expect(Item).toBeUndefined();
    expect((await statsStore.read([day])).days[day]).toBeUndefined();
  });

  it('counts every event of concurrent batches on the same counters exactly once', async () => {
    const day = daysAgo(2);
    const before = await counters(day);
    const events = Array.from({ length: 30 }, (_, i) => event('TaskCreated', day, null, task({ id: `t-${i}`, priority: 'low' })));
    // Three invocations at once, each with a batch of 10 handled in parallel, and one of them delivered twice.
    await Promise.all([deliver(...events.slice(0, 10)), deliver(...events.slice(10, 20)), deliver(...events.slice(20)), deliver(...events.slice(0, 10))]);
    const after = await counters(day);
    expect(after.day.created).toBe(before.day.created + 30);
    expect(after.open.low).toBe(before.open.low + 30);
  });
});

describe('the stats store', () => {
  it('applies concurrent transactions on the same counter items each once (retrying collisions)', async () => {
    const day = daysAgo(1);
    const before = await counters(day);
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const ids = Array.from({ length: 25 }, () => randomUUID());
    const applied = await Promise.all(
      [...ids, ...ids.slice(0, 5)].map((id) => statsStore.apply(id, { day, created: 1, completed: 0, open: { medium: 1, urgent: -1 } }, expiresAt)),
    );
    expect(applied.filter(Boolean)).toHaveLength(25);
    const after = await counters(day);
    expect(after.day.created).toBe(before.day.created + 25);
    expect(after.open.medium - before.open.medium).toBe(25);
    expect(after.open.urgent - before.open.urgent).toBe(-25);
  });
});

describe('GET /v1/admin/stats', () => {
  it('answers exactly the last 30 UTC days, oldest first, zero-filled, with the open tasks and every DLQ', async () => {
    const day = daysAgo(0);
    await deliver(event('TaskCreated', day, null, task({ status: 'done' })));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: sqs.dlq('audit').url, MessageBody: '{"parked":true}' }));

    const res = await invoke(getStats, apiEvent('GET', '/v1/admin/stats', { user: admin }));
    expect(res.status).toBe(200);
    const stats = res.body;
    expect(Object.keys(stats).sort()).toEqual(['days', 'dlqs', 'emailsSent', 'generatedAt', 'notificationsSent', 'openByPriority', 'overdue']);
    expect(Date.now() - Date.parse(stats.generatedAt)).toBeLessThan(60_000);
    expect(stats.days.map((d: { date: string }) => d.date)).toEqual(lastDays(new Date(stats.generatedAt)));
    const counted = new Map([daysAgo(3), daysAgo(2), daysAgo(1), daysAgo(0)].map((d) => [d, true]));
    for (const d of stats.days as { date: string; created: number; completed: number }[]) {
      if (counted.has(d.date)) expect(d.created + d.completed).toBeGreaterThan(0);
      else expect(d).toEqual({ date: d.date, created: 0, completed: 0 });
    }
    const today = stats.days[29];
    expect(today).toEqual({ date: day, created: (await counters(day)).day.created, completed: (await counters(day)).day.completed });
    const open = (await statsStore.read([])).open;
    expect(stats.openByPriority).toEqual(Object.fromEntries(Object.entries(open).map(([p, n]) => [p, Math.max(0, n)])));
    expect(stats.overdue).toBe(0);
    expect(stats.dlqs).toEqual(catalogue(PREFIX).map((d) => ({ name: d.name, messages: d.name === `${PREFIX}-audit-dlq` ? 1 : 0 })));
  });

  it('is for admins only', async () => {
    const res = await invoke(getStats, apiEvent('GET', '/v1/admin/stats', { user: { userId: 'u-1', email: 'u@example.com' } }));
    expect(res.status).toBe(403);
  });
});
