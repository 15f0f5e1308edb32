import { describe, expect, it, vi } from 'vitest';
import {
  composeNotification,
  deliverNotifications,
  notificationId,
  recipientsOf,
  renderEmail,
  updateNotificationSettings,
  type DeliveryPorts,
  type Email,
} from '#shared/domain/notifications';
import type { UserProfile } from '#shared/domain/model';
import type { DomainEvent } from '#shared/events/schemas';
import { Conflict } from '#shared/domain/errors';
import { fakeNotificationStore } from '#test/unit/notifications/fake-notification-store';

const at = '2026-11-23T10:00:00.000Z';
const task = (over: Record<string, unknown> = {}) => ({
  id: 't1', projectId: 'p1', title: 'Write the report', description: null, status: 'todo', priority: 'medium', dueAt: null, tags: [],
  assigneeId: 'bob', createdBy: 'alice', createdAt: at, updatedAt: at, completedAt: null, version: 2, ...over,
});
const event = (type: DomainEvent['type'], over: Partial<DomainEvent> = {}): DomainEvent => ({
  id: `rec-1:${type}`, type, version: 1, occurredAt: at, actor: { userId: 'alice' }, requestId: 'req-1',
  entity: { type: 'Task', id: 't1' }, projectId: 'p1', before: task({ version: 1 }), after: task(), changes: [], ...over,
});
const profile = (id: string, over: Partial<UserProfile> = {}): UserProfile => ({
  id, email: `${id}@example.com`, name: id[0]!.toUpperCase() + id.slice(1), timezone: 'UTC', status: 'active', createdAt: at, updatedAt: at, version: 1, ...over,
});

describe('who an event notifies', () => {
  it('tells the new assignee, but not someone who assigned themselves', () => {
    expect(recipientsOf(event('TaskAssigned'))).toEqual([{ recipientId: 'bob', type: 'TaskAssigned' }]);
    expect(recipientsOf(event('TaskAssigned', { actor: { userId: 'bob' } }))).toEqual([]);
  });

  it('tells the assignee of changes others make, not of their own, and not twice for a reassignment', () => {
    const changes = [{ field: 'priority', before: 'medium', after: 'high' }];
    expect(recipientsOf(event('TaskUpdated', { changes }))).toEqual([{ recipientId: 'bob', type: 'TaskUpdated' }]);
    expect(recipientsOf(event('TaskUpdated', { changes, actor: { userId: 'bob' } }))).toEqual([]);
    expect(recipientsOf(event('TaskUpdated', { changes: [{ field: 'assigneeId', before: 'carol', after: 'bob' }] }))).toEqual([]);
    expect(recipientsOf(event('TaskUpdated', { changes, after: task({ assigneeId: null }) }))).toEqual([]);
  });

  it('tells the creator when someone else completes their task', () => {
    expect(recipientsOf(event('TaskCompleted', { actor: { userId: 'bob' }, after: task({ status: 'done' }) }))).toEqual([{ recipientId: 'alice', type: 'TaskCompleted' }]);
    expect(recipientsOf(event('TaskCompleted', { after: task({ status: 'done' }) }))).toEqual([]);
  });

  it('does not tell a creator-assignee twice about a completion', () => {
    const done = { actor: { userId: 'carol' }, after: task({ status: 'done', assigneeId: 'alice' }), changes: [{ field: 'status', before: 'todo', after: 'done' }] };
    expect([...recipientsOf(event('TaskUpdated', done)), ...recipientsOf(event('TaskCompleted', done))]).toEqual([{ recipientId: 'alice', type: 'TaskCompleted' }]);
  });

  it('tells a member they were added, unless they added themselves', () => {
    const membership = { entity: { type: 'Membership' as const, id: 'p1:bob' }, before: null, after: { projectId: 'p1', userId: 'bob', role: 'editor' } };
    expect(recipientsOf(event('MemberAdded', membership))).toEqual([{ recipientId: 'bob', type: 'MemberAdded' }]);
    expect(recipientsOf(event('MemberAdded', { ...membership, actor: { userId: 'bob' } }))).toEqual([]);
  });

  it('ignores events that notify nobody', () => {
    expect(recipientsOf(event('TaskCreated'))).toEqual([]);
    expect(recipientsOf(event('TaskDeleted'))).toEqual([]);
  });
});

describe('what a notification and its email say', () => {
  it('derives a time-ordered id from the event and the recipient, the same on every delivery', () => {
    const a = notificationId(at, 'rec-1:TaskAssigned', 'bob');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(notificationId(at, 'rec-1:TaskAssigned', 'bob')).toBe(a);
    expect(notificationId(at, 'rec-1:TaskAssigned', 'carol')).not.toBe(a);
    expect(notificationId('2026-11-23T10:00:01.000Z', 'rec-0:TaskAssigned', 'bob') > a).toBe(true);
  });

  it('lists changed fields before → after', () => {
    const n = composeNotification(
      event('TaskUpdated', { changes: [{ field: 'priority', before: 'medium', after: 'high' }, { field: 'completedAt', before: null, after: at }] }),
      { recipientId: 'bob', type: 'TaskUpdated' },
      { actor: 'Alice' },
    );
    expect(n.title).toBe('Alice changed “Write the report”');
    expect(n.details).toEqual(['priority: medium → high']);
  });

  it('escapes user content in the HTML part and keeps the subject on one line', () => {
    const evil = task({ title: '<script>alert("x")</script>\r\nBcc: everyone@example.com' });
    const n = composeNotification(event('TaskAssigned', { after: evil }), { recipientId: 'bob', type: 'TaskAssigned' }, { actor: '<b>Mallory</b>' });
    const email = renderEmail(n, { email: 'bob@example.com', name: 'Bob & co' }, 'https://api.example.com');
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>Mallory</b>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(email.html).toContain('Hi Bob &amp; co,');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain('<b>Mallory</b> assigned you');
    expect(email.text).toContain('Open: https://api.example.com/v1/tasks/t1');
    expect(email.html).toContain('href="https://api.example.com/v1/tasks/t1"');
  });
});

const ports = (overrides: Partial<DeliveryPorts> = {}) => {
  const fake = fakeNotificationStore();
  const sent: Email[] = [];
  const users = new Map(['alice', 'bob', 'carol'].map((id) => [id, profile(id)]));
  /** Project p1, "Launch", and its members now; a removed member is deleted from the set. */
  const members = new Set(['alice', 'bob', 'carol']);
  const projects = new Map([['p1', { name: 'Launch', members }]]);
  const lookups: { projectId: string; userIds: readonly string[] }[] = [];
  const p: DeliveryPorts = {
    notifications: fake.store,
    users: { get: async (id) => users.get(id) },
    projectReaders: async (projectId, userIds) => {
      lookups.push({ projectId, userIds });
      const project = projects.get(projectId);
      return project && { name: project.name, members: new Set(userIds.filter((id) => project.members.has(id))) };
    },
    sendEmail: async (email) => void sent.push(email),
    appUrl: '',
    ...overrides,
  };
  return { ports: p, fake, sent, users, members, projects, lookups };
};

describe('delivering an event', () => {
  it('makes one notification and one email per recipient, and nothing more when the event comes again', async () => {
    const { ports: p, fake, sent } = ports();
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 1, emailed: 1 });
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 0, emailed: 0 });
    expect(fake.items.size).toBe(1);
    expect(sent.map((e) => e.to)).toEqual(['bob@example.com']);
    expect(sent[0]!.subject).toBe('Taskwell: Alice assigned you “Write the report”');
  });

  it('gives the email back when sending fails, so the retry sends it — once', async () => {
    const sendEmail = vi.fn<(e: Email) => Promise<void>>().mockRejectedValueOnce(new Error('SES is down')).mockResolvedValue(undefined);
    const { ports: p, fake } = ports({ sendEmail });
    await expect(deliverNotifications(p, event('TaskAssigned'), new Date(at))).rejects.toThrow('SES is down');
    expect([...fake.items.values()][0]!.email).toBe('pending');
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 0, emailed: 1 });
    await deliverNotifications(p, event('TaskAssigned'), new Date(at));
    expect(sendEmail).toHaveBeenCalledTimes(2);
    expect([...fake.items.values()][0]!.email).toBe('sent');
  });

  it('keeps the in-app notification but sends no email when the recipient turned that type off', async () => {
    const { ports: p, fake, sent } = ports();
    await updateNotificationSettings(fake.store, 'bob', { email: { TaskAssigned: false } }, 0, { actorId: 'bob', requestId: 'r', at });
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 1, emailed: 0 });
    expect(sent).toEqual([]);
  });

  it('skips recipients who no longer exist or are disabled', async () => {
    const { ports: p, users, sent } = ports();
    users.set('bob', profile('bob', { status: 'disabled' }));
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 0, emailed: 0 });
    users.delete('bob');
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 0, emailed: 0 });
    expect(sent).toEqual([]);
  });

  it('names the project a member was added to', async () => {
    const { ports: p, fake } = ports();
    await deliverNotifications(p, event('MemberAdded', { entity: { type: 'Membership', id: 'p1:bob' }, after: { projectId: 'p1', userId: 'bob', role: 'viewer' } }), new Date(at));
    expect([...fake.items.values()][0]!.notification.title).toBe('Alice added you to “Launch” as viewer');
  });
});

describe('only people who may read the task when it is sent hear of it', () => {
  const changes = [{ field: 'title', before: 'Draft', after: 'Write the report' }];
  const done = task({ status: 'done', completedAt: at });
  const reminder = (over: Record<string, unknown> = {}) => event('ReminderDue', { actor: { userId: 'system' }, after: task({ dueAt: at, ...over }) });
  const overdue = (over: Record<string, unknown> = {}) => event('TaskOverdue', { actor: { userId: 'system' }, after: task({ dueAt: at, ...over }) });

  it.each([
    ['a change to the task they are assigned', event('TaskUpdated', { changes })],
    ['a completion of the task they created', event('TaskCompleted', { actor: { userId: 'carol' }, after: task({ ...done, createdBy: 'bob', assigneeId: 'carol' }) })],
    ['a reminder of the task they are assigned', reminder()],
    ['an overdue notice of the task they are assigned', overdue()],
    ['a reminder of the task they created, assigned to nobody', reminder({ assigneeId: null, createdBy: 'bob' })],
    ['an assignment made before they were removed', event('TaskAssigned')],
  ])('a member removed from the project gets no notification and no email of %s', async (_, e) => {
    const { ports: p, members, fake, sent } = ports();
    members.delete('bob');
    await deliverNotifications(p, e, new Date(at));
    expect([...fake.items.keys()].filter((k) => k.startsWith('bob'))).toEqual([]);
    expect(sent.filter((m) => m.to === 'bob@example.com')).toEqual([]);
  });

  it('a remaining member still hears of the same events', async () => {
    const { ports: p, sent } = ports();
    await deliverNotifications(p, event('TaskUpdated', { changes }), new Date(at));
    await deliverNotifications(p, reminder(), new Date(at));
    await deliverNotifications(p, overdue(), new Date(at));
    await deliverNotifications(p, event('TaskCompleted', { actor: { userId: 'carol' }, after: task({ ...done, createdBy: 'bob', assigneeId: 'carol' }) }), new Date(at));
    expect(sent.map((m) => m.to)).toEqual(Array(4).fill('bob@example.com'));
  });

  it('reminds the creator of a task whose assignee was removed (until the assignment is cleared)', async () => {
    const { ports: p, members, sent } = ports();
    members.delete('bob');
    expect(await deliverNotifications(p, reminder(), new Date(at))).toEqual({ notified: 1, emailed: 1 });
    expect(await deliverNotifications(p, overdue(), new Date(at))).toEqual({ notified: 1, emailed: 1 });
    expect(sent.map((m) => m.to)).toEqual(['alice@example.com', 'alice@example.com']);
  });

  it('tells nobody about a task of a deleted project, and nobody about a member added then removed before the send', async () => {
    const { ports: p, projects, members, sent, fake } = ports();
    members.delete('bob');
    await deliverNotifications(p, event('MemberAdded', { entity: { type: 'Membership', id: 'p1:bob' }, after: { projectId: 'p1', userId: 'bob', role: 'editor' } }), new Date(at));
    projects.delete('p1');
    await deliverNotifications(p, event('TaskUpdated', { actor: { userId: 'bob' }, changes, after: task({ assigneeId: 'carol' }) }), new Date(at));
    expect(fake.items.size).toBe(0);
    expect(sent).toEqual([]);
  });

  it('checks membership when the event is redelivered, not only when it first came: a retried email to a removed member is not sent', async () => {
    const sendEmail = vi.fn<(e: Email) => Promise<void>>().mockRejectedValueOnce(new Error('SES is down')).mockResolvedValue(undefined);
    const { ports: p, members } = ports({ sendEmail });
    await expect(deliverNotifications(p, event('TaskAssigned'), new Date(at))).rejects.toThrow('SES is down');
    members.delete('bob');
    expect(await deliverNotifications(p, event('TaskAssigned'), new Date(at))).toEqual({ notified: 0, emailed: 0 });
    expect(sendEmail).toHaveBeenCalledTimes(1);
  });

  it('tells only the creator about a private task, whoever else the event names', async () => {
    const { ports: p, sent, lookups } = ports();
    const privateTask = (over: Record<string, unknown>) => task({ projectId: null, ...over });
    await deliverNotifications(p, event('TaskUpdated', { projectId: null, changes, actor: { userId: 'carol' }, after: privateTask({ assigneeId: 'bob' }) }), new Date(at));
    await deliverNotifications(p, event('ReminderDue', { projectId: null, actor: { userId: 'system' }, after: privateTask({ assigneeId: 'bob', dueAt: at }) }), new Date(at));
    expect(sent.map((m) => m.to)).toEqual(['alice@example.com']);
    expect(lookups).toEqual([]);
  });

  it('sends no email to a disabled user', async () => {
    const { ports: p, users, sent } = ports();
    users.set('bob', profile('bob', { status: 'disabled' }));
    await deliverNotifications(p, event('TaskUpdated', { changes }), new Date(at));
    await deliverNotifications(p, reminder(), new Date(at));
    expect(sent).toEqual([]);
  });

  it('looks the project up once per event, for all its candidates, and not at all for events that notify nobody', async () => {
    const { ports: p, lookups } = ports();
    await deliverNotifications(p, reminder(), new Date(at));
    await deliverNotifications(p, event('TaskCreated'), new Date(at));
    await deliverNotifications(p, event('TaskUpdated', { actor: { userId: 'bob' }, changes }), new Date(at));
    expect(lookups).toEqual([{ projectId: 'p1', userIds: ['bob', 'alice'] }]);
  });
});

describe('notification settings', () => {
  it('merges a partial change and refuses a stale version', async () => {
    const { store } = fakeNotificationStore();
    const saved = await updateNotificationSettings(store, 'bob', { email: { TaskUpdated: false } }, 0, { actorId: 'bob', requestId: 'r', at });
    expect(saved).toEqual({
      email: { TaskAssigned: true, TaskUpdated: false, TaskCompleted: true, MemberAdded: true, ReminderDue: true, TaskOverdue: true },
      defaultReminders: [{ before: 'PT1H' }],
      version: 1,
      updatedAt: at,
    });
    await expect(updateNotificationSettings(store, 'bob', { email: { TaskUpdated: true } }, 0, { actorId: 'bob', requestId: 'r', at })).rejects.toBeInstanceOf(Conflict);
  });
});
