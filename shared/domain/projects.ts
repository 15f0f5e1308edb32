// Projects and memberships: who may do what. Pure — the store ports are passed in, no AWS here.
import { Conflict, Forbidden, NotFound } from '#shared/domain/errors';
import type { Change, Membership, Page, PageRequest, Project, Role, UserProfile } from '#shared/domain/model';

/** The verified caller (structurally the http layer's Caller). */
export interface Actor {
  userId: string;
  email: string;
}

/** A project as one of its members sees it: with the caller's own role. */
export type ProjectView = Project & { role: Role };

export interface ProjectAccess {
  project: Project;
  membership: Membership;
}

/** Outcome of a membership change that may take away an owner. */
export type OwnerChange<T> = { ok: true; value: T } | { ok: false; reason: 'last-owner' };

/** The persistence port of this context (implemented by shared/store/project-store.ts). */
export interface ProjectStorePort {
  /** The project and the user's membership; undefined if the project is missing or deleted, or the user is no member. */
  access(projectId: string, userId: string): Promise<ProjectAccess | undefined>;
  /** One live membership, or undefined. */
  member(projectId: string, userId: string): Promise<Membership | undefined>;
  /** Creates the project and its first owner's membership atomically. */
  create(project: Project, owner: Membership, change: Change): Promise<void>;
  /** Conflict when the version is stale (or the project is gone). */
  update(projectId: string, expectedVersion: number, patch: ProjectPatch, change: Change): Promise<Project>;
  /** Tombstones the project. Conflict when `expectedVersion` is given and stale. */
  remove(projectId: string, expectedVersion: number | undefined, change: Change): Promise<void>;
  /** Projects the user belongs to (live ones only), with the user's role. */
  projectsOf(userId: string, page: PageRequest): Promise<Page<ProjectView>>;
  membersOf(projectId: string, page: PageRequest): Promise<Page<Membership>>;
  /** Adds a membership (an owner also raises the project's owner count). Conflict when already a member. */
  addMember(membership: Membership, change: Change): Promise<Membership>;
  /**
   * Changes a member's role from `from` to `to`; Conflict when the membership moved on (version or role).
   * Taking away an owner keeps the project's owner count ≥ 1, or answers `last-owner`.
   */
  changeRole(
    target: Membership,
    to: Role,
    options: { expectedVersion: number; newOwnerId?: string },
    change: Change,
  ): Promise<OwnerChange<Membership>>;
  /** Removes a membership (see docs/data-model.md: a short-lived tombstone); same owner-count rule. */
  removeMember(target: Membership, options: { newOwnerId?: string }, change: Change): Promise<OwnerChange<void>>;
  /** Another owner of the project than `excludingUserId`, if any (to hand over `ownerId`). */
  anotherOwner(projectId: string, excludingUserId: string): Promise<string | undefined>;
}

/** The slice of the user directory this context needs (implemented by shared/store/user-store.ts). */
export interface UserDirectory {
  get(userId: string): Promise<UserProfile | undefined>;
  findByEmail(email: string): Promise<UserProfile | undefined>;
}

export interface ProjectPatch {
  name?: string;
  /** null clears the description. */
  description?: string | null;
}

export interface CreateProjectInput {
  name: string;
  description?: string | null;
}

export interface AddMemberInput {
  email: string;
  role: Role;
}

export const LAST_OWNER_MESSAGES = {
  leave: 'You are the last owner of this project and cannot leave it: make another member an owner first, or delete the project.',
  remove: 'This member is the last owner of the project and cannot be removed: make another member an owner first.',
  demote: 'This member is the last owner of the project and cannot be demoted: make another member an owner first.',
} as const;

/** The change context of a request: who, in which request, when. */
export const changeOf = (actor: Actor, requestId: string, at: Date = new Date()): Change => ({
  actorId: actor.userId,
  requestId,
  at: at.toISOString(),
});

const projectNotFound = () => new NotFound('project', 'Project not found.');

/** The caller's access, or a 404 that does not reveal whether the project exists. */
const requireAccess = async (store: ProjectStorePort, actor: Actor, projectId: string): Promise<ProjectAccess> => {
  const found = await store.access(projectId, actor.userId);
  if (!found) throw projectNotFound();
  return found;
};

const requireOwner = (access: ProjectAccess, action: string): void => {
  if (access.membership.role !== 'owner') throw new Forbidden(`Only owners can ${action}.`);
};

const view = (project: Project, role: Role): ProjectView => ({ ...project, role });

export const createProject = async (
  deps: { projects: ProjectStorePort; users: UserDirectory; newId: () => string },
  actor: Actor,
  input: CreateProjectInput,
  change: Change,
): Promise<ProjectView> => {
  // The owner's name and email are denormalised onto the membership, for member lists.
  const profile = await deps.users.get(actor.userId);
  const project: Project = {
    id: deps.newId(),
    name: input.name,
    description: input.description ?? null,
    ownerId: actor.userId,
    createdBy: actor.userId,
    createdAt: change.at,
    updatedAt: change.at,
    version: 1,
  };
  const owner: Membership = {
    projectId: project.id,
    userId: actor.userId,
    role: 'owner',
    email: profile?.email ?? actor.email,
    name: profile?.name ?? '',
    addedBy: actor.userId,
    createdAt: change.at,
    updatedAt: change.at,
    version: 1,
  };
  await deps.projects.create(project, owner, change);
  return view(project, 'owner');
};

export const listMyProjects = (store: ProjectStorePort, actor: Actor, page: PageRequest): Promise<Page<ProjectView>> =>
  store.projectsOf(actor.userId, page);

export const getProject = async (store: ProjectStorePort, actor: Actor, projectId: string): Promise<ProjectView> => {
  const { project, membership } = await requireAccess(store, actor, projectId);
  return view(project, membership.role);
};

export const updateProject = async (
  store: ProjectStorePort,
  actor: Actor,
  projectId: string,
  patch: ProjectPatch,
  expectedVersion: number,
  change: Change,
): Promise<ProjectView> => {
  const access = await requireAccess(store, actor, projectId);
  requireOwner(access, 'rename or describe the project');
  if (access.project.version !== expectedVersion) throw staleVersion(access.project.version);
  const project = await store.update(projectId, expectedVersion, patch, change);
  return view(project, access.membership.role);
};

export const deleteProject = async (
  store: ProjectStorePort,
  actor: Actor,
  projectId: string,
  expectedVersion: number | undefined,
  change: Change,
): Promise<void> => {
  const access = await requireAccess(store, actor, projectId);
  requireOwner(access, 'delete the project');
  if (expectedVersion !== undefined && access.project.version !== expectedVersion) throw staleVersion(access.project.version);
  await store.remove(projectId, expectedVersion, change);
};

export const listMembers = async (store: ProjectStorePort, actor: Actor, projectId: string, page: PageRequest): Promise<Page<Membership>> => {
  await requireAccess(store, actor, projectId);
  return store.membersOf(projectId, page);
};

export const addMember = async (
  deps: { projects: ProjectStorePort; users: UserDirectory },
  actor: Actor,
  projectId: string,
  input: AddMemberInput,
  change: Change,
): Promise<Membership> => {
  const access = await requireAccess(deps.projects, actor, projectId);
  requireOwner(access, 'add members');
  const user = await deps.users.findByEmail(input.email);
  if (!user) throw new NotFound('user', 'user not found');
  return deps.projects.addMember(
    {
      projectId,
      userId: user.id,
      role: input.role,
      email: user.email,
      name: user.name,
      addedBy: actor.userId,
      createdAt: change.at,
      updatedAt: change.at,
      version: 1,
    },
    change,
  );
};

const memberNotFound = () => new NotFound('member', 'This user is not a member of the project.');

const staleVersion = (current: number) =>
  new Conflict(`The resource has changed (current version ${current}); reload it and apply your change again.`, { currentVersion: current });

/** Who `ownerId` passes to when `target` stops being an owner (undefined: it stays). */
const handOver = async (store: ProjectStorePort, access: ProjectAccess, actor: Actor, target: Membership): Promise<string | undefined> => {
  if (target.role !== 'owner' || access.project.ownerId !== target.userId) return undefined;
  // Someone else changing the target is an owner (checked); the target changing itself needs another owner.
  if (actor.userId !== target.userId) return actor.userId;
  return store.anotherOwner(access.project.id, target.userId);
};

export const updateMember = async (
  store: ProjectStorePort,
  actor: Actor,
  projectId: string,
  userId: string,
  input: { role: Role },
  expectedVersion: number,
  change: Change,
): Promise<Membership> => {
  const access = await requireAccess(store, actor, projectId);
  requireOwner(access, "change members' roles");
  const target = userId === actor.userId ? access.membership : await store.member(projectId, userId);
  if (!target) throw memberNotFound();
  if (target.version !== expectedVersion) throw staleVersion(target.version);
  const newOwnerId = input.role === 'owner' ? undefined : await handOver(store, access, actor, target);
  const result = await store.changeRole(target, input.role, { expectedVersion, newOwnerId }, change);
  if (!result.ok) throw new Conflict(LAST_OWNER_MESSAGES.demote);
  return result.value;
};

export const removeMember = async (
  store: ProjectStorePort,
  actor: Actor,
  projectId: string,
  userId: string,
  change: Change,
): Promise<void> => {
  const access = await requireAccess(store, actor, projectId);
  const leaving = userId === actor.userId;
  if (!leaving) requireOwner(access, 'remove other members');
  const target = leaving ? access.membership : await store.member(projectId, userId);
  if (!target) throw memberNotFound();
  const newOwnerId = await handOver(store, access, actor, target);
  const result = await store.removeMember(target, { newOwnerId }, change);
  if (!result.ok) throw new Conflict(leaving ? LAST_OWNER_MESSAGES.leave : LAST_OWNER_MESSAGES.remove);
};
