// The Step Functions API, offline (AWS_ENDPOINT_URL_SFN): an HTTP server speaking the AWS JSON 1.0
// protocol of @aws-sdk/client-sfn (`X-Amz-Target: AWSStepFunctions.<Operation>`) for StartExecution,
// StopExecution, DescribeExecution and ListExecutions. Executions run in this process with
// aws-local-stepfunctions, on the same ASL definitions (JSONPath only) the CDK app deploys, and keep
// the semantics of a Standard workflow:
//   StartExecution    a `name` is unique per state machine: the same name and the same input while the
//                     execution runs answers the same executionArn and startDate (idempotent start);
//                     a different input, or a name whose execution has ended, is ExecutionAlreadyExists.
//   StopExecution     a running execution becomes ABORTED at once (Wait states end, no further state
//                     runs; a Lambda already running finishes, its result is dropped); stopping one that
//                     has ended changes nothing and answers its stopDate.
//   DescribeExecution RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED, input, output, dates, error/cause.
// Lambda tasks — `arn:aws:states:::lambda:invoke` (Parameters.FunctionName, Payload) and plain function
// ARNs as Resource — go to `invokeLambda`; the lambda:invoke integration answers the service's envelope
// `{ ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode: 200 }`, and a function
// error fails the state with Error = errorType and Cause = the error payload as JSON, as in AWS.
//
// What differs from running the definition with the library as-is, and why:
//   - Wait states are run by this module (the library gets them as Task states with the same name and the
//     same InputPath/OutputPath, the library still evaluating SecondsPath/TimestampPath): the library waits
//     with one setTimeout, and Node fires a timer of more than 2^31-1 ms (24.8 days) after 1 ms — a reminder
//     due next month would go out at once. Here long waits are chained timers, `waitTimeOverride` compresses
//     them, and StopExecution ends them.
//   - The top-level TimeoutSeconds is enforced here for the same reason (→ TIMED_OUT, States.Timeout); Task
//     states without a TimeoutSeconds get no 60 s limit (the library's default; AWS has none that matters).
//   - With `executionsFile`, executions are journalled to disk (one JSON line when one starts, one when it
//     ends) and survive a restart, even a kill -9: `resume()` runs each execution that was still running again
//     from its start state with its input (a Wait whose time has passed ends at once), and ended ones keep
//     answering DescribeExecution / ListExecutions / ExecutionAlreadyExists. A resumed execution repeats the
//     states it had already run, so its tasks must be idempotent (the reminder function is: it acts on the
//     task's current schedule only). Without the file, executions live in memory only.
// Other Task resources (SDK integrations, activities, .waitForTaskToken) and JSONata are refused when the
// server starts, so a definition that would not run offline fails loudly instead of mid-execution.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local/lambda';
import { functionErrorPayload } from '#local/lambda-api';
import { listenOnLoopback } from '#local/ports';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22); Node 20 lacks it.
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
if (typeof (Promise as unknown as { withResolvers?: WithResolvers }).withResolvers !== 'function') {
  const withResolvers: WithResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true });
}

export interface LocalStateMachine {
  /** The state machine's name (the last part of its ARN). */
  name: string;
  /** Its ASL definition (JSONPath only), as the CDK app synthesizes it. */
  definition: object;
}

export interface LocalStepFunctionsOptions {
  /** Port to listen on (loopback); omitted → a free one. */
  port?: number;
  stateMachines: LocalStateMachine[];
  /**
   * Runs a Lambda function: `FunctionName` of a lambda:invoke task (name, partial or full ARN, as written)
   * or the function ARN of a Task's Resource, with the task's payload. Resolves with the function's result;
   * a rejection is the function's error (its `name` becomes the state's Error, like a Lambda errorType).
   */
  invokeLambda: (functionArnOrName: string, payload: unknown) => Promise<unknown>;
  /**
   * Milliseconds every Wait state lasts instead of its Seconds/Timestamp (a number), or per Wait state name
   * (a function; `undefined` from it → the real wait). Omitted → real waits.
   */
  waitTimeOverride?: number | ((stateName: string) => number | undefined);
  /** Account and region of the ARNs (default those of local/lambda.ts). */
  account?: string;
  region?: string;
  /** Where failed executions and internal errors are reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
  /**
   * A journal (JSON lines) of the executions, so that they survive a restart of the process; the running ones
   * are run again by `resume()`. Omitted: executions live in memory only.
   */
  executionsFile?: string;
}

export interface LocalStepFunctions {
  /** Endpoint for AWS_ENDPOINT_URL_SFN. */
  endpoint: string;
  /** `arn:aws:states:<region>:<account>:stateMachine:<name>` of a configured state machine. */
  stateMachineArn(name: string): string;
  /**
   * Runs again the executions the journal (`executionsFile`) says were running when the last process ended;
   * call it once the functions they invoke can run. Answers how many it resumed.
   */
  resume(): number;
  /** Aborts the running executions (the journal keeps them running, for the next start), stops listening, and waits for Lambda calls under way to end. */
  stop(): Promise<void>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Longest delay a Node timer takes (2^31-1 ms); longer ones fire after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const MAX_INPUT_BYTES = 262_144;
const MAX_BODY_BYTES = 1024 * 1024;
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
/** Resource given to the library for the Wait states this module runs (a valid ARN no AWS service owns). */
const WAIT_RESOURCE = 'arn:aws:states:::taskwell-local:wait';
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// AWS: 1–80 characters, none of whitespace, < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / or control characters.
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error of a state, as the library reports it: `name` is the ASL Error, `message` the Cause. */
class StateError extends Error {
  constructor(
    name: string,
    cause: string,
    private readonly handling: { retryable: boolean; catchable: boolean } = { retryable: true, catchable: true },
  ) {
    super(cause);
    this.name = name;
  }
  // Read by the library's Retry and Catch matching.
  get isRetryable() {
    return this.handling.retryable;
  }
  get isCatchable() {
    return this.handling.catchable;
  }
}

/** Like the library's States.Runtime: neither retried nor caught. */
const runtimeError = (message: string) => new StateError('States.Runtime', message, { retryable: false, catchable: false });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type AslState = Record<string, unknown> & { Type?: string };
type TaskHandler = (input: Json) => Promise<Json>;

type TaskSpec =
  | { kind: 'wait'; stateName: string }
  | { kind: 'lambda-invoke'; stateName: string }
  | { kind: 'lambda-arn'; stateName: string; functionArn: string };

interface Compiled {
  name: string;
  arn: string;
  machine: StateMachine;
  tasks: TaskSpec[];
  timeoutSeconds?: number;
}

interface Execution {
  arn: string;
  name: string;
  stateMachine: Compiled;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  abortController: AbortController;
  abortRun: () => void;
  settled: Promise<void>;
}

/** A line of the executions journal: an execution started, or one ended. */
type JournalLine =
  | { op: 'start'; machine: string; name: string; input: string; startDate: number }
  | { op: 'end'; arn: string; status: ExecutionStatus; stopDate: number; output?: string; error?: string; cause?: string };

/** Ended executions are forgotten after this long (Step Functions keeps a Standard execution's history 90 days). */
const ENDED_RETENTION_MS = 90 * 86_400_000;

/** Waits `ms` (any length), or until `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || !(ms > 0)) return resolve();
    const end = Date.now() + ms;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const tick = () => {
      const left = end - Date.now();
      if (left <= 0) {
        signal.removeEventListener('abort', onAbort);
        return resolve();
      }
      timer = setTimeout(tick, Math.min(left, MAX_TIMER_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });

const asStates = (value: unknown, where: string): Record<string, AslState> => {
  if (!value || typeof value !== 'object') throw new Error(`${where}: States must be an object`);
  return value as Record<string, AslState>;
};

/** Every state of a definition, nested Parallel branches and Map processors included. */
function* allStates(states: Record<string, AslState>, where: string): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    if (state.QueryLanguage === 'JSONata') throw new Error(`${where}: state ${name} uses JSONata; the local runtime runs JSONPath only`);
    if (state.Type === 'Parallel') {
      for (const branch of (state.Branches as { States: unknown }[] | undefined) ?? []) yield* allStates(asStates(branch.States, where), where);
    }
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: unknown } | undefined;
      if (processor) yield* allStates(asStates(processor.States, where), where);
    }
  }
}

/** Validates a definition, and rewrites it for the library: Wait states as local tasks, no timers it cannot hold. */
const compile = (name: string, arn: string, definition: object): Compiled => {
  const where = `state machine ${name}`;
  const original = definition as Record<string, unknown>;
  if (original.QueryLanguage === 'JSONata') throw new Error(`${where} uses JSONata; the local runtime runs JSONPath only`);
  // Validates the definition as written (ASL schema, JSONPaths, ARNs, unique state names).
  new StateMachine(structuredClone(definition) as StateMachineDefinition);

  const rewritten = structuredClone(definition) as Record<string, unknown>;
  const timeoutSeconds = typeof rewritten.TimeoutSeconds === 'number' ? rewritten.TimeoutSeconds : undefined;
  delete rewritten.TimeoutSeconds;
  const tasks: TaskSpec[] = [];
  for (const [stateName, state] of allStates(asStates(rewritten.States, where), where)) {
    if (state.Type === 'Wait') {
      const { Type, Seconds, Timestamp, SecondsPath, TimestampPath, ...rest } = state;
      const parameters: Record<string, unknown> = { 'input.$': '$' };
      if (Seconds !== undefined) parameters.seconds = Seconds;
      if (Timestamp !== undefined) parameters.timestamp = Timestamp;
      if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
      if (TimestampPath !== undefined) parameters['timestamp.$'] = TimestampPath;
      for (const key of Object.keys(state)) delete state[key];
      Object.assign(state, rest, { Type: 'Task', Resource: WAIT_RESOURCE, Parameters: parameters, TimeoutSeconds: MAX_TIMER_SECONDS });
      tasks.push({ kind: 'wait', stateName });
      continue;
    }
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (LAMBDA_INVOKE.test(resource)) {
      const parameters = state.Parameters as Record<string, unknown> | undefined;
      if (!parameters || !('FunctionName' in parameters || 'FunctionName.$' in parameters)) {
        throw new Error(`${where}: state ${stateName} calls lambda:invoke without Parameters.FunctionName`);
      }
      tasks.push({ kind: 'lambda-invoke', stateName });
    } else if (LAMBDA_FUNCTION_ARN.test(resource)) {
      tasks.push({ kind: 'lambda-arn', stateName, functionArn: resource });
    } else {
      throw new Error(`${where}: state ${stateName} uses ${resource}; the local runtime runs Lambda tasks only (lambda:invoke or a function ARN)`);
    }
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = MAX_TIMER_SECONDS;
    else if (typeof state.TimeoutSeconds === 'number') state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  const machine = new StateMachine(rewritten as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  return { name, arn, machine, tasks, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) };
};

const toJson = (value: unknown): Json => (value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as Json));
const epochSeconds = (ms: number) => ms / 1000;

/** The lambda:invoke integration's answer, as Step Functions passes it to the state. */
const lambdaInvokeEnvelope = (payload: Json, requestId: string): Json => {
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(JSON.stringify(payload))),
    Date: new Date().toUTCString(),
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(new ApiError(413, 'RequestEntityTooLarge', 'Request body too large')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });

const requireString = (body: Record<string, unknown>, field: string): string => {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ApiError(400, 'ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
};

export const startLocalStepFunctions = async (options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> => {
  const region = options.region ?? LOCAL_REGION;
  const account = options.account ?? LOCAL_ACCOUNT_ID;
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[stepfunctions] ${message}`, ...(error === undefined ? [] : [error])));
  const stateMachineArn = (name: string) => `arn:aws:states:${region}:${account}:stateMachine:${name}`;
  const executionArn = (machine: string, name: string) => `arn:aws:states:${region}:${account}:execution:${machine}:${name}`;
  const stateMachineArnPattern = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;
  const executionArnPattern = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

  const machines = new Map<string, Compiled>();
  for (const { name, definition } of options.stateMachines) {
    if (machines.has(stateMachineArn(name))) throw new Error(`state machine ${name} is declared twice`);
    machines.set(stateMachineArn(name), compile(name, stateMachineArn(name), definition));
  }
  const executions = new Map<string, Execution>();
  const lambdaCalls = new Set<Promise<unknown>>();

  const waitOverride = (stateName: string): number | undefined =>
    typeof options.waitTimeOverride === 'function' ? options.waitTimeOverride(stateName) : options.waitTimeOverride;

  const callLambda = async (signal: AbortSignal, functionName: string, payload: Json): Promise<Json> => {
    // The library retries a task after its abort signal; a stopped execution calls nothing more.
    if (signal.aborted) throw new StateError('States.Aborted', 'The execution was stopped', { retryable: false, catchable: false });
    const call = options.invokeLambda(functionName, payload);
    lambdaCalls.add(call);
    try {
      return toJson(await call);
    } catch (error) {
      const details = functionErrorPayload(error, randomUUID());
      throw new StateError(details.errorType, JSON.stringify(details));
    } finally {
      lambdaCalls.delete(call);
    }
  };

  const handlersFor = (machine: Compiled, signal: AbortSignal): Record<string, TaskHandler> => {
    const handlers: Record<string, TaskHandler> = {};
    for (const task of machine.tasks) {
      if (task.kind === 'wait') {
        handlers[task.stateName] = async (parameters) => {
          const { input, seconds, timestamp } = parameters as { input: Json; seconds?: unknown; timestamp?: unknown };
          let ms: number;
          if (seconds !== undefined) {
            if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw runtimeError(`Wait state ${task.stateName}: seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`);
            ms = seconds * 1000;
          } else {
            if (typeof timestamp !== 'string' || !RFC3339.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
              throw runtimeError(`Wait state ${task.stateName}: timestamp must be an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}`);
            }
            ms = Date.parse(timestamp) - Date.now();
          }
          await sleep(waitOverride(task.stateName) ?? ms, signal);
          return input;
        };
      } else if (task.kind === 'lambda-invoke') {
        handlers[task.stateName] = async (parameters) => {
          const { FunctionName, Payload } = (parameters ?? {}) as { FunctionName?: unknown; Payload?: Json };
          if (typeof FunctionName !== 'string') throw runtimeError(`State ${task.stateName}: FunctionName must be a string`);
          const result = await callLambda(signal, FunctionName, Payload === undefined ? {} : Payload);
          return lambdaInvokeEnvelope(result, randomUUID());
        };
      } else {
        handlers[task.stateName] = (input) => callLambda(signal, task.functionArn, input);
      }
    }
    return handlers;
  };

  // ---- the journal: an execution is written down before StartExecution answers, its end when it ends ----
  let shuttingDown = false;
  const journal = (line: JournalLine) => {
    if (!options.executionsFile || shuttingDown) return;
    try {
      appendFileSync(options.executionsFile, `${JSON.stringify(line)}\n`);
    } catch (error) {
      log(`could not write the executions journal ${options.executionsFile}`, error);
    }
  };
  /** Executions the journal says were running, run again by resume(). */
  const toResume: { machine: Compiled; name: string; input: string; startDate: number }[] = [];

  const finish = (execution: Execution, status: ExecutionStatus, fields: Partial<Pick<Execution, 'output' | 'error' | 'cause'>> = {}) => {
    if (execution.status !== 'RUNNING') return false;
    Object.assign(execution, { status, stopDate: Date.now() }, fields);
    journal({ op: 'end', arn: execution.arn, status, stopDate: execution.stopDate!, ...fields });
    return true;
  };

  const startExecution = (machine: Compiled, name: string, input: string, startDate = Date.now()): Execution => {
    const arn = executionArn(machine.name, name);
    const abortController = new AbortController();
    const run = machine.machine.run(JSON.parse(input) as Json, {
      overrides: { taskResourceLocalHandlers: handlersFor(machine, abortController.signal) },
      context: {
        Execution: { Id: arn, Name: name, RoleArn: `arn:aws:iam::${account}:role/local-stepfunctions` },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    const execution: Execution = {
      arn,
      name,
      stateMachine: machine,
      input,
      status: 'RUNNING',
      startDate,
      abortController,
      abortRun: () => {
        abortController.abort();
        run.abort();
      },
      settled: Promise.resolve(),
    };
    const timeout =
      machine.timeoutSeconds === undefined
        ? undefined
        : sleep(machine.timeoutSeconds * 1000, abortController.signal).then(() => {
            if (finish(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: `The execution timed out after ${machine.timeoutSeconds} seconds` })) execution.abortRun();
          });
    execution.settled = run.result.then(
      (output) => {
        finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return void finish(execution, 'ABORTED');
        if (error instanceof ExecutionTimeoutError) return void finish(execution, 'TIMED_OUT', { error: 'States.Timeout' });
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error instanceof Error ? error : new Error(String(error));
        if (finish(execution, 'FAILED', { error: cause.name, cause: cause.message })) log(`execution ${arn} failed: ${cause.name}`, cause.message);
      },
    ).finally(() => {
      abortController.abort(); // ends the timeout timer, if any
      execution.abortRun = () => {}; // lets the run (and its event log) be collected
      return timeout;
    });
    executions.set(arn, execution);
    return execution;
  };

  /** Folds the journal into the executions (ended ones kept for DescribeExecution, running ones queued for resume()), then rewrites it compacted. */
  function loadJournal(file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const known = new Map<string, { machine: Compiled; name: string; input: string; startDate: number; end?: Extract<JournalLine, { op: 'end' }> }>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // a line cut short by a kill: its StartExecution never answered
      }
      if (line.op === 'start') {
        const machine = machines.get(line.machine);
        if (machine) known.set(executionArn(machine.name, line.name), { machine, name: line.name, input: line.input, startDate: line.startDate });
      } else if (line.op === 'end') {
        const entry = known.get(line.arn);
        if (entry) entry.end = line;
      }
    }
    const lines: JournalLine[] = [];
    for (const [arn, entry] of known) {
      if (entry.end && Date.now() - entry.end.stopDate > ENDED_RETENTION_MS) continue;
      lines.push({ op: 'start', machine: entry.machine.arn, name: entry.name, input: entry.input, startDate: entry.startDate });
      const { op: _op, arn: _arn, ...ended } = entry.end ?? { op: 'end', arn, status: 'RUNNING' as const, stopDate: 0 };
      executions.set(arn, {
        arn,
        name: entry.name,
        stateMachine: entry.machine,
        input: entry.input,
        status: 'RUNNING',
        startDate: entry.startDate,
        ...(entry.end ? ended : {}),
        abortController: new AbortController(),
        abortRun: () => {},
        settled: Promise.resolve(),
      });
      if (entry.end) lines.push(entry.end);
      else toResume.push({ machine: entry.machine, name: entry.name, input: entry.input, startDate: entry.startDate });
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    renameSync(`${file}.tmp`, file);
  }

  const findMachine = (arn: string) => {
    const match = stateMachineArnPattern.exec(arn);
    if (!match) throw new ApiError(400, 'InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const machine = machines.get(arn);
    if (!machine || match[1] !== region || match[2] !== account) throw new ApiError(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };

  const findExecution = (arn: string) => {
    if (!executionArnPattern.test(arn)) throw new ApiError(400, 'InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const execution = executions.get(arn);
    if (!execution) throw new ApiError(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: (body) => {
      const machine = findMachine(requireString(body, 'stateMachineArn'));
      const name = body.name === undefined ? randomUUID() : String(body.name);
      if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name)) throw new ApiError(400, 'InvalidName', `Invalid Name: '${name}'`);
      const input = body.input === undefined ? '{}' : String(body.input);
      if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
        throw new ApiError(400, 'ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INPUT_BYTES}`);
      }
      try {
        JSON.parse(input);
      } catch (error) {
        throw new ApiError(400, 'InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
      }
      const existing = executions.get(executionArn(machine.name, name));
      if (existing) {
        if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: existing.arn, startDate: epochSeconds(existing.startDate) };
        throw new ApiError(400, 'ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
      }
      const execution = startExecution(machine, name, input);
      journal({ op: 'start', machine: machine.arn, name, input, startDate: execution.startDate });
      return { executionArn: execution.arn, startDate: epochSeconds(execution.startDate) };
    },

    StopExecution: (body) => {
      const execution = findExecution(requireString(body, 'executionArn'));
      const fields: { error?: string; cause?: string } = {};
      if (typeof body.error === 'string') fields.error = body.error;
      if (typeof body.cause === 'string') fields.cause = body.cause;
      if (finish(execution, 'ABORTED', fields)) execution.abortRun();
      return { stopDate: epochSeconds(execution.stopDate!) };
    },

    DescribeExecution: (body) => {
      const execution = findExecution(requireString(body, 'executionArn'));
      return {
        executionArn: execution.arn,
        stateMachineArn: execution.stateMachine.arn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        ...(execution.stopDate === undefined ? {} : { stopDate: epochSeconds(execution.stopDate) }),
        input: execution.input,
        inputDetails: { included: true },
        ...(execution.output === undefined ? {} : { output: execution.output, outputDetails: { included: true } }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      };
    },

    ListExecutions: (body) => {
      const machine = findMachine(requireString(body, 'stateMachineArn'));
      const maxResults = typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.min(body.maxResults, 1000) : 100;
      let offset = 0;
      if (body.nextToken !== undefined) {
        offset = Number(Buffer.from(String(body.nextToken), 'base64url').toString('utf8'));
        if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'InvalidToken', `Invalid Token: '${String(body.nextToken)}'`);
      }
      const matching = [...executions.values()]
        .filter((execution) => execution.stateMachine === machine && (body.statusFilter === undefined || execution.status === body.statusFilter))
        .sort((a, b) => b.startDate - a.startDate);
      const page = matching.slice(offset, offset + maxResults);
      return {
        executions: page.map((execution) => ({
          executionArn: execution.arn,
          stateMachineArn: machine.arn,
          name: execution.name,
          status: execution.status,
          startDate: epochSeconds(execution.startDate),
          ...(execution.stopDate === undefined ? {} : { stopDate: epochSeconds(execution.stopDate) }),
        })),
        ...(offset + maxResults < matching.length ? { nextToken: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}),
      };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? operations[target.slice('AWSStepFunctions.'.length)] : undefined;
    if (req.method !== 'POST' || !operation) {
      throw new ApiError(400, 'UnknownOperationException', `The local Step Functions API serves StartExecution, StopExecution, DescribeExecution and ListExecutions (got '${target}').`);
    }
    const raw = (await readBody(req)).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = raw.trim() === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      throw new ApiError(400, 'SerializationException', 'The request body is not valid JSON');
    }
    const text = JSON.stringify(operation(body ?? {}));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
    res.end(text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof ApiError ? error : new ApiError(500, 'InternalFailure', 'Internal failure of the local Step Functions API.');
      if (!(error instanceof ApiError)) log('request failed', error);
      if (res.headersSent) return res.destroy();
      const text = JSON.stringify({ __type: `${ERROR_NAMESPACE}#${e.code}`, message: e.message });
      res.writeHead(e.status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-errortype': e.code,
        'x-amzn-requestid': randomUUID(),
      });
      res.end(text);
    });
  });

  if (options.executionsFile) loadJournal(options.executionsFile);

  const port = await listenOnLoopback(server, options.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateMachineArn: (name) => {
      const arn = stateMachineArn(name);
      if (!machines.has(arn)) throw new Error(`no local state machine named ${name}`);
      return arn;
    },
    resume: () => {
      const resumed = toResume.splice(0);
      for (const { machine, name, input, startDate } of resumed) {
        const arn = executionArn(machine.name, name);
        if (executions.get(arn)?.status !== 'RUNNING') continue;
        startExecution(machine, name, input, startDate);
      }
      return resumed.length;
    },
    stop: async () => {
      shuttingDown = true; // the journal keeps them running: the next start resumes them
      for (const execution of executions.values()) {
        if (finish(execution, 'ABORTED', { error: 'Local.Shutdown', cause: 'The local Step Functions runtime stopped' })) execution.abortRun();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.allSettled([...[...executions.values()].map((execution) => execution.settled), ...lambdaCalls]);
    },
  };
};
