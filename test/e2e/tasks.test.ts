// Tasks over HTTP: every route, defaults and normalisation, completion, optimistic locking,
// idempotent create, trash and restore, assignees, filters and cursor pagination.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { etagVersion, expectProblem, idsOf, ifMatch, listAll, unknownId } from '#test/support/e2e-helpers';

let alice: TestUser; // owner of the team project
let eddie: TestUser; // editor
let vera: TestUser; // viewer
let olga: TestUser; // outsider
let filterer: TestUser;
let pager: TestUser;
let projectId: string;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

beforeAll(async () => {
  [alice, eddie, vera, olga, filterer, pager] = await Promise.all([newUser(), newUser(), newUser(), newUser(), newUser(), newUser()]);
  const project = await as(alice).post('/v1/projects', { name: 'Tasks e2e' });
  expect(project).toHaveStatus(201);
  projectId = project.body.id;
  expect(await as(alice).post(`/v1/projects/${projectId}/members`, { email: eddie.email, role: 'editor' })).toHaveStatus(201);
  expect(await as(alice).post(`/v1/projects/${projectId}/members`, { email: vera.email, role: 'viewer' })).toHaveStatus(201);
});

const create = async (who: TestUser, body: Record<string, unknown>) => {
  const res = await as(who).post('/v1/tasks', body);
  expect(res).toHaveStatus(201);
  return res.body as Record<string, any> & { id: string; version: number };
};

describe('POST /v1/tasks and GET /v1/tasks/{taskId}', () => {
  it('creates a private task with defaults, and reads it back with an ETag', async () => {
    const res = await as(alice).post('/v1/tasks', { title: '  Buy milk  ' });
    expect(res).toHaveStatus(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      projectId: null,
      title: 'Buy milk',
      description: null,
      status: 'todo',
      priority: 'medium',
      dueAt: null,
      tags: [],
      assigneeId: null,
      createdBy: alice.userId,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      completedAt: null,
      version: 1,
      reminders: [],
      overdue: false,
    });
    expect(etagVersion(res)).toBe(1);
    if (res.headers.location) expect(res.headers.location).toBe(`/v1/tasks/${res.body.id}`);

    const got = await as(alice).get(`/v1/tasks/${res.body.id}`);
    expect(got).toHaveStatus(200);
    expect(got.body).toEqual(res.body);
    expect(etagVersion(got)).toBe(1);
    expect(JSON.stringify(got.body)).not.toMatch(/"(pk|sk|gsi\w*|entity|modifiedBy|requestId|deletedAt|expiresAt|remindersVersion|overdueAt)"/);
  });

  it('creates a full task: dueAt answered in UTC, tags trimmed/lower-cased/deduplicated, done sets completedAt', async () => {
    const task = await create(alice, {
      title: 'Ship it',
      description: 'all of it',
      status: 'done',
      priority: 'urgent',
      dueAt: '2030-05-01T12:00:00+02:00',
      tags: ['Work', ' work ', 'Home'],
      assigneeId: alice.userId,
    });
    expect(task).toMatchObject({ description: 'all of it', status: 'done', priority: 'urgent', assigneeId: alice.userId, projectId: null });
    expect(Date.parse(task.dueAt)).toBe(Date.parse('2030-05-01T10:00:00Z'));
    expect(task.dueAt).toMatch(ISO);
    expect(task.tags).toEqual(['work', 'home']);
    expect(task.completedAt).toMatch(ISO);
    expect(task.completedAt).toBe(task.createdAt);
  });

  it('answers 404 for an unknown task id', async () => {
    expectProblem(await as(alice).get(`/v1/tasks/${unknownId()}`), 404);
  });

  it('creates project tasks for owners and editors, not viewers (403) or outsiders (404)', async () => {
    const byEditor = await create(eddie, { title: 'Editor task', projectId });
    expect(byEditor).toMatchObject({ projectId, createdBy: eddie.userId });
    expect((await as(alice).get(`/v1/tasks/${byEditor.id}`)).body.title).toBe('Editor task');
    expect((await as(vera).get(`/v1/tasks/${byEditor.id}`)).body.title).toBe('Editor task');

    const before = await idsOf(as(alice), `/v1/tasks?projectId=${projectId}`);
    expectProblem(await as(vera).post('/v1/tasks', { title: 'Viewer task', projectId }), 403);
    expectProblem(await as(olga).post('/v1/tasks', { title: 'Outsider task', projectId }), 404);
    expectProblem(await as(alice).post('/v1/tasks', { title: 'Nowhere', projectId: unknownId() }), 404);
    expect(await idsOf(as(alice), `/v1/tasks?projectId=${projectId}`)).toEqual(before);
  });

  it('accepts an assignee only if they can be one: a project member, or the creator of a private task', async () => {
    const assigned = await create(alice, { title: 'For Vera', projectId, assigneeId: vera.userId });
    expect(assigned.assigneeId).toBe(vera.userId);

    const before = await idsOf(as(alice), `/v1/tasks?projectId=${projectId}`);
    expectProblem(await as(alice).post('/v1/tasks', { title: 'For Olga', projectId, assigneeId: olga.userId }), 400, ['body.assigneeId']);
    expectProblem(await as(alice).post('/v1/tasks', { title: 'For a ghost', projectId, assigneeId: unknownId() }), 400, ['body.assigneeId']);
    expect(await idsOf(as(alice), `/v1/tasks?projectId=${projectId}`)).toEqual(before);

    const privateBefore = await idsOf(as(alice), '/v1/tasks');
    expectProblem(await as(alice).post('/v1/tasks', { title: 'Private for Eddie', assigneeId: eddie.userId }), 400, ['body.assigneeId']);
    expect(await idsOf(as(alice), '/v1/tasks')).toEqual(privateBefore);

    const task = await create(alice, { title: 'Reassign me', projectId });
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { assigneeId: olga.userId }, ifMatch(1)), 400, ['body.assigneeId']);
    const toEddie = await as(alice).patch(`/v1/tasks/${task.id}`, { assigneeId: eddie.userId }, ifMatch(1));
    expect(toEddie).toHaveStatus(200);
    expect(toEddie.body.assigneeId).toBe(eddie.userId);
    const unassigned = await as(alice).patch(`/v1/tasks/${task.id}`, { assigneeId: null }, ifMatch(2));
    expect(unassigned.body.assigneeId).toBeNull();
  });

  it('honours Idempotency-Key: same key + body → same task, one write; other body → 422', async () => {
    const key = `task-${randomUUID()}`;
    const options = { headers: { 'idempotency-key': key } };
    const before = await idsOf(as(alice), '/v1/tasks');
    const first = await as(alice).post('/v1/tasks', { title: 'Exactly once', tags: ['x'] }, options);
    expect(first).toHaveStatus(201);
    const retry = await as(alice).post('/v1/tasks', { title: 'Exactly once', tags: ['x'] }, options);
    expect(retry).toHaveStatus(201);
    expect(retry.body).toEqual(first.body);
    expectProblem(await as(alice).post('/v1/tasks', { title: 'Something else' }, options), 422);
    const after = await idsOf(as(alice), '/v1/tasks');
    expect(after).toEqual([...before, first.body.id].sort());

    // Without a key, two identical creates are two tasks.
    const a = await create(alice, { title: 'Twice' });
    const b = await create(alice, { title: 'Twice' });
    expect(a.id).not.toBe(b.id);
  });
});

describe('PATCH /v1/tasks/{taskId}', () => {
  it('changes fields with If-Match or body.version, bumping the version and updatedAt', async () => {
    const task = await create(alice, { title: 'Draft', tags: ['a'] });
    const res = await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'Final', priority: 'high', tags: ['B', 'b'], dueAt: '2031-01-02T03:04:05Z' }, ifMatch(1));
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchObject({ id: task.id, title: 'Final', priority: 'high', tags: ['b'], version: 2, createdAt: task.createdAt, createdBy: alice.userId });
    expect(Date.parse(res.body.dueAt)).toBe(Date.parse('2031-01-02T03:04:05Z'));
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
    expect(etagVersion(res)).toBe(2);

    const viaBody = await as(alice).patch(`/v1/tasks/${task.id}`, { description: 'notes', dueAt: null, version: 2 });
    expect(viaBody).toHaveStatus(200);
    expect(viaBody.body).toMatchObject({ description: 'notes', dueAt: null, title: 'Final', version: 3 });
    expect((await as(alice).get(`/v1/tasks/${task.id}`)).body).toEqual(viaBody.body);
  });

  it('sets completedAt when completing, keeps it on other edits, clears it when reopening', async () => {
    const task = await create(alice, { title: 'Complete me' });
    const done = await as(alice).patch(`/v1/tasks/${task.id}`, { status: 'done' }, ifMatch(1));
    expect(done).toHaveStatus(200);
    expect(done.body.completedAt).toMatch(ISO);
    expect(done.body.completedAt).toBe(done.body.updatedAt);

    const edited = await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'Completed, renamed' }, ifMatch(2));
    expect(edited.body).toMatchObject({ status: 'done', completedAt: done.body.completedAt });

    const reopened = await as(alice).patch(`/v1/tasks/${task.id}`, { status: 'in_progress' }, ifMatch(3));
    expect(reopened.body).toMatchObject({ status: 'in_progress', completedAt: null });
    expect((await as(alice).get(`/v1/tasks/${task.id}`)).body.completedAt).toBeNull();
  });

  it('answers 409 to a stale version, 428 to none, 400 to disagreeing ones, and changes nothing', async () => {
    const task = await create(alice, { title: 'Locked' });
    expect(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'v2' }, ifMatch(1))).toHaveStatus(200);
    const conflict = await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'lost update' }, ifMatch(1));
    expectProblem(conflict, 409);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'lost update', version: 1 }), 409);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'blind' }), 428);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'mixed', version: 2 }, ifMatch(1)), 400);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'bad etag' }, { headers: { 'if-match': 'yesterday' } }), 400);
    const now = await as(alice).get(`/v1/tasks/${task.id}`);
    expect(now.body).toMatchObject({ title: 'v2', version: 2 });
  });

  it('refuses an empty patch and fields that cannot change (projectId, createdBy, completedAt…)', async () => {
    const task = await create(alice, { title: 'Fixed' });
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { version: 1 }), 400);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, {}, ifMatch(1)), 400);
    for (const extra of [{ projectId }, { createdBy: olga.userId }, { completedAt: '2020-01-01T00:00:00Z' }, { id: 'x' }, { createdAt: '2020-01-01T00:00:00Z' }]) {
      expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'x', ...extra }, ifMatch(1)), 400);
    }
    expect((await as(alice).get(`/v1/tasks/${task.id}`)).body).toEqual(task);
  });

  it('lets editors change project tasks; viewers get 403 and change nothing', async () => {
    const task = await create(alice, { title: 'Team task', projectId });
    const byEditor = await as(eddie).patch(`/v1/tasks/${task.id}`, { status: 'in_progress' }, ifMatch(1));
    expect(byEditor).toHaveStatus(200);
    expect(byEditor.body.status).toBe('in_progress');
    expectProblem(await as(vera).patch(`/v1/tasks/${task.id}`, { status: 'done' }, ifMatch(2)), 403);
    expect((await as(alice).get(`/v1/tasks/${task.id}`)).body).toMatchObject({ status: 'in_progress', version: 2 });
  });
});

describe('DELETE /v1/tasks/{taskId} and POST /v1/tasks/{taskId}/restore', () => {
  it('moves a task to the trash (204, then 404 everywhere) and restores it', async () => {
    const task = await create(alice, { title: 'Trash me', tags: ['keep'] });
    const deleted = await as(alice).delete(`/v1/tasks/${task.id}`);
    expect(deleted).toHaveStatus(204);
    expect(deleted.body).toBeUndefined();

    expectProblem(await as(alice).get(`/v1/tasks/${task.id}`), 404);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'zombie' }, ifMatch(2)), 404);
    expectProblem(await as(alice).delete(`/v1/tasks/${task.id}`), 404);
    expect(await idsOf(as(alice), '/v1/tasks')).not.toContain(task.id);

    const restored = await as(alice).post(`/v1/tasks/${task.id}/restore`);
    expect(restored).toHaveStatus(200);
    expect(restored.body).toMatchObject({ id: task.id, title: 'Trash me', tags: ['keep'], createdAt: task.createdAt, createdBy: alice.userId });
    expect(restored.body.version).toBeGreaterThan(task.version);
    expect(restored.body).not.toHaveProperty('deletedAt');

    const got = await as(alice).get(`/v1/tasks/${task.id}`);
    expect(got).toHaveStatus(200);
    expect(got.body).toEqual(restored.body);
    expect(etagVersion(got)).toBe(restored.body.version);
    expect(await idsOf(as(alice), '/v1/tasks')).toContain(task.id);

    // A live task is not in the trash.
    expectProblem(await as(alice).post(`/v1/tasks/${task.id}/restore`), 404);
    expectProblem(await as(alice).post(`/v1/tasks/${unknownId()}/restore`), 404);
  });

  it('deletes with If-Match only when the version is current', async () => {
    const task = await create(alice, { title: 'Careful' });
    expectProblem(await as(alice).delete(`/v1/tasks/${task.id}`, undefined, ifMatch(5)), 409);
    expect(await as(alice).get(`/v1/tasks/${task.id}`)).toHaveStatus(200);
    expect(await as(alice).delete(`/v1/tasks/${task.id}`, undefined, ifMatch(1))).toHaveStatus(204);
    expectProblem(await as(alice).get(`/v1/tasks/${task.id}`), 404);
  });

  it('lets editors delete and restore project tasks; viewers get 403', async () => {
    const task = await create(alice, { title: 'Team trash', projectId });
    expectProblem(await as(vera).delete(`/v1/tasks/${task.id}`), 403);
    expect(await as(eddie).delete(`/v1/tasks/${task.id}`)).toHaveStatus(204);
    expect(await idsOf(as(alice), `/v1/tasks?projectId=${projectId}`)).not.toContain(task.id);
    expectProblem(await as(vera).post(`/v1/tasks/${task.id}/restore`), 403);
    expect(await as(eddie).post(`/v1/tasks/${task.id}/restore`)).toHaveStatus(200);
    expect(await idsOf(as(vera), `/v1/tasks?projectId=${projectId}`)).toContain(task.id);
  });
});

describe('GET /v1/tasks', () => {
  it('without projectId lists only my private tasks; with projectId that project’s tasks (members only)', async () => {
    const mine = await create(eddie, { title: 'Eddie private' });
    const team = await create(eddie, { title: 'Eddie in project', projectId });
    const othersPrivate = await create(alice, { title: 'Alice private' });

    const privateIds = await idsOf(as(eddie), '/v1/tasks');
    expect(privateIds).toContain(mine.id);
    expect(privateIds).not.toContain(team.id);
    expect(privateIds).not.toContain(othersPrivate.id);

    for (const who of [alice, eddie, vera]) {
      const ids = await idsOf(as(who), `/v1/tasks?projectId=${projectId}`);
      expect(ids).toContain(team.id);
      expect(ids).not.toContain(mine.id);
      expect(ids).not.toContain(othersPrivate.id);
    }
    expectProblem(await as(olga).get(`/v1/tasks?projectId=${projectId}`), 404);
    expectProblem(await as(alice).get(`/v1/tasks?projectId=${unknownId()}`), 404);
  });

  it('assigneeId=me (or my own id) without projectId lists the tasks assigned to me across projects, by due date', async () => {
    const later = await create(alice, { title: 'Vera later', projectId, assigneeId: vera.userId, dueAt: '2032-06-01T00:00:00Z' });
    const sooner = await create(eddie, { title: 'Vera sooner', projectId, assigneeId: vera.userId, dueAt: '2032-01-01T00:00:00Z' });
    const notHers = await create(alice, { title: 'Eddie work', projectId, assigneeId: eddie.userId });

    const { items } = await listAll<{ id: string; assigneeId: string }>(as(vera), '/v1/tasks?assigneeId=me', 100);
    const ids = items.map((t) => t.id);
    expect(ids).toContain(later.id);
    expect(ids).toContain(sooner.id);
    expect(ids).not.toContain(notHers.id);
    expect(items.every((t) => t.assigneeId === vera.userId)).toBe(true);
    expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));

    expect(await idsOf(as(vera), `/v1/tasks?assigneeId=${vera.userId}`)).toEqual(ids.sort());
    expectProblem(await as(vera).get(`/v1/tasks?assigneeId=${eddie.userId}`), 400, ['query.assigneeId']);

    // With projectId, any member's assignments can be listed.
    const eddies = await idsOf(as(vera), `/v1/tasks?projectId=${projectId}&assigneeId=${eddie.userId}`);
    expect(eddies).toContain(notHers.id);
    expect(eddies).not.toContain(later.id);
  });

  it('filters by status, priority, tag, dueBefore and dueAfter, alone and combined', async () => {
    const t1 = await create(filterer, { title: 't1', status: 'todo', priority: 'high', tags: ['a'], dueAt: '2030-01-10T00:00:00Z' });
    const t2 = await create(filterer, { title: 't2', status: 'done', priority: 'high', tags: ['a', 'b'], dueAt: '2030-01-20T00:00:00Z' });
    const t3 = await create(filterer, { title: 't3', status: 'in_progress', priority: 'low', tags: ['b'], dueAt: '2030-02-10T00:00:00Z' });
    const t4 = await create(filterer, { title: 't4', status: 'todo', priority: 'low' });
    const ids = (...tasks: { id: string }[]) => tasks.map((t) => t.id).sort();
    const list = (query: string) => idsOf(as(filterer), `/v1/tasks?${query}`);

    expect(await list('')).toEqual(ids(t1, t2, t3, t4));
    expect(await list('status=todo')).toEqual(ids(t1, t4));
    expect(await list('status=done')).toEqual(ids(t2));
    expect(await list('priority=high')).toEqual(ids(t1, t2));
    expect(await list('tag=a')).toEqual(ids(t1, t2));
    expect(await list('tag=B')).toEqual(ids(t2, t3));
    expect(await list('dueBefore=2030-01-31T00:00:00Z')).toEqual(ids(t1, t2));
    expect(await list('dueAfter=2030-01-15T00:00:00Z')).toEqual(ids(t2, t3));
    expect(await list('dueAfter=2030-01-15T00:00:00Z&dueBefore=2030-01-31T00:00:00Z')).toEqual(ids(t2));
    expect(await list(`dueBefore=${encodeURIComponent('2030-01-20T01:00:00+01:00')}`)).toEqual(ids(t1, t2)); // inclusive, any offset
    expect(await list('status=todo&priority=high')).toEqual(ids(t1));
    expect(await list('priority=high&tag=b&dueAfter=2030-01-01T00:00:00Z')).toEqual(ids(t2));
    expect(await list('status=in_progress&priority=high')).toEqual([]);

    // The same filters on a project's tasks.
    const p1 = await create(alice, { title: 'p1', projectId, priority: 'urgent', tags: ['release'], dueAt: '2033-03-03T00:00:00Z' });
    const p2 = await create(alice, { title: 'p2', projectId, priority: 'urgent', status: 'done', tags: ['release'] });
    expect(await idsOf(as(vera), `/v1/tasks?projectId=${projectId}&priority=urgent&tag=release`)).toEqual(ids(p1, p2));
    expect(await idsOf(as(vera), `/v1/tasks?projectId=${projectId}&priority=urgent&status=done`)).toEqual(ids(p2));
    expect(await idsOf(as(vera), `/v1/tasks?projectId=${projectId}&tag=release&dueAfter=2033-01-01T00:00:00Z`)).toEqual(ids(p1));
  });

  it('pages through 25 tasks 10 at a time with an opaque cursor: every task once, none twice', async () => {
    const created = await Promise.all(Array.from({ length: 25 }, (_, i) => create(pager, { title: `Page task ${i}` })));
    const { items, pages } = await listAll<{ id: string }>(as(pager), '/v1/tasks', 10);
    expect(pages.slice(0, 2)).toEqual([10, 10]);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(25);
    const ids = items.map((t) => t.id);
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual(created.map((t) => t.id).sort());

    const first = await as(pager).get('/v1/tasks?limit=10');
    expect(first.body.items).toHaveLength(10);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.body.nextCursor).not.toContain('TASK#'); // opaque, not a raw key

    const defaultPage = await as(pager).get('/v1/tasks');
    expect(defaultPage.body.items).toHaveLength(20);

    // A cursor only works for the list it came from.
    expectProblem(await as(alice).get(`/v1/tasks?limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`), 400, ['query.cursor']);
    const own = await as(pager).post('/v1/projects', { name: 'Pager project' });
    expect(own).toHaveStatus(201);
    expectProblem(await as(pager).get(`/v1/tasks?projectId=${own.body.id}&cursor=${encodeURIComponent(first.body.nextCursor)}`), 400, ['query.cursor']);
  });
});

describe('tasks follow project membership', () => {
  it('a member who is removed loses the project tasks, even those assigned to them', async () => {
    const side = await as(alice).post('/v1/projects', { name: 'Side project' });
    expect(side).toHaveStatus(201);
    const sideId = side.body.id as string;
    expect(await as(alice).post(`/v1/projects/${sideId}/members`, { email: olga.email, role: 'editor' })).toHaveStatus(201);
    const theirs = await create(alice, { title: 'Olga side work', projectId: sideId, assigneeId: olga.userId });
    expect(await idsOf(as(olga), '/v1/tasks?assigneeId=me')).toContain(theirs.id);
    expect(await as(olga).delete(`/v1/tasks/${theirs.id}`)).toHaveStatus(204);
    expect(await as(olga).post(`/v1/tasks/${theirs.id}/restore`)).toHaveStatus(200);

    expect(await as(alice).delete(`/v1/projects/${sideId}/members/${olga.userId}`)).toHaveStatus(204);
    expectProblem(await as(olga).get(`/v1/tasks/${theirs.id}`), 404);
    expectProblem(await as(olga).patch(`/v1/tasks/${theirs.id}`, { title: 'after removal' }, ifMatch(3)), 404);
    expectProblem(await as(olga).get(`/v1/tasks?projectId=${sideId}`), 404);
    expect(await idsOf(as(olga), '/v1/tasks?assigneeId=me')).not.toContain(theirs.id);
    expect((await as(alice).get(`/v1/tasks/${theirs.id}`)).body.title).toBe('Olga side work');
  });

  it('deleting a project hides its tasks from every member', async () => {
    const doomed = await as(alice).post('/v1/projects', { name: 'Doomed' });
    expect(doomed).toHaveStatus(201);
    const doomedId = doomed.body.id as string;
    const task = await create(alice, { title: 'Doomed task', projectId: doomedId, assigneeId: alice.userId });
    expect(await as(alice).delete(`/v1/projects/${doomedId}`)).toHaveStatus(204);
    expectProblem(await as(alice).get(`/v1/tasks/${task.id}`), 404);
    expectProblem(await as(alice).patch(`/v1/tasks/${task.id}`, { title: 'x' }, ifMatch(1)), 404);
    expectProblem(await as(alice).get(`/v1/tasks?projectId=${doomedId}`), 404);
    expectProblem(await as(alice).post('/v1/tasks', { title: 'into the void', projectId: doomedId }), 404);
    expect(await idsOf(as(alice), '/v1/tasks?assigneeId=me')).not.toContain(task.id);
  });

  it('two identical creates sent at once with one Idempotency-Key make one task', async () => {
    const key = `race-${randomUUID()}`;
    const before = await idsOf(as(pager), `/v1/tasks`);
    const send = () => as(pager).post('/v1/tasks', { title: 'Raced' }, { headers: { 'idempotency-key': key } });
    const answers = await Promise.all([send(), send(), send()]);
    for (const res of answers) expect([201, 409]).toContain(res.status);
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const after = await idsOf(as(pager), '/v1/tasks');
    expect(after.filter((id) => !before.includes(id))).toEqual([created[0]!.body.id]);
    // Once settled, a retry answers the stored response.
    const retry = await send();
    expect(retry).toHaveStatus(201);
    expect(retry.body.id).toBe(created[0]!.body.id);
  });
});
