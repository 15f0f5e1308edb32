import { beforeEach, describe, expect, it } from 'vitest';
import {
  addMember,
  changeOf,
  createProject,
  deleteProject,
  getProject,
  LAST_OWNER_MESSAGES,
  listMembers,
  removeMember,
  updateMember,
  updateProject,
  type Actor,
} from '#shared/domain/projects';
import { FakeProjectStore, FakeUserDirectory } from './fake-stores.ts';

const alice: Actor = { userId: 'u-alice', email: 'alice@example.com' };
const bob: Actor = { userId: 'u-bob', email: 'bob@example.com' };
const carol: Actor = { userId: 'u-carol', email: 'carol@example.com' };
const mallory: Actor = { userId: 'u-mallory', email: 'mallory@example.com' };

const change = (actor: Actor) => changeOf(actor, `req-${actor.userId}`, new Date('2025-01-02T03:04:05.000Z'));

let store: FakeProjectStore;
let users: FakeUserDirectory;
let ids: number;

const setup = async () => {
  const project = await createProject({ projects: store, users, newId: () => `p${++ids}` }, alice, { name: 'Launch' }, change(alice));
  await addMember({ projects: store, users }, alice, project.id, { email: bob.email, role: 'editor' }, change(alice));
  await addMember({ projects: store, users }, alice, project.id, { email: carol.email, role: 'viewer' }, change(alice));
  return project;
};

beforeEach(() => {
  store = new FakeProjectStore();
  users = new FakeUserDirectory();
  ids = 0;
  users.add(alice.userId, alice.email, 'Alice');
  users.add(bob.userId, bob.email, 'Bob');
  users.add(carol.userId, carol.email, 'Carol');
  users.add(mallory.userId, mallory.email, 'Mallory');
});

describe('creating a project', () => {
  it('makes the creator its owner, with their profile name on the membership', async () => {
    const project = await createProject({ projects: store, users, newId: () => 'p1' }, alice, { name: 'Launch', description: 'Q3' }, change(alice));
    expect(project).toMatchObject({ id: 'p1', name: 'Launch', description: 'Q3', ownerId: alice.userId, createdBy: alice.userId, role: 'owner', version: 1 });
    expect(await store.member('p1', alice.userId)).toMatchObject({ role: 'owner', name: 'Alice', email: alice.email, addedBy: alice.userId });
  });
});

describe('who may see a project', () => {
  it('shows it to every member with their own role', async () => {
    const project = await setup();
    await expect(getProject(store, bob, project.id)).resolves.toMatchObject({ id: project.id, role: 'editor' });
    await expect(getProject(store, carol, project.id)).resolves.toMatchObject({ role: 'viewer' });
    await expect(listMembers(store, carol, project.id, { limit: 20 })).resolves.toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ userId: bob.userId })]) });
  });

  it('is a 404 for a non-member on every operation, and writes nothing', async () => {
    const project = await setup();
    const c = change(mallory);
    const attempts = [
      getProject(store, mallory, project.id),
      listMembers(store, mallory, project.id, { limit: 20 }),
      updateProject(store, mallory, project.id, { name: 'x' }, 1, c),
      deleteProject(store, mallory, project.id, undefined, c),
      addMember({ projects: store, users }, mallory, project.id, { email: mallory.email, role: 'owner' }, c),
      updateMember(store, mallory, project.id, bob.userId, { role: 'owner' }, 1, c),
      removeMember(store, mallory, project.id, bob.userId, c),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ kind: 'not-found' });
    expect(store.writes).toEqual(['create', 'addMember', 'addMember']);
  });

  it('is a 404 once the project is deleted', async () => {
    const project = await setup();
    await deleteProject(store, alice, project.id, undefined, change(alice));
    await expect(getProject(store, alice, project.id)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(getProject(store, bob, project.id)).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('what only owners may do', () => {
  it('forbids editors and viewers to manage the project (403: they can see it)', async () => {
    const project = await setup();
    for (const actor of [bob, carol]) {
      const c = change(actor);
      await expect(updateProject(store, actor, project.id, { name: 'mine' }, 1, c)).rejects.toMatchObject({ kind: 'forbidden' });
      await expect(deleteProject(store, actor, project.id, undefined, c)).rejects.toMatchObject({ kind: 'forbidden' });
      await expect(addMember({ projects: store, users }, actor, project.id, { email: mallory.email, role: 'viewer' }, c)).rejects.toMatchObject({ kind: 'forbidden' });
      await expect(updateMember(store, actor, project.id, actor.userId, { role: 'owner' }, 1, c)).rejects.toMatchObject({ kind: 'forbidden' });
    }
    await expect(removeMember(store, bob, project.id, carol.userId, change(bob))).rejects.toMatchObject({ kind: 'forbidden' });
    expect(store.writes).toEqual(['create', 'addMember', 'addMember']);
  });

  it('lets an owner rename, and answers a stale version with a conflict', async () => {
    const project = await setup();
    const renamed = await updateProject(store, alice, project.id, { name: 'Liftoff', description: null }, 1, change(alice));
    expect(renamed).toMatchObject({ name: 'Liftoff', description: null, version: 2, role: 'owner' });
    await expect(updateProject(store, alice, project.id, { name: 'Again' }, 1, change(alice))).rejects.toMatchObject({ kind: 'conflict' });
  });
});

describe('adding members', () => {
  it('answers an unknown email with 404 user not found', async () => {
    const project = await setup();
    await expect(addMember({ projects: store, users }, alice, project.id, { email: 'nobody@example.com', role: 'viewer' }, change(alice))).rejects.toMatchObject({
      kind: 'not-found',
      message: 'user not found',
    });
  });

  it('answers an existing member with a conflict', async () => {
    const project = await setup();
    await expect(addMember({ projects: store, users }, alice, project.id, { email: bob.email, role: 'viewer' }, change(alice))).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('denormalises the member\'s name and email, and may add another owner', async () => {
    const project = await setup();
    const member = await addMember({ projects: store, users }, alice, project.id, { email: mallory.email, role: 'owner' }, change(alice));
    expect(member).toMatchObject({ userId: mallory.userId, role: 'owner', name: 'Mallory', email: mallory.email, addedBy: alice.userId, version: 1 });
  });
});

describe('the last owner', () => {
  it('cannot leave', async () => {
    const project = await setup();
    await expect(removeMember(store, alice, project.id, alice.userId, change(alice))).rejects.toMatchObject({ kind: 'conflict', message: LAST_OWNER_MESSAGES.leave });
    await expect(getProject(store, alice, project.id)).resolves.toMatchObject({ role: 'owner' });
  });

  it('cannot be demoted', async () => {
    const project = await setup();
    await expect(updateMember(store, alice, project.id, alice.userId, { role: 'editor' }, 1, change(alice))).rejects.toMatchObject({
      kind: 'conflict',
      message: LAST_OWNER_MESSAGES.demote,
    });
  });

  it('can leave once another member is an owner, and hands over ownerId', async () => {
    const project = await setup();
    await updateMember(store, alice, project.id, bob.userId, { role: 'owner' }, 1, change(alice));
    await removeMember(store, alice, project.id, alice.userId, change(alice));
    await expect(getProject(store, alice, project.id)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(getProject(store, bob, project.id)).resolves.toMatchObject({ role: 'owner', ownerId: bob.userId });
  });
});

describe('leaving and removing', () => {
  it('lets any member leave', async () => {
    const project = await setup();
    await removeMember(store, carol, project.id, carol.userId, change(carol));
    await expect(getProject(store, carol, project.id)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('lets an owner remove a member, and 404s a user who is not one', async () => {
    const project = await setup();
    await removeMember(store, alice, project.id, bob.userId, change(alice));
    await expect(getProject(store, bob, project.id)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(removeMember(store, alice, project.id, mallory.userId, change(alice))).rejects.toMatchObject({ kind: 'not-found' });
    await expect(updateMember(store, alice, project.id, mallory.userId, { role: 'viewer' }, 1, change(alice))).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('answers a stale membership version with a conflict', async () => {
    const project = await setup();
    await updateMember(store, alice, project.id, bob.userId, { role: 'viewer' }, 1, change(alice));
    await expect(updateMember(store, alice, project.id, bob.userId, { role: 'owner' }, 1, change(alice))).rejects.toMatchObject({ kind: 'conflict' });
  });
});
