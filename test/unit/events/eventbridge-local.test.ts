// The local EventBridge stand-in, driven by the real @aws-sdk/client-eventbridge over loopback HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { startLocalEventBridge, type EventBridgeEvent, type LocalEventBridge, type LocalRule } from '#local/eventbridge';

type Target = { queue: string };
const BUS = 'taskwell-events';

const rules: LocalRule<Target>[] = [
  { name: 'audit', eventBusName: BUS, pattern: { source: ['taskwell'] }, targets: [{ queue: 'audit' }] },
  {
    name: 'notify-assigned',
    eventBusName: `arn:aws:events:us-east-1:123456789012:event-bus/${BUS}`,
    pattern: { source: ['taskwell'], 'detail-type': ['TaskAssigned', 'TaskCompleted'] },
    targets: [{ queue: 'notifications' }, { queue: 'webhooks' }],
  },
  { name: 'exact-price', eventBusName: BUS, pattern: { detail: { price: [300] } }, targets: [{ queue: 'exact' }] },
  { name: 'numeric-price', eventBusName: BUS, pattern: { detail: { price: [{ numeric: ['=', 300] }] } }, targets: [{ queue: 'numeric' }] },
  { name: 'default-bus', eventBusName: 'default', pattern: { source: ['taskwell'] }, targets: [{ queue: 'default' }] },
];

let bus: LocalEventBridge | undefined;
let delivered: { rule: string; queue: string; event: EventBridgeEvent }[];

const start = async (extra: Partial<Parameters<typeof startLocalEventBridge<Target>>[0]> = {}) => {
  delivered = [];
  bus = await startLocalEventBridge<Target>({
    rules,
    deliver: (rule, target, event) => void delivered.push({ rule, queue: target.queue, event }),
    ...extra,
  });
  const client = new EventBridgeClient({
    endpoint: bus.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  return { bus, client };
};

afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

const entry = (type: string, detail: Record<string, unknown> = { taskId: 't1' }): PutEventsRequestEntry => ({
  EventBusName: BUS,
  Source: 'taskwell',
  DetailType: type,
  Detail: JSON.stringify(detail),
});

describe('local EventBridge: PutEvents', () => {
  it('hands each event, as the EventBridge envelope, to every target of every matching rule on its bus', async () => {
    const { client } = await start();
    const time = new Date('2024-05-01T10:20:30.456Z');
    const out = await client.send(new PutEventsCommand({ Entries: [{ ...entry('TaskAssigned', { taskId: 't1', assigneeId: 'u2' }), Time: time, Resources: ['task/t1'] }] }));

    expect(out.FailedEntryCount).toBe(0);
    const eventId = out.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered.map((d) => `${d.rule}→${d.queue}`)).toEqual(['audit→audit', 'notify-assigned→notifications', 'notify-assigned→webhooks']);
    expect(delivered[0]!.event).toEqual({
      version: '0',
      id: eventId,
      'detail-type': 'TaskAssigned',
      source: 'taskwell',
      account: '123456789012',
      time: '2024-05-01T10:20:30Z',
      region: 'us-east-1',
      resources: ['task/t1'],
      detail: { taskId: 't1', assigneeId: 'u2' },
    });
    expect(bus!.events).toHaveLength(1);
  });

  it('routes only to rules whose pattern matches, on the bus the entry names', async () => {
    const { client } = await start();
    await client.send(new PutEventsCommand({ Entries: [entry('TaskUpdated')] }));
    expect(delivered.map((d) => d.rule)).toEqual(['audit']);

    delivered.length = 0;
    await client.send(new PutEventsCommand({ Entries: [{ ...entry('TaskUpdated'), EventBusName: undefined }] }));
    expect(delivered.map((d) => d.rule)).toEqual(['default-bus']);
  });

  it('matches numbers as written in Detail: 300.0 is not the exact value 300, but is numerically = 300', async () => {
    const { client } = await start();
    await client.send(new PutEventsCommand({ Entries: [{ ...entry('PriceSet'), Detail: '{"price":300.0}' }] }));
    expect(delivered.map((d) => d.rule)).toEqual(['audit', 'numeric-price']);
  });

  it('fails only the malformed entries of a batch and delivers the others', async () => {
    const { client } = await start();
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry('TaskCreated', { n: 1 }),
          { ...entry('TaskCreated'), Detail: '{"n": 2' },
          { ...entry('TaskCreated'), Source: undefined },
          { ...entry('TaskCreated'), Detail: '[1, 2]' },
          { EventBusName: BUS, Source: 'taskwell', Detail: '{}' },
          entry('TaskCreated', { n: 6 }),
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(4);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'MalformedDetail', 'InvalidArgument', 'MalformedDetail', 'InvalidArgument', 'ok']);
    expect(out.Entries?.[2]?.ErrorMessage).toMatch(/Source is a required argument/);
    expect(out.Entries?.[4]?.ErrorMessage).toMatch(/DetailType is a required argument/);
    expect(out.Entries?.[0]?.EventId).toBeDefined();
    expect(out.Entries?.[1]?.EventId).toBeUndefined();
    expect(delivered.filter((d) => d.rule === 'audit').map((d) => d.event.detail)).toEqual([{ n: 1 }, { n: 6 }]);
  });

  it('refuses a request of more than 10 entries, delivering nothing', async () => {
    const { client } = await start();
    const entries = Array.from({ length: 11 }, (_, i) => entry('TaskCreated', { i }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(delivered).toEqual([]);
  });

  it('refuses a request whose entries exceed 256 KB, delivering nothing', async () => {
    const { client } = await start();
    const big = 'x'.repeat(130 * 1024);
    const request = client.send(new PutEventsCommand({ Entries: [entry('TaskCreated', { big }), entry('TaskCreated', { big })] }));
    await expect(request).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/over the limit/) });
    expect(delivered).toEqual([]);
  });

  it('a target whose delivery throws does not fail the entry; the failure is reported', async () => {
    const failures: string[] = [];
    const { client } = await start({
      deliver: (rule) => {
        if (rule === 'audit') throw new Error('queue down');
        delivered.push({ rule, queue: '', event: undefined as never });
      },
      onDeliveryError: (error, d) => failures.push(`${d.ruleName}: ${(error as Error).message}`),
    });
    const out = await client.send(new PutEventsCommand({ Entries: [entry('TaskAssigned')] }));
    expect(out.FailedEntryCount).toBe(0);
    expect(failures).toEqual(['audit: queue down']);
    expect(delivered.map((d) => d.rule)).toEqual(['notify-assigned', 'notify-assigned']);
  });
});

describe('local EventBridge: injected failures', () => {
  it('failNext(n) fails the next n valid entries with the given code, and a retry of just those succeeds', async () => {
    const { bus, client } = await start();
    bus.failNext(2, { code: 'ThrottlingException' });
    const entries = [entry('TaskCreated', { n: 1 }), entry('TaskCreated', { n: 2 }), entry('TaskCreated', { n: 3 })];

    const first = await client.send(new PutEventsCommand({ Entries: entries }));
    expect(first.FailedEntryCount).toBe(2);
    expect(first.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
    expect(delivered.map((d) => d.event.detail)).toEqual([{ n: 3 }]);

    const retry = await client.send(new PutEventsCommand({ Entries: entries.slice(0, 2) }));
    expect(retry.FailedEntryCount).toBe(0);
    expect(delivered.map((d) => d.event.detail)).toEqual([{ n: 3 }, { n: 1 }, { n: 2 }]);
  });

  it('failNext defaults to InternalFailure, and malformed entries do not use up injected failures', async () => {
    const { bus, client } = await start();
    bus.failNext(1);
    const out = await client.send(new PutEventsCommand({ Entries: [{ ...entry('X'), Detail: 'nope' }, entry('X')] }));
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'InternalFailure']);
    const next = await client.send(new PutEventsCommand({ Entries: [entry('X')] }));
    expect(next.FailedEntryCount).toBe(0);
  });

  it('failNextRequests(n) fails whole requests with a 500, which the SDK retries', async () => {
    const { bus, client } = await start();
    bus.failNextRequests(1);
    const out = await client.send(new PutEventsCommand({ Entries: [entry('TaskCreated')] }));
    expect(out.FailedEntryCount).toBe(0);
    expect(delivered.map((d) => d.rule)).toEqual(['audit']);

    bus.failNextRequests(3);
    await expect(client.send(new PutEventsCommand({ Entries: [entry('TaskCreated')] }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(delivered).toHaveLength(1);
  });
});

describe('local EventBridge: rules and TestEventPattern', () => {
  it('refuses to start with a rule whose pattern PutRule would reject, naming the rule', async () => {
    await expect(
      startLocalEventBridge({ rules: [{ name: 'broken', eventBusName: BUS, pattern: { source: 'taskwell' }, targets: [] }], deliver: () => undefined }),
    ).rejects.toThrow(/Rule broken: .*"source" must be an object or an array/);
  });

  it('answers TestEventPattern with the same matcher, and rejects invalid patterns', async () => {
    const { client } = await start();
    const event = JSON.stringify({ id: '1', source: 'taskwell', 'detail-type': 'TaskCompleted', detail: { priority: 3 } });
    const yes = await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { priority: [{ numeric: ['>=', 3] }] } }), Event: event }));
    const no = await client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify({ detail: { priority: [{ numeric: ['>', 3] }] } }), Event: event }));
    expect([yes.Result, no.Result]).toEqual([true, false]);
    await expect(client.send(new TestEventPatternCommand({ EventPattern: '{"source":[]}', Event: event }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/empty arrays are not allowed/),
    });
  });
});
