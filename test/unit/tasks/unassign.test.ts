// A removed member's open tasks in the project become unassigned (the removed-members queue consumer's use case).
import { describe, expect, it } from 'vitest';
import type { Task } from '#shared/domain/model';
import { createTask, deleteTask, removalOf, restoreTask, unassignRemovedMember, updateTask, type UnassignPorts, type WalkKey } from '#shared/domain/tasks';
import { changeAt, fakePorts } from '#test/unit/tasks/fakes';

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-02T00:00:00.000Z';
const removedBy = { actorId: 'olivia', requestId: 'req-remove', at: T1 };

/** Fake ports whose assignee walk answers `pageSize` tasks a page, as the index would (open, this project, this assignee). */
const setup = async (pageSize = 2) => {
  const { ports, tasks, projects } = fakePorts();
  projects.add('p1', 'olivia', 'owner');
  projects.add('p1', 'bob', 'editor');
  projects.add('p2', 'olivia', 'owner');
  projects.add('p2', 'bob', 'editor');
  const walks: (WalkKey | undefined)[] = [];
  const unassign: UnassignPorts = {
    tasks: {
      get: (id) => tasks.get(id),
      replace: (next, expected, change) => tasks.replace(next, expected, change),
      openAssignedIn: async (userId, projectId, from) => {
        walks.push(from);
        const all = [...tasks.items.values()]
          .filter((t) => t.deletedAt === undefined && t.assigneeId === userId && t.projectId === projectId && t.status !== 'done')
          .sort((a, b) => a.id.localeCompare(b.id));
        const start = from ? all.findIndex((t) => t.id > String(from.id)) : 0;
        const items = start < 0 ? [] : all.slice(start, start + pageSize);
        const last = items.at(-1);
        return last && start + pageSize < all.length ? { items, next: { id: last.id } } : { items };
      },
    },
    projects,
  };
  const task = (title: string, over: { projectId?: string; status?: Task['status'] } = {}) =>
    createTask(ports, { userId: 'olivia' }, { title, projectId: over.projectId ?? 'p1', assigneeId: 'bob', status: over.status }, changeAt('olivia', T0));
  return { ports, tasks, projects, unassign, walks, task };
};

describe("a removed member's assignments", () => {
  it('unassigns their open tasks in that project, page by page, under the removal\'s actor and request', async () => {
    const { tasks, projects, unassign, walks, task } = await setup(2);
    const open = await Promise.all(['a', 'b', 'c'].map((t) => task(t)));
    const done = await task('done', { status: 'done' });
    const elsewhere = await task('elsewhere', { projectId: 'p2' });
    projects.remove('p1', 'bob');

    expect(await unassignRemovedMember(unassign, { projectId: 'p1', userId: 'bob', change: removedBy })).toEqual({ unassigned: 3 });
    for (const t of open) {
      expect(tasks.items.get(t.id)).toMatchObject({ assigneeId: null, version: 2, updatedAt: T1, modifiedBy: 'olivia', requestId: 'req-remove' });
    }
    expect(tasks.items.get(done.id)).toMatchObject({ assigneeId: 'bob', version: 1 });
    expect(tasks.items.get(elsewhere.id)).toMatchObject({ assigneeId: 'bob', version: 1 });
    expect(walks.length).toBeGreaterThan(1);
  });

  it('does nothing more when the event comes again', async () => {
    const { tasks, projects, unassign, task } = await setup();
    const t = await task('a');
    projects.remove('p1', 'bob');
    await unassignRemovedMember(unassign, { projectId: 'p1', userId: 'bob', change: removedBy });
    expect(await unassignRemovedMember(unassign, { projectId: 'p1', userId: 'bob', change: removedBy })).toEqual({ unassigned: 0 });
    expect(tasks.items.get(t.id)!.version).toBe(2);
  });

  it('keeps the assignments of someone added back before it runs', async () => {
    const { tasks, unassign, task } = await setup();
    const t = await task('a');
    expect(await unassignRemovedMember(unassign, { projectId: 'p1', userId: 'bob', change: removedBy })).toEqual({ unassigned: 0 });
    expect(tasks.items.get(t.id)!.assigneeId).toBe('bob');
  });

  it('retries a task changed at the same moment, and leaves one reassigned meanwhile alone', async () => {
    const { ports, tasks, projects, unassign, task } = await setup();
    const edited = await task('edited');
    const reassigned = await task('reassigned');
    const replace = unassign.tasks.replace;
    let raced = false;
    unassign.tasks.replace = async (next, expected, change) => {
      if (!raced) {
        raced = true;
        // Someone edits one task and reassigns the other between the walk's read and its write.
        await updateTask(ports, { userId: 'olivia' }, edited.id, { priority: 'high' }, 1, changeAt('olivia', T0, 'req-edit'));
        await updateTask(ports, { userId: 'olivia' }, reassigned.id, { assigneeId: 'olivia' }, 1, changeAt('olivia', T0, 'req-reassign'));
      }
      return replace(next, expected, change);
    };
    projects.remove('p1', 'bob');
    expect(await unassignRemovedMember(unassign, { projectId: 'p1', userId: 'bob', change: removedBy })).toEqual({ unassigned: 1 });
    expect(tasks.items.get(edited.id)).toMatchObject({ assigneeId: null, priority: 'high', version: 3 });
    expect(tasks.items.get(reassigned.id)).toMatchObject({ assigneeId: 'olivia', version: 2 });
  });

  it('clears the assignee of a task restored from the trash after its assignee left the project', async () => {
    const { ports, projects, task } = await setup();
    const trashed = await task('trashed');
    const kept = await task('kept');
    await deleteTask(ports, { userId: 'olivia' }, trashed.id, undefined, changeAt('olivia', T0));
    await deleteTask(ports, { userId: 'olivia' }, kept.id, undefined, changeAt('olivia', T0));
    expect((await restoreTask(ports, { userId: 'olivia' }, kept.id, undefined, changeAt('olivia', T0))).assigneeId).toBe('bob');
    projects.remove('p1', 'bob');
    expect((await restoreTask(ports, { userId: 'olivia' }, trashed.id, undefined, changeAt('olivia', T0))).assigneeId).toBeNull();
  });

  it('reads the removal from a MemberRemoved event, and nothing from other events', () => {
    const event = {
      type: 'MemberRemoved',
      projectId: 'p1',
      actor: { userId: 'olivia' },
      requestId: 'req-remove',
      before: { projectId: 'p1', userId: 'bob', role: 'editor' },
    };
    expect(removalOf(event, new Date(T1))).toEqual({ projectId: 'p1', userId: 'bob', change: removedBy });
    expect(removalOf({ ...event, type: 'MemberAdded' }, new Date(T1))).toBeUndefined();
    expect(removalOf({ ...event, before: null }, new Date(T1))).toBeUndefined();
  });
});
