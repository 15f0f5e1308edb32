// The reminder schedule's rules and the function Step Functions wakes: each case a person would notice.
import { describe, expect, it } from 'vitest';
import { Conflict } from '#shared/domain/errors';
import type { Task } from '#shared/domain/model';
import { durationMs, executionName, nextWakeUp, schedulerCommands, wakeUp, type ReminderTaskPort, type ScheduledTask } from '#shared/domain/reminders';
import { reminderStateMachineDefinition } from '#shared/reminders/state-machine';

const due = '2030-01-10T12:00:00.000Z';
const task = (over: Partial<Task & { deletedAt: string | null }> = {}): Task & { deletedAt?: string | null } => ({
  id: 'T1', projectId: null, title: 'Report', description: null, status: 'todo', priority: 'medium', dueAt: due, tags: [],
  assigneeId: null, createdBy: 'alice', createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z', completedAt: null, version: 3,
  reminders: [
    { before: 'P1D', at: '2030-01-09T12:00:00.000Z', status: 'scheduled', sentAt: null },
    { before: 'PT1H', at: '2030-01-10T11:00:00.000Z', status: 'scheduled', sentAt: null },
  ],
  remindersVersion: 2,
  overdueAt: null,
  ...over,
});

const store = (initial: ReturnType<typeof task> | undefined) => {
  let current = initial;
  const writes: Task[] = [];
  let conflicts = 0;
  const port: ReminderTaskPort & { writes: Task[]; conflictOnce(): void } = {
    writes,
    conflictOnce: () => void (conflicts = 1),
    get: async () => current && structuredClone(current),
    replace: async (next, expectedVersion) => {
      if (conflicts-- > 0) {
        current = { ...current!, version: current!.version + 1, title: 'renamed meanwhile' };
        throw new Conflict('stale');
      }
      if (!current || current.version !== expectedVersion) throw new Conflict('stale');
      writes.push(next);
      current = next;
    },
  };
  return port;
};
const at = (iso: string) => () => new Date(iso);

describe('waking up for a reminder', () => {
  it('marks the due reminder sent and names the next instant', async () => {
    const tasks = store(task());
    const result = await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: '2030-01-09T12:00:00.000Z' }, at('2030-01-09T12:00:00.200Z'));
    expect(result).toEqual({ taskId: 'T1', remindersVersion: 2, at: '2030-01-10T11:00:00.000Z', done: false, sent: 1, overdue: false });
    expect(tasks.writes).toHaveLength(1);
    expect(tasks.writes[0]!.reminders.map((r) => r.status)).toEqual(['sent', 'scheduled']);
    expect(tasks.writes[0]!.version).toBe(4);
  });

  it('marks the task overdue at its due time, once, and then ends', async () => {
    const tasks = store(task({ reminders: [{ before: 'PT1H', at: '2030-01-10T11:00:00.000Z', status: 'sent', sentAt: 'x' }] }));
    const result = await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: due }, at('2030-01-10T12:00:01.000Z'));
    expect(result).toMatchObject({ done: true, at: null, overdue: true, sent: 0 });
    expect(tasks.writes[0]!.overdueAt).toBe('2030-01-10T12:00:01.000Z');
    expect(await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: due }, at('2030-01-10T12:00:02.000Z'))).toMatchObject({ done: true, overdue: false });
    expect(tasks.writes).toHaveLength(1);
  });

  it('does nothing for a task that is done, deleted, gone, or rescheduled since', async () => {
    for (const [what, initial] of [
      ['done', task({ status: 'done' })],
      ['deleted', task({ deletedAt: '2030-01-05T00:00:00.000Z' })],
      ['gone', undefined],
      ['rescheduled', task({ remindersVersion: 3 })],
    ] as const) {
      const tasks = store(initial);
      const result = await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: '2030-01-09T12:00:00.000Z' }, at('2030-01-09T12:00:00.000Z'));
      expect(result, what).toMatchObject({ done: true, sent: 0, overdue: false, at: null });
      expect(tasks.writes, what).toEqual([]);
    }
  });

  it('retries on a concurrent edit, keeping the edit', async () => {
    const tasks = store(task());
    tasks.conflictOnce();
    const result = await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: '2030-01-09T12:00:00.000Z' }, at('2030-01-09T12:00:00.000Z'));
    expect(result.sent).toBe(1);
    expect(tasks.writes[0]!.title).toBe('renamed meanwhile');
  });

  it('waits again when woken a moment early', async () => {
    const tasks = store(task());
    const result = await wakeUp(tasks, { taskId: 'T1', remindersVersion: 2, at: '2030-01-09T12:00:00.000Z' }, at('2030-01-09T11:59:59.990Z'));
    expect(result).toMatchObject({ done: false, at: '2030-01-09T12:00:00.000Z', sent: 0 });
    expect(tasks.writes).toEqual([]);
  });
});

describe('the scheduler', () => {
  const scheduled = (over: Partial<ScheduledTask> = {}): ScheduledTask => ({ ...task(), ...over });

  it('starts the schedule of a new task, named after the task and its schedule version', () => {
    expect(schedulerCommands(null, scheduled())).toEqual({ start: { name: 'T1-v2', input: { taskId: 'T1', remindersVersion: 2, at: '2030-01-09T12:00:00.000Z' } } });
  });

  it('stops the superseded execution and starts the new one when the schedule moves', () => {
    expect(schedulerCommands(scheduled(), scheduled({ remindersVersion: 3, dueAt: '2030-02-01T00:00:00.000Z', reminders: [] }))).toEqual({
      stop: 'T1-v2',
      start: { name: 'T1-v3', input: { taskId: 'T1', remindersVersion: 3, at: '2030-02-01T00:00:00.000Z' } },
    });
  });

  it('only stops when the task is completed or deleted, and does nothing when the schedule did not change', () => {
    expect(schedulerCommands(scheduled(), scheduled({ status: 'done', remindersVersion: 3 }))).toEqual({ stop: 'T1-v2' });
    expect(schedulerCommands(scheduled(), null)).toEqual({ stop: 'T1-v2' });
    expect(schedulerCommands(scheduled(), scheduled({ title: 'x' } as never))).toEqual({});
    expect(schedulerCommands(null, scheduled({ dueAt: null, reminders: [] }))).toEqual({});
  });

  it('waits for the due date even without reminders, and not at all once overdue was announced', () => {
    expect(nextWakeUp(scheduled({ reminders: [] }))).toBe(due);
    expect(nextWakeUp(scheduled({ reminders: [], overdueAt: due }))).toBeNull();
  });
});

describe('durations and names', () => {
  it('reads weeks, days, hours, minutes and seconds, and nothing else', () => {
    expect(durationMs('P1W')).toBe(7 * 86_400_000);
    expect(durationMs('P1DT12H')).toBe(36 * 3_600_000);
    expect(durationMs('PT90M')).toBe(90 * 60_000);
    expect(durationMs('PT5S')).toBe(5_000);
    for (const bad of ['P1M', 'P1Y', 'PT', 'P', '1H', 'PT1.5H', 'pt1h']) expect(durationMs(bad), bad).toBeUndefined();
  });

  it('names executions within Step Functions limits', () => {
    expect(executionName('01JABCDEFGHJKMNPQRSTVWXYZ0', 12)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('the state machine definition', () => {
  it('waits on $.at, invokes the function with JSONPath, and loops until done', () => {
    const definition = reminderStateMachineDefinition('arn:aws:lambda:us-east-1:123456789012:function:wake');
    expect(definition.StartAt).toBe('WaitUntilDue');
    expect(definition.States.WaitUntilDue).toEqual({ Type: 'Wait', TimestampPath: '$.at', Next: 'WakeUp' });
    expect(definition.States.WakeUp.Parameters.FunctionName).toBe('arn:aws:lambda:us-east-1:123456789012:function:wake');
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    expect(definition.States.MoreToWaitFor.Choices[0]).toEqual({ Variable: '$.done', BooleanEquals: false, Next: 'WaitUntilDue' });
  });
});
