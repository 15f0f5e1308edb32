// Admin user management against DynamoDB Local: the email-prefix search through its route (paging, cursors), a
// user's detail from the real store (projects, Query COUNTs of their tasks), and disabling through the versioned
// profile write — which the authorizer then refuses. Cognito is a stand-in here (the e2e suite uses cognito-local).
import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { disableUser, enableUser, getUserDetail, setAdminRole, type UserDirectoryPort } from '#shared/domain/admin';
import type { Role } from '#shared/domain/model';
import { authorize } from '#shared/auth/authorize';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { projectStore } from '#shared/store/project-store';
import { readAccess, sessionStore } from '#shared/store/session-store';
import { userStore } from '#shared/store/user-store';
import { adminUserStore } from '#shared/store/admin-user-store';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';
import { handler as searchUsers } from '#functions/admin/search-users';
import { handler as createTask } from '#functions/tasks/create-task';
import { handler as updateTask } from '#functions/tasks/update-task';
import { handler as deleteTask } from '#functions/tasks/delete-task';

const admin: TestUser = { userId: `admin-${ulid()}`, email: 'admin@example.com', groups: ['admins'] };
const search = (query: Record<string, string | number | undefined>, user: TestUser = admin) => invoke(searchUsers, apiEvent('GET', '/v1/admin/users', { user, query }));

/** A profile (and its email claim) as registration writes them. */
const seedUser = async (email: string, name = email.split('@')[0]!): Promise<TestUser> => {
  const userId = `u-${ulid()}`;
  await userStore.create({ id: userId, email, name }, { actorId: userId, requestId: `seed-${userId}`, at: new Date().toISOString() });
  return { userId, email: email.toLowerCase() };
};

const seedProject = async (owner: TestUser, name: string, members: [TestUser, Role][] = []): Promise<string> => {
  const at = new Date().toISOString();
  const projectId = ulid();
  const change = { actorId: owner.userId, requestId: `seed-${projectId}`, at };
  const membership = (user: TestUser, role: Role) => ({ projectId, userId: user.userId, role, email: user.email, name: user.email, addedBy: owner.userId, createdAt: at, updatedAt: at, version: 1 });
  await projectStore.create({ id: projectId, name, description: null, ownerId: owner.userId, createdBy: owner.userId, createdAt: at, updatedAt: at, version: 1 }, membership(owner, 'owner'), change);
  for (const [user, role] of members) await projectStore.addMember(membership(user, role), change);
  return projectId;
};

const readAll = async (query: Record<string, string | number>) => {
  const pages: { id: string; email: string }[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const res = await search({ ...query, cursor });
    expect(res.status).toBe(200);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return pages;
  }
  throw new Error('too many pages');
};

/** A directory that knows every user, remembering what it was told. */
const directory = (): UserDirectoryPort & { calls: string[]; admins: Set<string> } => {
  const calls: string[] = [];
  const admins = new Set<string>();
  return {
    calls,
    admins,
    isAdmin: async (id) => admins.has(id),
    disable: async (id) => void calls.push(`disable ${id}`),
    enable: async (id) => void calls.push(`enable ${id}`),
    signOutEverywhere: async (id) => void calls.push(`sign out ${id}`),
    grantAdmin: async (id) => void admins.add(id),
    revokeAdmin: async (id) => void admins.delete(id),
  };
};

describe('searching users by email prefix', () => {
  const run = ulid().toLowerCase();

  it('pages through every match in email order, each once, and nothing else', async () => {
    const emails = Array.from({ length: 23 }, (_, i) => `srch-${run}-${String(i).padStart(2, '0')}@example.com`);
    // Registered in a shuffled order; the index orders them by email.
    for (const email of [...emails].reverse()) await seedUser(email);
    await seedUser(`other-${run}@example.com`);

    const pages = await readAll({ emailPrefix: `srch-${run}`, limit: 7 });
    expect(pages.map((p) => p.length).filter((n) => n > 0)).toEqual([7, 7, 7, 2]);
    expect(pages.flat().map((u) => u.email)).toEqual(emails);
    expect(pages.flat()[0]).toEqual({ id: expect.stringMatching(/^u-/), email: emails[0], name: `srch-${run}-00`, status: 'active', createdAt: expect.any(String) });
  });

  it('is case-insensitive and answers an empty page for no match', async () => {
    const user = await seedUser(`Case-${run}@Example.com`);
    const res = await search({ emailPrefix: `  CASE-${run.toUpperCase()}` });
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([user.userId]);
    const none = await search({ emailPrefix: `nobody-${run}` });
    expect(none.body).toEqual({ items: [] });
  });

  it('refuses a cursor of another search, a bad limit, an unknown parameter, and non-admins', async () => {
    const first = await search({ emailPrefix: `srch-${run}`, limit: 2 });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const other = await search({ emailPrefix: `other-${run}`, cursor: first.body.nextCursor });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([{ field: 'query.cursor', message: 'Invalid cursor' }]);
    expect((await search({ limit: 101 })).status).toBe(400);
    expect((await search({ limit: 0 })).status).toBe(400);
    expect((await search({ email: 'x' })).status).toBe(400);
    expect((await search({}, { userId: 'u-1', email: 'u@example.com' })).status).toBe(403);
  });
});

describe("a user's detail", () => {
  it('lists their projects with their role and counts their tasks with Query COUNTs', async () => {
    const run = ulid().toLowerCase();
    const bob = await seedUser(`bob-${run}@example.com`);
    const alice = await seedUser(`alice-${run}@example.com`);
    const launch = await seedProject(alice, 'Launch', [[bob, 'editor']]);
    const own = await seedProject(bob, 'Own');
    const asUser = (user: TestUser) => ({
      create: (body: unknown) => invoke(createTask, apiEvent('POST', '/v1/tasks', { user, body })),
      update: (id: string, body: unknown) => invoke(updateTask, apiEvent('PATCH', `/v1/tasks/${id}`, { user, body, route: '/v1/tasks/{taskId}', pathParameters: { taskId: id } })),
      remove: (id: string) => invoke(deleteTask, apiEvent('DELETE', `/v1/tasks/${id}`, { user, route: '/v1/tasks/{taskId}', pathParameters: { taskId: id } })),
    });
    // Assigned to Bob: 3 open, 2 done, 1 trashed (in no list).
    const assigned = [];
    for (let i = 0; i < 6; i++) {
      const res = await asUser(alice).create({ title: `for bob ${i}`, projectId: launch, assigneeId: bob.userId });
      expect(res.status).toBe(201);
      assigned.push(res.body);
    }
    for (const t of assigned.slice(0, 2)) expect((await asUser(bob).update(t.id, { status: 'done', version: t.version })).status).toBe(200);
    expect((await asUser(alice).remove(assigned[5].id)).status).toBe(204);
    // Bob's private tasks: 4, one of them done, one trashed.
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await asUser(bob).create({ title: `mine ${i}` })).body);
    await asUser(bob).update(mine[0].id, { status: 'done', version: mine[0].version });
    await asUser(bob).remove(mine[4].id);

    const dir = directory();
    const detail = await getUserDetail({ users: adminUserStore, directory: dir }, bob.userId);
    expect(detail.user).toEqual({ id: bob.userId, email: bob.email, name: `bob-${run}`, status: 'active', createdAt: expect.any(String), timezone: 'UTC', isAdmin: false });
    expect(detail.projects.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { id: launch, name: 'Launch', role: 'editor' },
      { id: own, name: 'Own', role: 'owner' },
    ]);
    expect(detail.taskCounts).toEqual({ assignedOpen: 3, assignedDone: 2, privateTasks: 4 });
  });
});

describe('disabling a user', () => {
  it('writes the profile as the admin, in the request, one version up; the authorizer then refuses the user', async () => {
    const run = ulid().toLowerCase();
    const carol = await seedUser(`carol-${run}@example.com`);
    const dir = directory();
    const ports = { users: adminUserStore, directory: dir, sessions: sessionStore };
    const verify = async () => ({ sub: carol.userId, groups: [] as string[], exp: Math.floor(Date.now() / 1000) + 3600, sessionId: 's-1', authTime: 1 });
    const token = 'Bearer aaa.bbb.ccc';
    expect((await authorize(token, { verify, access: readAccess })).result.isAuthorized).toBe(true);

    const disabled = await disableUser(ports, admin.userId, carol.userId, 'req-disable', new Date());
    expect(disabled.status).toBe('disabled');
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: keys.user(carol.userId), ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'disabled', version: 2, modifiedBy: admin.userId, requestId: 'req-disable' });
    expect(dir.calls).toEqual([`disable ${carol.userId}`, `sign out ${carol.userId}`]);
    expect(await authorize(token, { verify, access: readAccess })).toMatchObject({ result: { isAuthorized: false }, reason: 'disabled-user' });

    // Disabling again changes nothing; enabling lets them in again.
    await disableUser(ports, admin.userId, carol.userId, 'req-again', new Date());
    expect((await adminUserStore.get(carol.userId))?.version).toBe(2);
    const enabled = await enableUser(ports, admin.userId, carol.userId, 'req-enable', new Date());
    expect(enabled).toMatchObject({ status: 'active' });
    // The sessions from before the disable stay ended; a new sign-in works.
    expect(await authorize(token, { verify, access: readAccess })).toMatchObject({ result: { isAuthorized: false }, reason: 'ended-session' });
    const signedInAfter = async () => ({ ...(await verify()), sessionId: 's-2', authTime: Math.floor(Date.now() / 1000) + 1 });
    expect((await authorize(token, { verify: signedInAfter, access: readAccess })).result.isAuthorized).toBe(true);

    // Granting the role is recorded on the profile, which the authorizer reads; the user's own view is unchanged.
    expect((await authorize(token, { verify: signedInAfter, access: readAccess })).result.context?.admin).toBe('false');
    await setAdminRole(ports, admin.userId, carol.userId, true, 'req-grant', new Date());
    expect(await adminUserStore.get(carol.userId)).toMatchObject({ isAdmin: true, version: 4 });
    expect(await userStore.get(carol.userId)).not.toHaveProperty('isAdmin');
    expect((await authorize(token, { verify: signedInAfter, access: readAccess })).result.context?.admin).toBe('true');
  });
});
