// In-memory fakes of the projects ports, with the same rules the DynamoDB store enforces
// (versions, owner count ≥ 1, tombstones), so the domain rules can be tested without AWS.
import { Conflict, NotFound } from '#shared/domain/errors';
import type { Change, Membership, Page, PageRequest, Project, Role, UserProfile } from '#shared/domain/model';
import type { OwnerChange, ProjectPatch, ProjectStorePort, ProjectView, UserDirectory } from '#shared/domain/projects';

interface StoredProject extends Project {
  deletedAt?: string;
  ownerCount: number;
  modifiedBy: string;
}

export class FakeProjectStore implements ProjectStorePort {
  readonly projects = new Map<string, StoredProject>();
  readonly members = new Map<string, Membership>();
  readonly writes: string[] = [];

  private key = (projectId: string, userId: string) => `${projectId}/${userId}`;

  async access(projectId: string, userId: string) {
    const project = this.projects.get(projectId);
    const membership = this.members.get(this.key(projectId, userId));
    if (!project || project.deletedAt || !membership) return undefined;
    return { project: this.publicProject(project), membership: { ...membership } };
  }

  async member(projectId: string, userId: string) {
    const m = this.members.get(this.key(projectId, userId));
    return m && { ...m };
  }

  async create(project: Project, owner: Membership, change: Change) {
    this.writes.push('create');
    this.projects.set(project.id, { ...project, ownerCount: 1, modifiedBy: change.actorId });
    this.members.set(this.key(project.id, owner.userId), { ...owner });
  }

  async update(projectId: string, expectedVersion: number, patch: ProjectPatch, change: Change) {
    const p = this.live(projectId);
    if (p.version !== expectedVersion) throw new Conflict('stale');
    this.writes.push('update');
    Object.assign(p, patch, { version: p.version + 1, updatedAt: change.at, modifiedBy: change.actorId });
    return this.publicProject(p);
  }

  async remove(projectId: string, expectedVersion: number | undefined, change: Change) {
    const p = this.live(projectId);
    if (expectedVersion !== undefined && p.version !== expectedVersion) throw new Conflict('stale');
    this.writes.push('remove');
    Object.assign(p, { deletedAt: change.at, version: p.version + 1, modifiedBy: change.actorId });
  }

  async projectsOf(userId: string, page: PageRequest): Promise<Page<ProjectView>> {
    const items = [...this.members.values()]
      .filter((m) => m.userId === userId && !this.projects.get(m.projectId)?.deletedAt)
      .map((m) => ({ ...this.publicProject(this.projects.get(m.projectId)!), role: m.role }));
    return { items: items.slice(0, page.limit) };
  }

  async membersOf(projectId: string, page: PageRequest): Promise<Page<Membership>> {
    return { items: [...this.members.values()].filter((m) => m.projectId === projectId).slice(0, page.limit) };
  }

  async addMember(membership: Membership) {
    const k = this.key(membership.projectId, membership.userId);
    if (this.members.has(k)) throw new Conflict('This user is already a member of the project.');
    const p = this.live(membership.projectId);
    this.writes.push('addMember');
    this.members.set(k, { ...membership });
    if (membership.role === 'owner') p.ownerCount++;
    return membership;
  }

  async changeRole(target: Membership, to: Role, options: { expectedVersion: number; newOwnerId?: string }, change: Change): Promise<OwnerChange<Membership>> {
    const k = this.key(target.projectId, target.userId);
    const current = this.members.get(k);
    if (!current) throw new NotFound('member');
    if (current.version !== options.expectedVersion || current.role !== target.role) throw new Conflict('stale');
    const p = this.live(target.projectId);
    const delta = current.role === to ? 0 : to === 'owner' ? 1 : current.role === 'owner' ? -1 : 0;
    if (delta < 0 && p.ownerCount <= 1) return { ok: false, reason: 'last-owner' };
    this.writes.push('changeRole');
    p.ownerCount += delta;
    if (delta < 0 && options.newOwnerId) p.ownerId = options.newOwnerId;
    const updated = { ...current, role: to, version: current.version + 1, updatedAt: change.at };
    this.members.set(k, updated);
    return { ok: true, value: updated };
  }

  async removeMember(target: Membership, options: { newOwnerId?: string }): Promise<OwnerChange<void>> {
    const k = this.key(target.projectId, target.userId);
    const current = this.members.get(k);
    if (!current) throw new NotFound('member');
    const p = this.live(target.projectId);
    if (current.role === 'owner' && p.ownerCount <= 1) return { ok: false, reason: 'last-owner' };
    this.writes.push('removeMember');
    if (current.role === 'owner') p.ownerCount--;
    if (options.newOwnerId) p.ownerId = options.newOwnerId;
    this.members.delete(k);
    return { ok: true, value: undefined };
  }

  async anotherOwner(projectId: string, excludingUserId: string) {
    return [...this.members.values()].find((m) => m.projectId === projectId && m.role === 'owner' && m.userId !== excludingUserId)?.userId;
  }

  private live(projectId: string): StoredProject {
    const p = this.projects.get(projectId);
    if (!p || p.deletedAt) throw new NotFound('project');
    return p;
  }

  private publicProject(p: StoredProject): Project {
    const { deletedAt: _d, ownerCount: _o, modifiedBy: _m, ...project } = p;
    return { ...project };
  }
}

export class FakeUserDirectory implements UserDirectory {
  readonly users: UserProfile[] = [];

  add(id: string, email: string, name = email.split('@')[0] ?? ''): UserProfile {
    const user: UserProfile = { id, email, name, timezone: 'UTC', status: 'active', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', version: 1 };
    this.users.push(user);
    return user;
  }

  async get(userId: string) {
    return this.users.find((u) => u.id === userId);
  }

  async findByEmail(email: string) {
    return this.users.find((u) => u.email.toLowerCase() === email.toLowerCase());
  }
}
