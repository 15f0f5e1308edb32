// The tasks routes against DynamoDB Local, invoking the real handlers in-process with API Gateway
// v2 events as the authorizer would pass them on. Projects and memberships are seeded through the
// projects store (the projects routes are tested in test/integration/projects).
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { Role } from '#shared/domain/model';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { projectStore } from '#shared/store/project-store';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { handler as createTask } from '#functions/tasks/create-task';
import { handler as listTasks } from '#functions/tasks/list-tasks';
import { handler as getTask } from '#functions/tasks/get-task';
import { handler as updateTask } from '#functions/tasks/update-task';
import { handler as deleteTask } from '#functions/tasks/delete-task';
import { handler as restoreTask } from '#functions/tasks/restore-task';

type Query = Record<string, string | number | undefined>;

const newUser = (name: string): TestUser => {
  const userId = `u-${ulid()}`;
  return { userId, email: `${name}-${userId.toLowerCase()}@example.com` };
};

const taskRoute = (taskId: string) => ({ route: '/v1/tasks/{taskId}', pathParameters: { taskId } });

const as = (user: TestUser) => ({
  create: (body: unknown, headers: Record<string, string> = {}) => invoke(createTask, apiEvent('POST', '/v1/tasks', { user, body, headers })),
  list: (query: Query = {}) => invoke(listTasks, apiEvent('GET', '/v1/tasks', { user, query })),
  get: (taskId: string) => invoke(getTask, apiEvent('GET', `/v1/tasks/${taskId}`, { user, ...taskRoute(taskId) })),
  update: (taskId: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(updateTask, apiEvent('PATCH', `/v1/tasks/${taskId}`, { user, body, headers, ...taskRoute(taskId) })),
  remove: (taskId: string, headers: Record<string, string> = {}) =>
    invoke(deleteTask, apiEvent('DELETE', `/v1/tasks/${taskId}`, { user, headers, ...taskRoute(taskId) })),
  restore: (taskId: string) =>
    invoke(
      restoreTask,
      apiEvent('POST', `/v1/tasks/${taskId}/restore`, { user, route: '/v1/tasks/{taskId}/restore', pathParameters: { taskId } }),
    ),
});

/** A project owned by `owner`, with `members` added in their roles. */
const seedProject = async (owner: TestUser, members: [TestUser, Role][] = []): Promise<string> => {
  const at = new Date().toISOString();
  const projectId = ulid();
  const change = { actorId: owner.userId, requestId: `seed-${projectId}`, at };
  const membership = (user: TestUser, role: Role) => ({
    projectId,
    userId: user.userId,
    role,
    email: user.email,
    name: user.email,
    addedBy: owner.userId,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  await projectStore.create(
    { id: projectId, name: 'Seeded', description: null, ownerId: owner.userId, createdBy: owner.userId, createdAt: at, updatedAt: at, version: 1 },
    membership(owner, 'owner'),
    change,
  );
  for (const [user, role] of members) await projectStore.addMember(membership(user, role), change);
  return projectId;
};

/** Every task of a list, following the cursor. */
const listAll = async (user: TestUser, query: Query = {}): Promise<any[]> => {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await as(user).list({ ...query, cursor });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
};

const rawItem = async (taskId: string) => (await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.task(taskId) }))).Item;

describe('tasks: create, read, list', () => {
  it('creates a private task with defaults and normalised fields, and reads it back with its ETag', async () => {
    const alice = newUser('alice');
    const created = await as(alice).create({ title: '  Write report ', dueAt: '2030-05-01T12:00:00+02:00', tags: ['Work', 'work', 'Q2'] });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/v1/tasks/${created.body.id}`);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      projectId: null,
      title: 'Write report',
      description: null,
      status: 'todo',
      priority: 'medium',
      dueAt: '2030-05-01T10:00:00.000Z',
      tags: ['work', 'q2'],
      assigneeId: null,
      createdBy: alice.userId,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
      completedAt: null,
      version: 1,
      // A dated task without reminders of its own gets its creator's default (one hour before).
      reminders: [{ before: 'PT1H', at: '2030-05-01T09:00:00.000Z', status: 'scheduled', sentAt: null }],
      overdue: false,
    });

    const read = await as(alice).get(created.body.id);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toEqual(created.body);

    const item = await rawItem(created.body.id);
    expect(item).toMatchObject({ entity: 'Task', modifiedBy: alice.userId, version: 1, gsi1pk: `USER#${alice.userId}#TASKS` });
    expect(item?.requestId).toEqual(expect.any(String));
  });

  it("lists my private tasks newest first, page by page, with filters", async () => {
    const alice = newUser('alice');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await as(alice).create({ title: `t${i}`, priority: i % 2 === 0 ? 'high' : 'low', tags: i < 2 ? ['home'] : [] });
      ids.push(res.body.id);
    }
    const first = await as(alice).list({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: any) => t.title)).toEqual(['t4', 't3']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const all = await listAll(alice, { limit: 2 });
    expect(all.map((t) => t.id)).toEqual([...ids].reverse());

    expect((await listAll(alice, { priority: 'high' })).map((t) => t.title)).toEqual(['t4', 't2', 't0']);
    expect((await listAll(alice, { tag: 'HOME' })).map((t) => t.title)).toEqual(['t1', 't0']);
    expect((await listAll(alice, { tag: 'home', priority: 'low', limit: 1 })).map((t) => t.title)).toEqual(['t1']);

    // Someone else's list is theirs alone.
    expect(await listAll(newUser('bob'))).toEqual([]);
  });

  it('fills a filtered page from further queries, but may answer a short page with a cursor', async () => {
    const alice = newUser('alice');
    for (const status of ['done', 'todo', 'todo']) await as(alice).create({ title: status, status });
    // The two newest are todo: the page queries on until it found the done one.
    const filled = await as(alice).list({ status: 'done', limit: 2 });
    expect(filled.body).toEqual({ items: [expect.objectContaining({ title: 'done' })] });

    // Five non-matching tasks in front of the match and pages of one: a page gives up after 4 queries.
    for (let i = 0; i < 4; i++) await as(alice).create({ title: `todo ${i}` });
    const short = await as(alice).list({ status: 'done', limit: 1 });
    expect(short.body.items).toEqual([]);
    expect(short.body.nextCursor).toEqual(expect.any(String));
    const next = await as(alice).list({ status: 'done', limit: 1, cursor: short.body.nextCursor });
    expect(next.body.items.map((t: any) => t.title)).toEqual(['done']);
  });

  it("lists a project's tasks for its members only, filtered by status, assignee and due range", async () => {
    const owner = newUser('owner');
    const editor = newUser('editor');
    const viewer = newUser('viewer');
    const projectId = await seedProject(owner, [
      [editor, 'editor'],
      [viewer, 'viewer'],
    ]);
    await as(owner).create({ projectId, title: 'a', assigneeId: editor.userId, dueAt: '2030-01-10T00:00:00Z' });
    await as(editor).create({ projectId, title: 'b', status: 'in_progress', dueAt: '2030-01-20T00:00:00Z' });
    await as(owner).create({ projectId, title: 'c', assigneeId: editor.userId });

    expect((await listAll(viewer, { projectId })).map((t) => t.title)).toEqual(['c', 'b', 'a']);
    expect((await listAll(viewer, { projectId, status: 'in_progress' })).map((t) => t.title)).toEqual(['b']);
    expect((await listAll(owner, { projectId, assigneeId: editor.userId })).map((t) => t.title)).toEqual(['c', 'a']);
    expect((await listAll(owner, { projectId, dueAfter: '2030-01-15T00:00:00Z' })).map((t) => t.title)).toEqual(['b']);
    expect((await listAll(owner, { projectId, dueBefore: '2030-01-15T00:00:00+00:00', limit: 1 })).map((t) => t.title)).toEqual(['a']);

    // Private tasks stay out of the project list, and project tasks out of the private list.
    await as(owner).create({ title: 'mine' });
    expect((await listAll(owner, { projectId })).map((t) => t.title)).not.toContain('mine');
    expect((await listAll(owner)).map((t) => t.title)).toEqual(['mine']);

    // Not a member: the project does not exist for you.
    const res = await as(newUser('stranger')).list({ projectId });
    expect(res.status).toBe(404);
  });

  it('lists the tasks assigned to me by due date, with the due range as the key range', async () => {
    const owner = newUser('owner');
    const me = newUser('me');
    const projectId = await seedProject(owner, [[me, 'editor']]);
    await as(owner).create({ projectId, title: 'later', assigneeId: me.userId, dueAt: '2030-03-01T00:00:00Z' });
    await as(owner).create({ projectId, title: 'undated', assigneeId: me.userId });
    await as(owner).create({ projectId, title: 'sooner', assigneeId: me.userId, dueAt: '2030-02-01T00:00:00Z' });
    await as(owner).create({ projectId, title: 'not mine', dueAt: '2030-02-01T00:00:00Z' });
    await as(me).create({ title: 'private, mine', assigneeId: me.userId, dueAt: '2030-02-15T00:00:00Z' });

    expect((await listAll(me, { assigneeId: 'me', limit: 2 })).map((t) => t.title)).toEqual(['sooner', 'private, mine', 'later', 'undated']);
    expect((await listAll(me, { assigneeId: me.userId, dueBefore: '2030-02-15T00:00:00Z' })).map((t) => t.title)).toEqual(['sooner', 'private, mine']);
    expect((await listAll(me, { assigneeId: 'me', dueAfter: '2030-02-10T00:00:00Z' })).map((t) => t.title)).toEqual(['private, mine', 'later']);

    // Someone else's queue is not mine to read.
    const other = await as(me).list({ assigneeId: owner.userId });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([expect.objectContaining({ field: 'query.assigneeId' })]);
  });

  it('reassigning moves the task between the assignees’ queues', async () => {
    const owner = newUser('owner');
    const ann = newUser('ann');
    const ben = newUser('ben');
    const projectId = await seedProject(owner, [
      [ann, 'editor'],
      [ben, 'editor'],
    ]);
    const task = (await as(owner).create({ projectId, title: 'hand over', assigneeId: ann.userId })).body;
    expect((await listAll(ann, { assigneeId: 'me' })).map((t) => t.id)).toEqual([task.id]);

    const moved = await as(owner).update(task.id, { assigneeId: ben.userId, dueAt: '2031-01-01T00:00:00Z', version: 1 });
    expect(moved.status).toBe(200);
    expect(await listAll(ann, { assigneeId: 'me' })).toEqual([]);
    expect((await listAll(ben, { assigneeId: 'me', dueAfter: '2030-12-31T00:00:00Z' })).map((t) => t.id)).toEqual([task.id]);

    await as(owner).update(task.id, { assigneeId: null }, { 'if-match': '"2"' });
    expect(await listAll(ben, { assigneeId: 'me' })).toEqual([]);
  });

  it('hides tasks of a project I left from my assignee queue', async () => {
    const owner = newUser('owner');
    const leaver = newUser('leaver');
    const projectId = await seedProject(owner, [[leaver, 'editor']]);
    await as(owner).create({ projectId, title: 'left behind', assigneeId: leaver.userId });
    const membership = await projectStore.member(projectId, leaver.userId);
    await projectStore.removeMember(membership!, {}, { actorId: leaver.userId, requestId: 'leave', at: new Date().toISOString() });
    expect(await listAll(leaver, { assigneeId: 'me' })).toEqual([]);
  });

  it('rejects a cursor of another list', async () => {
    const alice = newUser('alice');
    const bob = newUser('bob');
    for (let i = 0; i < 2; i++) await as(bob).create({ title: `b${i}` });
    const bobs = await as(bob).list({ limit: 1 });
    const res = await as(alice).list({ limit: 1, cursor: bobs.body.nextCursor });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
    expect((await as(alice).list({ cursor: 'not-a-cursor' })).status).toBe(400);
  });

  it('rejects a forged cursor for my own list instead of failing the query', async () => {
    const alice = newUser('alice');
    await as(alice).create({ title: 'mine' });
    const forge = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const list = `USER#${alice.userId}#TASKS`;
    for (const key of [
      { gsi1pk: list },
      { pk: 'TASK#x', sk: 'TASK', gsi1pk: list, gsi1sk: 'PROJECT#other' },
      { pk: 'TASK#x', sk: 'TASK', gsi1pk: list, gsi1sk: 7 },
      { pk: 'TASK#x', sk: 'TASK', gsi1pk: list, gsi1sk: 'TASK#x', extra: 'y' },
    ]) {
      const res = await as(alice).list({ cursor: forge(key) });
      expect(res.status, JSON.stringify(key)).toBe(400);
    }
  });

  it.each([
    [{ status: 'bogus' }, 'query.status'],
    [{ priority: 'HIGH' }, 'query.priority'],
    [{ dueBefore: 'tomorrow' }, 'query.dueBefore'],
    [{ dueAfter: '2030-02-30T00:00:00Z' }, 'query.dueAfter'],
    [{ dueAfter: '2030-03-01T00:00:00Z', dueBefore: '2030-02-01T00:00:00Z' }, 'query.dueAfter'],
    [{ limit: 0 }, 'query.limit'],
    [{ limit: 101 }, 'query.limit'],
    [{ limit: 'ten' }, 'query.limit'],
    [{ sort: 'title' }, 'query'],
    [{ projectId: 'has#hash' }, 'query.projectId'],
  ])('rejects the filter %o with a field error', async (query, field) => {
    const res = await as(newUser('alice')).list(query);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: any) => e.field)).toContain(field);
  });
});

describe('tasks: updates and optimistic locking', () => {
  it('applies a patch with the expected version, bumps the version and answers the new ETag', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'draft', description: 'x', tags: ['a'] })).body;
    const res = await as(alice).update(task.id, { title: 'final', description: null, tags: ['B', 'b', 'c'], priority: 'urgent' }, { 'if-match': '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({ title: 'final', description: null, tags: ['b', 'c'], priority: 'urgent', version: 2, createdAt: task.createdAt });
    expect(res.body.updatedAt >= task.updatedAt).toBe(true);
    expect(await as(alice).get(task.id)).toMatchObject({ status: 200, body: res.body });
  });

  it('completing sets completedAt and reopening clears it', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'ship' })).body;
    const done = await as(alice).update(task.id, { status: 'done', version: 1 });
    expect(done.body.completedAt).toEqual(expect.any(String));
    const stillDone = await as(alice).update(task.id, { title: 'shipped', version: 2 });
    expect(stillDone.body.completedAt).toBe(done.body.completedAt);
    const reopened = await as(alice).update(task.id, { status: 'in_progress', version: 3 });
    expect(reopened.body.completedAt).toBeNull();
  });

  it('answers 409 on a stale version and 428 without one, changing nothing', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'v1' })).body;
    await as(alice).update(task.id, { title: 'v2', version: 1 });
    const stale = await as(alice).update(task.id, { title: 'lost', version: 1 });
    expect(stale.status).toBe(409);
    const blind = await as(alice).update(task.id, { title: 'blind' });
    expect(blind.status).toBe(428);
    expect((await as(alice).get(task.id)).body).toMatchObject({ title: 'v2', version: 2 });
  });

  it('lets exactly one of five concurrent updates on one version win; the rest get 409', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'race' })).body;
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => as(alice).update(task.id, { title: `writer ${i}` }, { 'if-match': '"1"' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await as(alice).get(task.id);
    expect(now.body).toMatchObject({ title: winner.body.title, version: 2 });
  });

  it('rejects a change of project, unknown fields and an empty patch', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'stay' })).body;
    for (const body of [{ projectId: 'p1', version: 1 }, { createdBy: 'me', version: 1 }, { version: 1 }, { title: '', version: 1 }]) {
      const res = await as(alice).update(task.id, body);
      expect(res.status).toBe(400);
    }
    expect((await as(alice).get(task.id)).body.version).toBe(1);
  });
});

describe('tasks: idempotent creates', () => {
  it('answers a retry with the same key and body with the same response, writing once', async () => {
    const alice = newUser('alice');
    const key = { 'idempotency-key': `k-${ulid()}` };
    const first = await as(alice).create({ title: 'once' }, key);
    const again = await as(alice).create({ title: 'once' }, key);
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect(await listAll(alice)).toHaveLength(1);
  });

  // Three rounds: a rejected duplicate must never release the original's lock (powertools#5675).
  it.each([1, 2, 3])('writes exactly once for five concurrent identical creates (round %i)', async () => {
    const alice = newUser('alice');
    const key = { 'idempotency-key': `k-${ulid()}` };
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => as(alice).create({ title: 'parallel', tags: ['x'] }, key)));
    const created = results.filter((r) => r.status === 201);
    const inProgress = results.filter((r) => r.status === 409);
    expect(created.length + inProgress.length).toBe(5);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of inProgress) expect(r.body.type).toMatch(/request-in-progress$/);

    const tasks = await listAll(alice);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].id).toBe(created[0]!.body.id);
    // Once settled, a retry replays the stored response.
    expect((await as(alice).create({ title: 'parallel', tags: ['x'] }, key)).body.id).toBe(tasks[0].id);
  });

  it('answers 422 for the same key with another body, writing nothing', async () => {
    const alice = newUser('alice');
    const key = { 'idempotency-key': `k-${ulid()}` };
    await as(alice).create({ title: 'first' }, key);
    const reused = await as(alice).create({ title: 'second' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toMatch(/idempotency-key-reused$/);
    expect((await listAll(alice)).map((t) => t.title)).toEqual(['first']);
    // The rejected request left the original's stored response alone.
    const replay = await as(alice).create({ title: 'first' }, key);
    expect(replay.status).toBe(201);
    expect(await listAll(alice)).toHaveLength(1);
  });

  it('scopes keys to the caller', async () => {
    const key = { 'idempotency-key': `k-${ulid()}` };
    const alice = newUser('alice');
    const bob = newUser('bob');
    const a = await as(alice).create({ title: 'same' }, key);
    const b = await as(bob).create({ title: 'same' }, key);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.createdBy).toBe(bob.userId);
  });
});

describe('tasks: trash', () => {
  it('deletes softly: 204, then 404 and out of the list; restore brings it back', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'bin me', assigneeId: alice.userId })).body;
    const deleted = await as(alice).remove(task.id, { 'if-match': '"1"' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();

    expect((await as(alice).get(task.id)).status).toBe(404);
    expect((await as(alice).update(task.id, { title: 'x', version: 2 })).status).toBe(404);
    expect((await as(alice).remove(task.id)).status).toBe(404);
    expect(await listAll(alice)).toEqual([]);
    expect(await listAll(alice, { assigneeId: 'me' })).toEqual([]);

    const tombstone = await rawItem(task.id);
    expect(tombstone).toMatchObject({ deletedBy: alice.userId, version: 2, modifiedBy: alice.userId, gsi1pk: `USER#${alice.userId}#TRASH` });
    expect(tombstone?.gsi2pk).toBeUndefined();
    const in30Days = Date.parse(tombstone!.deletedAt) / 1000 + 30 * 24 * 3600;
    expect(Math.abs(tombstone!.expiresAt - in30Days)).toBeLessThanOrEqual(1);

    const restored = await as(alice).restore(task.id);
    expect(restored.status).toBe(200);
    expect(restored.headers.etag).toBe('"3"');
    expect(restored.body).toMatchObject({ ...task, version: 3, updatedAt: expect.any(String) });
    expect(restored.body).not.toHaveProperty('deletedAt');
    expect((await as(alice).get(task.id)).status).toBe(200);
    expect((await listAll(alice)).map((t) => t.id)).toEqual([task.id]);
    expect((await listAll(alice, { assigneeId: 'me' })).map((t) => t.id)).toEqual([task.id]);
    const live = await rawItem(task.id);
    expect(live).not.toHaveProperty('deletedAt');
    expect(live).not.toHaveProperty('expiresAt');

    // Not in the trash (any more): nothing to restore.
    expect((await as(alice).restore(task.id)).status).toBe(404);
    expect((await as(alice).restore(ulid())).status).toBe(404);
  });

  it('answers 409 to a delete with a stale If-Match, keeping the task', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'keep' })).body;
    await as(alice).update(task.id, { title: 'kept', version: 1 });
    expect((await as(alice).remove(task.id, { 'if-match': '"1"' })).status).toBe(409);
    expect((await as(alice).get(task.id)).status).toBe(200);
  });
});

describe('tasks: access', () => {
  it("hides another user's private task on every route", async () => {
    const alice = newUser('alice');
    const bob = newUser('bob');
    const task = (await as(alice).create({ title: 'secret' })).body;
    expect((await as(bob).get(task.id)).status).toBe(404);
    expect((await as(bob).update(task.id, { title: 'mine', version: 1 })).status).toBe(404);
    expect((await as(bob).remove(task.id)).status).toBe(404);
    await as(alice).remove(task.id);
    expect((await as(bob).restore(task.id)).status).toBe(404);
    expect((await as(alice).restore(task.id)).status).toBe(200);
  });

  it('lets a viewer see project tasks but not write them; a non-member sees nothing', async () => {
    const owner = newUser('owner');
    const viewer = newUser('viewer');
    const stranger = newUser('stranger');
    const projectId = await seedProject(owner, [[viewer, 'viewer']]);
    const task = (await as(owner).create({ projectId, title: 'shared' })).body;

    expect((await as(viewer).get(task.id)).status).toBe(200);
    const patch = await as(viewer).update(task.id, { title: 'viewer edit', version: 1 });
    expect(patch.status).toBe(403);
    expect((await as(viewer).remove(task.id)).status).toBe(403);
    expect((await as(viewer).create({ projectId, title: 'viewer task' })).status).toBe(403);
    expect((await as(owner).get(task.id)).body).toMatchObject({ title: 'shared', version: 1 });

    expect((await as(stranger).get(task.id)).status).toBe(404);
    expect((await as(stranger).update(task.id, { title: 'x', version: 1 })).status).toBe(404);
    expect((await as(stranger).create({ projectId, title: 'x' })).status).toBe(404);

    await as(owner).remove(task.id);
    expect((await as(viewer).restore(task.id)).status).toBe(403);
    expect((await as(stranger).restore(task.id)).status).toBe(404);
  });

  it('lets an editor change, delete and restore project tasks', async () => {
    const owner = newUser('owner');
    const editor = newUser('editor');
    const projectId = await seedProject(owner, [[editor, 'editor']]);
    const task = (await as(owner).create({ projectId, title: 'team work' })).body;
    expect((await as(editor).update(task.id, { status: 'done', assigneeId: editor.userId, version: 1 })).status).toBe(200);
    expect((await as(editor).remove(task.id)).status).toBe(204);
    expect((await as(editor).restore(task.id)).status).toBe(200);
  });

  it('accepts only members as assignees of a project task, and only the creator for a private one', async () => {
    const owner = newUser('owner');
    const outsider = newUser('outsider');
    const projectId = await seedProject(owner);
    const before = (await listAll(owner, { projectId })).length;
    const res = await as(owner).create({ projectId, title: 'x', assigneeId: outsider.userId });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.assigneeId' })]);
    expect(await listAll(owner, { projectId })).toHaveLength(before);

    const task = (await as(owner).create({ projectId, title: 'y' })).body;
    expect((await as(owner).update(task.id, { assigneeId: outsider.userId, version: 1 })).status).toBe(400);

    const priv = await as(owner).create({ title: 'private', assigneeId: outsider.userId });
    expect(priv.status).toBe(400);
    expect(priv.body.errors).toEqual([expect.objectContaining({ field: 'body.assigneeId' })]);
  });
});

describe('tasks: bad input writes nothing', () => {
  const longTags = Array.from({ length: 21 }, (_, i) => `t${i}`);
  it.each([
    ['an unknown field', { title: 'x', createdBy: 'someone' }, 'body'],
    ['a client-set version', { title: 'x', version: 3 }, 'body'],
    ['no title', { description: 'x' }, 'body.title'],
    ['a blank title', { title: '   ' }, 'body.title'],
    ['a too long title', { title: 'x'.repeat(201) }, 'body.title'],
    ['a too long description', { title: 'x', description: 'x'.repeat(5001) }, 'body.description'],
    ['a bad date', { title: 'x', dueAt: '2030-13-01T00:00:00Z' }, 'body.dueAt'],
    ['a date without offset', { title: 'x', dueAt: '2030-01-01T00:00:00' }, 'body.dueAt'],
    ['a wrong enum', { title: 'x', status: 'finished' }, 'body.status'],
    ['too many tags', { title: 'x', tags: longTags }, 'body.tags'],
    ['a too long tag', { title: 'x', tags: ['x'.repeat(41)] }, 'body.tags.0'],
    ['a wrong type', { title: 42 }, 'body.title'],
  ])('rejects %s', async (_, body, field) => {
    const alice = newUser('alice');
    const res = await as(alice).create(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    expect(await listAll(alice)).toEqual([]);
  });

  it('rejects malformed JSON', async () => {
    const alice = newUser('alice');
    const res = await as(alice).create('{"title": ');
    expect(res.status).toBe(400);
    expect(res.body.type).toMatch(/malformed-json$/);
    expect(await listAll(alice)).toEqual([]);
  });

  it('leaves the task as it was after a rejected update', async () => {
    const alice = newUser('alice');
    const task = (await as(alice).create({ title: 'stable' })).body;
    for (const body of [{ title: 'x'.repeat(201), version: 1 }, { dueAt: 'soon', version: 1 }, { tags: longTags, version: 1 }, { status: 'nope', version: 1 }]) {
      expect((await as(alice).update(task.id, body)).status).toBe(400);
    }
    expect((await as(alice).get(task.id)).body).toEqual(task);
  });
});
