// Your data through the HTTP API: the export holds your data and nobody else's; deleting the account needs the
// password, is refused while you are a project's only owner, and afterwards nothing of you logs in or remains.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, as, login, newUser, type TestUser } from '#test/support/api-client';
import { expectGatewayDenied, expectProblem, rawItem } from '#test/support/e2e-helpers';
import { WAIT, auditOf } from '#test/support/e2e-events';
import { localStack } from '#test/support/local-stack';

const createProject = async (owner: TestUser, name: string) => {
  const res = await as(owner).post('/v1/projects', { name });
  expect(res).toHaveStatus(201);
  return res.body as { id: string; name: string };
};

const addMember = async (owner: TestUser, projectId: string, member: TestUser, role: 'owner' | 'editor' | 'viewer') =>
  expect(await as(owner).post(`/v1/projects/${projectId}/members`, { email: member.email, role })).toHaveStatus(201);

const createTask = async (user: TestUser, body: Record<string, unknown>) => {
  const res = await as(user).post('/v1/tasks', body);
  expect(res).toHaveStatus(201);
  return res.body as { id: string };
};

describe('GET /v1/me/export', () => {
  let alice: TestUser;
  let bob: TestUser;
  let shared: { id: string };
  let bobsOwn: { id: string };

  beforeAll(async () => {
    [alice, bob] = await Promise.all([newUser(), newUser()]);
    shared = await createProject(bob, 'Shared with Alice');
    bobsOwn = await createProject(bob, 'Bob alone');
    await addMember(bob, shared.id, alice, 'editor');
  });

  it('holds my profile, settings, projects with my role, the tasks I created or am assigned — and nothing of another user', async () => {
    const mine = await createTask(alice, { title: 'alice private' });
    const trashed = await createTask(alice, { title: 'alice trashed' });
    expect(await as(alice).delete(`/v1/tasks/${trashed.id}`)).toHaveStatus(204);
    const written = await createTask(alice, { title: 'alice in shared', projectId: shared.id });
    const assigned = await createTask(bob, { title: 'bob assigns alice', projectId: shared.id, assigneeId: alice.userId });
    const bobsInShared = await createTask(bob, { title: 'bob only', projectId: shared.id });
    const bobsPrivate = await createTask(bob, { title: 'bob private' });
    const bobsElsewhere = await createTask(bob, { title: 'bob elsewhere', projectId: bobsOwn.id });

    const res = await as(alice).get('/v1/me/export');
    expect(res).toHaveStatus(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.body;
    expect(data.profile).toMatchObject({ id: alice.userId, email: alice.email, name: alice.name });
    expect(data.notificationSettings).toMatchObject({ email: expect.any(Object) });
    expect(data.projects).toEqual([expect.objectContaining({ project: expect.objectContaining({ id: shared.id }), role: 'editor' })]);
    const created = data.tasks.created.map((t: { id: string }) => t.id).sort();
    expect(created).toEqual([mine.id, trashed.id, written.id].sort());
    expect(data.tasks.created.find((t: { id: string }) => t.id === trashed.id).deletedAt).toEqual(expect.any(String));
    expect(data.tasks.assigned.map((t: { id: string }) => t.id)).toEqual([assigned.id]);

    const text = JSON.stringify(data);
    for (const other of [bobsInShared.id, bobsPrivate.id, bobsElsewhere.id, bobsOwn.id, bob.email]) expect(text).not.toContain(other);
  });

  it('lists the notifications I received and the audit records of my own changes only', async () => {
    await expect
      .poll(async () => (await as(alice).get('/v1/me/export')).body.notifications.length, { timeout: 30_000, interval: 500 })
      .toBeGreaterThan(0);
    await expect
      .poll(async () => (await as(alice).get('/v1/me/export')).body.auditRecords.length, { timeout: 30_000, interval: 500 })
      .toBeGreaterThan(0);
    const { body } = await as(alice).get('/v1/me/export');
    expect(body.auditRecords.every((r: { actor: { userId: string } }) => r.actor.userId === alice.userId)).toBe(true);
    expect(JSON.stringify(body.notifications)).not.toContain(bob.email);
  });
});

describe('DELETE /v1/me', () => {
  it('a wrong password is refused and deletes nothing', async () => {
    const carol = await newUser();
    const task = await createTask(carol, { title: 'keep me' });
    expectProblem(await as(carol).delete('/v1/me', { password: 'not-the-password-1A!' }), 403);
    expectProblem(await as(carol).delete('/v1/me', {}), 400, ['body.password']);
    expect(await as(carol).get('/v1/me')).toHaveStatus(200);
    expect(await as(carol).get(`/v1/tasks/${task.id}`)).toHaveStatus(200);
    expect(await login(carol)).toMatchObject({ accessToken: expect.any(String) });
  });

  it('the only owner of a project is refused with 409 listing the project, and nothing is deleted', async () => {
    const dave = await newUser();
    const project = await createProject(dave, 'Only Dave owns this');
    const res = await as(dave).delete('/v1/me', { password: dave.password });
    expectProblem(res, 409);
    expect(res.body.type).toMatch(/sole-owner$/);
    expect(res.body.projects).toEqual([{ id: project.id, name: 'Only Dave owns this' }]);
    expect(await as(dave).get('/v1/me')).toHaveStatus(200);
    expect(await as(dave).get(`/v1/projects/${project.id}`)).toHaveStatus(200);
  });

  it('after deletion the login fails, the old token is refused, the data is gone and the projects keep going without me', async () => {
    const [erin, frank] = await Promise.all([newUser(), newUser()]);
    const project = await createProject(frank, 'Frank and Erin');
    await addMember(frank, project.id, erin, 'owner');
    const coOwned = await createProject(erin, 'Erin then Frank');
    await addMember(erin, coOwned.id, frank, 'owner');
    const privateTask = await createTask(erin, { title: 'erin private' });
    const projectTask = await createTask(erin, { title: 'erin wrote this for the team', projectId: project.id });

    expect(await as(erin).delete('/v1/me', { password: erin.password })).toHaveStatus(204);

    const relogin = await api.post('/v1/auth/login', { email: erin.email, password: erin.password });
    expectProblem(relogin, 401);
    expectGatewayDenied(await as(erin).get('/v1/me'));
    expect(await api.post('/v1/auth/refresh', { refreshToken: erin.refreshToken })).not.toHaveStatus(200);

    expect(await rawItem({ pk: `USER#${erin.userId}`, sk: 'PROFILE' })).toBeUndefined();
    expect(await rawItem({ pk: `EMAIL#${erin.email}`, sk: 'EMAIL' })).toBeUndefined();
    expect(await rawItem({ pk: `USER#${erin.userId}`, sk: 'NOTIFICATION_SETTINGS' })).toBeUndefined();
    expect(await rawItem({ pk: `TASK#${privateTask.id}`, sk: 'TASK' })).toBeUndefined();

    // The team's work stays; Erin is no longer a member, and the project she created is Frank's now.
    expect(await as(frank).get(`/v1/tasks/${projectTask.id}`)).toHaveStatus(200);
    const members = (await as(frank).get(`/v1/projects/${project.id}/members`)).body.items.map((m: { userId: string }) => m.userId);
    expect(members).not.toContain(erin.userId);
    const handedOver = await as(frank).get(`/v1/projects/${coOwned.id}`);
    expect(handedOver).toHaveStatus(200);
    expect(handedOver.body.ownerId).toBe(frank.userId);

    // The audit log keeps what happened under Erin's opaque id, and nothing that says who she was.
    await expect.poll(async () => (await auditOf({ entityType: 'User', entityId: erin.userId })).map((r) => r.type), WAIT).toContain('UserDeleted');
    const records = [
      ...(await auditOf({ entityType: 'User', entityId: erin.userId })),
      ...(await auditOf({ actorId: erin.userId })),
      ...(await auditOf({ entityType: 'Membership', entityId: `${project.id}:${erin.userId}` })),
    ];
    expect(records.length).toBeGreaterThan(3);
    expect(JSON.stringify(records)).not.toContain(erin.email);
    expect(JSON.stringify(records)).not.toContain(erin.name);

    // The email is free again: it signs up, confirms and logs in as a new account.
    expect(await api.post('/v1/auth/register', { email: erin.email, password: erin.password, name: 'Someone new' })).toHaveStatus(202);
    expect(await api.post('/v1/auth/confirm', { email: erin.email, code: localStack().confirmationCode })).toHaveStatus(200);
    const again = await api.post('/v1/auth/login', { email: erin.email, password: erin.password });
    expect(again).toHaveStatus(200);
    const me = await as(again.body.accessToken).get('/v1/me');
    expect(me.body).toMatchObject({ email: erin.email, name: 'Someone new' });
    expect(me.body.id).not.toBe(erin.userId);
  });
});
