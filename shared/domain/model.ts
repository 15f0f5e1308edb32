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
  /** Whether sign-in asks for a code from an authenticator app (mirrors the identity provider's setting; absent = no). */
  mfaEnabled?: boolean;
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

export type ReminderStatus = 'scheduled' | 'sent' | 'skipped' | 'cancelled';

export interface ReminderInput {
  /** ISO 8601 duration before the due date: PT15M, PT1H, P1D, P1W, P1DT12H … (no months or years: their length varies). */
  before: string;
}

export interface Reminder extends ReminderInput {
  /** When it fires (dueAt − before), UTC ISO; null without a due date. */
  at: string | null;
  status: ReminderStatus;
  sentAt: string | null;
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
  /** The planned reminders (shared/domain/reminders.ts). */
  reminders: Reminder[];
  /** Bumped whenever the reminder schedule changes; names the Step Functions execution of the schedule. */
  remindersVersion: number;
  /** When the task was announced overdue (TaskOverdue), once per due date. */
  overdueAt: string | null;
  /** Set while the task is in the trash. */
  deletedAt?: string | null;
}

/** A task as the API answers it: its reminders and whether it is overdue, without schedule bookkeeping. */
export type TaskView = Omit<Task, 'remindersVersion' | 'overdueAt' | 'deletedAt'> & { overdue: boolean };

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}
