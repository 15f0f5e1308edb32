// Tasks: who may see and change them, and what a change does. Pure — the store ports are passed
// in, no AWS here. Every write names the version it expects; the store turns a stale one into a
// Conflict and a missing/trashed item into a NotFound.
import { Conflict, Forbidden, NotFound, ValidationFailed } from '#shared/domain/errors';
import type { Change, Membership, Page, Project, ReminderInput, Task, TaskPriority, TaskStatus, TaskView } from '#shared/domain/model';
import { DEFAULT_REMINDERS, isOverdue, planReminders, scheduleChanged, validateReminders } from '#shared/domain/reminders';

/** The verified caller (structurally the http layer's Caller). */
export interface Actor {
  userId: string;
}

/** How long a trashed task can be restored; then the table's TTL removes it. */
export const TRASH_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** A task in the trash. */
export interface TrashedTask extends Task {
  deletedAt: string;
  deletedBy: string;
  /** Epoch seconds; the TTL attribute. */
  expiresAt: number;
}

/** What the store holds under a task id: a live task, or one in the trash. */
export type StoredTask = (Task & { deletedAt?: undefined }) | TrashedTask;

export type TaskScope =
  | { kind: 'project'; projectId: string }
  | { kind: 'private'; userId: string }
  | { kind: 'assignee'; userId: string };

export interface TaskFilters {
  status?: TaskStatus;
  priority?: TaskPriority;
  assigneeId?: string;
  tag?: string;
  /** UTC ISO, inclusive. */
  dueBefore?: string;
  /** UTC ISO, inclusive. */
  dueAfter?: string;
}

export interface TaskListQuery {
  scope: TaskScope;
  filters: TaskFilters;
  limit: number;
  cursor?: string;
}

/** The persistence port of this context (implemented by shared/store/task-store.ts). */
export interface TaskStorePort {
  /** The task, live or trashed (strongly consistent); undefined when there is none. */
  get(taskId: string): Promise<StoredTask | undefined>;
  create(task: Task, change: Change): Promise<void>;
  /** Writes the next state of a live task. Conflict if its version is no longer `expectedVersion`; NotFound if gone or trashed. */
  replace(next: Task, expectedVersion: number, change: Change): Promise<void>;
  /** Moves a live task to the trash. Same errors as replace. */
  trash(next: TrashedTask, expectedVersion: number, change: Change): Promise<void>;
  /** Brings a trashed task back. Conflict on a stale version; NotFound if it is not in the trash. */
  restore(next: Task, expectedVersion: number, change: Change): Promise<void>;
  /** One page of one list (a Query; filters may leave a page short of `limit`). */
  list(query: TaskListQuery): Promise<Page<Task>>;
}

/** The slice of the projects context this one needs (shared/store/project-store.ts). */
export interface ProjectAccessPort {
  access(projectId: string, userId: string): Promise<{ project: Project; membership: Membership } | undefined>;
}

export interface TaskPorts {
  tasks: TaskStorePort;
  projects: ProjectAccessPort;
  newId: () => string;
  /** The reminders a user's new dated tasks get when the request names none (their notification settings). */
  defaultReminders?: (userId: string) => Promise<readonly ReminderInput[]>;
}

export interface CreateTaskInput {
  title: string;
  description?: string | null;
  projectId?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueAt?: string | null;
  tags?: string[];
  assigneeId?: string | null;
  reminders?: ReminderInput[];
}

export interface TaskPatch {
  title?: string;
  description?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueAt?: string | null;
  tags?: string[];
  assigneeId?: string | null;
  reminders?: ReminderInput[];
}

export interface ListTasksInput extends TaskFilters {
  projectId?: string;
  limit: number;
  cursor?: string;
}

// ---- rules ----

const taskNotFound = () => new NotFound('task', 'Task not found.');
const projectNotFound = () => new NotFound('project', 'Project not found.');

export const staleVersion = (current: number) =>
  new Conflict(`The task has changed (current version ${current}); reload it and apply your change again.`, { currentVersion: current });

/** Tags trimmed, lower-cased, deduplicated, in the order given. */
export const normaliseTags = (tags: readonly string[]): string[] => [...new Set(tags.map((t) => t.trim().toLowerCase()))];

/** An ISO date-time with any offset, as a UTC ISO string (`…Z`, milliseconds). */
export const toUtc = (dateTime: string): string => new Date(dateTime).toISOString();

const utcOrNull = (dateTime: string | null | undefined): string | null => (dateTime ? toUtc(dateTime) : null);

/** True when this state was reached by completing the task in the change that produced it. */
export const justCompleted = (task: Pick<Task, 'completedAt' | 'updatedAt'>): boolean => task.completedAt !== null && task.completedAt === task.updatedAt;

/** What the caller may do with tasks in the task's container. */
type Rights = { write: boolean };

/**
 * The caller's rights over a task (or a new task) in `projectId` — or a 404 that does not reveal
 * whether it exists: a private task is its creator's alone; a project task is its members'.
 */
const rightsOver = async (ports: TaskPorts, actor: Actor, container: { projectId: string | null; createdBy: string }): Promise<Rights> => {
  if (!container.projectId) {
    if (container.createdBy !== actor.userId) throw taskNotFound();
    return { write: true };
  }
  const found = await ports.projects.access(container.projectId, actor.userId);
  if (!found) throw taskNotFound();
  return { write: found.membership.role !== 'viewer' };
};

const requireWrite = (rights: Rights, action: string) => {
  if (!rights.write) throw new Forbidden(`Viewers cannot ${action} tasks of this project.`);
};

const badAssignee = (message: string) => new ValidationFailed(message, [{ field: 'body.assigneeId', message }]);

/** A private task may be assigned to its creator only; a project task to a member of the project. */
const checkAssignee = async (ports: TaskPorts, actor: Actor, container: { projectId: string | null; createdBy: string }, assigneeId: string) => {
  if (!container.projectId) {
    if (assigneeId !== container.createdBy) throw badAssignee('A private task can only be assigned to its creator.');
    return;
  }
  if (assigneeId === actor.userId) return; // the caller's membership was just checked
  const member = await ports.projects.access(container.projectId, assigneeId);
  if (!member) throw badAssignee('The assignee must be a member of the project.');
};

/** The live task, visible to the caller, with the caller's rights — or a 404. */
const loadLive = async (ports: TaskPorts, actor: Actor, taskId: string): Promise<{ task: Task; rights: Rights }> => {
  const stored = await ports.tasks.get(taskId);
  if (!stored || stored.deletedAt !== undefined) throw taskNotFound();
  const rights = await rightsOver(ports, actor, stored);
  return { task: stored, rights };
};

/** A task's own fields, without the trash bookkeeping. */
const liveTask = (t: Task): Task => ({
  id: t.id,
  projectId: t.projectId,
  title: t.title,
  description: t.description,
  status: t.status,
  priority: t.priority,
  dueAt: t.dueAt,
  tags: t.tags,
  assigneeId: t.assigneeId,
  createdBy: t.createdBy,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
  completedAt: t.completedAt,
  version: t.version,
  reminders: t.reminders,
  remindersVersion: t.remindersVersion,
  overdueAt: t.overdueAt,
});

/** What the API answers for a task: its reminders and whether it is overdue now, no schedule bookkeeping. */
export const publicTask = (t: Task, now: string = new Date().toISOString()): TaskView => {
  const { remindersVersion: _version, overdueAt: _overdueAt, ...view } = liveTask(t);
  return { ...view, overdue: isOverdue(t, now) };
};

const badReminders = (message: string) => new ValidationFailed(message, [{ field: 'body.reminders', message }]);

/**
 * The task with its reminders re-planned for its (new) due date and state; the schedule version moves when the
 * schedule does, and a moved due date may be announced overdue again.
 */
const withSchedule = (previous: Task | undefined, next: Task, offsets: readonly ReminderInput[], now: string, deleted = false): Task => {
  const reminders = planReminders(offsets, { dueAt: next.dueAt, status: next.status, deletedAt: deleted ? now : null }, now, previous?.reminders);
  const planned = { ...next, reminders };
  const changed = !previous || scheduleChanged({ ...previous, deletedAt: previous.deletedAt ?? null }, { ...planned, deletedAt: deleted ? now : null });
  return {
    ...planned,
    remindersVersion: (previous?.remindersVersion ?? 0) + (changed ? 1 : 0),
    overdueAt: previous && previous.dueAt === next.dueAt ? previous.overdueAt : null,
  };
};

// ---- use cases ----

export const createTask = async (ports: TaskPorts, actor: Actor, input: CreateTaskInput, change: Change): Promise<TaskView> => {
  const projectId = input.projectId ?? null;
  if (projectId) {
    const found = await ports.projects.access(projectId, actor.userId);
    if (!found) throw projectNotFound();
    requireWrite({ write: found.membership.role !== 'viewer' }, 'create');
  }
  const container = { projectId, createdBy: actor.userId };
  const assigneeId = input.assigneeId ?? null;
  if (assigneeId) await checkAssignee(ports, actor, container, assigneeId);
  const status = input.status ?? 'todo';
  const dueAt = utcOrNull(input.dueAt);
  if (input.reminders) validateReminders(input.reminders);
  if (input.reminders?.length && !dueAt) throw badReminders('Reminders need a due date.');
  const offsets = input.reminders ?? (dueAt ? ((await ports.defaultReminders?.(actor.userId)) ?? DEFAULT_REMINDERS) : []);
  const draft: Task = {
    id: ports.newId(),
    projectId,
    title: input.title,
    description: input.description ?? null,
    status,
    priority: input.priority ?? 'medium',
    dueAt,
    tags: normaliseTags(input.tags ?? []),
    assigneeId,
    createdBy: actor.userId,
    createdAt: change.at,
    updatedAt: change.at,
    completedAt: status === 'done' ? change.at : null,
    version: 1,
    reminders: [],
    remindersVersion: 0,
    overdueAt: null,
  };
  const task = withSchedule(undefined, draft, offsets, change.at);
  await ports.tasks.create(task, change);
  return publicTask(task, change.at);
};

export const getTask = async (ports: TaskPorts, actor: Actor, taskId: string): Promise<TaskView> => {
  const { task } = await loadLive(ports, actor, taskId);
  return publicTask(task);
};

/** The next state of a task under a patch (pure): completing sets completedAt, reopening clears it. */
export const applyPatch = (task: Task, patch: TaskPatch, change: Change): Task => {
  const next: Task = {
    ...liveTask(task),
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.priority !== undefined && { priority: patch.priority }),
    ...(patch.dueAt !== undefined && { dueAt: utcOrNull(patch.dueAt) }),
    ...(patch.tags !== undefined && { tags: normaliseTags(patch.tags) }),
    ...(patch.assigneeId !== undefined && { assigneeId: patch.assigneeId }),
    updatedAt: change.at,
    version: task.version + 1,
  };
  if (next.status === 'done' && task.status !== 'done') next.completedAt = change.at;
  if (next.status !== 'done') next.completedAt = null;
  if (patch.reminders) validateReminders(patch.reminders);
  const offsets = patch.reminders ?? task.reminders.map(({ before }) => ({ before }));
  if (patch.reminders?.length && !next.dueAt) throw badReminders('Reminders need a due date.');
  return withSchedule(task, next, offsets, change.at);
};

export const updateTask = async (
  ports: TaskPorts,
  actor: Actor,
  taskId: string,
  patch: TaskPatch,
  expectedVersion: number,
  change: Change,
): Promise<TaskView> => {
  const { task, rights } = await loadLive(ports, actor, taskId);
  requireWrite(rights, 'change');
  if (task.version !== expectedVersion) throw staleVersion(task.version);
  if (patch.assigneeId && patch.assigneeId !== task.assigneeId) await checkAssignee(ports, actor, task, patch.assigneeId);
  const next = applyPatch(task, patch, change);
  await ports.tasks.replace(next, expectedVersion, change);
  return publicTask(next, change.at);
};

/** Soft delete: the task moves to the trash for TRASH_RETENTION_SECONDS. `expectedVersion` is optional (If-Match). */
export const deleteTask = async (ports: TaskPorts, actor: Actor, taskId: string, expectedVersion: number | undefined, change: Change): Promise<void> => {
  const { task, rights } = await loadLive(ports, actor, taskId);
  requireWrite(rights, 'delete');
  if (expectedVersion !== undefined && task.version !== expectedVersion) throw staleVersion(task.version);
  const next: TrashedTask = {
    ...withSchedule(task, liveTask(task), task.reminders, change.at, true),
    version: task.version + 1,
    deletedAt: change.at,
    deletedBy: actor.userId,
    expiresAt: Math.floor(Date.parse(change.at) / 1000) + TRASH_RETENTION_SECONDS,
  };
  await ports.tasks.trash(next, task.version, change);
};

/** Brings a task back from the trash (within the retention; the TTL sweep may lag, so the expiry is checked here). */
export const restoreTask = async (ports: TaskPorts, actor: Actor, taskId: string, expectedVersion: number | undefined, change: Change): Promise<TaskView> => {
  const stored = await ports.tasks.get(taskId);
  if (!stored || stored.deletedAt === undefined) throw new NotFound('task', 'Task not found in the trash.');
  const rights = await rightsOver(ports, actor, stored);
  if (stored.expiresAt * 1000 <= Date.parse(change.at)) throw new NotFound('task', 'Task not found in the trash.');
  requireWrite(rights, 'restore');
  if (expectedVersion !== undefined && stored.version !== expectedVersion) throw staleVersion(stored.version);
  // A member who left the project while the task was in the trash does not get it back (the removed-members
  // consumer only sees tasks in the assignee index, which a trashed task is not).
  const assigneeLeft =
    stored.projectId !== null && stored.assigneeId !== null && stored.assigneeId !== actor.userId && !(await ports.projects.access(stored.projectId, stored.assigneeId));
  const restored: Task = { ...liveTask(stored), ...(assigneeLeft && { assigneeId: null }) };
  const next: Task = { ...withSchedule(stored, restored, stored.reminders, change.at), updatedAt: change.at, version: stored.version + 1 };
  await ports.tasks.restore(next, stored.version, change);
  return publicTask(next, change.at);
};

const badQuery = (field: string, message: string) => new ValidationFailed(message, [{ field: `query.${field}`, message }]);

/**
 * One page of tasks the caller can see:
 * - with projectId: that project's tasks (members only; others get a 404), any filter;
 * - with assigneeId (yourself or `me`) and no projectId: the tasks assigned to you, by due date;
 * - otherwise: your private tasks.
 */
export const listTasks = async (ports: TaskPorts, actor: Actor, input: ListTasksInput): Promise<Page<TaskView>> => {
  const page = await listVisibleTasks(ports, actor, input);
  const now = new Date().toISOString();
  return { ...page, items: page.items.map((t) => publicTask(t, now)) };
};

const listVisibleTasks = async (ports: TaskPorts, actor: Actor, input: ListTasksInput): Promise<Page<Task>> => {
  const assigneeId = input.assigneeId === 'me' ? actor.userId : input.assigneeId;
  const filters: TaskFilters = {
    status: input.status,
    priority: input.priority,
    tag: input.tag?.trim().toLowerCase(),
    dueBefore: input.dueBefore ? toUtc(input.dueBefore) : undefined,
    dueAfter: input.dueAfter ? toUtc(input.dueAfter) : undefined,
  };
  const page = { limit: input.limit, cursor: input.cursor };

  if (input.projectId) {
    const found = await ports.projects.access(input.projectId, actor.userId);
    if (!found) throw projectNotFound();
    return ports.tasks.list({ scope: { kind: 'project', projectId: input.projectId }, filters: { ...filters, assigneeId }, ...page });
  }
  if (assigneeId) {
    if (assigneeId !== actor.userId) {
      throw badQuery('assigneeId', 'Without projectId you can only list the tasks assigned to yourself (assigneeId=me).');
    }
    const result = await ports.tasks.list({ scope: { kind: 'assignee', userId: actor.userId }, filters, ...page });
    return { ...result, items: await visibleOnly(ports, actor, result.items) };
  }
  return ports.tasks.list({ scope: { kind: 'private', userId: actor.userId }, filters, ...page });
};

/**
 * The assignee index spans projects: keep only tasks the caller can still see (a member who left
 * keeps their assignments until someone changes them). One access check per distinct project.
 */
const visibleOnly = async (ports: TaskPorts, actor: Actor, tasks: Task[]): Promise<Task[]> => {
  const projectIds = [...new Set(tasks.map((t) => t.projectId).filter((id): id is string => id !== null))];
  const allowed = new Set<string>();
  await Promise.all(
    projectIds.map(async (projectId) => {
      if (await ports.projects.access(projectId, actor.userId)) allowed.add(projectId);
    }),
  );
  return tasks.filter((t) => (t.projectId === null ? t.createdBy === actor.userId : allowed.has(t.projectId)));
};

// ---- a removed member's assignments ----

/** Where the next page of a store-side walk starts (opaque to the domain). */
export type WalkKey = Record<string, unknown>;

export interface UnassignPorts {
  tasks: Pick<TaskStorePort, 'get' | 'replace'> & {
    /** One page of the open (not done, not trashed) tasks of `projectId` assigned to `userId` (a Query on the assignee index). */
    openAssignedIn(userId: string, projectId: string, from?: WalkKey): Promise<{ items: Task[]; next?: WalkKey }>;
  };
  projects: ProjectAccessPort;
}

/** A member's removal from a project (or their leaving it): whose assignments, in which project, undone by whom. */
export interface Removal {
  projectId: string;
  userId: string;
  /** Who removed them (themselves when they left) and in which request: the unassignments are recorded under it. */
  change: Change;
}

/**
 * When a member leaves or is removed from a project, their open tasks there become unassigned: nobody may be
 * assigned work in a project they cannot read. Done tasks keep their assignee (who did the work). Each task is
 * changed under the removal's actor and request id, so its history says why. Safe to run again: an unassigned task
 * leaves the assignee index, and a task reassigned, completed or trashed meanwhile is left alone. Someone added
 * back to the project before this runs keeps their assignments.
 */
export const unassignRemovedMember = async (ports: UnassignPorts, removal: Removal, attempts = 3): Promise<{ unassigned: number }> => {
  if (await ports.projects.access(removal.projectId, removal.userId)) return { unassigned: 0 };
  let unassigned = 0;
  let from: WalkKey | undefined;
  do {
    const page = await ports.tasks.openAssignedIn(removal.userId, removal.projectId, from);
    for (const found of page.items) if (await unassignOne(ports, found, removal, attempts)) unassigned++;
    from = page.next;
  } while (from);
  return { unassigned };
};

const unassignOne = async (ports: UnassignPorts, found: Task, removal: Removal, attempts: number): Promise<boolean> => {
  let task: Task = found;
  for (let attempt = 1; ; attempt++) {
    if (task.assigneeId !== removal.userId || task.projectId !== removal.projectId || task.status === 'done') return false;
    try {
      await ports.tasks.replace(applyPatch(task, { assigneeId: null }, removal.change), task.version, removal.change);
      return true;
    } catch (error) {
      const kind = (error as { kind?: string }).kind;
      if (kind === 'not-found') return false; // trashed meanwhile: it is out of the assignee index
      if (kind !== 'conflict' || attempt >= attempts) throw error;
      const fresh = await ports.tasks.get(task.id);
      if (!fresh || fresh.deletedAt !== undefined) return false;
      task = fresh;
    }
  }
};

/** The removal a MemberRemoved event announces, with the change the unassignments are recorded under; undefined for other events. */
export const removalOf = (
  event: { type: string; projectId: string | null; actor: { userId: string }; requestId: string; before: Record<string, unknown> | null },
  now: Date,
): Removal | undefined => {
  const userId = event.before?.userId;
  if (event.type !== 'MemberRemoved' || !event.projectId || typeof userId !== 'string' || userId === '') return undefined;
  return { projectId: event.projectId, userId, change: { actorId: event.actor.userId, requestId: event.requestId, at: now.toISOString() } };
};
