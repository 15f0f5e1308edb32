import { describe, expect, it } from 'vitest';
import { eventsFromChange, type StreamChange } from '#shared/events/mapper';
import { parseDomainEvent } from '#shared/events/schemas';

const at = '2026-11-23T10:00:00.000Z';
const task = (over: Record<string, unknown> = {}) => ({
  pk: 'TASK#t1', sk: 'TASK', gsi1pk: 'PROJECT#p1#TASKS', gsi1sk: 'TASK#t1', entity: 'Task',
  id: 't1', projectId: 'p1', title: 'Write', description: null, status: 'todo', priority: 'medium', dueAt: null, tags: [],
  assigneeId: null, createdBy: 'alice', createdAt: at, updatedAt: at, completedAt: null, version: 1,
  modifiedBy: 'alice', requestId: 'req-1', ...over,
});
const change = (eventName: StreamChange['eventName'], oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>, extra: Partial<StreamChange> = {}): StreamChange => ({
  eventId: 'rec-1', eventName, oldImage, newImage, approximateCreationTime: at, ...extra,
});
const types = (c: StreamChange) => eventsFromChange(c).map((e) => e.type);

describe('the outbox mapper', () => {
  it('announces a created task, with who did it in which request, in public shape only', () => {
    const [event, ...rest] = eventsFromChange(change('INSERT', undefined, task()));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ id: 'rec-1:TaskCreated', type: 'TaskCreated', actor: { userId: 'alice' }, requestId: 'req-1', entity: { type: 'Task', id: 't1' }, projectId: 'p1', before: null });
    expect(Object.keys(event!.after!)).not.toContain('pk');
    expect(Object.keys(event!.after!)).not.toContain('modifiedBy');
    expect(parseDomainEvent(event)).toEqual(event);
  });

  it('lists a created task\'s set fields as its changes, not the ones it leaves empty', () => {
    const [event] = eventsFromChange(change('INSERT', undefined, task({ dueAt: at })));
    const fields = event!.changes.map((c) => c.field);
    expect(fields).toContain('title');
    expect(fields).toContain('dueAt');
    expect(fields).not.toContain('assigneeId');
    expect(fields).not.toContain('description');
    expect(event!.after).toMatchObject({ assigneeId: null, description: null });
  });

  it('sees no change when an attribute goes from absent to null', () => {
    const { completedAt: _absent, ...withoutCompletedAt } = task();
    expect(types(change('MODIFY', withoutCompletedAt, task({ title: 'Write more', version: 2 })))).toEqual(['TaskUpdated']);
    expect(eventsFromChange(change('MODIFY', withoutCompletedAt, task({ title: 'Write more', version: 2 })))[0]!.changes.map((c) => c.field)).toEqual(['title']);
  });

  it('adds TaskAssigned when a task is created for someone', () => {
    expect(types(change('INSERT', undefined, task({ assigneeId: 'bob' })))).toEqual(['TaskCreated', 'TaskAssigned']);
  });

  it('turns one update that reassigns and completes into TaskUpdated + TaskAssigned + TaskCompleted, with the changed fields', () => {
    const events = eventsFromChange(change('MODIFY', task(), task({ assigneeId: 'bob', status: 'done', completedAt: at, version: 2, modifiedBy: 'carol', requestId: 'req-2' })));
    expect(events.map((e) => e.type)).toEqual(['TaskUpdated', 'TaskAssigned', 'TaskCompleted']);
    expect(events[0]!.changes).toEqual([
      { field: 'assigneeId', before: null, after: 'bob' },
      { field: 'completedAt', before: null, after: at },
      { field: 'status', before: 'todo', after: 'done' },
    ]);
    expect(events.every((e) => e.actor.userId === 'carol' && e.requestId === 'req-2')).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it('says TaskReopened when a done task goes back, and nothing when only bookkeeping changed', () => {
    expect(types(change('MODIFY', task({ status: 'done' }), task({ status: 'todo', version: 2 })))).toEqual(['TaskUpdated', 'TaskReopened']);
    expect(types(change('MODIFY', task(), task({ version: 2, updatedAt: '2026-11-24T00:00:00.000Z' })))).toEqual([]);
  });

  it('announces a tombstone as TaskDeleted by the deleter, and bringing it back as TaskRestored', () => {
    const tomb = task({ deletedAt: at, deletedBy: 'bob', expiresAt: 1, version: 2, modifiedBy: 'bob', requestId: 'req-del' });
    const [deleted] = eventsFromChange(change('MODIFY', task(), tomb));
    expect(deleted).toMatchObject({ type: 'TaskDeleted', actor: { userId: 'bob' }, requestId: 'req-del', after: null });
    expect(deleted!.before).toMatchObject({ id: 't1', title: 'Write' });
    expect(types(change('MODIFY', tomb, task({ version: 3 })))).toEqual(['TaskRestored']);
  });

  it('ignores TTL expiry, idempotency records and email claims', () => {
    expect(eventsFromChange(change('REMOVE', task({ deletedAt: at }), undefined, { ttlRemoval: true }))).toEqual([]);
    expect(eventsFromChange(change('INSERT', undefined, { pk: 'IDEMPOTENCY#create-task', sk: 'x', status: 'INPROGRESS' }))).toEqual([]);
    expect(eventsFromChange(change('INSERT', undefined, { pk: 'EMAIL#a@b.c', sk: 'EMAIL', entity: 'UserEmail', userId: 'u' }))).toEqual([]);
  });

  it('maps memberships: added, role changed, removed (a tombstone), re-added over a tombstone', () => {
    const member = (over: Record<string, unknown> = {}) => ({ pk: 'PROJECT#p1', sk: 'MEMBER#bob', entity: 'Membership', projectId: 'p1', userId: 'bob', role: 'viewer', version: 1, modifiedBy: 'alice', requestId: 'r', ...over });
    expect(types(change('INSERT', undefined, member()))).toEqual(['MemberAdded']);
    expect(types(change('MODIFY', member(), member({ role: 'editor', version: 2 })))).toEqual(['MemberRoleChanged']);
    const removed = member({ deletedAt: at, deletedBy: 'alice' });
    expect(types(change('MODIFY', member(), removed))).toEqual(['MemberRemoved']);
    expect(types(change('MODIFY', removed, member()))).toEqual(['MemberAdded']);
    expect(eventsFromChange(change('INSERT', undefined, member()))[0]!.entity).toEqual({ type: 'Membership', id: 'p1:bob' });
  });

  it('maps projects, ignoring owner-count bookkeeping', () => {
    const project = (over: Record<string, unknown> = {}) => ({ pk: 'PROJECT#p1', sk: 'PROJECT', entity: 'Project', id: 'p1', name: 'Launch', ownerCount: 1, version: 1, modifiedBy: 'alice', requestId: 'r', ...over });
    expect(types(change('INSERT', undefined, project()))).toEqual(['ProjectCreated']);
    expect(types(change('MODIFY', project(), project({ name: 'Lift-off', version: 2 })))).toEqual(['ProjectUpdated']);
    expect(types(change('MODIFY', project(), project({ ownerCount: 2 })))).toEqual([]);
    expect(types(change('MODIFY', project(), project({ deletedAt: at })))).toEqual(['ProjectDeleted']);
  });

  it('derives the same ids from the same record, so consumers can drop redeliveries', () => {
    const c = change('INSERT', undefined, task({ assigneeId: 'bob' }));
    expect(eventsFromChange(c).map((e) => e.id)).toEqual(eventsFromChange(c).map((e) => e.id));
  });

  it('refuses a malformed event on the consuming side', () => {
    const [event] = eventsFromChange(change('INSERT', undefined, task()));
    expect(() => parseDomainEvent({ ...event, type: 'TaskExploded' })).toThrow();
    expect(() => parseDomainEvent({ ...event, extra: 1 })).toThrow();
  });
});
