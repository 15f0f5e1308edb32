// The deployed reminder state machine definition, run by the local runner with compressed waits, waking the real
// reminder function against DynamoDB Local. Each wait is compressed to nothing, and the function's clock is set to
// the instant the execution waited for, as if the wait had passed.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import type { Task } from '#shared/domain/model';
import { executionName, type ExecutionInput } from '#shared/domain/reminders';
import { reminderStateMachineDefinition } from '#shared/reminders/state-machine';
import { taskStore } from '#shared/store/task-store';
import { startLocalStepFunctions, type LocalStepFunctions } from '#local/stepfunctions';
import { handler as wakeUpHandler } from '#functions/reminders/wake-up';
import { lambdaContext } from '#test/support/apigw-event';

const WAKE_UP = 'arn:aws:lambda:us-east-1:123456789012:function:taskwell-reminders-wake-up';
let sfnLocal: LocalStepFunctions;
let sfn: SFNClient;
const calls: ExecutionInput[] = [];

beforeAll(async () => {
  sfnLocal = await startLocalStepFunctions({
    stateMachines: [{ name: 'reminders', definition: reminderStateMachineDefinition(WAKE_UP) }],
    waitTimeOverride: 0,
    invokeLambda: async (_arn, payload) => {
      const input = payload as ExecutionInput;
      calls.push(input);
      vi.setSystemTime(new Date(input.at));
      return wakeUpHandler(input, lambdaContext());
    },
    log: () => undefined,
  });
  sfn = new SFNClient({ endpoint: sfnLocal.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  sfn.destroy();
  await sfnLocal.stop();
});
afterEach(() => {
  vi.useRealTimers();
  calls.length = 0;
});

const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

const seedTask = async (over: Partial<Task> = {}): Promise<Task> => {
  const dueAt = hoursFromNow(48);
  const task: Task = {
    id: ulid(), projectId: null, title: 'Quarterly report', description: null, status: 'todo', priority: 'high', dueAt, tags: [],
    assigneeId: null, createdBy: 'u-alice', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), completedAt: null, version: 1,
    reminders: [
      { before: 'P1D', at: new Date(Date.parse(dueAt) - 86_400_000).toISOString(), status: 'scheduled', sentAt: null },
      { before: 'PT1H', at: new Date(Date.parse(dueAt) - 3_600_000).toISOString(), status: 'scheduled', sentAt: null },
    ],
    remindersVersion: 1,
    overdueAt: null,
    ...over,
  };
  await taskStore.create(task, { actorId: 'u-alice', requestId: 'seed', at: task.createdAt });
  return task;
};

const run = async (task: Task, remindersVersion = task.remindersVersion) => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  const input: ExecutionInput = { taskId: task.id, remindersVersion, at: task.reminders[0]?.at ?? task.dueAt! };
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sfnLocal.stateMachineArn('reminders'), name: executionName(task.id, remindersVersion), input: JSON.stringify(input) }));
  let status = 'RUNNING';
  let output: string | undefined;
  await vi.waitFor(
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status!;
      output = described.output;
      expect(status).not.toBe('RUNNING');
    },
    { timeout: 15_000, interval: 100 },
  );
  return { status, output: output ? JSON.parse(output) : undefined };
};

describe('the reminder state machine', () => {
  it('wakes at each reminder and at the due date, records each once, and ends', async () => {
    const task = await seedTask();
    const { status, output } = await run(task);
    expect(status).toBe('SUCCEEDED');
    expect(output).toMatchObject({ done: true, at: null });
    expect(calls.map((c) => c.at)).toEqual([task.reminders[0]!.at, task.reminders[1]!.at, task.dueAt]);
    const stored = (await taskStore.get(task.id))!;
    expect(stored.reminders.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(stored.overdueAt).toBe(task.dueAt);
    expect(stored.version).toBe(4);
  });

  it('is a no-op for a superseded schedule, a completed task and a deleted one', async () => {
    const rescheduled = await seedTask({ remindersVersion: 2 });
    const done = await seedTask({ status: 'done', completedAt: new Date().toISOString() });
    const deleted = await seedTask();
    await taskStore.trash({ ...deleted, version: 2, deletedAt: new Date().toISOString(), deletedBy: 'u-alice', expiresAt: 4_000_000_000 }, 1, {
      actorId: 'u-alice',
      requestId: 'del',
      at: new Date().toISOString(),
    });
    for (const [task, version] of [[rescheduled, 1], [done, 1], [deleted, 1]] as const) {
      const { status } = await run(task, version);
      expect(status).toBe('SUCCEEDED');
      expect(calls).toHaveLength(1);
      calls.length = 0;
    }
    expect((await taskStore.get(rescheduled.id))!.version).toBe(1);
    expect((await taskStore.get(done.id))!.reminders.every((r) => r.status === 'scheduled')).toBe(true);
  });
});
