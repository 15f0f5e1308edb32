// Notifications against DynamoDB Local: delivery writes them once, the routes list and mark them, settings
// are versioned. Emails go to a recording sender here (the local SES is exercised by the e2e tests).
import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { deliverNotifications, type DeliveryPorts, type Email } from '#shared/domain/notifications';
import type { DomainEvent } from '#shared/events/schemas';
import { notificationStore } from '#shared/store/notification-store';
import { userStore } from '#shared/store/user-store';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { handler as listNotifications } from '#functions/notifications/list-notifications';
import { handler as markRead } from '#functions/notifications/mark-notification-read';
import { handler as markAllRead } from '#functions/notifications/mark-all-notifications-read';
import { handler as getSettings } from '#functions/notifications/get-notification-settings';
import { handler as updateSettings } from '#functions/notifications/update-notification-settings';

const newUser = async (name: string): Promise<TestUser> => {
  const userId = `u-${ulid()}`;
  const email = `${name}-${userId.toLowerCase()}@example.com`;
  await userStore.create({ id: userId, email, name }, { actorId: userId, requestId: 'seed', at: new Date().toISOString() });
  return { userId, email };
};

const sent: Email[] = [];
const ports: DeliveryPorts = {
  notifications: notificationStore,
  users: userStore,
  // Everyone reads project p-1 here (who may read is the unit tests' and the e2e tests' subject).
  projectReaders: async (_projectId, userIds) => ({ name: 'Project', members: new Set(userIds) }),
  sendEmail: async (email) => void sent.push(email),
  appUrl: '',
};

let n = 0;
const assigned = (actor: TestUser, assignee: TestUser, occurredAt = new Date(Date.now() + n * 1000).toISOString()): DomainEvent => ({
  id: `rec-${ulid()}:TaskAssigned`,
  type: 'TaskAssigned',
  version: 1,
  occurredAt,
  actor: { userId: actor.userId },
  requestId: `req-${n++}`,
  entity: { type: 'Task', id: `t-${n}` },
  projectId: 'p-1',
  before: null,
  after: { id: `t-${n}`, title: `Task ${n}`, assigneeId: assignee.userId, createdBy: actor.userId },
  changes: [],
});

const list = (user: TestUser, query: Record<string, string | number | undefined> = {}) => invoke(listNotifications, apiEvent('GET', '/v1/notifications', { user, query }));
const read = (user: TestUser, id: string) =>
  invoke(markRead, apiEvent('POST', `/v1/notifications/${id}/read`, { user, route: '/v1/notifications/{notificationId}/read', pathParameters: { notificationId: id } }));

describe('notifications', () => {
  it('lists a user\'s notifications newest first, pages them, and filters unread', async () => {
    const [alice, bob] = [await newUser('alice'), await newUser('bob')];
    const events = Array.from({ length: 5 }, (_, i) => assigned(alice, bob, new Date(Date.now() + i * 60_000).toISOString()));
    for (const e of events) await deliverNotifications(ports, e, new Date());
    // A redelivery changes nothing.
    await deliverNotifications(ports, events[0]!, new Date());

    const first = await list(bob, { limit: 3 });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { eventId: string }) => i.eventId)).toEqual(events.slice(2).reverse().map((e) => e.id));
    const second = await list(bob, { limit: 3, cursor: first.body.nextCursor });
    expect(second.body.items.map((i: { eventId: string }) => i.eventId)).toEqual(events.slice(0, 2).reverse().map((e) => e.id));
    expect(first.body.items[0]).toMatchObject({ type: 'TaskAssigned', title: `alice assigned you “${events[4]!.after!.title}”`, readAt: null, actor: { userId: alice.userId, name: 'alice' } });
    expect(sent.filter((m) => m.to === bob.email)).toHaveLength(5);
    expect((await list(alice)).body.items).toEqual([]);

    const target = first.body.items[1].id as string;
    const marked = await read(bob, target);
    expect(marked.status).toBe(200);
    expect(marked.body.readAt).not.toBeNull();
    const again = await read(bob, target);
    expect(again.body.readAt).toBe(marked.body.readAt);

    const unread = await list(bob, { unread: 'true' });
    expect(unread.body.items).toHaveLength(4);
    expect(unread.body.items.map((i: { id: string }) => i.id)).not.toContain(target);

    const all = await invoke(markAllRead, apiEvent('POST', '/v1/notifications/read-all', { user: bob }));
    expect(all.body).toEqual({ marked: 4, more: false });
    expect((await list(bob, { unread: 'true' })).body.items).toEqual([]);
    expect((await list(bob)).body.items).toHaveLength(5);
  });

  it('hides another user\'s notification (404) and rejects a malformed id (400)', async () => {
    const [alice, bob] = [await newUser('alice'), await newUser('bob')];
    await deliverNotifications(ports, assigned(alice, bob), new Date());
    const [item] = (await list(bob)).body.items;
    expect((await read(alice, item.id)).status).toBe(404);
    expect((await read(bob, 'not-an-id')).status).toBe(400);
    expect((await list(bob, { unread: 'maybe' })).status).toBe(400);
    expect((await list(bob)).body.items[0].readAt).toBeNull();
  });

  it('does not show notifications past their expiry, even before TTL removes them', async () => {
    const [alice, bob] = [await newUser('alice'), await newUser('bob')];
    await deliverNotifications(ports, assigned(alice, bob, '2020-01-01T00:00:00.000Z'), new Date());
    expect((await list(bob)).body.items).toEqual([]);
  });

  it('lets one delivery at a time hold an email, and a stale claim be taken over', async () => {
    const [alice, bob] = [await newUser('alice'), await newUser('bob')];
    const event = assigned(alice, bob);
    await notificationStore.save(bob.userId, { id: '01JZZZZZZZZZZZZZZZZZZZZZZZ', type: 'TaskAssigned', title: 't', details: [], entity: event.entity, projectId: null, actor: { userId: alice.userId, name: 'a' }, eventId: event.id, createdAt: event.occurredAt, readAt: null }, 'pending', 4_000_000_000);
    const id = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    expect(await notificationStore.claimEmail(bob.userId, id, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')).toBe(true);
    expect(await notificationStore.claimEmail(bob.userId, id, '2026-01-01T00:00:30Z', '2026-01-01T00:01:30Z')).toBe(false);
    expect(await notificationStore.claimEmail(bob.userId, id, '2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z')).toBe(true);
    await notificationStore.emailSent(bob.userId, id, '2026-01-01T00:02:01Z');
    expect(await notificationStore.claimEmail(bob.userId, id, '2027-01-01T00:00:00Z', '2027-01-01T00:01:00Z')).toBe(false);
  });
});

describe('notification settings', () => {
  const put = (user: TestUser, body: unknown, headers: Record<string, string> = {}) =>
    invoke(updateSettings, apiEvent('PUT', '/v1/me/notification-settings', { user, body, headers }));

  it('start with every email on, change with the version read, and refuse stale or blind writes', async () => {
    const bob = await newUser('bob');
    const initial = await invoke(getSettings, apiEvent('GET', '/v1/me/notification-settings', { user: bob }));
    expect(initial.body).toEqual({
      email: { TaskAssigned: true, TaskUpdated: true, TaskCompleted: true, MemberAdded: true, ReminderDue: true, TaskOverdue: true },
      defaultReminders: [{ before: 'PT1H' }],
      version: 0,
      updatedAt: null,
    });
    expect(initial.headers.etag).toBe('"0"');

    expect((await put(bob, { email: { TaskUpdated: false } })).status).toBe(428);
    const saved = await put(bob, { email: { TaskUpdated: false } }, { 'if-match': '"0"' });
    expect(saved.status).toBe(200);
    expect(saved.body.email.TaskUpdated).toBe(false);
    expect(saved.body.version).toBe(1);
    expect((await put(bob, { email: { TaskAssigned: false }, version: 0 })).status).toBe(409);
    for (const bad of [
      { email: {} },
      { version: 1 },
      { email: { TaskDeleted: false }, version: 1 },
      { email: { TaskUpdated: 'no' }, version: 1 },
      { email: { TaskUpdated: true }, version: 1, extra: 1 },
      { defaultReminders: [{ before: 'P1M' }], version: 1 },
    ]) {
      expect((await put(bob, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const after = await invoke(getSettings, apiEvent('GET', '/v1/me/notification-settings', { user: bob }));
    expect(after.body.email).toEqual({ TaskAssigned: true, TaskUpdated: false, TaskCompleted: true, MemberAdded: true, ReminderDue: true, TaskOverdue: true });
    expect(after.body.version).toBe(1);
  });

  it('decide whether an email is sent; the in-app notification is kept either way', async () => {
    const [alice, bob] = [await newUser('alice'), await newUser('bob')];
    await put(bob, { email: { TaskAssigned: false }, version: 0 });
    const before = sent.length;
    await deliverNotifications(ports, assigned(alice, bob), new Date());
    expect(sent.length).toBe(before);
    expect((await list(bob)).body.items).toHaveLength(1);
  });
});
