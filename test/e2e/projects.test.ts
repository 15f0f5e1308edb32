// Projects and members over HTTP: every route, the owner/editor/viewer rights, the last-owner rule,
// optimistic locking, idempotent create, and list pagination.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { as, newUser, type TestUser } from '#test/support/api-client';
import { etagVersion, expectProblem, idsOf, ifMatch, listAll, unknownId } from '#test/support/e2e-helpers';

let owner: TestUser;
let editor: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let lister: TestUser;

beforeAll(async () => {
  [owner, editor, viewer, outsider, lister] = await Promise.all([newUser(), newUser(), newUser(), newUser(), newUser()]);
});

const createProject = async (who: TestUser, name = `Project ${randomUUID().slice(0, 8)}`, description?: string) => {
  const res = await as(who).post('/v1/projects', description === undefined ? { name } : { name, description });
  expect(res).toHaveStatus(201);
  return res.body as { id: string; name: string; version: number; ownerId: string; description: string | null };
};

/** A project of `owner` with `editor` and `viewer` added in those roles. */
const teamProject = async () => {
  const project = await createProject(owner);
  expect(await as(owner).post(`/v1/projects/${project.id}/members`, { email: editor.email, role: 'editor' })).toHaveStatus(201);
  expect(await as(owner).post(`/v1/projects/${project.id}/members`, { email: viewer.email, role: 'viewer' })).toHaveStatus(201);
  return project;
};

const membersOf = async (who: TestUser, projectId: string) => {
  const { items } = await listAll<{ userId: string; role: string; version: number; email: string }>(as(who), `/v1/projects/${projectId}/members`, 100);
  return Object.fromEntries(items.map((m) => [m.userId, m]));
};

describe('POST /v1/projects', () => {
  it('creates a project owned by the caller, who becomes its owner member', async () => {
    const res = await as(owner).post('/v1/projects', { name: '  Launch  ', description: 'Q3 launch' });
    expect(res).toHaveStatus(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      name: 'Launch',
      description: 'Q3 launch',
      ownerId: owner.userId,
      createdBy: owner.userId,
      role: 'owner',
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(etagVersion(res)).toBe(1);
    if (res.headers.location) expect(res.headers.location).toBe(`/v1/projects/${res.body.id}`);

    const members = await membersOf(owner, res.body.id);
    expect(Object.keys(members)).toEqual([owner.userId]);
    expect(members[owner.userId]).toMatchObject({ role: 'owner', email: owner.email });

    const noDescription = await createProject(owner, 'Bare');
    expect(noDescription.description).toBeNull();
  });

  it('ignores nothing it cannot honour: ownerId, role, version and timestamps are refused', async () => {
    const before = await idsOf(as(owner), '/v1/projects');
    for (const extra of [{ ownerId: outsider.userId }, { role: 'viewer' }, { version: 7 }, { createdAt: '2020-01-01T00:00:00Z' }, { id: 'mine' }]) {
      expectProblem(await as(owner).post('/v1/projects', { name: 'Sneaky', ...extra }), 400);
    }
    expectProblem(await as(owner).post('/v1/projects', { name: '' }), 400, ['body.name']);
    expectProblem(await as(owner).post('/v1/projects', { name: '   ' }), 400, ['body.name']);
    expectProblem(await as(owner).post('/v1/projects', { name: 'x'.repeat(101) }), 400, ['body.name']);
    expectProblem(await as(owner).post('/v1/projects', { name: 'ok', description: 'd'.repeat(2001) }), 400, ['body.description']);
    expectProblem(await as(owner).post('/v1/projects', {}), 400, ['body.name']);
    expect(await idsOf(as(owner), '/v1/projects')).toEqual(before);
  });

  it('honours Idempotency-Key: same key and body → same project, one write; other body → 422', async () => {
    const key = `proj-${randomUUID()}`;
    const headers = { headers: { 'idempotency-key': key } };
    const first = await as(owner).post('/v1/projects', { name: 'Once' }, headers);
    expect(first).toHaveStatus(201);
    const again = await as(owner).post('/v1/projects', { name: 'Once' }, headers);
    expect(again).toHaveStatus(201);
    expect(again.body).toEqual(first.body);
    const other = await as(owner).post('/v1/projects', { name: 'Twice' }, headers);
    expectProblem(other, 422);
    const named = (await listAll<{ name: string; id: string }>(as(owner), '/v1/projects', 100)).items.filter((p) => p.name === 'Once' || p.name === 'Twice');
    expect(named.map((p) => p.id)).toEqual([first.body.id]);

    // The key is scoped to the caller: another user with the same key gets their own project.
    const theirs = await as(outsider).post('/v1/projects', { name: 'Once' }, headers);
    expect(theirs).toHaveStatus(201);
    expect(theirs.body.id).not.toBe(first.body.id);
    expect(theirs.body.ownerId).toBe(outsider.userId);
  });
});

describe('GET /v1/projects', () => {
  it('lists exactly the projects I belong to, each with my role, page by page', async () => {
    const mine = [];
    for (let i = 0; i < 7; i += 1) mine.push((await createProject(lister, `Listed ${i}`)).id);
    const shared = await createProject(owner, 'Shared with lister');
    expect(await as(owner).post(`/v1/projects/${shared.id}/members`, { email: lister.email, role: 'viewer' })).toHaveStatus(201);
    const notMine = await createProject(outsider, 'Not for lister');

    const { items, pages } = await listAll<{ id: string; role: string }>(as(lister), '/v1/projects', 3);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const ids = items.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length); // no duplicates across pages
    expect([...ids].sort()).toEqual([...mine, shared.id].sort());
    expect(ids).not.toContain(notMine.id);
    expect(items.find((p) => p.id === shared.id)?.role).toBe('viewer');
    expect(items.filter((p) => p.id !== shared.id).every((p) => p.role === 'owner')).toBe(true);

    const first = await as(lister).get('/v1/projects?limit=3');
    expect(first.body.items).toHaveLength(3);
    expect(typeof first.body.nextCursor).toBe('string');
  });

  it('refuses a bad limit or cursor with 400 naming the query field', async () => {
    for (const limit of ['0', '101', 'ten', '-1', '2.5']) {
      expectProblem(await as(lister).get(`/v1/projects?limit=${limit}`), 400, ['query.limit']);
    }
    expectProblem(await as(lister).get('/v1/projects?cursor=not-a-cursor'), 400, ['query.cursor']);
    // A cursor from someone else's list is not accepted for mine.
    const page = await as(lister).get('/v1/projects?limit=1');
    expect(typeof page.body.nextCursor).toBe('string');
    expectProblem(await as(outsider).get(`/v1/projects?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`), 400, ['query.cursor']);
  });
});

describe('GET /v1/projects/{projectId}', () => {
  it('shows a project to each member with their own role and an ETag; 404 to others and for unknown ids', async () => {
    const project = await teamProject();
    for (const [who, role] of [
      [owner, 'owner'],
      [editor, 'editor'],
      [viewer, 'viewer'],
    ] as const) {
      const res = await as(who).get(`/v1/projects/${project.id}`);
      expect(res).toHaveStatus(200);
      expect(res.body).toMatchObject({ id: project.id, name: project.name, ownerId: owner.userId, role });
      expect(etagVersion(res)).toBe(res.body.version);
    }
    expectProblem(await as(outsider).get(`/v1/projects/${project.id}`), 404);
    expectProblem(await as(owner).get(`/v1/projects/${unknownId()}`), 404);
  });
});

describe('PATCH /v1/projects/{projectId}', () => {
  it('lets the owner rename and describe with If-Match or body.version; stale → 409, none → 428', async () => {
    const project = await createProject(owner, 'Before', 'old');
    const renamed = await as(owner).patch(`/v1/projects/${project.id}`, { name: 'After' }, ifMatch(1));
    expect(renamed).toHaveStatus(200);
    expect(renamed.body).toMatchObject({ id: project.id, name: 'After', description: 'old', version: 2, role: 'owner' });
    expect(etagVersion(renamed)).toBe(2);

    const cleared = await as(owner).patch(`/v1/projects/${project.id}`, { description: null, version: 2 });
    expect(cleared).toHaveStatus(200);
    expect(cleared.body).toMatchObject({ name: 'After', description: null, version: 3 });

    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { name: 'Stale' }, ifMatch(2)), 409);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { name: 'Blind' }), 428);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { name: 'Mixed', version: 3 }, ifMatch(2)), 400);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { ownerId: outsider.userId, version: 3 }), 400);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { version: 3 }), 400);

    const now = await as(owner).get(`/v1/projects/${project.id}`);
    expect(now.body).toMatchObject({ name: 'After', description: null, version: 3, ownerId: owner.userId });
  });

  it('refuses editors and viewers with 403, outsiders with 404, and changes nothing', async () => {
    const project = await teamProject();
    expectProblem(await as(editor).patch(`/v1/projects/${project.id}`, { name: 'By editor' }, ifMatch(1)), 403);
    expectProblem(await as(viewer).patch(`/v1/projects/${project.id}`, { name: 'By viewer' }, ifMatch(1)), 403);
    expectProblem(await as(outsider).patch(`/v1/projects/${project.id}`, { name: 'By outsider' }, ifMatch(1)), 404);
    const now = await as(owner).get(`/v1/projects/${project.id}`);
    expect(now.body).toMatchObject({ name: project.name, version: 1 });
  });
});

describe('DELETE /v1/projects/{projectId}', () => {
  it('lets only the owner delete; afterwards every route of the project answers 404 and lists drop it', async () => {
    const project = await teamProject();
    expectProblem(await as(editor).delete(`/v1/projects/${project.id}`), 403);
    expectProblem(await as(viewer).delete(`/v1/projects/${project.id}`), 403);
    expectProblem(await as(outsider).delete(`/v1/projects/${project.id}`), 404);
    expect(await as(owner).get(`/v1/projects/${project.id}`)).toHaveStatus(200);

    expectProblem(await as(owner).delete(`/v1/projects/${project.id}`, undefined, ifMatch(9)), 409);
    const deleted = await as(owner).delete(`/v1/projects/${project.id}`, undefined, ifMatch(1));
    expect(deleted).toHaveStatus(204);
    expect(deleted.body).toBeUndefined();

    for (const who of [owner, editor, viewer]) {
      expectProblem(await as(who).get(`/v1/projects/${project.id}`), 404);
      expect(await idsOf(as(who), '/v1/projects')).not.toContain(project.id);
    }
    expectProblem(await as(owner).get(`/v1/projects/${project.id}/members`), 404);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { name: 'Ghost' }, ifMatch(1)), 404);
    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: outsider.email, role: 'viewer' }), 404);
    expectProblem(await as(owner).get(`/v1/tasks?projectId=${project.id}`), 404);
    expectProblem(await as(owner).delete(`/v1/projects/${project.id}`), 404);
  });
});

describe('members', () => {
  it('lists members with their roles to every member, 404 to others', async () => {
    const project = await teamProject();
    for (const who of [owner, editor, viewer]) {
      const members = await membersOf(who, project.id);
      expect(Object.keys(members).sort()).toEqual([owner.userId, editor.userId, viewer.userId].sort());
      expect(members[owner.userId]?.role).toBe('owner');
      expect(members[editor.userId]).toMatchObject({ role: 'editor', email: editor.email, projectId: project.id, version: 1 });
      expect(members[viewer.userId]?.role).toBe('viewer');
    }
    expectProblem(await as(outsider).get(`/v1/projects/${project.id}/members`), 404);
    const paged = await listAll(as(owner), `/v1/projects/${project.id}/members`, 1);
    expect(paged.items).toHaveLength(3);
  });

  it('adds an existing account by email (owners only): 201, then the project is theirs to see', async () => {
    const project = await createProject(owner);
    const added = await as(owner).post(`/v1/projects/${project.id}/members`, { email: outsider.email.toUpperCase(), role: 'editor' });
    expect(added).toHaveStatus(201);
    expect(added.body).toMatchObject({ projectId: project.id, userId: outsider.userId, role: 'editor', email: outsider.email, addedBy: owner.userId, version: 1 });
    expect((await as(outsider).get(`/v1/projects/${project.id}`)).body.role).toBe('editor');
    expect(await idsOf(as(outsider), '/v1/projects')).toContain(project.id);

    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: outsider.email, role: 'viewer' }), 409);
    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: `nobody-${randomUUID()}@example.com`, role: 'viewer' }), 404);
    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: 'not-an-email', role: 'viewer' }), 400, ['body.email']);
    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: viewer.email, role: 'admin' }), 400, ['body.role']);
    expectProblem(await as(owner).post(`/v1/projects/${project.id}/members`, { email: viewer.email, role: 'viewer', userId: viewer.userId }), 400);
    const members = await membersOf(owner, project.id);
    expect(Object.keys(members).sort()).toEqual([owner.userId, outsider.userId].sort());
  });

  it('refuses editors and viewers adding, changing or removing members (403)', async () => {
    const project = await teamProject();
    expectProblem(await as(editor).post(`/v1/projects/${project.id}/members`, { email: outsider.email, role: 'viewer' }), 403);
    expectProblem(await as(viewer).post(`/v1/projects/${project.id}/members`, { email: outsider.email, role: 'viewer' }), 403);
    expectProblem(await as(editor).patch(`/v1/projects/${project.id}/members/${viewer.userId}`, { role: 'owner' }, ifMatch(1)), 403);
    expectProblem(await as(editor).patch(`/v1/projects/${project.id}/members/${editor.userId}`, { role: 'owner' }, ifMatch(1)), 403);
    expectProblem(await as(viewer).patch(`/v1/projects/${project.id}/members/${viewer.userId}`, { role: 'editor' }, ifMatch(1)), 403);
    expectProblem(await as(editor).delete(`/v1/projects/${project.id}/members/${viewer.userId}`), 403);
    expectProblem(await as(viewer).delete(`/v1/projects/${project.id}/members/${owner.userId}`), 403);
    const members = await membersOf(owner, project.id);
    expect(Object.keys(members)).toHaveLength(3);
    expect(members[editor.userId]).toMatchObject({ role: 'editor', version: 1 });
    expect(members[viewer.userId]).toMatchObject({ role: 'viewer', version: 1 });
  });

  it("changes a member's role with the membership's version; stale → 409, none → 428; unknown member → 404", async () => {
    const project = await teamProject();
    const url = `/v1/projects/${project.id}/members/${viewer.userId}`;
    const promoted = await as(owner).patch(url, { role: 'editor' }, ifMatch(1));
    expect(promoted).toHaveStatus(200);
    expect(promoted.body).toMatchObject({ userId: viewer.userId, role: 'editor', version: 2 });
    expect(etagVersion(promoted)).toBe(2);
    expect((await as(viewer).get(`/v1/projects/${project.id}`)).body.role).toBe('editor');

    expectProblem(await as(owner).patch(url, { role: 'viewer' }, ifMatch(1)), 409);
    expectProblem(await as(owner).patch(url, { role: 'viewer' }), 428);
    expectProblem(await as(owner).patch(url, { role: 'boss', version: 2 }), 400, ['body.role']);
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}/members/${outsider.userId}`, { role: 'viewer' }, ifMatch(1)), 404);

    const back = await as(owner).patch(url, { role: 'viewer', version: 2 });
    expect(back).toHaveStatus(200);
    expect(back.body).toMatchObject({ role: 'viewer', version: 3 });
  });

  it('removes a member (owners), lets a member leave, and both lose access', async () => {
    const project = await teamProject();
    const removed = await as(owner).delete(`/v1/projects/${project.id}/members/${viewer.userId}`);
    expect(removed).toHaveStatus(204);
    expectProblem(await as(viewer).get(`/v1/projects/${project.id}`), 404);
    expect(await idsOf(as(viewer), '/v1/projects')).not.toContain(project.id);

    const left = await as(editor).delete(`/v1/projects/${project.id}/members/${editor.userId}`);
    expect(left).toHaveStatus(204);
    expectProblem(await as(editor).get(`/v1/projects/${project.id}`), 404);

    expect(Object.keys(await membersOf(owner, project.id))).toEqual([owner.userId]);
    expectProblem(await as(owner).delete(`/v1/projects/${project.id}/members/${viewer.userId}`), 404);

    // Removed members can be added again.
    expect(await as(owner).post(`/v1/projects/${project.id}/members`, { email: viewer.email, role: 'editor' })).toHaveStatus(201);
    expect((await as(viewer).get(`/v1/projects/${project.id}`)).body.role).toBe('editor');
  });

  it('keeps at least one owner: the last owner can neither leave nor be demoted; with a second owner they can', async () => {
    const project = await teamProject();
    const self = `/v1/projects/${project.id}/members/${owner.userId}`;
    expectProblem(await as(owner).delete(self), 409);
    expectProblem(await as(owner).patch(self, { role: 'editor' }, ifMatch(1)), 409);
    expect((await membersOf(owner, project.id))[owner.userId]).toMatchObject({ role: 'owner' });

    // Make the editor an owner: now the first owner may step down, and then leave.
    const editorMember = (await membersOf(owner, project.id))[editor.userId]!;
    expect(await as(owner).patch(`/v1/projects/${project.id}/members/${editor.userId}`, { role: 'owner' }, ifMatch(editorMember.version))).toHaveStatus(200);
    expect((await as(editor).get(`/v1/projects/${project.id}`)).body.role).toBe('owner');

    const ownerMember = (await membersOf(owner, project.id))[owner.userId]!;
    const demoted = await as(owner).patch(self, { role: 'editor' }, ifMatch(ownerMember.version));
    expect(demoted).toHaveStatus(200);
    expect(demoted.body.role).toBe('editor');
    expectProblem(await as(owner).patch(`/v1/projects/${project.id}`, { name: 'Not mine anymore' }, ifMatch(1)), 403);

    // The remaining owner is the last one now.
    expectProblem(await as(editor).delete(`/v1/projects/${project.id}/members/${editor.userId}`), 409);
    expect(await as(owner).delete(self)).toHaveStatus(204);
    expectProblem(await as(owner).get(`/v1/projects/${project.id}`), 404);
    const now = await as(editor).get(`/v1/projects/${project.id}`);
    expect(now).toHaveStatus(200);
    expect(now.body.ownerId).toBe(editor.userId);
  });
});
