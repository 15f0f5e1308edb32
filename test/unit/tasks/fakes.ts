// In-memory fakes of the task use cases' ports: the same contract as shared/store, no AWS.
import { NotFound } from '#shared/domain/errors';
import type { Change, Membership, Page, Project, Role, Task } from '#shared/domain/model';
import { staleVersion, type ProjectAccessPort, type StoredTask, type TaskListQuery, type TaskPorts, type TaskStorePort, type TrashedTask } from '#shared/domain/tasks';

type Stored = StoredTask & { modifiedBy: string; requestId: string };

export class FakeTaskStore implements TaskStorePort {
  readonly items = new Map<string, Stored>();
  readonly lists: TaskListQuery[] = [];
  /** What list() answers (the store's own filtering is tested against DynamoDB Local). */
  listResult: Page<Task> = { items: [] };

  async get(taskId: string) {
    const item = this.items.get(taskId);
    return item && structuredClone(item);
  }

  async create(task: Task, change: Change) {
    this.items.set(task.id, { ...structuredClone(task), modifiedBy: change.actorId, requestId: change.requestId } as Stored);
  }

  private write(next: Task | TrashedTask, expectedVersion: number, inTrash: boolean, change: Change) {
    const current = this.items.get(next.id);
    if (!current || (current.deletedAt !== undefined) !== inTrash) throw new NotFound('task');
    if (current.version !== expectedVersion) throw staleVersion(current.version);
    this.items.set(next.id, { ...structuredClone(next), modifiedBy: change.actorId, requestId: change.requestId } as Stored);
  }

  async replace(next: Task, expectedVersion: number, change: Change) {
    this.write(next, expectedVersion, false, change);
  }

  async trash(next: TrashedTask, expectedVersion: number, change: Change) {
    this.write(next, expectedVersion, false, change);
  }

  async restore(next: Task, expectedVersion: number, change: Change) {
    this.write(next, expectedVersion, true, change);
  }

  async list(query: TaskListQuery) {
    this.lists.push(query);
    return this.listResult;
  }
}

export class FakeProjects implements ProjectAccessPort {
  readonly roles = new Map<string, Role>();
  accessCalls = 0;

  add(projectId: string, userId: string, role: Role) {
    this.roles.set(`${projectId}/${userId}`, role);
  }

  remove(projectId: string, userId: string) {
    this.roles.delete(`${projectId}/${userId}`);
  }

  async access(projectId: string, userId: string): Promise<{ project: Project; membership: Membership } | undefined> {
    this.accessCalls++;
    const role = this.roles.get(`${projectId}/${userId}`);
    if (!role) return undefined;
    const at = '2030-01-01T00:00:00.000Z';
    return {
      project: { id: projectId, name: 'p', description: null, ownerId: 'o', createdBy: 'o', createdAt: at, updatedAt: at, version: 1 },
      membership: { projectId, userId, role, email: '', name: '', addedBy: 'o', createdAt: at, updatedAt: at, version: 1 },
    };
  }
}

export const fakePorts = () => {
  let n = 0;
  const tasks = new FakeTaskStore();
  const projects = new FakeProjects();
  const ports: TaskPorts = { tasks, projects, newId: () => `T${String(++n).padStart(3, '0')}` };
  return { tasks, projects, ports };
};

export const changeAt = (actorId: string, at = '2030-01-01T00:00:00.000Z', requestId = 'req-1'): Change => ({ actorId, requestId, at });
