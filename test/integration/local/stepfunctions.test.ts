// The local Step Functions API (local/stepfunctions.ts), driven by the real @aws-sdk/client-sfn as the
// reminder scheduler drives it through AWS_ENDPOINT_URL_SFN: executions of a Wait → Lambda → Choice
// definition with real and compressed waits, Standard-workflow name semantics, stop, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { startLocalStepFunctions, type LocalStepFunctions, type LocalStepFunctionsOptions } from '#local/stepfunctions';

const CHECK_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:taskwell-check-reminder';
const ECHO_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:taskwell-echo';

/** Wait until `remindAt` → a lambda:invoke check → Choice on its answer → Succeed. */
const reminderDefinition = {
  Comment: 'Wait until the reminder time, check, then end',
  StartAt: 'WaitUntilReminder',
  States: {
    WaitUntilReminder: { Type: 'Wait', TimestampPath: '$.remindAt', Next: 'CheckReminder' },
    CheckReminder: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: CHECK_FUNCTION,
        Payload: { 'taskId.$': '$.taskId', 'scheduleVersion.$': '$.scheduleVersion', 'execution.$': '$$.Execution.Name', source: 'reminder' },
      },
      ResultPath: '$.check',
      Next: 'StillDue',
    },
    StillDue: {
      Type: 'Choice',
      Choices: [{ Variable: '$.check.Payload.sent', BooleanEquals: true, Next: 'Sent' }],
      Default: 'Skipped',
    },
    Sent: { Type: 'Succeed' },
    Skipped: { Type: 'Succeed' },
  },
};

/** A plain function ARN as Resource, JSONPath InputPath/Parameters/ResultPath, and a Catch on the task's error. */
const echoDefinition = {
  StartAt: 'Shape',
  States: {
    Shape: { Type: 'Pass', InputPath: '$.task', Parameters: { 'id.$': '$.id', 'labels.$': '$.tags[*]', fixed: 1 }, ResultPath: '$.shaped', Next: 'Echo' },
    Echo: {
      Type: 'Task',
      Resource: ECHO_FUNCTION,
      InputPath: '$.shaped',
      ResultPath: '$.echoed',
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'Recovered' }],
      End: true,
    },
    Recovered: { Type: 'Pass', End: true },
  },
};

/** Never ends by itself within a test; the top-level timeout ends it. */
const slowDefinition = { TimeoutSeconds: 1, StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 3600, End: true } } };

class ReminderCheckFailed extends Error {
  override name = 'ReminderCheckFailed';
}

interface Call {
  functionName: string;
  payload: Record<string, unknown>;
  at: number;
}

/** A local Step Functions server whose Lambdas record their calls; `fail` in a payload makes them throw. */
const startServer = async (extra: Partial<LocalStepFunctionsOptions> = {}) => {
  const calls: Call[] = [];
  const logged: string[] = [];
  const server = await startLocalStepFunctions({
    stateMachines: [
      { name: 'taskwell-reminder', definition: reminderDefinition },
      { name: 'taskwell-echo', definition: echoDefinition },
      { name: 'taskwell-slow', definition: slowDefinition },
    ],
    invokeLambda: async (functionName, payload) => {
      const event = payload as Record<string, unknown>;
      calls.push({ functionName, payload: event, at: Date.now() });
      if (String(event.taskId ?? event.id).startsWith('fail')) throw new ReminderCheckFailed(`cannot check ${String(event.taskId ?? event.id)}`);
      if (functionName === ECHO_FUNCTION) return { echoed: event };
      return { sent: event.taskId !== 'done-task', taskId: event.taskId };
    },
    log: (message) => logged.push(message),
    ...extra,
  });
  const sfn = new SFNClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return { server, sfn, calls, logged };
};

type Harness = Awaited<ReturnType<typeof startServer>>;

const describeExecution = (h: Harness, executionArn: string) => h.sfn.send(new DescribeExecutionCommand({ executionArn }));

/** Polls DescribeExecution until the execution has ended. */
const ended = async (h: Harness, executionArn: string, timeoutMs = 15_000): Promise<DescribeExecutionCommandOutput> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await describeExecution(h, executionArn);
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const callsFor = (h: Harness, taskId: string) => h.calls.filter((call) => call.payload.taskId === taskId);

describe('the local Step Functions API with real waits', () => {
  let h: Harness;
  let reminderArn: string;

  beforeAll(async () => {
    h = await startServer();
    reminderArn = h.server.stateMachineArn('taskwell-reminder');
  });
  afterAll(async () => {
    h?.sfn.destroy();
    await h?.server.stop();
  });

  it('names state machines and executions with AWS ARNs', async () => {
    expect(reminderArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:taskwell-reminder');
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'arn-check', input: JSON.stringify({ taskId: 'arn-task', scheduleVersion: 1, remindAt: inMs(0) }) }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:taskwell-reminder:arn-check');
    expect(started.startDate).toBeInstanceOf(Date);
    await ended(h, started.executionArn!);
  });

  it('waits until the TimestampPath time, then invokes the Lambda with the JSONPath payload and succeeds', async () => {
    const remindAt = inMs(1_500);
    const input = { taskId: 'task-1', scheduleVersion: 3, remindAt };
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-1-v3', input: JSON.stringify(input) }));

    const running = await describeExecution(h, started.executionArn!);
    expect(running.status).toBe('RUNNING');
    expect(running.stopDate).toBeUndefined();
    expect(callsFor(h, 'task-1')).toEqual([]);

    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const [call, ...more] = callsFor(h, 'task-1');
    expect(more).toEqual([]);
    expect(call!.at).toBeGreaterThanOrEqual(Date.parse(remindAt)); // the Lambda ran after the wait, not before
    expect(call!.functionName).toBe(CHECK_FUNCTION);
    expect(call!.payload).toEqual({ taskId: 'task-1', scheduleVersion: 3, execution: 'task-1-v3', source: 'reminder' });

    expect(done.input).toBe(JSON.stringify(input));
    expect(done.name).toBe('task-1-v3');
    expect(done.stateMachineArn).toBe(reminderArn);
    expect(done.startDate!.getTime()).toBe(started.startDate!.getTime());
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
    const output = JSON.parse(done.output!);
    // The lambda:invoke integration's envelope, as in AWS.
    expect(output).toMatchObject({ ...input, check: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { sent: true, taskId: 'task-1' } } });
    expect(output.check.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(output.check.SdkResponseMetadata.RequestId).toEqual(expect.any(String));
  });

  it('takes the Choice branch from the Lambda answer', async () => {
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, input: JSON.stringify({ taskId: 'done-task', scheduleVersion: 1, remindAt: inMs(0) }) }));
    expect(started.executionArn).toMatch(/:execution:taskwell-reminder:[0-9a-f-]{36}$/); // no name → a generated one
    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).check.Payload).toEqual({ sent: false, taskId: 'done-task' });
  });

  it('starts idempotently: the same name and input while running is the same execution, run once', async () => {
    const input = JSON.stringify({ taskId: 'task-2', scheduleVersion: 1, remindAt: inMs(1_000) });
    const first = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-2-v1', input }));
    const again = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-2-v1', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate!.getTime()).toBe(first.startDate!.getTime());

    const otherInput = JSON.stringify({ taskId: 'task-2', scheduleVersion: 1, remindAt: inMs(5_000) });
    const conflict = h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-2-v1', input: otherInput }));
    await expect(conflict).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await expect(conflict).rejects.toMatchObject({ name: 'ExecutionAlreadyExists', $metadata: { httpStatusCode: 400 } });

    expect((await ended(h, first.executionArn!)).status).toBe('SUCCEEDED');
    expect(callsFor(h, 'task-2')).toHaveLength(1);

    // Standard workflows keep names unique after the execution ended, whatever the input.
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-2-v1', input }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(callsFor(h, 'task-2')).toHaveLength(1);
  });

  it('stops an execution during its Wait: ABORTED, and the Lambda is never called', async () => {
    const remindAt = inMs(1_000);
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-3-v1', input: JSON.stringify({ taskId: 'task-3', scheduleVersion: 1, remindAt }) }));
    const stopped = await h.sfn.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'Superseded', cause: 'schedule version 2' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);

    const described = await describeExecution(h, started.executionArn!);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Superseded', cause: 'schedule version 2' });
    expect(described.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
    expect(described.output).toBeUndefined();

    // Well past the reminder time: still nothing ran, and the status has not moved.
    while (Date.now() < Date.parse(remindAt) + 1_000) await sleep(100);
    expect(callsFor(h, 'task-3')).toEqual([]);
    expect((await describeExecution(h, started.executionArn!)).status).toBe('ABORTED');

    // Stopping an execution that has ended changes nothing.
    const again = await h.sfn.send(new StopExecutionCommand({ executionArn: started.executionArn }));
    expect(again.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
    expect(await describeExecution(h, started.executionArn!)).toMatchObject({ status: 'ABORTED', error: 'Superseded' });
  });

  it('waits longer than a Node timer can hold (24.8 days) instead of firing at once', async () => {
    const started = await h.sfn.send(
      new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'task-4-v1', input: JSON.stringify({ taskId: 'task-4', scheduleVersion: 1, remindAt: inMs(40 * 24 * 3600 * 1000) }) }),
    );
    await sleep(500); // an overflowing timer fires after 1 ms
    expect(callsFor(h, 'task-4')).toEqual([]);
    expect((await describeExecution(h, started.executionArn!)).status).toBe('RUNNING');
    await h.sfn.send(new StopExecutionCommand({ executionArn: started.executionArn }));
    expect((await describeExecution(h, started.executionArn!)).status).toBe('ABORTED');
  });

  it('ends an execution at the state machine TimeoutSeconds: TIMED_OUT', async () => {
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('taskwell-slow'), input: '{}' }));
    const done = await ended(h, started.executionArn!);
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('lists the executions of a state machine, newest first, by status', async () => {
    const listed = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: reminderArn }));
    const names = listed.executions!.map((execution) => execution.name);
    expect(names).toEqual(expect.arrayContaining(['task-1-v3', 'task-2-v1', 'task-3-v1', 'task-4-v1']));
    const starts = listed.executions!.map((execution) => execution.startDate!.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => b - a));

    const aborted = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: reminderArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((execution) => execution.name).sort()).toEqual(['task-3-v1', 'task-4-v1']);

    const page = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: reminderArn, maxResults: 2 }));
    expect(page.executions).toHaveLength(2);
    const next = await h.sfn.send(new ListExecutionsCommand({ stateMachineArn: reminderArn, maxResults: 2, nextToken: page.nextToken }));
    expect(next.executions![0]!.name).toBe(names[2]);
  });

  it('answers AWS errors for unknown state machines and executions, bad names and bad input', async () => {
    await expect(
      h.sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:nope', input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      h.sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:taskwell-reminder:never-started' })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      h.sfn.send(new StopExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:taskwell-reminder:never-started' })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'has space', input: '{}' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'x'.repeat(81), input: '{}' }))).rejects.toBeInstanceOf(InvalidName);
    await expect(h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'bad-input', input: '{not json' }))).rejects.toBeInstanceOf(InvalidExecutionInput);
    // A rejected start leaves the name free.
    await expect(describeExecution(h, 'arn:aws:states:us-east-1:123456789012:execution:taskwell-reminder:bad-input')).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('fails an execution whose Wait timestamp is not RFC 3339, without calling the Lambda', async () => {
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, input: JSON.stringify({ taskId: 'task-5', scheduleVersion: 1, remindAt: 'tomorrow' }) }));
    const done = await ended(h, started.executionArn!);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(callsFor(h, 'task-5')).toEqual([]);
  });
});

describe('the local Step Functions API with compressed waits', () => {
  let h: Harness;
  let reminderArn: string;

  beforeAll(async () => {
    h = await startServer({ waitTimeOverride: 0 });
    reminderArn = h.server.stateMachineArn('taskwell-reminder');
  });
  afterAll(async () => {
    h?.sfn.destroy();
    await h?.server.stop();
  });

  it('runs through a Wait on a far timestamp at once', async () => {
    const remindAt = '2099-01-01T09:00:00Z';
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'far-v1', input: JSON.stringify({ taskId: 'far', scheduleVersion: 1, remindAt }) }));
    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(callsFor(h, 'far')).toHaveLength(1);
    expect(JSON.parse(done.output!)).toMatchObject({ remindAt, check: { StatusCode: 200, Payload: { sent: true } } });
  });

  it('fails the execution when the Lambda fails: Error is its errorType, Cause its error payload', async () => {
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name: 'fail-v1', input: JSON.stringify({ taskId: 'fail-1', scheduleVersion: 1, remindAt: inMs(0) }) }));
    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('ReminderCheckFailed');
    expect(JSON.parse(done.cause!)).toMatchObject({ errorType: 'ReminderCheckFailed', errorMessage: 'cannot check fail-1', trace: expect.any(Array) });
    expect(done.output).toBeUndefined();
    expect(h.logged.some((line) => line.includes('fail-v1') && line.includes('ReminderCheckFailed'))).toBe(true);
  });

  it('passes a plain function ARN task its JSONPath-shaped input and its raw result', async () => {
    const input = { task: { id: 't-9', tags: ['a', 'b'] }, keep: true };
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('taskwell-echo'), input: JSON.stringify(input) }));
    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const call = h.calls.find((c) => c.functionName === ECHO_FUNCTION && c.payload.id === 't-9');
    expect(call!.payload).toEqual({ id: 't-9', labels: ['a', 'b'], fixed: 1 });
    expect(JSON.parse(done.output!)).toEqual({ ...input, shaped: { id: 't-9', labels: ['a', 'b'], fixed: 1 }, echoed: { echoed: { id: 't-9', labels: ['a', 'b'], fixed: 1 } } });
  });

  it('lets a Catch on States.TaskFailed handle a Lambda error, with Error and Cause', async () => {
    const started = await h.sfn.send(new StartExecutionCommand({ stateMachineArn: h.server.stateMachineArn('taskwell-echo'), input: JSON.stringify({ task: { id: 'fail-2', tags: ['urgent'] } }) }));
    const done = await ended(h, started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.echoed).toBeUndefined();
    expect(output.failure.Error).toBe('ReminderCheckFailed');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'ReminderCheckFailed', errorMessage: 'cannot check fail-2' });
  });
});

describe('starting the local Step Functions runtime', () => {
  const invokeLambda = async () => ({});

  it('refuses JSONata definitions', async () => {
    await expect(
      startLocalStepFunctions({ stateMachines: [{ name: 'j', definition: { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } }], invokeLambda }),
    ).rejects.toThrow(/JSONata/);
  });

  it('refuses Task resources it cannot run offline', async () => {
    const definition = { StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't', Item: {} }, End: true } } };
    await expect(startLocalStepFunctions({ stateMachines: [{ name: 'd', definition }], invokeLambda })).rejects.toThrow(/dynamodb:putItem/);
  });

  it('refuses an invalid definition', async () => {
    await expect(startLocalStepFunctions({ stateMachines: [{ name: 'bad', definition: { StartAt: 'Missing', States: {} } }], invokeLambda })).rejects.toThrow(/invalid/i);
  });
});

describe('the local Step Functions runtime with an executions journal', () => {
  it('runs the executions that were running when it stopped again after a restart, once each, and remembers ended ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-journal-'));
    const executionsFile = join(dir, 'executions.jsonl');
    try {
      const first = await startServer({ executionsFile });
      const reminderArn = first.server.stateMachineArn('taskwell-reminder');
      const start = (h: Harness, name: string, taskId: string, remindAt: string) =>
        h.sfn.send(new StartExecutionCommand({ stateMachineArn: reminderArn, name, input: JSON.stringify({ taskId, scheduleVersion: 1, remindAt }) }));
      const done = await start(first, 'done-before', 'early-task', inMs(0));
      await ended(first, done.executionArn!);
      // Due while the runtime is down, and due after it is back.
      const late = await start(first, 'late', 'late-task', inMs(300));
      const later = await start(first, 'later', 'later-task', inMs(2_000));
      first.sfn.destroy();
      await first.server.stop();
      expect(first.calls.map((c) => c.payload.taskId)).toEqual(['early-task']);
      await sleep(400);

      const second = await startServer({ executionsFile });
      try {
        expect((await describeExecution(second, late.executionArn!)).status).toBe('RUNNING');
        expect(second.server.resume()).toBe(2);
        expect((await ended(second, late.executionArn!)).status).toBe('SUCCEEDED');
        expect((await ended(second, later.executionArn!)).status).toBe('SUCCEEDED');
        expect(second.calls.map((c) => c.payload.taskId).sort()).toEqual(['late-task', 'later-task']);
        // Ended before the restart: still known, not run again, and its name is taken.
        expect((await describeExecution(second, done.executionArn!)).status).toBe('SUCCEEDED');
        await expect(start(second, 'done-before', 'early-task', inMs(0))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
      } finally {
        second.sfn.destroy();
        await second.server.stop();
      }
      // A third start resumes nothing: everything has ended.
      const third = await startServer({ executionsFile });
      try {
        expect(third.server.resume()).toBe(0);
        expect((await describeExecution(third, later.executionArn!)).status).toBe('SUCCEEDED');
      } finally {
        third.sfn.destroy();
        await third.server.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
