// The admin dashboard's figures, from counters kept up to date by the stats consumer (no Scan, ever): tasks created
// and completed per UTC day, open tasks by priority, notifications and emails sent. Pure: which counter an event
// moves, and how the dashboard reads them; the counters live in shared/store/stats-store.ts.
import { TASK_PRIORITIES, type TaskPriority } from '#shared/domain/model';
import { RETENTION_SECONDS } from '#shared/events/queues';
import type { DomainEvent, EventType } from '#shared/events/schemas';

/** The events that move a counter (the `stats` rule of shared/events/rules.ts routes exactly these). */
export const STATS_EVENT_TYPES = [
  'TaskCreated',
  'TaskCompleted',
  'TaskReopened',
  'TaskUpdated',
  'TaskDeleted',
  'TaskRestored',
  'TaskOverdue',
] as const satisfies readonly EventType[];

/** The dashboard's window: the last 30 UTC days, today included. */
export const STATS_DAYS = 30;

/**
 * How long the marker of a counted event is kept (TTL). It must outlive every redelivery of the event: a message
 * lives at most 4 days in the queue and 14 more in its DLQ (from where it can be redriven), plus a day of margin.
 * A marker is ~100 bytes; at 100,000 events a day the markers take ~200 MB.
 */
export const STATS_MARKER_TTL_SECONDS = RETENTION_SECONDS.queue + RETENTION_SECONDS.dlq + 24 * 3600;

export type OpenByPriority = Record<TaskPriority, number>;

/** What one event changes. */
export interface StatsDelta {
  /** The UTC day (YYYY-MM-DD) its created/completed counts belong to: the day the change occurred. */
  day: string;
  created: number;
  completed: number;
  /** How the number of open tasks changes per priority; only non-zero entries. */
  open: Partial<OpenByPriority>;
  /** How the number of open tasks announced overdue (TaskOverdue) changes (absent: no change). */
  overdue?: number;
}

const isPriority = (value: unknown): value is TaskPriority => (TASK_PRIORITIES as readonly unknown[]).includes(value);

/** The priority an existing, not-done task counts under; undefined for no task, a done one or a malformed state. */
const openPriority = (state: Record<string, unknown> | null): TaskPriority | undefined =>
  state && state.status !== 'done' && isPriority(state.priority) ? state.priority : undefined;

/** 1 while a task is open and announced overdue (its `overdueAt` is reset when the due date moves). */
const overdueCount = (state: Record<string, unknown> | null): number => (state && state.status !== 'done' && state.overdueAt ? 1 : 0);

/**
 * The counters an event moves, or undefined when it moves none. A task is open while it exists, is not in the trash
 * and is not done. One write can yield several events (TaskUpdated with TaskCompleted or TaskReopened, all with the
 * same before/after), so each change is counted by exactly one of them:
 * - TaskCreated: created +1 (and completed +1 if created done); open +1 at its priority if not done;
 * - TaskCompleted: completed +1; open −1 at the priority it had before (the same write may change the priority);
 * - TaskReopened: open +1 at the priority it has after;
 * - TaskUpdated: only a priority change of a task open before AND after: −1 old, +1 new (a status change to or
 *   from done is TaskCompleted's or TaskReopened's);
 * - TaskDeleted: open −1 if it was open; TaskRestored: open +1 if it is open.
 * Reopening does not take back a completion: `completed` counts completions that happened that day.
 */
export const statsDeltaOf = (event: DomainEvent): StatsDelta | undefined => {
  if (event.entity.type !== 'Task') return undefined;
  const delta: StatsDelta = { day: new Date(event.occurredAt).toISOString().slice(0, 10), created: 0, completed: 0, open: {}, overdue: 0 };
  // Overdue moves with the write's primary event only: TaskOverdue (the schedule's write), TaskUpdated (a user's
  // write: completing, re-dating), TaskDeleted and TaskRestored — never twice for one write.
  if (['TaskOverdue', 'TaskUpdated', 'TaskDeleted', 'TaskRestored'].includes(event.type)) delta.overdue = overdueCount(event.after) - overdueCount(event.before);
  const open = (priority: TaskPriority | undefined, n: number) => {
    if (priority) delta.open[priority] = (delta.open[priority] ?? 0) + n;
  };
  const before = openPriority(event.before);
  const after = openPriority(event.after);
  switch (event.type) {
    case 'TaskCreated':
      delta.created = 1;
      if (event.after?.status === 'done') delta.completed = 1;
      open(after, +1);
      break;
    case 'TaskCompleted':
      delta.completed = 1;
      open(before, -1);
      break;
    case 'TaskReopened':
      open(after, +1);
      break;
    case 'TaskUpdated':
      if (before && after && before !== after) {
        open(before, -1);
        open(after, +1);
      }
      break;
    case 'TaskDeleted':
      open(before, -1);
      break;
    case 'TaskRestored':
      open(after, +1);
      break;
    case 'TaskOverdue':
      break;
    default:
      return undefined;
  }
  for (const [priority, n] of Object.entries(delta.open)) if (n === 0) delete delta.open[priority as TaskPriority];
  if (delta.overdue === 0) delete delta.overdue;
  const moves = delta.created !== 0 || delta.completed !== 0 || delta.overdue !== undefined || Object.keys(delta.open).length > 0;
  return moves ? delta : undefined;
};

// ---- ports ----------------------------------------------------------------------------------------------

export interface DayCounts {
  created: number;
  completed: number;
}

/** What the counters hold. */
export interface StoredStats {
  /** By UTC day; days without a counted event are absent. */
  days: Record<string, DayCounts>;
  open: OpenByPriority;
  /** Open tasks announced overdue (absent: none counted yet). */
  overdue?: number;
  notificationsSent: number;
  emailsSent: number;
}

export interface StatsStorePort {
  /** Applies the delta exactly once per event id (the marker expires at `markerExpiresAt`, epoch s); false when counted before. */
  apply(eventId: string, delta: StatsDelta, markerExpiresAt: number): Promise<boolean>;
  /** The counters of these days and the totals, in one read. */
  read(days: readonly string[]): Promise<StoredStats>;
}

// ---- use cases ------------------------------------------------------------------------------------------

/** Counts an event once, however often it is delivered; answers whether this delivery counted it. */
export const countEvent = async (store: Pick<StatsStorePort, 'apply'>, event: DomainEvent, now: Date): Promise<boolean> => {
  const delta = statsDeltaOf(event);
  if (!delta) return false;
  return store.apply(event.id, delta, Math.floor(now.getTime() / 1000) + STATS_MARKER_TTL_SECONDS);
};

/** The last `n` UTC days up to and including `now`'s, oldest first (YYYY-MM-DD). */
export const lastDays = (now: Date, n = STATS_DAYS): string[] => {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: n }, (_, i) => new Date(today - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10));
};

export interface DlqDepth {
  name: string;
  messages: number;
}

export interface AdminStats {
  generatedAt: string;
  /** Exactly the last 30 UTC days, oldest first, zero-filled. */
  days: ({ date: string } & DayCounts)[];
  openByPriority: OpenByPriority;
  /** Open tasks past their due date. */
  overdue: number;
  notificationsSent: number;
  emailsSent: number;
  dlqs: DlqDepth[];
}

export interface StatsPorts {
  stats: Pick<StatsStorePort, 'read'>;
  /** The depth of every DLQ. */
  dlqDepths(): Promise<DlqDepth[]>;
}

export const getStats = async (ports: StatsPorts, now: Date): Promise<AdminStats> => {
  const days = lastDays(now);
  const [stored, dlqs] = await Promise.all([ports.stats.read(days), ports.dlqDepths()]);
  // Counters are eventually consistent: an event counted out of order (a completion before its creation) can make
  // one briefly negative; so can completing a task created before the counters existed. Never show below zero.
  const nonNegative = (n: number) => Math.max(0, n);
  return {
    generatedAt: now.toISOString(),
    days: days.map((date) => ({ date, created: stored.days[date]?.created ?? 0, completed: stored.days[date]?.completed ?? 0 })),
    openByPriority: Object.fromEntries(TASK_PRIORITIES.map((p) => [p, nonNegative(stored.open[p])])) as OpenByPriority,
    overdue: nonNegative(stored.overdue ?? 0),
    notificationsSent: nonNegative(stored.notificationsSent),
    emailsSent: nonNegative(stored.emailsSent),
    dlqs,
  };
};
