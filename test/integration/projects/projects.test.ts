// The projects routes against DynamoDB Local, invoking the real handlers in-process with API Gateway
// v2 events as the authorizer would pass them on.
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient, tableName } from '#shared/store/client';
import { keys } from '#shared/store/keys';
import { projectStore } from '#shared/store/project-store';
import { userStore } from '#shared/store/user-store';
import { apiEvent, invoke, type TestUser } from '#test/support/apigw-event';

const { handler: createProject } = await import('#functions/projects/create-project');
const { handler: listProjects } = await import('#functions/projects/list-projects');
const { handler: getProject } = await import('#functions/projects/get-project');
const { handler: updateProject } = await import('#functions/projects/update-project');
const { handler: deleteProject } = await import('#functions/projects/delete-project');
const { handler: listMembers } = await import('#functions/projects/list-members');
const { handler: addMember } = await import('#functions/projects/add-member');
const { handler: updateMember } = await import('#functions/projects/update-member');
const { handler: removeMember } = await import('#functions/projects/remove-member');

/** A user with a profile, written through the real user store (as sign-up would). */
const newUser = async (name: string): Promise<TestUser> => {
  const userId = `u-${ulid()}`;
  const email = `${name.toLowerCase()}-${userId.toLowerCase()}@example.com`;
  await userStore.create({ id: userId, email, name }, { actorId: userId, requestId: `signup-${userId}`, at: new Date().toISOString() });
  return { userId, email };
};

const as = (user: TestUser) => ({
  createProject: (body: unknown, headers: Record<string, string> = {}) => invoke(createProject, apiEvent('POST', '/v1/projects', { user, body, headers })),
  listProjects: (query: Record<string, string | number | undefined> = {}) => invoke(listProjects, apiEvent('GET', '/v1/projects', { user, query })),
  getProject: (projectId: string) =>
    invoke(getProject, apiEvent('GET', `/v1/projects/${projectId}`, { user, route: '/v1/projects/{projectId}', pathParameters: { projectId } })),
  updateProject: (projectId: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(updateProject, apiEvent('PATCH', `/v1/projects/${projectId}`, { user, body, headers, route: '/v1/projects/{projectId}', pathParameters: { projectId } })),
  deleteProject: (projectId: string) =>
    invoke(deleteProject, apiEvent('DELETE', `/v1/projects/${projectId}`, { user, route: '/v1/projects/{projectId}', pathParameters: { projectId } })),
  listMembers: (projectId: string, query: Record<string, string | number | undefined> = {}) =>
    invoke(listMembers, apiEvent('GET', `/v1/projects/${projectId}/members`, { user, query, route: '/v1/projects/{projectId}/members', pathParameters: { projectId } })),
  addMember: (projectId: string, body: unknown) =>
    invoke(addMember, apiEvent('POST', `/v1/projects/${projectId}/members`, { user, body, route: '/v1/projects/{projectId}/members', pathParameters: { projectId } })),
  updateMember: (projectId: string, userId: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(
      updateMember,
      apiEvent('PATCH', `/v1/projects/${projectId}/members/${userId}`, {
        user,
        body,
        headers,
        route: '/v1/projects/{projectId}/members/{userId}',
        pathParameters: { projectId, userId },
      }),
    ),
  removeMember: (projectId: string, userId: string) =>
    invoke(
      removeMember,
      apiEvent('DELETE', `/v1/projects/${projectId}/members/${userId}`, { user, route: '/v1/projects/{projectId}/members/{userId}', pathParameters: { projectId, userId } }),
    ),
});

const rawItem = async (key: Record<string, string>) =>
  (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

const INTERNAL = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity', 'expiresAt', 'modifiedBy', 'requestId', 'ownerCount'];

/** A project owned by `owner` with the other users added in the given roles. */
const projectWith = async (owner: TestUser, others: Array<[TestUser, 'owner' | 'editor' | 'viewer']> = [], name = 'Launch') => {
  const created = await as(owner).createProject({ name });
  expect(created.status).toBe(201);
  for (const [user, role] of others) expect((await as(owner).addMember(created.body.id, { email: user.email, role })).status).toBe(201);
  return created.body.id as string;
};

describe('creating a project', () => {
  it('writes the project and its owner membership together, and answers without internal attributes', async () => {
    const alice = await newUser('Alice');
    const res = await as(alice).createProject({ name: '  Launch  ', description: 'Q3 launch' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ name: 'Launch', description: 'Q3 launch', ownerId: alice.userId, createdBy: alice.userId, role: 'owner', version: 1 });
    for (const attribute of INTERNAL) expect(res.body).not.toHaveProperty(attribute);

    const project = await rawItem(keys.project(res.body.id));
    const membership = await rawItem(keys.member(res.body.id, alice.userId));
    expect(project).toMatchObject({ entity: 'Project', ownerCount: 1, modifiedBy: alice.userId, version: 1 });
    expect(project?.requestId).toEqual(expect.any(String));
    expect(membership).toMatchObject({ entity: 'Membership', role: 'owner', name: 'Alice', email: alice.email, ...keys.memberIndex(res.body.id, alice.userId) });
  });

  it('writes neither item when the membership cannot be written', async () => {
    const alice = await newUser('Alice');
    const projectId = ulid();
    // Something already sits where the owner's membership would go: the transaction must leave no project behind.
    await documentClient.send(new PutCommand({ TableName: tableName(), Item: { ...keys.member(projectId, alice.userId), entity: 'Membership', role: 'viewer' } }));
    const at = new Date().toISOString();
    const project = { id: projectId, name: 'Half', description: null, ownerId: alice.userId, createdBy: alice.userId, createdAt: at, updatedAt: at, version: 1 };
    const owner = { projectId, userId: alice.userId, role: 'owner' as const, email: alice.email, name: 'Alice', addedBy: alice.userId, createdAt: at, updatedAt: at, version: 1 };
    await expect(projectStore.create(project, owner, { actorId: alice.userId, requestId: 'r1', at })).rejects.toThrow();
    expect(await rawItem(keys.project(projectId))).toBeUndefined();
  });

  it('rejects bad input with field errors and writes nothing', async () => {
    const alice = await newUser('Alice');
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'ok', description: 'x'.repeat(2001) }, { name: 'ok', ownerId: 'u-evil' }]) {
      const res = await as(alice).createProject(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect((await as(alice).listProjects()).body.items).toEqual([]);
  });

  it('honours Idempotency-Key: the same request twice creates one project', async () => {
    const alice = await newUser('Alice');
    const headers = { 'idempotency-key': `key-${ulid()}` };
    const first = await as(alice).createProject({ name: 'Once' }, headers);
    const second = await as(alice).createProject({ name: 'Once' }, headers);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect((await as(alice).listProjects()).body.items).toHaveLength(1);
    expect((await as(alice).createProject({ name: 'Other' }, headers)).status).toBe(422);
  });
});

describe('listing my projects', () => {
  it('pages through them with cursors, with my role, hiding deleted projects', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await projectWith(alice, [], `Mine ${i}`));
    const shared = await projectWith(bob, [[alice, 'editor']], 'Bob’s');
    await projectWith(bob, [], 'Not mine');
    expect((await as(alice).deleteProject(mine[2]!)).status).toBe(204);

    const seen: Array<{ id: string; role: string }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await as(alice).listProjects({ limit: 2, cursor });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const item of res.body.items) for (const attribute of INTERNAL) expect(item).not.toHaveProperty(attribute);
      seen.push(...res.body.items.map((p: { id: string; role: string }) => ({ id: p.id, role: p.role })));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((p) => p.id).sort()).toEqual([mine[0], mine[1], mine[3], mine[4], shared].sort());
    expect(seen.find((p) => p.id === shared)?.role).toBe('editor');
    expect(seen.filter((p) => p.id !== shared).every((p) => p.role === 'owner')).toBe(true);
  });

  it('rejects a cursor from another list with 400', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const carol = await newUser('Carol');
    await projectWith(alice);
    await projectWith(alice);
    const projectId = await projectWith(alice, [[bob, 'viewer'], [carol, 'viewer']]);

    const alicesCursor = (await as(alice).listProjects({ limit: 1 })).body.nextCursor;
    const membersCursor = (await as(alice).listMembers(projectId, { limit: 1 })).body.nextCursor;
    expect(alicesCursor).toEqual(expect.any(String));
    expect(membersCursor).toEqual(expect.any(String));

    const bobWithAlicesCursor = await as(bob).listProjects({ cursor: alicesCursor });
    expect(bobWithAlicesCursor.status).toBe(400);
    expect(bobWithAlicesCursor.body.errors).toEqual([{ field: 'query.cursor', message: 'Invalid cursor' }]);
    expect((await as(alice).listProjects({ cursor: membersCursor })).status).toBe(400);
    const other = await projectWith(alice, [[bob, 'viewer']]);
    expect((await as(alice).listMembers(other, { cursor: membersCursor })).status).toBe(400);
    expect((await as(alice).listProjects({ cursor: 'not-a-cursor' })).status).toBe(400);
    // A hand-made cursor naming Alice's own list but not a key of it is refused too (not a 500).
    const forged = Buffer.from(JSON.stringify({ gsi1pk: `USER#${alice.userId}#PROJECTS` })).toString('base64url');
    expect((await as(alice).listProjects({ cursor: forged })).status).toBe(400);
    const outside = Buffer.from(
      JSON.stringify({ gsi1pk: `USER#${alice.userId}#PROJECTS`, gsi1sk: 'TASK#1', pk: 'PROJECT#1', sk: 'PROJECT' }),
    ).toString('base64url');
    expect((await as(alice).listProjects({ cursor: outside })).status).toBe(400);
    expect((await as(alice).listProjects({ limit: 101 })).status).toBe(400);
  });
});

describe('reading and changing one project', () => {
  it('gives members the project with an ETag, and everyone else a 404 on every route', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const mallory = await newUser('Mallory');
    const projectId = await projectWith(alice, [[bob, 'viewer']]);

    const seen = await as(bob).getProject(projectId);
    expect(seen.status).toBe(200);
    expect(seen.headers.etag).toBe('"1"');
    expect(seen.body).toMatchObject({ id: projectId, role: 'viewer' });

    const them = as(mallory);
    const statuses = [
      (await them.getProject(projectId)).status,
      (await them.updateProject(projectId, { name: 'Mine', version: 1 })).status,
      (await them.deleteProject(projectId)).status,
      (await them.listMembers(projectId)).status,
      (await them.addMember(projectId, { email: mallory.email, role: 'owner' })).status,
      (await them.updateMember(projectId, bob.userId, { role: 'owner', version: 1 })).status,
      (await them.removeMember(projectId, bob.userId)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect((await as(alice).getProject(projectId)).body).toMatchObject({ name: 'Launch', version: 1 });
  });

  it('lets viewers and editors read but not manage (403)', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const carol = await newUser('Carol');
    const projectId = await projectWith(alice, [[bob, 'editor'], [carol, 'viewer']]);
    for (const user of [bob, carol]) {
      expect((await as(user).listMembers(projectId)).body.items).toHaveLength(3);
      expect((await as(user).updateProject(projectId, { name: 'Mine', version: 1 })).status).toBe(403);
      expect((await as(user).deleteProject(projectId)).status).toBe(403);
      expect((await as(user).addMember(projectId, { email: (await newUser('Dan')).email, role: 'viewer' })).status).toBe(403);
    }
    expect((await as(carol).updateMember(projectId, carol.userId, { role: 'owner', version: 1 })).status).toBe(403);
    expect((await as(bob).removeMember(projectId, carol.userId)).status).toBe(403);
  });

  it('lets exactly one of two concurrent PATCHes on the same version win; the other gets 409', async () => {
    const alice = await newUser('Alice');
    const projectId = await projectWith(alice);
    const results = await Promise.all([
      as(alice).updateProject(projectId, { name: 'First' }, { 'if-match': '"1"' }),
      as(alice).updateProject(projectId, { name: 'Second' }, { 'if-match': '"1"' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect(winner.headers.etag).toBe('"2"');
    const now = await as(alice).getProject(projectId);
    expect(now.body).toMatchObject({ name: winner.body.name, version: 2 });
  });

  it('requires a version to update, and records who changed the project', async () => {
    const alice = await newUser('Alice');
    const projectId = await projectWith(alice);
    expect((await as(alice).updateProject(projectId, { name: 'Blind' })).status).toBe(428);
    const res = await as(alice).updateProject(projectId, { description: 'Now described', version: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Launch', description: 'Now described', version: 2 });
    expect(await rawItem(keys.project(projectId))).toMatchObject({ modifiedBy: alice.userId, version: 2 });
  });

  it('deletes softly: a tombstone with a 30-day TTL, then a 404 for everyone', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const projectId = await projectWith(alice, [[bob, 'editor']]);
    const res = await as(alice).deleteProject(projectId);
    expect(res.status).toBe(204);
    const tombstone = await rawItem(keys.project(projectId));
    expect(tombstone).toMatchObject({ deletedBy: alice.userId, modifiedBy: alice.userId, deletedAt: expect.any(String) });
    const days = (Number(tombstone?.expiresAt) - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect((await as(alice).getProject(projectId)).status).toBe(404);
    expect((await as(bob).listMembers(projectId)).status).toBe(404);
    expect((await as(alice).deleteProject(projectId)).status).toBe(404);
  });
});

describe('members', () => {
  it('adds by email with the name denormalised; unknown emails and existing members are refused', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const projectId = await projectWith(alice);
    const added = await as(alice).addMember(projectId, { email: bob.email.toUpperCase(), role: 'editor' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ projectId, userId: bob.userId, role: 'editor', name: 'Bob', email: bob.email, addedBy: alice.userId, version: 1 });
    for (const attribute of INTERNAL) expect(added.body).not.toHaveProperty(attribute);

    const unknown = await as(alice).addMember(projectId, { email: 'nobody@example.com', role: 'viewer' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('user not found');
    expect((await as(alice).addMember(projectId, { email: bob.email, role: 'viewer' })).status).toBe(409);
    expect((await as(alice).addMember(projectId, { email: bob.email, role: 'admin' })).status).toBe(400);
    expect((await as(bob).getProject(projectId)).body.role).toBe('editor');
  });

  it('keeps the last owner: it cannot leave, be demoted or removed (409)', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const projectId = await projectWith(alice, [[bob, 'editor']]);

    const leave = await as(alice).removeMember(projectId, alice.userId);
    expect(leave.status).toBe(409);
    expect(leave.body.detail).toMatch(/last owner/);
    const demote = await as(alice).updateMember(projectId, alice.userId, { role: 'viewer', version: 1 });
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/last owner/);
    expect((await as(alice).getProject(projectId)).body.role).toBe('owner');

    // With a second owner, the first may step down and leave; ownerId passes on.
    expect((await as(alice).updateMember(projectId, bob.userId, { role: 'owner' }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await as(alice).updateMember(projectId, alice.userId, { role: 'editor', version: 1 })).status).toBe(200);
    expect((await as(alice).removeMember(projectId, alice.userId)).status).toBe(204);
    expect((await as(alice).getProject(projectId)).status).toBe(404);
    expect((await as(bob).getProject(projectId)).body).toMatchObject({ role: 'owner', ownerId: bob.userId });
    expect((await rawItem(keys.project(projectId)))?.ownerCount).toBe(1);
    expect((await as(bob).removeMember(projectId, bob.userId)).status).toBe(409);
  });

  it('lets only one of two owners demoting each other at once succeed: one owner always remains', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const projectId = await projectWith(alice, [[bob, 'owner']]);
    const results = await Promise.all([
      as(alice).updateMember(projectId, bob.userId, { role: 'viewer', version: 1 }),
      as(bob).updateMember(projectId, alice.userId, { role: 'viewer', version: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const members = (await as(alice).listMembers(projectId)).body.items as Array<{ role: string }>;
    expect(members.filter((m) => m.role === 'owner')).toHaveLength(1);
    expect((await rawItem(keys.project(projectId)))?.ownerCount).toBe(1);
  });

  it('removes a member as a tombstone that says who removed them, gone from every read; they can be re-added', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    const projectId = await projectWith(alice, [[bob, 'viewer']]);
    expect((await as(alice).removeMember(projectId, bob.userId)).status).toBe(204);

    const tombstone = await rawItem(keys.member(projectId, bob.userId));
    expect(tombstone).toMatchObject({ deletedBy: alice.userId, modifiedBy: alice.userId, deletedAt: expect.any(String) });
    expect(tombstone).not.toHaveProperty('gsi1pk');
    expect(Number(tombstone?.expiresAt)).toBeGreaterThan(Date.now() / 1000);

    expect((await as(bob).getProject(projectId)).status).toBe(404);
    expect((await as(bob).listProjects()).body.items).toEqual([]);
    expect((await as(alice).listMembers(projectId)).body.items.map((m: { userId: string }) => m.userId)).toEqual([alice.userId]);
    expect((await as(alice).removeMember(projectId, bob.userId)).status).toBe(404);

    expect((await as(alice).addMember(projectId, { email: bob.email, role: 'editor' })).status).toBe(201);
    expect((await as(bob).getProject(projectId)).body.role).toBe('editor');
  });

  it('pages through members', async () => {
    const alice = await newUser('Alice');
    const others = [await newUser('Bob'), await newUser('Carol'), await newUser('Dan')];
    const projectId = await projectWith(alice, others.map((u) => [u, 'viewer'] as [TestUser, 'viewer']));
    const first = await as(alice).listMembers(projectId, { limit: 3 });
    expect(first.body.items).toHaveLength(3);
    const second = await as(alice).listMembers(projectId, { limit: 3, cursor: first.body.nextCursor });
    const all = [...first.body.items, ...second.body.items].map((m: { userId: string }) => m.userId).sort();
    expect(all).toEqual([alice, ...others].map((u) => u.userId).sort());
    expect(second.body.nextCursor).toBeUndefined();
  });
});
