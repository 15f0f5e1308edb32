// The domain's types and the store ports the use cases depend on. Pure: no AWS imports.

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Who changed an item and in which request: every write records it, for the stream (the outbox). */
export interface Change {
  actorId: string;
  requestId: string;
  /** ISO timestamp of the change. */
  at: string;
}

export interface UserProfile {
  id: string;
  email: string;
  name: string;
  timezone: string;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  ownerId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Membership {
  projectId: string;
  userId: string;
  role: Role;
  email: string;
  name: string;
  addedBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Task {
  id: string;
  projectId: string | null;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  dueAt: string | null;
  tags: string[];
  assigneeId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  version: number;
  /** Set while the task is in the trash. */
  deletedAt?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}
