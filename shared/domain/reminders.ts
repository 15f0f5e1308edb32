// Due-date reminders: when each reminder of a task fires, what the schedule is, and what the reminder
// function does when Step Functions wakes it. Pure: no AWS imports.
//
// A task's reminders are offsets before its due date (`{before: 'PT1H'}`), planned into instants with a
// status: scheduled (will fire), sent, skipped (its time had passed when it was set), cancelled (the task
// was completed or deleted, or lost its due date). Every change that moves the schedule — the due date,
// the offsets, the task closing or reopening, trash and restore — bumps `remindersVersion`; one Step
// Functions execution per (task, remindersVersion) waits for each instant in turn, and a superseded
// execution finds a newer version and does nothing.
import { ValidationFailed } from '#shared/domain/errors';
import type { Reminder, ReminderInput, ReminderStatus, Task } from '#shared/domain/model';

export type { Reminder, ReminderInput, ReminderStatus };

export const MAX_REMINDERS = 5;
/** What a task due without reminders of its own gets, unless its creator's settings say otherwise. */
export const DEFAULT_REMINDERS: readonly ReminderInput[] = [{ before: 'PT1H' }];
/** The longest offset: reminders further ahead than this are a calendar's job. */
const MAX_OFFSET_MS = 28 * 86_400_000;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of an ISO 8601 duration (weeks, days, hours, minutes, seconds), or undefined. */
export const durationMs = (duration: string): number | undefined => {
  const match = DURATION.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) return undefined;
  const [w, d, h, m, s] = match.slice(1).map((n) => Number(n ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + m) * 60 + s) * 1000;
};

const invalid = (message: string, index?: number) =>
  new ValidationFailed(message, [{ field: index === undefined ? 'body.reminders' : `body.reminders.${index}.before`, message }]);

/** Checks a list of reminder offsets: well-formed, positive, at most four weeks, distinct, at most five. */
export const validateReminders = (reminders: readonly ReminderInput[]): void => {
  if (reminders.length > MAX_REMINDERS) throw invalid(`At most ${MAX_REMINDERS} reminders per task.`);
  const seen = new Set<number>();
  reminders.forEach((reminder, index) => {
    const ms = durationMs(reminder.before);
    if (ms === undefined) throw invalid('An ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. PT1H or P1D.', index);
    if (ms <= 0 || ms > MAX_OFFSET_MS) throw invalid('Between 1 second and 4 weeks before the due date.', index);
    if (seen.has(ms)) throw invalid('Two reminders at the same time.', index);
    seen.add(ms);
  });
};

/** Whether a task can still be reminded of: open and not in the trash. */
export const isOpen = (task: Pick<Task, 'status'> & { deletedAt?: string | null }): boolean => task.status !== 'done' && !task.deletedAt;

/**
 * The planned reminders of a task: each offset turned into its instant and a status. A reminder already sent
 * for the same instant stays sent (moving the title does not re-send it); anything else is re-planned.
 */
export const planReminders = (
  offsets: readonly ReminderInput[],
  task: { dueAt: string | null; status: Task['status']; deletedAt?: string | null },
  now: string,
  previous: readonly Reminder[] = [],
): Reminder[] =>
  offsets
    .map(({ before }) => {
      const at = task.dueAt ? new Date(Date.parse(task.dueAt) - durationMs(before)!).toISOString() : null;
      const sent = previous.find((p) => p.before === before && p.at === at && p.status === 'sent');
      if (sent) return { ...sent };
      const status: ReminderStatus = !at || !isOpen(task) ? 'cancelled' : at <= now ? 'skipped' : 'scheduled';
      return { before, at, status, sentAt: null };
    })
    .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));

/** What decides a schedule: if any of it changes, the running execution is superseded. */
const scheduleKey = (task: { dueAt: string | null; status: Task['status']; deletedAt?: string | null; reminders: readonly Reminder[] }) =>
  JSON.stringify([task.dueAt, isOpen(task), task.reminders.map((r) => [r.before, r.at, r.status])]);

export const scheduleChanged = (
  before: { dueAt: string | null; status: Task['status']; deletedAt?: string | null; reminders: readonly Reminder[] },
  after: { dueAt: string | null; status: Task['status']; deletedAt?: string | null; reminders: readonly Reminder[] },
): boolean => scheduleKey(before) !== scheduleKey(after);

/** True when an open task's due date has passed. */
export const isOverdue = (task: Pick<Task, 'status' | 'dueAt'>, now: string): boolean => task.status !== 'done' && task.dueAt !== null && task.dueAt <= now;

export interface ScheduledTask {
  id: string;
  status: Task['status'];
  dueAt: string | null;
  reminders: readonly Reminder[];
  remindersVersion: number;
  overdueAt: string | null;
  deletedAt?: string | null;
}

/** The next instant an execution must wake up for: the earliest scheduled reminder, else the due date (to mark the task overdue). */
export const nextWakeUp = (task: ScheduledTask): string | null => {
  if (!isOpen(task)) return null;
  const times = task.reminders.filter((r) => r.status === 'scheduled' && r.at).map((r) => r.at!);
  if (task.dueAt && !task.overdueAt) times.push(task.dueAt);
  return times.sort()[0] ?? null;
};

/** The Step Functions execution of a schedule: one per (task, remindersVersion), so starting it is idempotent. */
export const executionName = (taskId: string, remindersVersion: number): string => `${taskId}-v${remindersVersion}`.slice(0, 80);

export interface ExecutionInput {
  taskId: string;
  remindersVersion: number;
  /** When to wake up (Wait … TimestampPath $.at). */
  at: string;
}

export interface SchedulerCommands {
  stop?: string;
  start?: { name: string; input: ExecutionInput };
}

/**
 * What the scheduler does for a task event (its before/after states): a new schedule version stops the
 * previous execution and starts one for the new schedule, if anything is left to wake up for.
 */
export const schedulerCommands = (before: ScheduledTask | null, after: ScheduledTask | null): SchedulerCommands => {
  const commands: SchedulerCommands = {};
  if (before && (!after || after.remindersVersion !== before.remindersVersion) && nextWakeUp(before) !== null) {
    commands.stop = executionName(before.id, before.remindersVersion);
  }
  if (after && (!before || after.remindersVersion !== before.remindersVersion)) {
    const at = nextWakeUp(after);
    if (at) commands.start = { name: executionName(after.id, after.remindersVersion), input: { taskId: after.id, remindersVersion: after.remindersVersion, at } };
  }
  return commands;
};

export interface Firing {
  /** The task's next state, or undefined when nothing is due (a superseded or finished schedule). */
  next?: ScheduledTask;
  /** Reminders this firing marks sent. */
  sent: number;
  overdue: boolean;
}

/**
 * What waking up at `now` for schedule `remindersVersion` does to the task: every scheduled reminder whose time
 * has come is marked sent, and a due date that has passed marks the task overdue — unless the task is closed or
 * its schedule is no longer this one, when nothing happens.
 */
export const fire = (task: ScheduledTask | undefined, remindersVersion: number, now: string): Firing => {
  if (!task || task.remindersVersion !== remindersVersion || !isOpen(task)) return { sent: 0, overdue: false };
  let sent = 0;
  const reminders = task.reminders.map((r) => {
    if (r.status !== 'scheduled' || !r.at || r.at > now) return r;
    sent++;
    return { ...r, status: 'sent' as const, sentAt: now };
  });
  const overdue = !!task.dueAt && !task.overdueAt && task.dueAt <= now;
  if (sent === 0 && !overdue) return { sent, overdue };
  return { next: { ...task, reminders, overdueAt: overdue ? now : task.overdueAt }, sent, overdue };
};

/** The slice of the task store waking up needs. */
export interface ReminderTaskPort {
  get(taskId: string): Promise<(Task & { deletedAt?: string | null }) | undefined>;
  replace(next: Task, expectedVersion: number, change: { actorId: string; requestId: string; at: string }): Promise<void>;
}

/** The actor of the schedule's own writes (events and audit records say "system"). */
export const SYSTEM_ACTOR = 'system';

export interface WakeUpResult {
  taskId: string;
  remindersVersion: number;
  /** When to wake up next; null when done. */
  at: string | null;
  /** true: nothing left to wait for; the execution ends. */
  done: boolean;
  sent: number;
  overdue: boolean;
}

/**
 * What the reminder function does when its execution wakes up: records the reminders that are due as sent and the
 * task as overdue when its due date has passed (the stream announces ReminderDue / TaskOverdue), then answers when
 * to wake up next. A task that is closed, gone or rescheduled (another remindersVersion) makes it a no-op that ends
 * the execution. A concurrent edit of the task is retried on the fresh state. It tells nobody itself: the notification
 * consumer decides who hears of a reminder when it sends it, from the project's members at that moment
 * (shared/domain/notifications.ts), so a member removed after the reminder was planned is not told.
 */
export const wakeUp = async (tasks: ReminderTaskPort, input: ExecutionInput, now: () => Date, attempts = 3): Promise<WakeUpResult> => {
  for (let attempt = 1; ; attempt++) {
    const at = now().toISOString();
    const task = await tasks.get(input.taskId);
    const current = task && !task.deletedAt ? task : undefined;
    const firing = fire(current, input.remindersVersion, at);
    const ended = { taskId: input.taskId, remindersVersion: input.remindersVersion, at: null, done: true };
    if (!current || current.remindersVersion !== input.remindersVersion) return { ...ended, sent: 0, overdue: false };
    let state: Task = current;
    if (firing.next) {
      const next: Task = { ...current, reminders: [...firing.next.reminders], overdueAt: firing.next.overdueAt, version: current.version + 1, updatedAt: at };
      try {
        await tasks.replace(next, current.version, { actorId: SYSTEM_ACTOR, requestId: `${executionName(current.id, input.remindersVersion)}@${at}`, at });
      } catch (error) {
        if (attempt < attempts && (error as { kind?: string }).kind === 'conflict') continue;
        throw error;
      }
      state = next;
    }
    const wake = nextWakeUp(state);
    return wake ? { ...ended, at: wake, done: false, sent: firing.sent, overdue: firing.overdue } : { ...ended, sent: firing.sent, overdue: firing.overdue };
  }
};
