// Where `npm run dlq` works: the local stack (endpoints from runtime.json, dummy credentials) or a deployed
// stack in AWS (the default credential chain), and the DLQs that exist there, from the shared declarations.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { catalogue, lookupDlq, publisherFunctionName, QueueDirectory as SharedQueueDirectory, type DlqContext, type DlqEntry } from '#shared/ops/dlq';
import { DlqProblem, explainSdkError } from './problem.ts';

// The DLQ catalogue and the SQS operations are shared with the admin API (shared/ops/dlq.ts); this module adds
// where the command works (local stack or AWS) and how it says what went wrong.
export { catalogue, publisherFunctionName, queueCounts, type DlqEntry, type DlqKind, type QueueCounts } from '#shared/ops/dlq';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The stack names of bin/taskwell.ts (lib/app.ts). */
export const DEFAULT_STATEFUL_STACK = 'TaskwellStateful';
export const STATELESS_STACK = 'TaskwellStateless';

/** The contents of `<dataDir>/runtime.json` that `npm start` writes. */
export interface RuntimeInfo {
  sqsEndpoint: string;
  lambdaEndpoint?: string;
  dynamoEndpoint?: string;
  queuePrefix: string;
  functionPrefix: string;
  region?: string;
  pid?: number;
}

export interface Target extends DlqContext {
  kind: 'local' | 'aws';
  /** For messages: "the local stack (.taskwell/runtime.json)", "AWS us-east-1, stack TaskwellStateful". */
  label: string;
  queuePrefix: string;
  functionPrefix: string;
  region?: string;
  endpoints: { sqs?: string; lambda?: string; dynamo?: string };
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  lambda(): Promise<LambdaClient>;
  /** The function that replays publisher batches. */
  publisherFunction: string;
  dlqs: DlqEntry[];
  destroy(): void;
}

/** Finds a DLQ by its physical name (`taskwell-audit-dlq`) or its short name (`audit`, `audit-dlq`). */
export const findDlq = (target: Target, name: string): DlqEntry => {
  const found = lookupDlq(target.dlqs, name);
  if (found) return found;
  throw new DlqProblem(
    `unknown DLQ "${name}"`,
    `${target.label} has these DLQs: ${target.dlqs.map((d) => d.name).join(', ')}.`,
    `Use one of them (or its short name: ${target.dlqs.map((d) => d.short).join(', ')}); \`npm run dlq -- list\` shows them with their counts.`,
    2,
  );
};

export interface TargetOptions {
  local?: boolean;
  aws?: boolean;
  stack?: string;
  region?: string;
  endpointFile?: string;
  env?: NodeJS.ProcessEnv;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** `<repo>/.taskwell/runtime.json`, or under TASKWELL_DATA_DIR (relative to the repo root, as `npm start` reads it). */
export const defaultRuntimeFile = (env: NodeJS.ProcessEnv = process.env): string =>
  resolve(REPO_ROOT, env.TASKWELL_DATA_DIR ?? '.taskwell', 'runtime.json');

const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readRuntime = (file: string): RuntimeInfo => {
  let info: Partial<RuntimeInfo>;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeInfo>;
  } catch (error) {
    throw new DlqProblem(
      `cannot read ${shown(file)}`,
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'The file does not exist: no local stack is running with that data directory.' : (error as Error).message,
      'Start the local stack with `npm start`, point --endpoint-file at the runtime.json of a running one, or use --aws.',
    );
  }
  if (typeof info.sqsEndpoint !== 'string' || typeof info.queuePrefix !== 'string' || typeof info.functionPrefix !== 'string') {
    throw new DlqProblem(
      `${shown(file)} is not a Taskwell runtime file`,
      'It lacks sqsEndpoint, queuePrefix or functionPrefix.',
      'Restart the local stack (`npm start` rewrites it), or pass --endpoint-file with the right file.',
    );
  }
  if (typeof info.pid === 'number' && !isRunning(info.pid)) {
    throw new DlqProblem(
      `the local stack of ${shown(file)} is not running`,
      `The file names process ${info.pid}, which has exited (a stack that was killed leaves the file behind).`,
      'Start the local stack with `npm start`, or use --aws for the deployed stack.',
    );
  }
  return info as RuntimeInfo;
};

/** SQS errors of the shared operations are explained for this target (its label may change in prepareTarget). */
const withExplain = (target: Omit<Target, 'explain'>): Target => {
  const full = target as Target;
  full.explain = (error) => explainSdkError(error, { kind: full.kind, label: full.label, endpoint: full.endpoints.sqs });
  return full;
};

export const resolveTarget = (options: TargetOptions): Target => {
  if (options.aws && (options.local || options.endpointFile)) {
    throw new DlqProblem('--aws cannot be combined with --local or --endpoint-file', 'They name different places to work on.', 'Pick one.', 2);
  }
  const env = options.env ?? process.env;
  if (options.aws) {
    const stack = options.stack ?? DEFAULT_STATEFUL_STACK;
    const region = options.region;
    const config = region ? { region } : {};
    const sqs = new SQSClient(config);
    const streams = new DynamoDBStreamsClient(config);
    let lambda: LambdaClient | undefined;
    return withExplain({
      kind: 'aws',
      label: `AWS${region ? ` ${region}` : ''}, stack ${stack}`,
      queuePrefix: stack,
      functionPrefix: STATELESS_STACK,
      region,
      endpoints: {},
      sqs,
      streams,
      lambda: async () => (lambda ??= new (await import('@aws-sdk/client-lambda')).LambdaClient(config)),
      countsIncludeInFlight: false,
      publisherFunction: publisherFunctionName(STATELESS_STACK),
      dlqs: catalogue(stack, STATELESS_STACK),
      destroy: () => [sqs, streams, lambda].forEach((c) => c?.destroy()),
    });
  }
  if (options.stack || options.region) {
    throw new DlqProblem('--stack and --region apply to --aws only', 'The local stack takes its names and region from runtime.json.', 'Add --aws, or drop them.', 2);
  }
  const file = options.endpointFile ? resolve(options.endpointFile) : defaultRuntimeFile(env);
  if (!options.endpointFile && !options.local && !existsSync(file)) {
    throw new DlqProblem(
      'no target: the local stack is not running and --aws was not given',
      `${shown(file)} does not exist (\`npm start\` writes it while the local stack runs).`,
      'Start the local stack with `npm start` in another terminal, or pass --aws [--stack TaskwellStateful] [--region <r>] for the deployed stack.',
      2,
    );
  }
  const info = readRuntime(file);
  const region = info.region ?? 'us-east-1';
  const base = { region, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...base, endpoint: info.sqsEndpoint });
  const streams = new DynamoDBStreamsClient({ ...base, ...(info.dynamoEndpoint ? { endpoint: info.dynamoEndpoint } : {}) });
  let lambda: LambdaClient | undefined;
  return withExplain({
    kind: 'local',
    label: `the local stack (${shown(file)})`,
    queuePrefix: info.queuePrefix,
    functionPrefix: info.functionPrefix,
    region,
    endpoints: { sqs: info.sqsEndpoint, lambda: info.lambdaEndpoint, dynamo: info.dynamoEndpoint },
    sqs,
    streams,
    lambda: async () => {
      if (!info.lambdaEndpoint) {
        throw new DlqProblem(`${shown(file)} has no lambdaEndpoint`, 'Publisher replay invokes the publisher through the local Lambda API.', 'Restart the local stack with a version of `npm start` that serves it.');
      }
      return (lambda ??= new (await import('@aws-sdk/client-lambda')).LambdaClient({ ...base, endpoint: info.lambdaEndpoint }));
    },
    countsIncludeInFlight: true,
    publisherFunction: publisherFunctionName(info.functionPrefix),
    dlqs: catalogue(info.queuePrefix, info.functionPrefix),
    destroy: () => [sqs, streams, lambda].forEach((c) => c?.destroy()),
  });
};

/** In AWS, settles the region now (from --region, the environment or the profile), so a missing one is said plainly. */
export const prepareTarget = async (target: Target): Promise<void> => {
  if (target.kind !== 'aws' || target.region) return;
  try {
    target.region = await target.sqs.config.region();
  } catch (error) {
    throw explainSdkError(error, { kind: 'aws', label: target.label });
  }
  target.label = `AWS ${target.region}, stack ${target.queuePrefix}`;
};

/** Queue URLs by name, looked up once; a queue that does not exist is explained for the operator. */
export class QueueDirectory extends SharedQueueDirectory {
  constructor(target: Target) {
    super(
      target,
      (name) =>
        new DlqProblem(
          `queue ${name} does not exist in ${target.label}`,
          target.kind === 'aws'
            ? `No queue of that name in this account and region: the stack is not deployed here, or under another name.`
            : 'The local stack did not create it (an older `npm start`?).',
          target.kind === 'aws'
            ? 'Check --stack (default TaskwellStateful) and --region, and that `npm run deploy` has run there.'
            : 'Restart the local stack with `npm start`.',
        ),
    );
  }
}
