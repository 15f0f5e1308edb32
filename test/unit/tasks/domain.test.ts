// The task use cases with in-memory ports: access, assignee rules, completion, versions, trash.
import { describe, expect, it } from 'vitest';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '#shared/domain/errors';
import type { Task } from '#shared/domain/model';
import {
  applyPatch,
  createTask,
  deleteTask,
  getTask,
  justCompleted,
  listTasks,
  normaliseTags,
  restoreTask,
  TRASH_RETENTION_SECONDS,
  updateTask,
} from '#shared/domain/tasks';
import { changeAt, fakePorts } from '#test/unit/tasks/fakes';

const alice = { userId: 'alice' };
const bob = { userId: 'bob' };
const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-02T00:00:00.000Z';

describe('createTask', () => {
  it('fills the defaults and normalises due date and tags', async () => {
    const { ports, tasks } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a', dueAt: '2030-05-01T12:00:00+02:00', tags: ['Work', ' work', 'Q2'] }, changeAt('alice', T0));
    expect(task).toEqual({
      id: 'T001',
      projectId: null,
      title: 'a',
      description: null,
      status: 'todo',
      priority: 'medium',
      dueAt: '2030-05-01T10:00:00.000Z',
      tags: ['work', 'q2'],
      assigneeId: null,
      createdBy: 'alice',
      createdAt: T0,
      updatedAt: T0,
      completedAt: null,
      version: 1,
      // Without reminders of its own, a dated task gets the default (1 hour before).
      reminders: [{ before: 'PT1H', at: '2030-05-01T09:00:00.000Z', status: 'scheduled', sentAt: null }],
      overdue: false,
    });
    expect(tasks.items.get('T001')).toMatchObject({ modifiedBy: 'alice', requestId: 'req-1', remindersVersion: 1 });
  });

  it('sets completedAt when created as done', async () => {
    const { ports } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a', status: 'done' }, changeAt('alice', T0));
    expect(task.completedAt).toBe(T0);
    expect(justCompleted(task)).toBe(true);
  });

  it('lets a private task be assigned to its creator only', async () => {
    const { ports, tasks } = fakePorts();
    await expect(createTask(ports, alice, { title: 'a', assigneeId: 'alice' }, changeAt('alice'))).resolves.toMatchObject({ assigneeId: 'alice' });
    const rejected = createTask(ports, alice, { title: 'b', assigneeId: 'bob' }, changeAt('alice'));
    await expect(rejected).rejects.toBeInstanceOf(ValidationFailed);
    await expect(rejected).rejects.toMatchObject({ errors: [{ field: 'body.assigneeId' }] });
    expect(tasks.items.size).toBe(1);
  });

  it('needs an owner or editor of the project, and a member as assignee', async () => {
    const { ports, projects, tasks } = fakePorts();
    projects.add('p1', 'alice', 'editor');
    projects.add('p1', 'bob', 'viewer');
    await expect(createTask(ports, alice, { title: 'a', projectId: 'p1', assigneeId: 'bob' }, changeAt('alice'))).resolves.toMatchObject({
      projectId: 'p1',
      assigneeId: 'bob',
    });
    await expect(createTask(ports, bob, { title: 'b', projectId: 'p1' }, changeAt('bob'))).rejects.toBeInstanceOf(Forbidden);
    await expect(createTask(ports, { userId: 'carol' }, { title: 'c', projectId: 'p1' }, changeAt('carol'))).rejects.toBeInstanceOf(NotFound);
    await expect(createTask(ports, alice, { title: 'd', projectId: 'p1', assigneeId: 'carol' }, changeAt('alice'))).rejects.toMatchObject({
      errors: [{ field: 'body.assigneeId' }],
    });
    expect(tasks.items.size).toBe(1);
  });
});

describe('reading', () => {
  it("hides another user's private task and a project task from non-members", async () => {
    const { ports, projects } = fakePorts();
    projects.add('p1', 'alice', 'owner');
    const mine = await createTask(ports, alice, { title: 'mine' }, changeAt('alice'));
    const team = await createTask(ports, alice, { title: 'team', projectId: 'p1' }, changeAt('alice'));
    await expect(getTask(ports, bob, mine.id)).rejects.toBeInstanceOf(NotFound);
    await expect(getTask(ports, bob, team.id)).rejects.toBeInstanceOf(NotFound);
    projects.add('p1', 'bob', 'viewer');
    await expect(getTask(ports, bob, team.id)).resolves.toEqual(team);
    await expect(getTask(ports, alice, 'nope')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('applyPatch', () => {
  const base: Task = {
    id: 'T', projectId: null, title: 't', description: 'd', status: 'todo', priority: 'low', dueAt: '2030-01-01T00:00:00.000Z', tags: ['a'],
    assigneeId: 'alice', createdBy: 'alice', createdAt: T0, updatedAt: T0, completedAt: null, version: 4,
    reminders: [], remindersVersion: 0, overdueAt: null,
  };

  it('changes only what is sent; null clears', () => {
    const next = applyPatch(base, { description: null, dueAt: null, assigneeId: null, tags: ['X', 'x'] }, changeAt('alice', T1));
    // No due date any more: nothing left to wake up for, so the schedule moves on.
    expect(next).toEqual({ ...base, description: null, dueAt: null, assigneeId: null, tags: ['x'], updatedAt: T1, version: 5, remindersVersion: 1 });
  });

  it('re-plans reminders when the due date moves, keeping the schedule version when nothing about it changed', () => {
    const planned = applyPatch(base, { dueAt: '2030-03-01T00:00:00Z', reminders: [{ before: 'P1D' }, { before: 'PT1H' }] }, changeAt('alice', T1));
    expect(planned.reminders.map((r) => [r.before, r.at, r.status])).toEqual([
      ['P1D', '2030-02-28T00:00:00.000Z', 'scheduled'],
      ['PT1H', '2030-02-28T23:00:00.000Z', 'scheduled'],
    ]);
    expect(planned.remindersVersion).toBe(1);
    expect(applyPatch(planned, { title: 'renamed' }, changeAt('alice', T1)).remindersVersion).toBe(1);
    const moved = applyPatch(planned, { dueAt: '2030-02-01T00:00:00Z' }, changeAt('alice', T1));
    expect(moved.remindersVersion).toBe(2);
    expect(moved.reminders[0]!.at).toBe('2030-01-31T00:00:00.000Z');
    const done = applyPatch(moved, { status: 'done' }, changeAt('alice', T1));
    expect(done.reminders.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect(done.remindersVersion).toBe(3);
  });

  it('skips a reminder whose time has already passed, and refuses reminders without a due date or malformed', () => {
    const late = applyPatch(base, { dueAt: '2030-01-02T00:30:00Z', reminders: [{ before: 'PT1H' }, { before: 'PT10M' }] }, changeAt('alice', T1));
    expect(late.reminders.map((r) => r.status)).toEqual(['skipped', 'scheduled']);
    expect(() => applyPatch(base, { dueAt: null, reminders: [{ before: 'PT1H' }] }, changeAt('alice', T1))).toThrow(/due date/);
    for (const before of ['1H', 'P1M', 'P1Y', 'PT0S', 'P5W', 'PT', 'P']) {
      expect(() => applyPatch(base, { reminders: [{ before }] }, changeAt('alice', T1)), before).toThrow();
    }
    expect(() => applyPatch(base, { reminders: [{ before: 'PT60M' }, { before: 'PT1H' }] }, changeAt('alice', T1))).toThrow(/same time/);
  });

  it('sets completedAt on completing, keeps it while done, clears it on reopening', () => {
    const done = applyPatch(base, { status: 'done' }, changeAt('alice', T1));
    expect(done.completedAt).toBe(T1);
    expect(justCompleted(done)).toBe(true);
    const renamed = applyPatch(done, { title: 'renamed' }, changeAt('alice', '2030-01-03T00:00:00.000Z'));
    expect(renamed.completedAt).toBe(T1);
    expect(justCompleted(renamed)).toBe(false);
    expect(applyPatch(renamed, { status: 'todo' }, changeAt('alice')).completedAt).toBeNull();
  });
});

describe('updateTask', () => {
  it('writes the next version and records who changed it', async () => {
    const { ports, tasks } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a' }, changeAt('alice', T0));
    const next = await updateTask(ports, alice, task.id, { title: 'b' }, 1, changeAt('alice', T1, 'req-2'));
    expect(next).toMatchObject({ title: 'b', version: 2, updatedAt: T1, createdAt: T0 });
    expect(tasks.items.get(task.id)).toMatchObject({ title: 'b', version: 2, requestId: 'req-2' });
  });

  it('answers Conflict on a stale version, without writing', async () => {
    const { ports, tasks } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a' }, changeAt('alice'));
    await updateTask(ports, alice, task.id, { title: 'b' }, 1, changeAt('alice'));
    const stale = updateTask(ports, alice, task.id, { title: 'c' }, 1, changeAt('alice'));
    await expect(stale).rejects.toBeInstanceOf(Conflict);
    await expect(stale).rejects.toMatchObject({ detail: { currentVersion: 2 } });
    expect(tasks.items.get(task.id)?.title).toBe('b');
  });

  it('forbids viewers and hides the task from strangers', async () => {
    const { ports, projects } = fakePorts();
    projects.add('p1', 'alice', 'owner');
    projects.add('p1', 'bob', 'viewer');
    const task = await createTask(ports, alice, { title: 'a', projectId: 'p1' }, changeAt('alice'));
    await expect(updateTask(ports, bob, task.id, { title: 'b' }, 1, changeAt('bob'))).rejects.toBeInstanceOf(Forbidden);
    await expect(updateTask(ports, { userId: 'eve' }, task.id, { title: 'b' }, 1, changeAt('eve'))).rejects.toBeInstanceOf(NotFound);
  });

  it('checks a new assignee against the project, but not an unchanged one', async () => {
    const { ports, projects } = fakePorts();
    projects.add('p1', 'alice', 'owner');
    projects.add('p1', 'bob', 'editor');
    const task = await createTask(ports, alice, { title: 'a', projectId: 'p1', assigneeId: 'bob' }, changeAt('alice'));
    await expect(updateTask(ports, alice, task.id, { assigneeId: 'carol' }, 1, changeAt('alice'))).rejects.toBeInstanceOf(ValidationFailed);
    projects.remove('p1', 'bob');
    // Bob left; editing other fields keeps his assignment (someone may reassign later).
    await expect(updateTask(ports, alice, task.id, { title: 'b', assigneeId: 'bob' }, 1, changeAt('alice'))).resolves.toMatchObject({ assigneeId: 'bob' });
  });
});

describe('trash', () => {
  it('tombstones with a 30-day expiry, hides the task, and restores it', async () => {
    const { ports, tasks } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a' }, changeAt('alice', T0));
    await deleteTask(ports, alice, task.id, undefined, changeAt('alice', T1, 'req-del'));
    expect(tasks.items.get(task.id)).toMatchObject({
      deletedAt: T1,
      deletedBy: 'alice',
      expiresAt: Date.parse(T1) / 1000 + TRASH_RETENTION_SECONDS,
      version: 2,
      requestId: 'req-del',
    });
    await expect(getTask(ports, alice, task.id)).rejects.toBeInstanceOf(NotFound);
    await expect(updateTask(ports, alice, task.id, { title: 'b' }, 2, changeAt('alice'))).rejects.toBeInstanceOf(NotFound);
    await expect(deleteTask(ports, alice, task.id, undefined, changeAt('alice'))).rejects.toBeInstanceOf(NotFound);

    const restored = await restoreTask(ports, alice, task.id, undefined, changeAt('alice', '2030-01-05T00:00:00.000Z'));
    expect(restored).toEqual({ ...task, version: 3, updatedAt: '2030-01-05T00:00:00.000Z' });
    expect(tasks.items.get(task.id)).not.toHaveProperty('deletedAt');
    await expect(restoreTask(ports, alice, task.id, undefined, changeAt('alice'))).rejects.toBeInstanceOf(NotFound);
  });

  it('cannot restore after the retention, even before the TTL sweep', async () => {
    const { ports } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a' }, changeAt('alice', T0));
    await deleteTask(ports, alice, task.id, undefined, changeAt('alice', T0));
    const late = new Date(Date.parse(T0) + TRASH_RETENTION_SECONDS * 1000).toISOString();
    await expect(restoreTask(ports, alice, task.id, undefined, changeAt('alice', late))).rejects.toBeInstanceOf(NotFound);
  });

  it('checks an If-Match version on delete and restore', async () => {
    const { ports } = fakePorts();
    const task = await createTask(ports, alice, { title: 'a' }, changeAt('alice'));
    await expect(deleteTask(ports, alice, task.id, 7, changeAt('alice'))).rejects.toBeInstanceOf(Conflict);
    await deleteTask(ports, alice, task.id, 1, changeAt('alice'));
    await expect(restoreTask(ports, alice, task.id, 1, changeAt('alice'))).rejects.toBeInstanceOf(Conflict);
    await expect(restoreTask(ports, alice, task.id, 2, changeAt('alice'))).resolves.toMatchObject({ version: 3 });
  });

  it('lets only owners and editors delete and restore project tasks', async () => {
    const { ports, projects } = fakePorts();
    projects.add('p1', 'alice', 'editor');
    projects.add('p1', 'bob', 'viewer');
    const task = await createTask(ports, alice, { title: 'a', projectId: 'p1' }, changeAt('alice'));
    await expect(deleteTask(ports, bob, task.id, undefined, changeAt('bob'))).rejects.toBeInstanceOf(Forbidden);
    await deleteTask(ports, alice, task.id, undefined, changeAt('alice'));
    await expect(restoreTask(ports, bob, task.id, undefined, changeAt('bob'))).rejects.toBeInstanceOf(Forbidden);
    await expect(restoreTask(ports, { userId: 'eve' }, task.id, undefined, changeAt('eve'))).rejects.toBeInstanceOf(NotFound);
  });
});

describe('listTasks', () => {
  it('lists my private tasks by default, with normalised filters', async () => {
    const { ports, tasks } = fakePorts();
    await listTasks(ports, alice, { limit: 10, tag: 'Home', dueBefore: '2030-01-01T02:00:00+02:00', status: 'done' });
    expect(tasks.lists).toEqual([
      {
        scope: { kind: 'private', userId: 'alice' },
        filters: { status: 'done', priority: undefined, tag: 'home', dueBefore: '2030-01-01T00:00:00.000Z', dueAfter: undefined },
        limit: 10,
        cursor: undefined,
      },
    ]);
  });

  it("lists a project's tasks for members only", async () => {
    const { ports, tasks, projects } = fakePorts();
    projects.add('p1', 'alice', 'viewer');
    await listTasks(ports, alice, { projectId: 'p1', assigneeId: 'me', limit: 5, cursor: 'c' });
    expect(tasks.lists[0]).toMatchObject({ scope: { kind: 'project', projectId: 'p1' }, filters: { assigneeId: 'alice' }, cursor: 'c' });
    await expect(listTasks(ports, bob, { projectId: 'p1', limit: 5 })).rejects.toBeInstanceOf(NotFound);
    expect(tasks.lists).toHaveLength(1);
  });

  it("reads my assignee queue, never someone else's", async () => {
    const { ports, tasks } = fakePorts();
    await listTasks(ports, alice, { assigneeId: 'me', limit: 5 });
    await listTasks(ports, alice, { assigneeId: 'alice', limit: 5 });
    expect(tasks.lists.map((q) => q.scope)).toEqual([
      { kind: 'assignee', userId: 'alice' },
      { kind: 'assignee', userId: 'alice' },
    ]);
    await expect(listTasks(ports, alice, { assigneeId: 'bob', limit: 5 })).rejects.toMatchObject({ errors: [{ field: 'query.assigneeId' }] });
  });

  it('drops tasks of projects I no longer belong to from my assignee queue, checking each project once', async () => {
    const { ports, tasks, projects } = fakePorts();
    projects.add('kept', 'alice', 'editor');
    const task = (id: string, projectId: string | null, createdBy = 'x'): Task => ({
      id, projectId, title: id, description: null, status: 'todo', priority: 'medium', dueAt: null, tags: [], assigneeId: 'alice',
      createdBy, createdAt: T0, updatedAt: T0, completedAt: null, version: 1, reminders: [], remindersVersion: 0, overdueAt: null,
    });
    tasks.listResult = { items: [task('a', 'kept'), task('b', 'left'), task('c', 'kept'), task('d', null, 'alice')], nextCursor: 'next' };
    const page = await listTasks(ports, alice, { assigneeId: 'me', limit: 4 });
    expect(page.items.map((t) => t.id)).toEqual(['a', 'c', 'd']);
    expect(page.nextCursor).toBe('next');
    expect(projects.accessCalls).toBe(2);
  });
});

describe('normaliseTags', () => {
  it('lower-cases, trims and deduplicates in order', () => {
    expect(normaliseTags(['B', 'a', ' b ', 'A', 'c'])).toEqual(['b', 'a', 'c']);
  });
});
