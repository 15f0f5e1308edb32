// The cross-user matrix: a stranger gets 404 on every `{id}` route of someone else's data (never a
// hint that it exists), a viewer can read but every write is a 403 — and nothing changes.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { as, newUser, type ApiResponse, type TestUser } from '#test/support/api-client';
import { expectProblem, idsOf, ifMatch } from '#test/support/e2e-helpers';
import { WAIT, notificationsOf } from '#test/support/e2e-events';
import { routes } from '#shared/routes';

let alice: TestUser; // owns everything here
let bob: TestUser; // a stranger
let carol: TestUser; // editor of Alice's project
let victor: TestUser; // viewer of Alice's project

const ids = {} as {
  privateTask: string;
  trashedPrivateTask: string;
  project: string;
  projectTask: string;
  trashedProjectTask: string;
  /** One of Alice's notifications (Carol assigned her a task). */
  notification: string;
};

/** Everything Alice can see of her data, to compare before and after. */
const snapshot = async () => {
  const a = as(alice);
  const [privateTask, projectTask, project, members, privateList, projectList, projects] = await Promise.all([
    a.get(`/v1/tasks/${ids.privateTask}`),
    a.get(`/v1/tasks/${ids.projectTask}`),
    a.get(`/v1/projects/${ids.project}`),
    a.get(`/v1/projects/${ids.project}/members?limit=100`),
    idsOf(a, '/v1/tasks'),
    idsOf(a, `/v1/tasks?projectId=${ids.project}`),
    idsOf(a, '/v1/projects'),
  ]);
  for (const res of [privateTask, projectTask, project, members]) expect(res).toHaveStatus(200);
  return { privateTask: privateTask.body, projectTask: projectTask.body, project: project.body, members: members.body, privateList, projectList, projects };
};

let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  [alice, bob, carol, victor] = await Promise.all([newUser(), newUser(), newUser(), newUser()]);
  const a = as(alice);
  const post = async (path: string, body: unknown) => {
    const res = await a.post(path, body);
    expect(res).toHaveStatus(201);
    return res.body.id as string;
  };
  ids.privateTask = await post('/v1/tasks', { title: 'Alice private', tags: ['secret'] });
  ids.trashedPrivateTask = await post('/v1/tasks', { title: 'Alice trashed' });
  ids.project = await post('/v1/projects', { name: 'Alice project', description: 'hers' });
  expect(await a.post(`/v1/projects/${ids.project}/members`, { email: carol.email, role: 'editor' })).toHaveStatus(201);
  expect(await a.post(`/v1/projects/${ids.project}/members`, { email: victor.email, role: 'viewer' })).toHaveStatus(201);
  ids.projectTask = await post('/v1/tasks', { title: 'Team task', projectId: ids.project, assigneeId: victor.userId });
  ids.trashedProjectTask = await post('/v1/tasks', { title: 'Team trashed', projectId: ids.project });
  expect(await a.delete(`/v1/tasks/${ids.trashedPrivateTask}`)).toHaveStatus(204);
  expect(await a.delete(`/v1/tasks/${ids.trashedProjectTask}`)).toHaveStatus(204);
  expect(await as(carol).post('/v1/tasks', { title: 'For Alice', projectId: ids.project, assigneeId: alice.userId })).toHaveStatus(201);
  ids.notification = await vi.waitFor(async () => {
    const [first] = await notificationsOf(alice);
    if (!first) throw new Error('Alice has no notification yet');
    return first.id;
  }, WAIT);
  before = await snapshot();
});

type Call = [name: string, run: (who: TestUser) => Promise<ApiResponse>];
/** A call and the route (as declared in the route table) it attacks. */
type TaggedCall = [name: string, route: string, run: (who: TestUser) => Promise<ApiResponse>];

/** Every route that names one of Alice's things, called with the right version so only access decides. */
const everyIdRoute = (): TaggedCall[] => {
  const v = (n: number) => ifMatch(n);
  return [
    ['GET private task', 'GET /v1/tasks/{taskId}', (u) => as(u).get(`/v1/tasks/${ids.privateTask}`)],
    ['PATCH private task', 'PATCH /v1/tasks/{taskId}', (u) => as(u).patch(`/v1/tasks/${ids.privateTask}`, { title: 'hijacked' }, v(before.privateTask.version))],
    ['DELETE private task', 'DELETE /v1/tasks/{taskId}', (u) => as(u).delete(`/v1/tasks/${ids.privateTask}`)],
    ['restore trashed private task', 'POST /v1/tasks/{taskId}/restore', (u) => as(u).post(`/v1/tasks/${ids.trashedPrivateTask}/restore`)],
    ['GET project task', 'GET /v1/tasks/{taskId}', (u) => as(u).get(`/v1/tasks/${ids.projectTask}`)],
    ['PATCH project task', 'PATCH /v1/tasks/{taskId}', (u) => as(u).patch(`/v1/tasks/${ids.projectTask}`, { title: 'hijacked' }, v(before.projectTask.version))],
    ['DELETE project task', 'DELETE /v1/tasks/{taskId}', (u) => as(u).delete(`/v1/tasks/${ids.projectTask}`)],
    ['restore trashed project task', 'POST /v1/tasks/{taskId}/restore', (u) => as(u).post(`/v1/tasks/${ids.trashedProjectTask}/restore`)],
    ['GET project', 'GET /v1/projects/{projectId}', (u) => as(u).get(`/v1/projects/${ids.project}`)],
    ['PATCH project', 'PATCH /v1/projects/{projectId}', (u) => as(u).patch(`/v1/projects/${ids.project}`, { name: 'hijacked' }, v(before.project.version))],
    ['DELETE project', 'DELETE /v1/projects/{projectId}', (u) => as(u).delete(`/v1/projects/${ids.project}`)],
    ['GET members', 'GET /v1/projects/{projectId}/members', (u) => as(u).get(`/v1/projects/${ids.project}/members`)],
    ['POST member (add self)', 'POST /v1/projects/{projectId}/members', (u) => as(u).post(`/v1/projects/${ids.project}/members`, { email: u.email, role: 'owner' })],
    ['PATCH member (promote viewer)', 'PATCH /v1/projects/{projectId}/members/{userId}', (u) => as(u).patch(`/v1/projects/${ids.project}/members/${victor.userId}`, { role: 'owner' }, v(1))],
    ['PATCH member (demote owner)', 'PATCH /v1/projects/{projectId}/members/{userId}', (u) => as(u).patch(`/v1/projects/${ids.project}/members/${alice.userId}`, { role: 'viewer' }, v(1))],
    ['DELETE member (viewer)', 'DELETE /v1/projects/{projectId}/members/{userId}', (u) => as(u).delete(`/v1/projects/${ids.project}/members/${victor.userId}`)],
    ['DELETE member (owner)', 'DELETE /v1/projects/{projectId}/members/{userId}', (u) => as(u).delete(`/v1/projects/${ids.project}/members/${alice.userId}`)],
    ['GET tasks of project', 'GET /v1/tasks', (u) => as(u).get(`/v1/tasks?projectId=${ids.project}`)],
    ['mark notification read', 'POST /v1/notifications/{notificationId}/read', (u) => as(u).post(`/v1/notifications/${ids.notification}/read`)],
    ['POST task into project', 'POST /v1/tasks', (u) => as(u).post('/v1/tasks', { title: 'planted', projectId: ids.project })],
  ];
};

describe('a stranger', () => {
  it('is tried on every user route of the route table that names a resource by id', () => {
    const attacked = new Set(everyIdRoute().map(([, route]) => route));
    const byId = routes.filter((r) => r.auth === 'user' && r.path.includes('{') && !r.path.startsWith('/v1/me')).map((r) => `${r.method} ${r.path}`);
    expect(byId.filter((route) => !attacked.has(route))).toEqual([]);
  });

  it.each(everyIdRoute().map(([name, , run]) => [name, run] as const))('gets 404 on %s', async (_name, run) => {
    const res = await run(bob);
    expectProblem(res, 404);
    expect(JSON.stringify(res.body)).not.toMatch(/Alice|secret|hers|Team/);
  });

  it("sees none of Alice's data in their own lists", async () => {
    const b = as(bob);
    const [tasks, projects, assigned] = await Promise.all([idsOf(b, '/v1/tasks'), idsOf(b, '/v1/projects'), idsOf(b, '/v1/tasks?assigneeId=me')]);
    for (const id of Object.values(ids)) {
      expect(tasks).not.toContain(id);
      expect(projects).not.toContain(id);
      expect(assigned).not.toContain(id);
    }
  });

  it("leaves Alice's data exactly as it was", async () => {
    expect(await snapshot()).toEqual(before);
    expect((await notificationsOf(alice)).find((n) => n.id === ids.notification)).toMatchObject({ readAt: null });
  });
});

describe('a viewer', () => {
  it('reads the project, its members and its tasks', async () => {
    const v = as(victor);
    expect((await v.get(`/v1/projects/${ids.project}`)).body).toMatchObject({ id: ids.project, role: 'viewer' });
    expect(await v.get(`/v1/projects/${ids.project}/members`)).toHaveStatus(200);
    expect((await v.get(`/v1/tasks/${ids.projectTask}`)).body).toMatchObject({ id: ids.projectTask, title: 'Team task' });
    expect(await idsOf(v, `/v1/tasks?projectId=${ids.project}`)).toEqual(before.projectList);
    expect(await idsOf(v, '/v1/tasks?assigneeId=me')).toContain(ids.projectTask);
  });

  const writes = (): Call[] => {
    return [
      ['POST task into project', (u) => as(u).post('/v1/tasks', { title: 'by viewer', projectId: ids.project })],
      ['PATCH project task', (u) => as(u).patch(`/v1/tasks/${ids.projectTask}`, { status: 'done' }, ifMatch(before.projectTask.version))],
      ['DELETE project task', (u) => as(u).delete(`/v1/tasks/${ids.projectTask}`)],
      ['restore trashed project task', (u) => as(u).post(`/v1/tasks/${ids.trashedProjectTask}/restore`)],
      ['PATCH project', (u) => as(u).patch(`/v1/projects/${ids.project}`, { name: 'by viewer' }, ifMatch(before.project.version))],
      ['DELETE project', (u) => as(u).delete(`/v1/projects/${ids.project}`)],
      ['POST member', (u) => as(u).post(`/v1/projects/${ids.project}/members`, { email: bob.email, role: 'editor' })],
      ['PATCH own role', (u) => as(u).patch(`/v1/projects/${ids.project}/members/${u.userId}`, { role: 'owner' }, ifMatch(1))],
      ["PATCH another member's role", (u) => as(u).patch(`/v1/projects/${ids.project}/members/${carol.userId}`, { role: 'viewer' }, ifMatch(1))],
      ['DELETE another member', (u) => as(u).delete(`/v1/projects/${ids.project}/members/${carol.userId}`)],
    ];
  };

  it.each(writes().map(([name, run]) => [name, run] as const))('gets 403 on %s', async (_name, run) => {
    expectProblem(await run(victor), 403);
  });

  it('an editor may change tasks but not the project or its members', async () => {
    const c = as(carol);
    expectProblem(await c.patch(`/v1/projects/${ids.project}`, { name: 'by editor' }, ifMatch(before.project.version)), 403);
    expectProblem(await c.delete(`/v1/projects/${ids.project}`), 403);
    expectProblem(await c.post(`/v1/projects/${ids.project}/members`, { email: bob.email, role: 'viewer' }), 403);
    expectProblem(await c.delete(`/v1/projects/${ids.project}/members/${victor.userId}`), 403);
    // Private tasks stay private even from fellow members.
    expectProblem(await c.get(`/v1/tasks/${ids.privateTask}`), 404);
    expectProblem(await as(victor).get(`/v1/tasks/${ids.privateTask}`), 404);
  });

  it("leaves Alice's data exactly as it was", async () => {
    expect(await snapshot()).toEqual(before);
    // The trashed tasks are still in the trash, and still restorable by Alice.
    expect(await as(alice).post(`/v1/tasks/${ids.trashedPrivateTask}/restore`)).toHaveStatus(200);
    expect(await as(alice).post(`/v1/tasks/${ids.trashedProjectTask}/restore`)).toHaveStatus(200);
  });
});
